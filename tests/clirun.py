"""Running the command line in this process, as the console script does (``budgetxl.cli.main``:
Click's errors as one line, the exit code), to test many commands quickly; and the files those
tests share. A few tests still start a real process (tests/test_cli.py) to see the script itself."""

from __future__ import annotations

import contextlib
import csv
import io
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from budgetxl.demo import simulated_submission, with_plan_mistakes
from budgetxl.files.tables import load_roster
from budgetxl.model import Submission
from budgetxl.workbook.writer import generate_workbook

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "juluxian-2024.json"
ROSTER = ROOT / "examples" / "xingtai-units.csv"


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def cli(*args: str | Path, cwd: Path | None = None) -> Run:
    """``budgetxl ARGS`` in this process: its exit code, stdout and stderr."""
    import budgetxl.cli  # noqa: F401  (the module budgetxl.cli.app: the package's ``app`` is the Typer app)

    appmod = sys.modules["budgetxl.cli.app"]
    appmod._state["lang"] = "zh"  # (a fresh process starts in Chinese)
    out, err = io.StringIO(), io.StringIO()
    argv = ["budgetxl", *map(str, args)]
    old_argv, old_cwd = sys.argv, Path.cwd()
    code = 0
    try:
        sys.argv = argv
        if cwd is not None:
            import os

            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                appmod.main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 0
    finally:
        sys.argv = old_argv
        if cwd is not None:
            import os

            os.chdir(old_cwd)
    return Run(code, out.getvalue(), err.getvalue())


def seed() -> Submission:
    return Submission.from_json(SEED.read_bytes())


def unit_doc(i: int) -> Submission:
    """The seed (i = 9, 巨鹿县) or a plausible other unit of the roster."""
    units = load_roster(ROSTER)
    return seed() if units[i].code == "414001" else simulated_submission(seed(), units[i], i)


def files(tmp: Path) -> dict[str, Path]:
    """Inputs every command test uses: a valid workbook (warnings only), one with errors, the
    seed document, a roster of three units, a budget list for two of them, a text file."""
    units = load_roster(ROSTER)
    out = {"seed": SEED}
    out["good"] = generate_workbook(seed(), tmp / "in" / "414001_巨鹿县.xlsx")
    out["bad"] = generate_workbook(with_plan_mistakes(unit_doc(0)), tmp / "in" / "401001_襄都区.xlsx")
    roster = tmp / "roster.csv"
    chosen = [units[0], units[1], units[9]]
    roster.write_text("code,name,region\n" + "".join(f"{u.code},{u.name},{u.region}\n" for u in chosen),
                      encoding="utf-8")
    out["roster"] = roster
    out["budget"] = budget_csv(tmp / "budget.csv", [unit_doc(0), seed()])
    notes = tmp / "notes.txt"
    notes.write_text("minutes of the meeting\n", encoding="utf-8")
    out["notes"] = notes
    return out


def budget_csv(path: Path, docs: list[Submission], extra: list[list[str]] | None = None) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["unit_code", "project_code", "project_name", "total", "fiscal", "other"])
    for d in docs:
        for p in d.projects:
            w.writerow([d.unit.code, p.code, p.name, *(str(v if v is not None else Decimal(0)) for v in
                                                       (p.budget.total, p.budget.fiscal, p.budget.other))])
    for row in extra or []:
        w.writerow(row)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def stage_files(tmp, cons) -> dict:
    """A later stage's files: July's monitoring workbook issued from ``cons`` and a careless
    return of it (errors), and the consolidated monitoring."""
    from budgetxl.api import generate_stage, load_template, merge
    from budgetxl.demo import fill_monitor
    from budgetxl.workbook.writer import generate_workbook

    issued = generate_stage(cons, "monitor", tmp / "monitor")
    doc = issued.documents[0]
    returned = generate_workbook(fill_monitor(doc, careless=True), tmp / "mon-in" / "414001_monitor.xlsx",
                                 load_template(doc.template.id, doc.month))
    merge([returned], tmp / "moncons.xlsx")
    return {"monitor": issued.outputs[0], "monret": returned, "moncons": tmp / "moncons.xlsx"}

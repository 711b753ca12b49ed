"""``budgetxl demo``: the whole cycle on the bundled example, in one output folder.

1-下发      this year's budget list (预算清单.csv) and each roster unit's workbook issued from it:
            its projects' codes, names and amounts pre-filled and locked (what the city sends out)
2-收件箱    simulated returns, each the unit's issued workbook filled in: the seed's data as 巨鹿县,
            plausible variations for the other units, two with mistakes, one resubmitted (first try
            with a mistake, then a corrected copy), one identical file sent twice, one unit that
            never answers; every return holds only issued project codes
3-退回修改  annotated copies of the files that fail validation
4-汇总      the consolidated workbook and its data files
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path

from .api import (RosterUnit, Submission, Template, annotate_copy, generate_workbook, generate_workbooks,
                  load_roster, load_template, merge, validate_file, workbook_filename)
from .messages import message
from .values import format_number

EXAMPLE_DOC = "juluxian-2024.json"
EXAMPLE_ROSTER = "xingtai-units.csv"
BUDGET_FILE = "预算清单.csv"
CITY = "邢台市"  # the city of the example roster
ISSUE, INBOX, RETURNED, CONSOLIDATED = "1-下发", "2-收件箱", "3-退回修改", "4-汇总"


def example_path(name: str) -> Path:
    return Path(str(resources.files("budgetxl.examples") / name))


def example_document() -> Submission:
    return Submission.from_json(example_path(EXAMPLE_DOC).read_bytes())


def _code_tail(unit: str, i: int) -> str:
    """A stable 12-character project-code tail for a simulated unit's project."""
    digest = hashlib.sha256(f"{unit}-{i}".encode()).hexdigest().upper()
    return ("0058" + digest)[:12]


def simulated_submission(seed: Submission, unit: RosterUnit, n: int) -> Submission:
    """A plausible submission for ``unit``: a rotation of the seed's projects with amounts scaled,
    codes in the unit's region, cost indicators following the new amounts."""
    data = seed.model_dump(by_alias=True)
    data["unit"] = {"code": unit.code, "name": unit.name, "region": unit.region}
    county = unit.name.split("市场监督管理局")[0]
    seed_county = seed.unit.name.split("市场监督管理局")[0] if seed.unit.name else ""
    data["overview"]["overall"] = (seed.overview.overall or "").replace(seed_county.rstrip("县"), county.rstrip("县区市"))
    factor = Decimal(60 + (n * 37) % 120) / 100
    count = 4 + n % 6
    projects = []
    for i in range(count):
        p = data["projects"][(n + i) % len(data["projects"])]
        old_total = p["budget"]["total"]
        total = (old_total * factor).quantize(Decimal("0.01"), ROUND_HALF_UP)
        p["code"] = f"{unit.region}{(seed.year or 2024) % 100:02d}P{_code_tail(unit.code, i)}"
        p["budget"] = {"total": total, "fiscal": total, "other": Decimal(0)}
        for ind in p["indicators"]:
            v = ind["value"]
            if ind["level2"] == "成本指标" and v and v["unit"] == "万元" and v["number"] is not None:
                amount = total if v["number"] == old_total else (v["number"] * factor).quantize(Decimal("0.01"))
                ind["value"] = f"{v['op'] if v['op'] != '＝' else ''}{amount}万元"
        projects.append(p)
    data["projects"] = projects
    return Submission.model_validate(data)


def with_budget_mistakes(doc: Submission) -> Submission:
    """A clerk who mistyped the funds and let the spending plan go backwards."""
    bad = doc.model_copy(deep=True)
    bad.projects[0].budget.fiscal = (bad.projects[0].budget.fiscal or Decimal(0)) - Decimal("1.5")
    bad.projects[1].spending_plan[1].percent = Decimal(20)
    return bad


def with_plan_mistakes(doc: Submission) -> Submission:
    """A clerk whose spending plans go backwards and stop short of 100 (what the clerk types; the
    issued amounts stay as issued)."""
    bad = doc.model_copy(deep=True)
    bad.projects[0].spending_plan[-1].percent = Decimal(90)
    bad.projects[1].spending_plan[1].percent = Decimal(20)
    return bad


def budget_list(docs: list[Submission], path: Path) -> Path:
    """The city's budget list for ``docs``: one row per project (unit, code, name, amounts), the
    way a budget system exports it."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["单位编码", "项目编码", "项目名称", "预算数", "财政资金", "其他资金"])
    for d in docs:
        for p in d.projects:
            b = p.budget
            w.writerow([d.unit.code, p.code, p.name, *(format_number(v) if v is not None else "" for v in
                                                       (b.total, b.fiscal, b.other))])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\ufeff" + buf.getvalue(), encoding="utf-8")
    return path


def with_indicator_mistakes(doc: Submission) -> Submission:
    """A clerk who dropped the outcome indicators and left instruction text in a cell."""
    bad = doc.model_copy(deep=True)
    p = bad.projects[0]
    p.indicators = [i for i in p.indicators if i.level1 != "效益指标"]
    p.purpose = "请填写资金用途"
    return bad


@dataclass
class DemoReport:
    outdir: Path
    issued: int = 0
    received: int = 0
    annotated: list[Path] = field(default_factory=list)
    merge: object | None = None

    def lines(self, lang: str = "zh") -> list[str]:
        s = self.merge.consolidation.summary() if self.merge else {}
        return [
            message("demo.issued", lang, n=self.issued, dir=self.outdir / ISSUE, budget=self.outdir / ISSUE / BUDGET_FILE),
            message("demo.received", lang, n=self.received, dir=self.outdir / INBOX),
            message("demo.validated", lang, n=len(self.annotated), dir=self.outdir / RETURNED),
            message("demo.merged", lang, path=self.outdir / CONSOLIDATED / "汇总.xlsx"),
            message("demo.totals", lang, expected=s.get("expected"), received=s.get("received"), valid=s.get("valid"),
                    missing=len(s.get("missing", [])), projects=s.get("projects"),
                    total=format_number(s.get("total", Decimal(0)))),
        ]


def _age(path: Path, days: float) -> None:
    """Make a file look older (the first try of a resubmission)."""
    st = path.stat()
    os.utime(path, (st.st_atime - days * 86400, st.st_mtime - days * 86400))


def run_demo(outdir: str | os.PathLike[str], template: Template | None = None, lang: str = "zh") -> DemoReport:
    out = Path(outdir)
    t = template or load_template()
    seed = example_document()
    roster = load_roster(example_path(EXAMPLE_ROSTER))
    year = seed.year or 2024
    report = DemoReport(out)
    others = [u for u in roster if u.code != seed.unit.code]
    filled = {u.code: simulated_submission(seed, u, n) for n, u in enumerate(others)} | {seed.unit.code: seed}
    budget = budget_list([filled[u.code] for u in roster], out / ISSUE / BUDGET_FILE)
    report.issued = len(generate_workbooks(roster, year, out / ISSUE, t, budget=budget))

    inbox = out / INBOX
    missing, budget_bad, indicator_bad, resubmitted, duplicated = others[-1], others[1], others[4], others[6], others[8]
    files: list[Path] = []
    for unit in roster:  # each return: the unit's issued projects, filled in by its clerk
        if unit is missing:
            continue
        doc, name = filled[unit.code], workbook_filename(unit.code, unit.name, year, t)
        if unit is budget_bad:
            doc = with_plan_mistakes(doc)
        elif unit is indicator_bad:
            doc = with_indicator_mistakes(doc)
        if unit is resubmitted:
            first = inbox / name
            generate_workbook(with_plan_mistakes(doc), first, t)
            _age(first, 2)
            files.append(first)
            name = name.replace(".xlsx", "（修改版）(2).xlsx")
        path = inbox / name
        generate_workbook(doc, path, t)
        files.append(path)
        if unit is duplicated:
            copy = inbox / "重复发送" / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(path.read_bytes())
            files.append(copy)
    report.received = len(files)

    taken: set[str] = set()
    for f in files:
        checked = validate_file(f, t)
        if checked.errors:
            report.annotated.append(annotate_copy(checked, out / RETURNED, lang, taken))

    report.merge = merge([inbox], out / CONSOLIDATED / "汇总.xlsx", roster=roster, data_dir=out / CONSOLIDATED / "data",
                         template=t, lang=lang, city=CITY)
    return report

"""``budgetxl demo``: the cycle end to end on the bundled example (the seed's unit and a roster)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .csvout import rows_to_csv
from .fileio import write_text_atomic
from .model import Submission
from .reader import read_workbook
from .roster import load_roster
from .tables import indicator_rows
from .template import load_template
from .validate import validate_file
from .writer import generate_for_roster, generate_workbook, workbook_filename

EXAMPLE_DOC = "juluxian-2024.json"
EXAMPLE_ROSTER = "xingtai-units.csv"


def example_path(name: str) -> Path:
    return Path(str(resources.files("budgetxl.examples") / name))


def example_document() -> Submission:
    return Submission.from_json(example_path(EXAMPLE_DOC).read_bytes())


@dataclass
class DemoReport:
    outdir: Path
    blank: list[str] = field(default_factory=list)
    workbook: Path | None = None
    projects: int = 0
    indicators: int = 0
    total: str = ""
    errors: int = 0
    warnings: int = 0
    files: list[Path] = field(default_factory=list)

    def lines(self, lang: str = "zh") -> list[str]:
        if lang == "en":
            return [
                f"1. Issued {len(self.blank)} blank workbooks for the roster: {self.outdir / 'templates'}",
                f"2. Pre-filled the example unit's workbook: {self.workbook}",
                f"3. Read it back: {self.projects} projects, {self.indicators} indicators, total {self.total} 万元",
                f"4. Validated it: {self.errors} error(s), {self.warnings} warning(s)",
                *(f"   wrote {p}" for p in self.files),
            ]
        return [
            f"1. 为名单中的单位下发空白工作簿 {len(self.blank)} 个：{self.outdir / 'templates'}",
            f"2. 生成示例单位的预填工作簿：{self.workbook}",
            f"3. 读回：{self.projects} 个项目，{self.indicators} 条指标，预算合计 {self.total} 万元",
            f"4. 校验：{self.errors} 个错误，{self.warnings} 个警告",
            *(f"   输出 {p}" for p in self.files),
        ]


def run_demo(outdir: str | os.PathLike[str]) -> DemoReport:
    out = Path(outdir)
    template = load_template()
    doc = example_document()
    report = DemoReport(out)
    report.blank = generate_for_roster(load_roster(example_path(EXAMPLE_ROSTER)), doc.year or 2024, out / "templates", template)

    wb_path = out / workbook_filename(doc.unit.code or "unit", doc.unit.name, doc.year)
    generate_workbook(doc, wb_path, template)
    report.workbook = wb_path

    result = read_workbook(wb_path)
    back = result.doc
    report.projects = len(back.projects)
    report.indicators = sum(len(p.indicators) for p in back.projects)
    report.total = str(sum((p.budget.total or 0) for p in back.projects))
    json_path = out / f"{doc.unit.code}.json"
    csv_path = out / f"{doc.unit.code}_indicators.csv"
    write_text_atomic(json_path, back.to_json() + "\n")
    write_text_atomic(csv_path, rows_to_csv(indicator_rows(back)))

    checked = validate_file(wb_path, template)
    report.errors, report.warnings = checked.errors, checked.warnings
    report.files = [json_path, csv_path]
    return report

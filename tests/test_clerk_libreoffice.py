"""A clerk fills the issued workbook in LibreOffice, typing cell by cell through its user interface
(tests/corpus/lo_clerk.py: go to a cell, enter what a person types, insert rows through the sheet,
fill a spare 新增项目 sheet), and saves it as .xlsx, .xls and .ods.

* ``typed``: everything the clerk types reads back exactly in every format (95% typed is 95, >=
  is ≥, 40人 with 人 chosen is ≤40人, an inserted indicator row, an inserted goal, an inserted unit
  item, an added project), and the workbook shows exactly what validate finds.
* ``mistakes``: one mistake per rule a clerk can make, in ordinary rows and in inserted rows: the
  check column (as LibreOffice shows it on reopening each saved file), 汇总's count and status, and
  validate name the same rule on the same cell.

One soffice process runs both jobs (about half a minute).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import rulecases as rc
from budgetxl.messages import message
from budgetxl.model import Indicator, Submission
from budgetxl.rules.live import live_variants, parse_check_items
from budgetxl.workbook.reader import read_workbook
from budgetxl.workbook.validate import validate_file
from budgetxl.workbook.writer import generate_workbook
from conftest import ROOT, assert_same_doc

_build = sys.modules.get("budgetxl_corpus_build")
if _build is None:  # (the corpus builder, loaded as tests/test_intake.py loads it)
    _spec = importlib.util.spec_from_file_location("budgetxl_corpus_build", ROOT / "tests" / "corpus" / "build.py")
    _build = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = _build
    _spec.loader.exec_module(_build)
UNO_PYTHON, libreoffice_available = _build.UNO_PYTHON, _build.libreoffice_available

pytestmark = pytest.mark.libreoffice

FORMATS = ("xlsx", "xls", "ods")
CHECK_HEADER = message("workbook.check-header")
SCRIPT = Path(__file__).parent / "corpus" / "lo_clerk.py"
S1, S2, S3, S4, S5 = rc.S1, rc.S2, rc.S3, "4.散煤治理专项经费", rc.S5
ADDED, ADDED2 = "新增项目1", "新增项目2"
NEW_CODE = "13052924P0058401230XY"


class Cells:
    """Where things are in the freshly generated workbook (found by label, as a clerk finds them)."""

    def __init__(self, path: Path):
        self.wb = openpyxl.load_workbook(path)

    def field(self, sheet: str, label: str) -> str:
        return rc.value_cell(self.wb[sheet], label).coordinate

    def month(self, sheet: str, m: int) -> str:
        return rc.month_cell(self.wb[sheet], m).coordinate

    def ind(self, sheet: str, column: str, **match: str) -> str:
        return rc.ind_cell(self.wb[sheet], column, **match).coordinate

    def row_of(self, sheet: str, **match: str) -> int:
        return rc.indicator_row(self.wb[sheet], **match)

    def col(self, sheet: str, label: str) -> str:
        return openpyxl.utils.get_column_letter(rc.column_of(self.wb[sheet], label))

    def goals(self, sheet: str) -> list[int]:
        return [c.row for c in rc.goal_cells(self.wb[sheet])]


def typed_row(sheet: str, cells: Cells, row: int, values: dict[str, str]) -> list[list]:
    return [["type", sheet, f"{cells.col(sheet, label)}{row}", v] for label, v in values.items() if v is not None]


def fill_added(cells: Cells, sheet: str, code: str, name: str, p) -> list[list]:
    """A new project typed into a spare 新增项目 sheet (project 1's content, a new code and name)."""
    edits = [["type", sheet, cells.field(sheet, "项目编码"), code], ["type", sheet, cells.field(sheet, "项目名称"), name]]
    for label, v in (("预算数", p.budget.total), ("其中：财政资金", p.budget.fiscal), ("其他资金", p.budget.other),
                     ("资金用途", p.purpose)):
        edits.append(["type", sheet, cells.field(sheet, label), str(v)])
    edits += [["type", sheet, cells.month(sheet, sp.month), f"{sp.percent}%"] for sp in p.spending_plan]
    edits += [["type", sheet, f"C{r}", g] for r, g in zip(cells.goals(sheet), p.goals)]
    first = rc.header_row(cells.wb[sheet]) + 1
    for k, ind in enumerate(p.indicators):
        edits += typed_row(sheet, cells, first + k, {
            "一级指标": ind.level1, "二级指标": ind.level2, "三级指标": ind.name, "绩效指标描述": ind.description,
            "计算符号": ind.value.op, "指标值": str(ind.value.number) if ind.value.number is not None else ind.value.text,
            "计量单位": ind.value.unit, "指标值确定依据": ind.basis})
    return edits


NEW_ROW = {"一级指标": "产出指标", "二级指标": "数量指标", "三级指标": "培训人次", "绩效指标描述": "培训执法人员人次",
           "计算符号": ">=", "指标值": "30", "计量单位": "人次", "指标值确定依据": "工作计划"}


def typed_job(cells: Cells, doc: Submission) -> tuple[list[list], Submission]:
    """What a careful clerk types, and the document it must read back as."""
    p1 = doc.projects[0]
    sat, qty, quality, timely = (cells.row_of(S1, level2=l2) for l2 in ("服务对象满意度指标", "数量指标", "质量指标", "时效指标"))
    goals = cells.goals(S1)
    edits = [["type", S1, cells.month(S1, m), f"{v}%"] for m, v in ((3, 25), (6, 50), (10, 75), (12, 100))]
    edits += [["type", S1, f"{cells.col(S1, '指标值')}{sat}", "95%"],
              ["type", S1, f"{cells.col(S1, '指标值')}{qty}", "40人"],
              ["type", S1, f"{cells.col(S1, '计算符号')}{quality}", ">="]]
    edits += [["insert_row", S1, f"A{timely}", "above"]] + typed_row(S1, cells, timely, NEW_ROW)
    edits += [["insert_row", S1, f"C{goals[-1]}", "below"], ["type", S1, f"C{goals[-1] + 1}", "每月按时足额发放工资"]]
    items = rc.label_cell(cells.wb[rc.UNIT], "二、分项绩效目标").row
    edits += [["insert_row", rc.UNIT, f"C{items + 1}", "above"], ["type", rc.UNIT, f"C{items + 1}", "新增的分项目标"]]
    edits += fill_added(cells, ADDED, NEW_CODE, "新增执法装备购置经费", p1)

    want = doc.model_copy(deep=True)
    w1 = want.projects[0]
    w1.indicators[-1].value = "≥95%"
    w1.indicators[1].value = "≥100%"
    w1.indicators.insert(2, Indicator(level1="产出指标", level2="数量指标", name="培训人次", description="培训执法人员人次",
                                      value="≥30人次", basis="工作计划"))
    w1.goals.append("每月按时足额发放工资")
    want.overview.items.insert(1, "新增的分项目标")
    want.projects.append(p1.model_copy(update={"code": NEW_CODE, "name": "新增执法装备购置经费", "added": True}, deep=True))
    return edits, want


def mistakes_job(cells: Cells, doc: Submission) -> tuple[list[list], dict]:
    """One mistake per rule, in ordinary rows and in rows the clerk inserts; returns the edits and
    the (sheet, cell, rule) each must show as."""
    col = cells.col
    want: dict[tuple[str, str, str], str] = {}

    def expect(sheet: str, cell: str, rule: str) -> None:
        want[(sheet, cell, rule)] = "ordinary"

    edits = [["delete", S2, cells.field(S2, "资金用途")]]
    expect(S2, cells.field(S2, "资金用途"), "required-field")
    edits.append(["type", S2, cells.month(S2, 10), "120"])
    expect(S2, cells.month(S2, 10), "spending-plan")
    edits.append(["delete", S2, cells.month(S2, 3)])  # an emptied checkpoint: one problem, not two
    expect(S2, cells.month(S2, 3), "required-field")
    # a stale percent format: 100% typed, then 100 typed over it: the cell shows 10000%, and that is
    # what is read and reported (what a cell shows is what prints)
    edits += [["type", S2, cells.month(S2, 12), "100%"], ["type", S2, cells.month(S2, 12), "100"]]
    expect(S2, cells.month(S2, 12), "spending-plan")
    g = cells.goals(S2)
    edits.append(["type", S2, f"C{g[0]}", "请填写"])
    expect(S2, f"C{g[0]}", "placeholder")
    qty = cells.row_of(S2, level2="数量指标")
    edits.append(["delete", S2, f"{col(S2, '计量单位')}{qty}"])
    expect(S2, f"F{qty}", "indicator-value")
    cost = cells.row_of(S2, level2="成本指标")
    edits.append(["type", S2, f"{col(S2, '指标值')}{cost}", "300"])
    expect(S2, f"F{cost}", "cost-exceeds-budget")
    sat = cells.row_of(S2, level2="服务对象满意度指标")
    edits.append(["type", S2, f"{col(S2, '指标值')}{sat}", "120%"])  # a typed percent, out of range
    expect(S2, f"F{sat}", "satisfaction-range")
    social = cells.row_of(S2, level2="社会效益指标")
    edits.append(["type", S2, f"{col(S2, '一级指标')}{social}", "产出指标"])  # 社会效益指标 under 产出指标
    expect(S2, f"B{social}", "indicator-taxonomy")
    expect(S2, f"A{rc.header_row(cells.wb[S2])}", "indicator-coverage")  # (no 效益指标 left)
    name = f"{col(S2, '三级指标')}{qty}"
    edits.append(["type", S2, name, "基层所能力提升数量 "])
    expect(S2, name, "placeholder")

    # rows inserted in project 5's goals and table (below the goal: one row further down), and in
    # the unit sheet's 分项绩效目标
    g5 = cells.goals(S5)
    edits += [["insert_row", S5, f"C{g5[-1]}", "below"], ["type", S5, f"C{g5[-1] + 1}", "XX"]]
    expect(S5, f"C{g5[-1] + 1}", "placeholder")
    timely = cells.row_of(S5, level2="时效指标") + 1
    rows = [timely, timely + 1, timely + 2]
    edits += [["insert_row", S5, f"A{timely}", "above"]] * 3
    edits += typed_row(S5, cells, rows[0], {"一级指标": "产出指标", "二级指标": "数量指标", "计算符号": ">=", "指标值": "很多",
                                            "计量单位": "人次", "指标值确定依据": "工作计划"})
    expect(S5, f"C{rows[0]}", "required-field")
    expect(S5, f"F{rows[0]}", "indicator-value")
    edits += typed_row(S5, cells, rows[1], {"一级指标": "产出指标", "二级指标": "成本指标", "三级指标": "设备购置成本",
                                            "计算符号": "<=", "指标值": "45万元", "指标值确定依据": "预算支出标准"})
    expect(S5, f"F{rows[1]}", "cost-exceeds-budget")
    edits += typed_row(S5, cells, rows[2], {"一级指标": "满意度指标", "二级指标": "服务对象满意度指标", "三级指标": "企业满意度",
                                            "计算符号": ">=", "指标值": "0.9", "计量单位": "%",
                                            "指标值确定依据": "调查问卷"})
    expect(S5, f"F{rows[2]}", "indicator-value")  # (0.9%: 90% meant? the fraction, not guessed)
    last = rc.header_row(cells.wb[S5]) + len(doc.projects[4].indicators) + 6 + 4  # (spare rows; 4 rows inserted above)
    edits += [["insert_row", S5, f"A{last}", "below"], ["insert_row", S5, f"A{last + 1}", "below"]]
    edits += typed_row(S5, cells, last + 1, {"一级指标": "产出指标", "二级指标": "数量指标", "三级指标": "检查户数",
                                             "计算符号": ">=", "指标值": "30", "计量单位": "户", "指标值确定依据": "工作计划"})
    edits.append(["type", S5, f"A{last + 1}", "效益指标"])  # (数量指标 is no 效益指标)
    expect(S5, f"B{last + 1}", "indicator-taxonomy")
    edits += typed_row(S5, cells, last + 2, {"一级指标": "满意度指标", "二级指标": "服务对象满意度指标", "三级指标": "群众满意度",
                                             "计算符号": ">=", "指标值": "120%", "计量单位": "%", "指标值确定依据": "调查问卷"})
    expect(S5, f"F{last + 2}", "satisfaction-range")
    items = rc.label_cell(cells.wb[rc.UNIT], "二、分项绩效目标").row
    edits += [["insert_row", rc.UNIT, f"C{items + 1}", "above"], ["type", rc.UNIT, f"C{items + 1}", "待定"]]
    expect(rc.UNIT, f"C{items + 1}", "placeholder")

    # projects the unit adds: a malformed code, a duplicate code
    p1 = doc.projects[0]
    edits += fill_added(cells, ADDED, "13052924P0058401230xy", "新增执法装备购置经费", p1)
    expect(ADDED, "B3", "project-code-format")
    expect(ADDED, "B3", "project-added")
    edits += fill_added(cells, ADDED2, doc.projects[3].code, "新增宣传经费", doc.projects[3])
    expect(ADDED2, "B3", "duplicate-project-code")
    edits.append(["type", ADDED2, cells.field(ADDED2, "其他资金"), "-5"])
    expect(ADDED2, cells.field(ADDED2, "其他资金"), "amount-invalid")
    # a clerk who removes the protection: issued data changed, the budget no longer adds up, the summary overtyped
    edits += [["unprotect", S3], ["type", S3, cells.field(S3, "项目名称"), "计量检定业务经费"],
              ["type", S3, cells.field(S3, "其中：财政资金"), "4"]]
    expect(S3, cells.field(S3, "项目名称"), "issued-field-changed")
    expect(S3, cells.field(S3, "预算数"), "budget-sum")
    edits += [["unprotect", rc.SUMMARY], ["type", rc.SUMMARY, "D6", "80"]]
    expect(rc.SUMMARY, "D6", "summary-mismatch")
    return edits, want


def run_clerk(jobs: list[dict], work: Path) -> dict:
    spec, out = work / "clerk-jobs.json", work / "clerk-out.json"
    spec.write_text(json.dumps({"jobs": jobs}, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([UNO_PYTHON, str(SCRIPT), str(spec), str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{proc.stdout}\n{proc.stderr[-3000:]}"
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def clerk(tmp_path_factory):
    why = libreoffice_available()
    if why:
        pytest.skip(why)
    work = tmp_path_factory.mktemp("clerk")
    doc = rc.seed_doc()
    src = work / "issued.xlsx"
    generate_workbook(doc, src)
    cells = Cells(src)
    typed, want = typed_job(cells, doc)
    wrong, expected = mistakes_job(cells, doc)
    jobs = [{"id": job, "src": str(src), "edits": edits, "save": {f: str(work / f"{job}.{f}") for f in FORMATS}}
            for job, edits in (("typed", typed), ("mistakes", wrong))]
    return run_clerk(jobs, work), {"typed": want, "mistakes": expected}, work


def shown(report: dict) -> set[tuple[str, str, str, str]]:
    """(sheet, cell, rule, variant) of every problem the check columns show (the sheets', 汇总's)."""
    texts = [(sheet, text) for sheet, rows in report["checks"].items() if not sheet.startswith("_")
             for _, text in rows if text != CHECK_HEADER]
    header = report["summary"][1]
    col = header.index(CHECK_HEADER)
    texts += [(rc.SUMMARY, row[col]) for row in report["summary"][2:] if row[col]]
    return {(sheet, cell, rule, variant) for sheet, text in texts for cell, rule, variant, _ in parse_check_items(text)}


def validated(path: Path, summary: list[list[str]]) -> tuple[set[tuple[str, str, str, str]], Counter, Counter]:
    """validate's findings the workbook can show, and their count (errors apart) per row of 汇总:
    by sheet, a finding on 汇总's own row counting for that row's project."""
    live = live_variants()
    found = [f for f in validate_file(path).findings if f.cell and (f.rule, f.variant) in live]
    header = summary[1]
    per_sheet, errors = Counter(), Counter()
    for f in found:
        sheet = f.sheet
        if sheet == rc.SUMMARY:
            sheet = summary[int("".join(ch for ch in f.cell if ch.isdigit())) - 1][header.index("工作表")]
        per_sheet[sheet] += 1
        errors[sheet] += f.severity == "error"
    return {(f.sheet, f.cell, f.rule, f.variant) for f in found}, per_sheet, errors


def summary_counts(report: dict) -> dict[str, tuple[str, str]]:
    rows = report["summary"]
    header = rows[1]
    sheet, count, status = (header.index(h) for h in ("工作表", "问题数", "状态"))
    out = {row[sheet]: (row[count], row[status]) for row in rows[2:] if row[sheet]}
    return out


def check_agreement(report: dict, path: Path) -> set[tuple[str, str, str, str]]:
    live = shown(report)
    found, per_sheet, errors = validated(path, report["summary"])
    assert live == found, f"{path.name}\nlive only: {sorted(live - found)}\nvalidate only: {sorted(found - live)}"
    for sheet, (count, status) in summary_counts(report).items():
        if count == "" and status == "":
            continue
        assert float(count) == per_sheet.get(sheet, 0), (path.name, sheet, count)
        want = "通过" if not per_sheet.get(sheet) else "有问题" if errors.get(sheet) else "请核对"
        if sheet.startswith("新增项目") and not per_sheet.get(sheet):
            want = ""
        assert status == want, (path.name, sheet, status)
    return live


@pytest.mark.parametrize("fmt", FORMATS)
def test_what_the_clerk_typed_reads_back_exactly(clerk, fmt):
    reports, wants, work = clerk
    path = work / f"typed.{fmt}"
    assert_same_doc(read_workbook(path).doc, wants["typed"])
    live = check_agreement(reports["typed"][fmt], path)
    assert live == {(S3, "A13", "indicator-coverage", "expected"), ("10.质量安全监管专项经费", "A13", "indicator-coverage", "expected"),
                    (ADDED, "B3", "project-added", "")}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_mistake_shows_live_where_validate_finds_it(clerk, fmt):
    reports, wants, work = clerk
    path = work / f"mistakes.{fmt}"
    live = check_agreement(reports["mistakes"][fmt], path)
    missing = [k for k in wants["mistakes"] if not any((s, c, r) == k for s, c, r, _ in live)]
    assert not missing, missing
    clerk_rules = {"required-field", "project-code-format", "duplicate-project-code", "amount-invalid", "budget-sum",
                   "spending-plan", "indicator-taxonomy", "indicator-coverage", "indicator-value", "placeholder",
                   "cost-exceeds-budget", "satisfaction-range", "issued-field-changed", "summary-mismatch"}
    assert len({r for _, _, r, _ in live} & clerk_rules) >= 12

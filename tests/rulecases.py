"""A corpus of deliberately wrong workbooks, one per way a county clerk can get the form wrong.

Every case starts from the seed example (``examples/juluxian-2024.json``), generates the unit
workbook with :func:`budgetxl.writer.generate_workbook`, and then edits it with openpyxl the way a
clerk would in Excel: clear a cell, type text into a number cell, delete a row or a sheet, copy a
sheet, paste values over the summary. Cells to edit are found by their labels (the same way the
reader finds them); the *expected* locations are literal A1 references, checked against the
generated file by hand:

    project sheet (every seed project)          unit sheet 单位信息
      B3  项目编码      F3 项目名称                 B2 单位编码   B3 单位名称   B4 行政区划代码
      C4  预算数  E4 财政资金  G4 其他资金           B5 预算年度   B6 模板版本   C8… 分项绩效目标
      C5  资金用途                                 汇总 (summary): header row 2, project i on row 2+i,
      B7/C7/D7/E7  3/6/10/12月底                     B 编码 C 名称 D 预算数 E 财政资金 F 其他资金 G 指标数
      C8… 绩效目标 (C8 is also the "no goal" cell)
      A13 indicator header (also the coverage cell); indicators from row 14, columns
          A 一级 B 二级 C 三级 D 描述 E 计算符号 F 指标值 G 计量单位 H 确定依据

Project 1 (非财政开支人员工作经费, 70 万元) has these indicator rows:
    14 数量指标 领取工资人数 ≤40人 | 15 质量指标 工资发放率 100% | 16 时效指标 每月25日前缴纳 |
    17 成本指标 70万元 | 18 效益指标/社会效益指标 ≤2次 | 19 满意度指标 ≥85%

Expected findings are ``(key, severity, sheet, cell)`` where key is the message key
(``rule`` or ``rule.variant``); they come *on top of* the seed's two baseline warnings.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from budgetxl.model import Submission
from budgetxl.workbook.writer import generate_workbook

ROOT = Path(__file__).resolve().parents[1]
SEED_JSON = ROOT / "examples" / "juluxian-2024.json"

UNIT = "单位信息"
SUMMARY = "汇总"
META = "_meta"
S1 = "1.非财政开支人员工作经费"
S2 = "2.冀财行2023年97号提前下达2024年省级市场监管补助经"  # cut to Excel's 31 characters
S3 = "3.计量业务经费"
S5 = "5.食品抽检经费"
S10 = "10.质量安全监管专项经费"
PROJECT_SHEETS = [
    S1, S2, S3, "4.散煤治理专项经费", S5, "6.食品药品监管经费", "7.食药人员分流经费",
    "8.市场监督执法及装备经费", "9.市场监管检测经费", S10,
]

Expected = tuple[str, str, str | None, str | None]  # (message key, severity, sheet, cell)

BASELINE: list[Expected] = [
    ("indicator-coverage.expected", "warning", S3, "A13"),
    ("indicator-coverage.expected", "warning", S10, "A13"),
]


def E(key: str, sheet: str | None, cell: str | None, severity: str = "error") -> Expected:
    return (key, severity, sheet, cell)


def W(key: str, sheet: str | None, cell: str | None) -> Expected:
    return (key, "warning", sheet, cell)


# ---- the seed ------------------------------------------------------------------------------------

def seed_doc() -> Submission:
    return Submission.from_json(SEED_JSON.read_bytes())


def make_seed_workbook(path: Path) -> Path:
    generate_workbook(seed_doc(), path)
    return path


# ---- finding cells by their labels (as a clerk sees them) ----------------------------------------

def _norm(v: Any) -> str:
    if not isinstance(v, str):
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", v))


def label_cell(ws: Worksheet, label: str) -> Cell:
    """The first cell (row by row) whose text is ``label``."""
    want = _norm(label)
    for row in ws.iter_rows():
        for c in row:
            if _norm(c.value) == want:
                return c
    raise LookupError(f"label {label!r} not found on sheet {ws.title!r}")


def value_cell(ws: Worksheet, label: str, dr: int = 0, dc: int = 1) -> Cell:
    at = label_cell(ws, label)
    return ws.cell(at.row + dr, at.column + dc)


def month_cell(ws: Worksheet, month: int) -> Cell:
    return value_cell(ws, f"{month}月底", dr=1, dc=0)


def header_row(ws: Worksheet) -> int:
    return label_cell(ws, "一级指标").row


def column_of(ws: Worksheet, label: str) -> int:
    hr = header_row(ws)
    for c in ws[hr]:
        if _norm(c.value) == _norm(label):
            return c.column
    raise LookupError(f"column {label!r} not in the indicator header of {ws.title!r}")


def indicator_row(ws: Worksheet, *, name: str | None = None, level1: str | None = None,
                  level2: str | None = None) -> int:
    """The first indicator row (below the header) matching the given 三级/一级/二级 texts."""
    hr = header_row(ws)
    cols = {k: column_of(ws, lab) for k, lab in (("name", "三级指标"), ("level1", "一级指标"), ("level2", "二级指标"))}
    want = {"name": name, "level1": level1, "level2": level2}
    for r in range(hr + 1, ws.max_row + 1):
        if all(v is None or ws.cell(r, cols[k]).value == v for k, v in want.items()):
            return r
    raise LookupError(f"no indicator {want} on {ws.title!r}")


def ind_cell(ws: Worksheet, column: str, **match: str) -> Cell:
    return ws.cell(indicator_row(ws, **match), column_of(ws, column))


def clear_indicator_row(ws: Worksheet, r: int) -> None:
    hr = header_row(ws)
    for c in ws[hr]:
        if c.value is not None:
            ws.cell(r, c.column).value = None


def goal_cells(ws: Worksheet) -> list[Cell]:
    """The 绩效目标 text cells (label column + 2), from the label down to the indicator header."""
    at = label_cell(ws, "绩效目标")
    return [ws.cell(r, at.column + 2) for r in range(at.row, header_row(ws))]


def meta_cell(wb: Workbook, key: str) -> Cell:
    ws = wb[META]
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == key:
            return ws.cell(row[0].row, 2)
    raise LookupError(key)


def paste_summary_values(wb: Workbook, doc: Submission, skip: set[int] = frozenset(), **override: Any) -> None:
    """What a clerk does with 'paste values' over the 汇总 formulas: literal numbers and text.

    ``override`` maps ``"<column label>@<project index>"`` to a value typed instead.
    """
    ws = wb[SUMMARY]
    hdr = label_cell(ws, "项目编码")
    cols = {_norm(c.value): c.column for c in ws[hdr.row] if c.value is not None}
    for i, p in enumerate(doc.projects):
        r = hdr.row + 1 + i
        values = {
            "项目编码": p.code, "项目名称": p.name, "预算数": float(p.budget.total),
            "财政资金": float(p.budget.fiscal), "其他资金": float(p.budget.other),
            "指标数": sum(1 for ind in p.indicators if ind.name is not None),
        }
        for label, v in values.items():
            key = f"{label}@{i}"
            ws.cell(r, cols[label]).value = None if i in skip else override.get(key, v)


# ---- the cases -----------------------------------------------------------------------------------

Edit = Callable[[Workbook, Submission], None]


@dataclass
class Case:
    id: str
    edit: Edit
    expected: list[Expected]
    doc: str = ""  # what the clerk did, for people reading a failure
    xfail: str | None = None  # a known bug outside validate.py (strict xfail)
    bare: list[str] | None = None  # message keys check_document gives on the read document, if not the
    #                                  workbook's minus the workbook-only rules
    baseline: bool = True  # False when the edit removes projects 3 and 10 (and their warnings)
    suffix: str = ".xlsx"  # how the clerk saved the file
    after_save: Callable[[Path], None] | None = None  # what Excel adds that openpyxl cannot (macros)

    def want(self) -> list[Expected]:
        return (BASELINE if self.baseline else []) + self.expected


CASES: list[Case] = []


def case(id: str, expected: list[Expected], doc: str = "", xfail: str | None = None,
         bare: list[str] | None = None, baseline: bool = True, suffix: str = ".xlsx",
         after_save: Callable[[Path], None] | None = None) -> Callable[[Edit], Edit]:
    def deco(fn: Edit) -> Edit:
        CASES.append(Case(id, fn, expected, doc or (fn.__doc__ or "").strip(), xfail, bare, baseline,
                          suffix, after_save))
        return fn
    return deco


# -- required-field ------------------------------------------------------------------------------

@case("required-purpose-cleared", [E("required-field", S1, "C5")])
def _(wb, doc):
    """资金用途 deleted."""
    value_cell(wb[S1], "资金用途").value = None


@case("required-spending-checkpoint-cleared", [E("required-field", S1, "B7"), E("required-field", S1, "D7")])
def _(wb, doc):
    """3月底 and 10月底 left empty."""
    month_cell(wb[S1], 3).value = None
    month_cell(wb[S1], 10).value = None


@case("required-goals-cleared", [E("required-field.goals", S1, "C8")])
def _(wb, doc):
    """Every 绩效目标 line deleted."""
    for c in goal_cells(wb[S1]):
        c.value = None


@case("required-indicators-cleared", [E("required-field.indicators", S1, "A13")])
def _(wb, doc):
    """Every indicator row emptied (no coverage findings on top: nothing to cover)."""
    ws = wb[S1]
    for r in range(header_row(ws) + 1, ws.max_row + 1):
        clear_indicator_row(ws, r)


@case("required-indicator-name-cleared", [E("required-field", S1, "C14")])
def _(wb, doc):
    """三级指标 of the 数量指标 row deleted."""
    ind_cell(wb[S1], "三级指标", level2="数量指标").value = None


@case("required-indicator-level1-cleared",
      [E("required-field", S1, "A15"), W("indicator-coverage.level2", S1, "A13")])
def _(wb, doc):
    """一级指标 of the 质量指标 row deleted: the row no longer counts as 产出指标/质量指标."""
    ind_cell(wb[S1], "一级指标", level2="质量指标").value = None


@case("required-indicator-level2-cleared",
      [E("required-field", S1, "B14"), W("indicator-coverage.level2", S1, "A13")])
def _(wb, doc):
    """二级指标 of the 数量指标 row deleted."""
    ind_cell(wb[S1], "二级指标", level2="数量指标").value = None


@case("required-indicator-value-cleared", [E("required-field", S1, "F14")])
def _(wb, doc):
    """计算符号, 指标值 and 计量单位 of the 数量指标 row deleted."""
    ws = wb[S1]
    r = indicator_row(ws, level2="数量指标")
    for lab in ("计算符号", "指标值", "计量单位"):
        ws.cell(r, column_of(ws, lab)).value = None


@case("required-indicator-number-cleared", [E("required-field", S1, "F14")], bare=["indicator-value"])
def _(wb, doc):
    """Only the number in 指标值 deleted; the dropdowns 计算符号 (≤) and 计量单位 (人) stay.
    (Read into a document the value becomes the text ≤人, which a bare document cannot parse.)"""
    ind_cell(wb[S1], "指标值", level2="数量指标").value = None


@case("required-projects-all-sheets-deleted",
      [E("required-field.projects", UNIT, None)] + [E("issued-field-changed.missing", UNIT, None)] * 10,
      baseline=False)
def _(wb, doc):
    """Every project sheet deleted: the workbook has no project at all."""
    for name in PROJECT_SHEETS:
        del wb[name]


@case("required-indicator-row-description-only",
      [E("required-field", S1, "A20"), E("required-field", S1, "B20"), E("required-field", S1, "C20"),
       E("required-field", S1, "F20")])
def _(wb, doc):
    """A spare indicator row with only 绩效指标描述 typed in it."""
    ws = wb[S1]
    r = indicator_row(ws, level1="满意度指标") + 1
    ws.cell(r, column_of(ws, "绩效指标描述")).value = "补充说明"


@case("required-field-on-renamed-sheet", [E("required-field", "项目一", "C5")])
def _(wb, doc):
    """The sheet renamed 项目一 and moved first, then 资金用途 deleted: the finding names the new sheet."""
    ws = wb[S1]
    ws.title = "项目一"
    wb.move_sheet(ws, offset=-wb.index(ws))
    value_cell(ws, "资金用途").value = None


@case("required-code-cleared", [E("required-field", S1, "B3"), E("issued-field-changed", S1, "B3")])
def _(wb, doc):
    """项目编码 deleted (issued, so it is also a change of issued data)."""
    value_cell(wb[S1], "项目编码").value = None


@case("required-name-cleared", [E("required-field", S1, "F3"), E("issued-field-changed", S1, "F3")])
def _(wb, doc):
    """项目名称 deleted."""
    value_cell(wb[S1], "项目名称").value = None


@case("required-total-cleared", [E("required-field", S1, "C4"), E("issued-field-changed", S1, "C4")])
def _(wb, doc):
    """预算数 deleted (no budget-sum: nothing to add up against)."""
    value_cell(wb[S1], "预算数").value = None


@case("required-unit-name-cleared", [E("required-field", UNIT, "B3"), E("issued-field-changed", UNIT, "B3")])
def _(wb, doc):
    """单位名称 deleted on the unit sheet."""
    value_cell(wb[UNIT], "单位名称").value = None


# -- project-code-format -------------------------------------------------------------------------

@case("code-too-short", [E("project-code-format", S1, "B3"), E("issued-field-changed", S1, "B3")])
def _(wb, doc):
    """A digit lost while retyping the code: 20 characters."""
    value_cell(wb[S1], "项目编码").value = "13052924P00584012388"


@case("code-lower-case", [E("project-code-format", S1, "B3"), E("issued-field-changed", S1, "B3")])
def _(wb, doc):
    """Code retyped with a lower-case p."""
    value_cell(wb[S1], "项目编码").value = "13052924p005840123885"


@case("code-other-region", [E("project-code-format.region", S1, "B3"), E("issued-field-changed", S1, "B3")])
def _(wb, doc):
    """Code copied from the neighbouring county (130528 instead of 130529)."""
    value_cell(wb[S1], "项目编码").value = "13052824P005840123885"


@case("code-other-year", [E("project-code-format.year", S1, "B3"), E("issued-field-changed", S1, "B3")])
def _(wb, doc):
    """Code copied from last year's workbook (23 instead of 24)."""
    value_cell(wb[S1], "项目编码").value = "13052923P005840123885"


@case("unit-region-changed",
      [E("issued-field-changed", UNIT, "B4")] + [E("project-code-format.region", s, "B3") for s in PROJECT_SHEETS])
def _(wb, doc):
    """行政区划代码 overwritten: every issued code now disagrees with the unit's region."""
    value_cell(wb[UNIT], "行政区划代码").value = "130528"


@case("unit-year-changed",
      [E("issued-field-changed", UNIT, "B5")] + [E("project-code-format.year", s, "B3") for s in PROJECT_SHEETS])
def _(wb, doc):
    """预算年度 overwritten with next year."""
    value_cell(wb[UNIT], "预算年度").value = 2025


# -- duplicate-project-code ----------------------------------------------------------------------

@case("duplicate-code-typed",
      [E("duplicate-project-code", S2, "B3"), E("issued-field-changed", S1, "B3")])
def _(wb, doc):
    """Project 2's code typed over project 1's: a duplicate, and project 1's issued code changed."""
    value_cell(wb[S1], "项目编码").value = value_cell(wb[S2], "项目编码").value


@case("duplicate-code-copied-sheet", [E("duplicate-project-code", f"{S1} Copy", "B3"),
                                     W("project-added", f"{S1} Copy", "B3")])
def _(wb, doc):
    """A sheet copied to add a project; name and amounts changed, the code left as it was."""
    ws = wb.copy_worksheet(wb[S1])
    value_cell(ws, "项目名称").value = "新增执法装备购置经费"
    value_cell(ws, "预算数").value = 10
    value_cell(ws, "其中：财政资金").value = 10
    ind_cell(ws, "指标值", level2="成本指标").value = 10


# -- project-added -------------------------------------------------------------------------------

ADDED = "新增项目1"  # the first spare sheet for a project the unit adds


def fill_added_sheet(wb: Workbook, doc: Submission, code: str, name: str) -> None:
    """Fill the spare 新增项目1 sheet as a clerk does: project 1's content under a new code and name."""
    ws, p = wb[ADDED], doc.projects[0]
    value_cell(ws, "项目编码").value = code
    value_cell(ws, "项目名称").value = name
    for label, v in (("预算数", p.budget.total), ("其中：财政资金", p.budget.fiscal), ("其他资金", p.budget.other)):
        value_cell(ws, label).value = float(v)
    value_cell(ws, "资金用途").value = p.purpose
    for sp in p.spending_plan:
        month_cell(ws, sp.month).value = float(sp.percent)
    for c, goal in zip(goal_cells(ws), p.goals):
        c.value = goal
    hr = header_row(ws)
    for k, ind in enumerate(p.indicators):
        cells = {"一级指标": ind.level1, "二级指标": ind.level2, "三级指标": ind.name, "绩效指标描述": ind.description,
                 "计算符号": ind.value.op, "计量单位": ind.value.unit, "指标值确定依据": ind.basis,
                 "指标值": float(ind.value.number) if ind.value.number is not None else ind.value.text}
        for label, v in cells.items():
            ws.cell(hr + 1 + k, column_of(ws, label)).value = v


@case("added-project-on-spare-sheet", [W("project-added", ADDED, "B3")])
def _(wb, doc):
    """A project the unit adds, filled in on the spare 新增项目1 sheet (its code, name and amounts are open)."""
    fill_added_sheet(wb, doc, "13052924P0058401230XY", "新增执法装备购置经费")


@case("added-project-duplicate-code", [W("project-added", ADDED, "B3"), E("duplicate-project-code", ADDED, "B3")])
def _(wb, doc):
    """The added project given project 1's code by mistake."""
    fill_added_sheet(wb, doc, doc.projects[0].code, "新增执法装备购置经费")


# -- amount-invalid / budget-sum -----------------------------------------------------------------

@case("amount-text", [E("amount-invalid", S1, "C4"), E("issued-field-changed", S1, "C4")],
      bare=["required-field"])
def _(wb, doc):
    """预算数 typed as 七十. (In the document read from it the total is simply missing.)"""
    value_cell(wb[S1], "预算数").value = "七十"


@case("amount-negative",
      [E("amount-invalid.negative", S1, "G4"), E("budget-sum", S1, "C4"), E("issued-field-changed", S1, "G4")])
def _(wb, doc):
    """其他资金 typed as -5."""
    value_cell(wb[S1], "其他资金").value = -5


@case("amount-too-many-decimals",
      [E("amount-invalid.decimals", S1, "E4"), E("budget-sum", S1, "C4"), E("issued-field-changed", S1, "E4")])
def _(wb, doc):
    """财政资金 typed as 1.1234567."""
    value_cell(wb[S1], "其中：财政资金").value = 1.1234567


@case("budget-does-not-add-up", [E("budget-sum", S1, "C4"), E("issued-field-changed", S1, "E4")])
def _(wb, doc):
    """财政资金 60 under a 预算数 of 70 with 其他资金 0."""
    value_cell(wb[S1], "其中：财政资金").value = 60


@case("amount-fullwidth-text-ok", [])
def _(wb, doc):
    """预算数 typed as the text ７０.００ (full-width): it reads as 70, nothing to report."""
    value_cell(wb[S1], "预算数").value = "７０.００"


# -- spending-plan -------------------------------------------------------------------------------

@case("spending-decreases", [E("spending-plan.decrease", S1, "C7")])
def _(wb, doc):
    """6月底 20 after 3月底 25."""
    month_cell(wb[S1], 6).value = 20


@case("spending-above-100", [E("spending-plan", S1, "D7")])
def _(wb, doc):
    """10月底 120."""
    month_cell(wb[S1], 10).value = 120


@case("spending-negative", [E("spending-plan", S1, "B7")])
def _(wb, doc):
    """3月底 -5."""
    month_cell(wb[S1], 3).value = -5


@case("spending-ends-at-90", [E("spending-plan.last", S1, "E7")])
def _(wb, doc):
    """12月底 90."""
    month_cell(wb[S1], 12).value = 90


@case("spending-not-a-number", [E("spending-plan.number", S1, "B7")], bare=["required-field"])
def _(wb, doc):
    """3月底 typed as 二十五. (A bare document has no raw cell: there the point is simply missing.)"""
    month_cell(wb[S1], 3).value = "二十五"


@case("spending-percent-typed-as-text-ok", [])
def _(wb, doc):
    """3月底 typed as the text 25％ (full-width percent sign, Chinese IME): reads as 25."""
    month_cell(wb[S1], 3).value = "25％"


@case("spending-percent-format-ok", [])
def _(wb, doc):
    """25% … 100% typed into the plan: each cell holds 0.25 … 1 shown through a percent format; reads as 25 … 100."""
    for m, v in ((3, 0.25), (6, 0.5), (10, 0.75), (12, 1)):
        c = month_cell(wb[S1], m)
        c.value, c.number_format = v, "0%"


@case("spending-plan-of-fractions",
      [E("spending-plan.fraction", S1, c) for c in ("B7", "C7", "D7", "E7")])
def _(wb, doc):
    """0.25, 0.5, 0.75, 1 typed as plain numbers: 25% meant? Said so, not guessed at."""
    for m, v in ((3, 0.25), (6, 0.5), (10, 0.75), (12, 1)):
        month_cell(wb[S1], m).value = v


# -- indicator-taxonomy --------------------------------------------------------------------------

@case("taxonomy-level1-unknown",
      [E("indicator-taxonomy", S1, "A14"), W("indicator-coverage.level2", S1, "A13")])
def _(wb, doc):
    """一级指标 typed as 产出 (not in the framework); the 数量指标 row no longer counts as 产出指标."""
    ind_cell(wb[S1], "一级指标", level2="数量指标").value = "产出"


@case("taxonomy-level2-unknown",
      [E("indicator-taxonomy.level2", S1, "B15"), W("indicator-coverage.level2", S1, "A13")])
def _(wb, doc):
    """二级指标 typed as 质量 instead of 质量指标."""
    ind_cell(wb[S1], "二级指标", level2="质量指标").value = "质量"


@case("taxonomy-level2-wrong-parent", [E("indicator-taxonomy.parent", S1, "B18")])
def _(wb, doc):
    """二级指标 数量指标 under 一级指标 效益指标."""
    ind_cell(wb[S1], "二级指标", level1="效益指标").value = "数量指标"


@case("taxonomy-trailing-space-is-only-whitespace", [E("placeholder.space", S1, "B14")])
def _(wb, doc):
    """二级指标 数量指标 with a trailing space: a whitespace finding, not a taxonomy or coverage one."""
    c = ind_cell(wb[S1], "二级指标", level2="数量指标")
    c.value = c.value + " "


# -- indicator-coverage --------------------------------------------------------------------------

@case("coverage-no-outcome-row-deleted", [E("indicator-coverage", S1, "A13")])
def _(wb, doc):
    """The only 效益指标 row deleted (Excel: delete row)."""
    ws = wb[S1]
    ws.delete_rows(indicator_row(ws, level1="效益指标"))


@case("coverage-no-output", [E("indicator-coverage", S1, "A13")])
def _(wb, doc):
    """All four 产出指标 rows emptied."""
    ws = wb[S1]
    while True:
        try:
            r = indicator_row(ws, level1="产出指标")
        except LookupError:
            break
        clear_indicator_row(ws, r)


@case("coverage-no-satisfaction", [W("indicator-coverage.expected", S1, "A13")])
def _(wb, doc):
    """The 满意度指标 row emptied: a warning only."""
    ws = wb[S1]
    clear_indicator_row(ws, indicator_row(ws, level1="满意度指标"))


@case("coverage-no-cost", [W("indicator-coverage.level2", S1, "A13")])
def _(wb, doc):
    """The 成本指标 row emptied: a warning only."""
    ws = wb[S1]
    clear_indicator_row(ws, indicator_row(ws, level2="成本指标"))


# -- indicator-value -----------------------------------------------------------------------------

@case("value-words-with-operator", [E("indicator-value", S1, "F14")])
def _(wb, doc):
    """很多 typed as a 数量指标 value with 计算符号 ≥ (and 人 as the unit)."""
    ws = wb[S1]
    ind_cell(ws, "计算符号", level2="数量指标").value = "≥"
    ind_cell(ws, "指标值", level2="数量指标").value = "很多"


@case("value-quantity-not-a-number", [E("indicator-value.number", S1, "F14")])
def _(wb, doc):
    """A 数量指标 given the text value 很多 (计算符号 定性, no unit)."""
    ws = wb[S1]
    ind_cell(ws, "计算符号", level2="数量指标").value = "定性"
    ind_cell(ws, "指标值", level2="数量指标").value = "很多"
    ind_cell(ws, "计量单位", level2="数量指标").value = None


@case("value-without-unit", [E("indicator-value.unit", S1, "F14")])
def _(wb, doc):
    """计量单位 of ≤40人 deleted."""
    ind_cell(wb[S1], "计量单位", level2="数量指标").value = None


@case("value-whole-value-typed-ok", [])
def _(wb, doc):
    """The whole value ≥ 40 人 typed into 指标值, 计算符号 and 计量单位 left empty: this is fine."""
    ws = wb[S1]
    ind_cell(ws, "计算符号", level2="数量指标").value = None
    ind_cell(ws, "计量单位", level2="数量指标").value = None
    ind_cell(ws, "指标值", level2="数量指标").value = "≤ 40 人"


@case("value-fullwidth-operator-ok", [])
def _(wb, doc):
    """计算符号 typed as ＞＝ with a Chinese IME: read as ≥, nothing to report."""
    ind_cell(wb[S1], "计算符号", level2="数量指标").value = "＞＝"


@case("value-inserted-indicator-row-ok", [])
def _(wb, doc):
    """A row inserted in the middle of the indicator table (Excel: insert row) and filled in."""
    ws = wb[S1]
    r = indicator_row(ws, level2="质量指标")
    ws.insert_rows(r)
    row = {"一级指标": "产出指标", "二级指标": "数量指标", "三级指标": "培训人次", "绩效指标描述": "培训执法人员人次",
           "计算符号": "≥", "指标值": 30, "计量单位": "人次", "指标值确定依据": "工作计划"}
    for label, v in row.items():
        ws.cell(r, column_of(ws, label)).value = v


@case("value-satisfaction-in-words", [E("indicator-value.number", S1, "F19")])
def _(wb, doc):
    """满意度 given as the words 较高 (计算符号 定性)."""
    ws = wb[S1]
    ind_cell(ws, "计算符号", level1="满意度指标").value = "定性"
    ind_cell(ws, "指标值", level1="满意度指标").value = "较高"
    ind_cell(ws, "计量单位", level1="满意度指标").value = None


@case("value-typed-with-its-unit-ok", [])
def _(wb, doc):
    """指标值 typed as 40人 with 计量单位 人 still chosen: read as ≤40人, the unit not doubled."""
    ind_cell(wb[S1], "指标值", level2="数量指标").value = "40人"


@case("value-own-unit-differs", [E("indicator-value.units", S1, "F14")], bare=[])
def _(wb, doc):
    """指标值 typed as 40人 while 计量单位 says 人次. (A bare document keeps the value's own unit only.)"""
    ws = wb[S1]
    ind_cell(ws, "指标值", level2="数量指标").value = "40人"
    ind_cell(ws, "计量单位", level2="数量指标").value = "人次"


@case("value-typed-operator-ok", [])
def _(wb, doc):
    """计算符号 typed as >= (and = for the 质量指标 row): read as ≥ and ＝."""
    ind_cell(wb[S1], "计算符号", level2="数量指标").value = ">="
    ind_cell(wb[S1], "计算符号", level2="质量指标").value = "="


@case("satisfaction-percent-format-ok", [])
def _(wb, doc):
    """满意度 typed as 95%: the cell holds 0.95 shown as 95%, read as ≥95%."""
    c = ind_cell(wb[S1], "指标值", level1="满意度指标")
    c.value, c.number_format = 0.95, "0%"


@case("satisfaction-percent-format-120", [E("satisfaction-range", S1, "F19")])
def _(wb, doc):
    """满意度 typed as 120% (1.2 shown as 120%)."""
    c = ind_cell(wb[S1], "指标值", level1="满意度指标")
    c.value, c.number_format = 1.2, "0%"


@case("satisfaction-as-a-fraction", [E("indicator-value.fraction", S1, "F19")])
def _(wb, doc):
    """满意度 typed as 0.95 in a plain cell with the unit %: 95% meant? Said so, not guessed at."""
    ind_cell(wb[S1], "指标值", level1="满意度指标").value = 0.95


@case("value-percent-format-other-unit", [E("indicator-value.percent", S1, "F14")], bare=[])
def _(wb, doc):
    """指标值 shown as 95% (0.95 with a percent format) while 计量单位 says 人."""
    c = ind_cell(wb[S1], "指标值", level2="数量指标")
    c.value, c.number_format = 0.95, "0%"


# -- placeholder ---------------------------------------------------------------------------------

@case("placeholder-purpose", [E("placeholder", S1, "C5")])
def _(wb, doc):
    """资金用途 left as 请填写."""
    value_cell(wb[S1], "资金用途").value = "请填写"


@case("placeholder-spare-goal-row", [E("placeholder", S1, "C11")])
def _(wb, doc):
    """请填写 typed into the first spare 绩效目标 row."""
    goal_cells(wb[S1])[3].value = "请填写"


@case("placeholder-instruction-in-text", [E("placeholder", S1, "D14")])
def _(wb, doc):
    """绩效指标描述 still holding the instruction 请填写指标描述."""
    ind_cell(wb[S1], "绩效指标描述", level2="数量指标").value = "请填写指标描述"


@case("placeholder-value-xx", [E("placeholder", S1, "F15")], bare=["indicator-value"])
def _(wb, doc):
    """指标值 XX (with 计算符号 ＝ and 计量单位 % still set). Read into a document the value is the
    text ＝XX%, which a bare document reports as unparseable rather than as a placeholder."""
    ind_cell(wb[S1], "指标值", level2="质量指标").value = "XX"


@case("placeholder-basis-star", [E("placeholder", S1, "H14")])
def _(wb, doc):
    """指标值确定依据 *."""
    ind_cell(wb[S1], "指标值确定依据", level2="数量指标").value = "*"


@case("placeholder-trailing-space-purpose", [E("placeholder.space", S1, "C5")])
def _(wb, doc):
    """资金用途 pasted with a trailing space."""
    c = value_cell(wb[S1], "资金用途")
    c.value = c.value + " "


@case("placeholder-trailing-newline-goal", [E("placeholder.space", S1, "C9")])
def _(wb, doc):
    """The second 绩效目标 pasted with a trailing line break."""
    c = goal_cells(wb[S1])[1]
    c.value = c.value + "\n"


@case("placeholder-leading-space-indicator-name", [E("placeholder.space", S1, "C16")])
def _(wb, doc):
    """三级指标 of the 时效指标 row typed with a leading full-width space."""
    c = ind_cell(wb[S1], "三级指标", level2="时效指标")
    c.value = "\u3000" + c.value


@case("placeholder-trailing-space-overview-item", [E("placeholder.space", UNIT, "C9")])
def _(wb, doc):
    """The second 分项绩效目标 on the unit sheet with trailing spaces."""
    at = label_cell(wb[UNIT], "二、分项绩效目标")
    c = wb[UNIT].cell(at.row + 1, at.column + 2)
    c.value = c.value + "  "


@case("placeholder-trailing-space-project-name",
      [E("placeholder.space", S1, "F3"), E("issued-field-changed", S1, "F3")])
def _(wb, doc):
    """项目名称 (issued) retyped with a trailing space: also a change of issued data."""
    c = value_cell(wb[S1], "项目名称")
    c.value = c.value + " "


# -- cost-exceeds-budget / satisfaction-range -----------------------------------------------------

@case("cost-above-budget", [E("cost-exceeds-budget", S1, "F17")])
def _(wb, doc):
    """成本指标 100 万元 on a 70 万元 project."""
    ind_cell(wb[S1], "指标值", level2="成本指标").value = 100


@case("cost-above-budget-typed-whole", [E("cost-exceeds-budget", S1, "F17")])
def _(wb, doc):
    """成本指标 typed whole as ≤80万元 into 指标值 (计算符号 and 计量单位 emptied) on a 70 万元 project."""
    ws = wb[S1]
    ind_cell(ws, "计算符号", level2="成本指标").value = None
    ind_cell(ws, "计量单位", level2="成本指标").value = None
    ind_cell(ws, "指标值", level2="成本指标").value = "≤80万元"


@case("cost-above-budget-in-yuan", [E("cost-exceeds-budget", S1, "F17")])
def _(wb, doc):
    """成本指标 800000 元 (= 80 万元) on a 70 万元 project."""
    ws = wb[S1]
    ind_cell(ws, "指标值", level2="成本指标").value = 800000
    ind_cell(ws, "计量单位", level2="成本指标").value = "元"


@case("cost-within-budget-in-yuan", [])
def _(wb, doc):
    """成本指标 600000 元 (= 60 万元) on a 70 万元 project: fine."""
    ws = wb[S1]
    ind_cell(ws, "指标值", level2="成本指标").value = 600000
    ind_cell(ws, "计量单位", level2="成本指标").value = "元"


@case("satisfaction-120", [E("satisfaction-range", S1, "F19")])
def _(wb, doc):
    """满意度 ≥120%."""
    ind_cell(wb[S1], "指标值", level1="满意度指标").value = 120


@case("satisfaction-above-100-exclusive", [E("satisfaction-range", S1, "F19")])
def _(wb, doc):
    """满意度 >100% (no value can meet it)."""
    ws = wb[S1]
    ind_cell(ws, "计算符号", level1="满意度指标").value = ">"
    ind_cell(ws, "指标值", level1="满意度指标").value = 100


@case("satisfaction-below-0-exclusive", [E("satisfaction-range", S1, "F19")])
def _(wb, doc):
    """满意度 <0%."""
    ws = wb[S1]
    ind_cell(ws, "计算符号", level1="满意度指标").value = "<"
    ind_cell(ws, "指标值", level1="满意度指标").value = 0


# -- issued-field-changed ------------------------------------------------------------------------

@case("issued-name-changed", [E("issued-field-changed", S1, "F3")])
def _(wb, doc):
    """项目名称 reworded."""
    value_cell(wb[S1], "项目名称").value = "非财政人员工作经费"


@case("issued-code-changed", [E("issued-field-changed", S1, "B3")])
def _(wb, doc):
    """项目编码 changed to another well-formed code."""
    value_cell(wb[S1], "项目编码").value = "13052924P005840123886"


@case("issued-amounts-changed",
      [E("issued-field-changed", S1, "C4"), E("issued-field-changed", S1, "E4")])
def _(wb, doc):
    """预算数 and 财政资金 both raised to 80 (they still add up)."""
    value_cell(wb[S1], "预算数").value = 80
    value_cell(wb[S1], "其中：财政资金").value = 80


@case("issued-unit-code-changed", [E("issued-field-changed", UNIT, "B2")])
def _(wb, doc):
    """单位编码 overwritten."""
    value_cell(wb[UNIT], "单位编码").value = "414002"


@case("issued-project-sheet-deleted", [E("issued-field-changed.missing", UNIT, None)])
def _(wb, doc):
    """The sheet of project 5 deleted."""
    del wb[S5]


@case("issued-fingerprint-altered", [E("issued-field-changed.fingerprint", UNIT, None)])
def _(wb, doc):
    """The hidden fingerprint overwritten."""
    meta_cell(wb, "issued_fingerprint").value = "0" * 64


@case("issued-hidden-json-altered",
      [E("issued-field-changed.fingerprint", UNIT, None), E("issued-field-changed", S1, "C4"),
       E("issued-field-changed", S1, "E4")])
def _(wb, doc):
    """The hidden issued data edited to 80 万元 for project 1 (the sheet still says 70)."""
    c = meta_cell(wb, "issued_json")
    data = json.loads(c.value)
    data["projects"][0]["budget"].update(total="80", fiscal="80")
    c.value = json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@case("issued-hidden-json-not-an-object", [E("issued-field-changed.metadata", None, None)])
def _(wb, doc):
    """The hidden issued data replaced by a number: reported, never used."""
    meta_cell(wb, "issued_json").value = "5"


@case("issued-hidden-json-deeply-nested", [E("issued-field-changed.metadata", None, None)])
def _(wb, doc):
    """The hidden issued data replaced by 30,000 nested lists (a parser's recursion, not data)."""
    meta_cell(wb, "issued_json").value = "[" * 30000 + "]" * 30000


@case("issued-hidden-json-missing-keys", [E("issued-field-changed.metadata", None, None)])
def _(wb, doc):
    """The hidden issued data without its projects' budgets."""
    c = meta_cell(wb, "issued_json")
    data = json.loads(c.value)
    for p in data["projects"]:
        del p["budget"]
    c.value = json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@case("meta-template-version-garbage", [E("issued-field-changed.metadata", None, None)])
def _(wb, doc):
    """The hidden template version overwritten with text that is no version (the visible 模板版本
    cell still names the current one, so the template itself is not in doubt)."""
    meta_cell(wb, "template_version").value = "第二版（修订）"


# -- template-version ----------------------------------------------------------------------------

@case("template-older-version", [E("template-version", UNIT, "B6")])
def _(wb, doc):
    """Last year's template: version older in _meta and in the 模板版本 cell."""
    meta_cell(wb, "template_version").value = "2023112801"
    value_cell(wb[UNIT], "模板版本").value = "perf-targets@2023112801"


@case("template-older-version-meta-only", [E("template-version", UNIT, "B6")])
def _(wb, doc):
    """Only the hidden _meta version older (the metadata is what counts)."""
    meta_cell(wb, "template_version").value = "2023112801"


@case("template-other-id", [E("template-version", UNIT, "B6")])
def _(wb, doc):
    """A workbook of another form (template id) altogether."""
    meta_cell(wb, "template_id").value = "project-apply"
    value_cell(wb[UNIT], "模板版本").value = "project-apply@2024112801"


@case("template-older-version-no-meta",
      [E("template-version", UNIT, "B6"), W("metadata-missing", None, None)])
def _(wb, doc):
    """No _meta sheet and an old version in the visible 模板版本 cell."""
    del wb[META]
    value_cell(wb[UNIT], "模板版本").value = "perf-targets@2023112801"


# -- summary-mismatch ----------------------------------------------------------------------------

@case("summary-pasted-values-ok", [])
def _(wb, doc):
    """The 汇总 formulas replaced by their values ('paste values'): agreeing values, no finding."""
    paste_summary_values(wb, doc)


@case("summary-total-overwritten", [W("summary-mismatch", SUMMARY, "D3")])
def _(wb, doc):
    """汇总 pasted as values, and project 1's 预算数 overtyped 80."""
    paste_summary_values(wb, doc, **{"预算数@0": 80})


@case("summary-name-and-count-overwritten",
      [W("summary-mismatch", SUMMARY, "C4"), W("summary-mismatch", SUMMARY, "G5")])
def _(wb, doc):
    """汇总 pasted as values, project 2's name shortened and project 3's 指标数 overtyped."""
    paste_summary_values(wb, doc, **{"项目名称@1": "省级市场监管补助经费", "指标数@2": 6})


@case("summary-row-missing", [W("summary-mismatch.missing", S10, None)])
def _(wb, doc):
    """汇总 pasted as values with project 10's row left empty."""
    paste_summary_values(wb, doc, skip={9})


# -- metadata-missing ----------------------------------------------------------------------------

@case("metadata-sheet-deleted", [W("metadata-missing", None, None)])
def _(wb, doc):
    """The hidden _meta sheet deleted (as happens when sheets are copied into a new workbook)."""
    del wb[META]


@case("metadata-deleted-and-name-changed", [W("metadata-missing", None, None)])
def _(wb, doc):
    """Without _meta a changed issued name cannot be noticed: only the warning."""
    del wb[META]
    value_cell(wb[S1], "项目名称").value = "非财政人员工作经费"


# -- macros --------------------------------------------------------------------------------------

def add_vba_project(path: Path) -> None:
    """Turn a saved .xlsx into what Excel writes for 'Save as .xlsm' with a VBA module: a
    macro-enabled main part, a vbaProject.bin and its relationship. The macro itself is never run,
    so an OLE2 header with nothing behind it is enough."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    ct = parts["[Content_Types].xml"].decode("utf-8")
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    assert main in ct
    ct = ct.replace(main, "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    ct = ct.replace("<Default ", '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default ', 1)
    parts["[Content_Types].xml"] = ct.encode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdVBA1" '
                        'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
                        'Target="vbaProject.bin"/></Relationships>')
    parts["xl/_rels/workbook.xml.rels"] = rels.encode("utf-8")
    parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)


@case("macros-saved-as-xlsm", [W("macros", None, None)], suffix=".xlsm", after_save=add_vba_project)
def _(wb, doc):
    """Saved as a macro-enabled .xlsm with a VBA module; the cells are fine."""


@case("macros-and-an-error", [W("macros", None, None), E("required-field", S1, "C5")],
      suffix=".xlsm", after_save=add_vba_project)
def _(wb, doc):
    """Saved as .xlsm with a VBA module, and 资金用途 deleted: the cells are still read and checked."""
    value_cell(wb[S1], "资金用途").value = None


# ---- running a case ------------------------------------------------------------------------------

def build_case(c: Case, tmp: Path) -> Path:
    """Generate the seed workbook in ``tmp``, apply the clerk's edits with openpyxl, save."""
    src = make_seed_workbook(tmp / "seed.xlsx")
    wb = openpyxl.load_workbook(src)
    c.edit(wb, seed_doc())
    out = tmp / f"{c.id}{c.suffix}"
    wb.save(out)
    if c.after_save is not None:
        c.after_save(out)
    return out


def finding_key(f: Any) -> str:
    """``rule`` or ``rule.variant`` for a Finding (the reader's note uses its own message key)."""
    key = f.key or f.rule
    return key if key == f.rule or key.startswith(f.rule + ".") else f.rule


def as_tuple(f: Any) -> Expected:
    return (finding_key(f), f.severity, f.sheet, f.cell)

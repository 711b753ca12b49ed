"""Live checks inside the workbook agree with `budgetxl validate`, before and after LibreOffice
recalculates them."""

from __future__ import annotations

import openpyxl
import pytest
import python_calamine as pc

from budgetxl.form import load_template
from budgetxl.messages import message
from budgetxl.rules.live import parse_check_text
from budgetxl.workbook.writer.live import check_column
from budgetxl.rules import RULES
from budgetxl.workbook.validate import validate_file

CHECK_COL = check_column(load_template())  # the column right of the form
CHECK_HEADER = message("workbook.check-header")
P1 = "1.非财政开支人员工作经费"
P2 = "2.冀财行2023年97号提前下达2024年省级市场监管补助经"
P5 = "5.食品抽检经费"


def find(ws, text):
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell
    raise AssertionError(f"{text!r} not found in {ws.title}")


def below(ws, text, dr=1, dc=0):
    c = find(ws, text)
    return ws.cell(c.row + dr, c.column + dc)


def right(ws, text, n=1):
    return below(ws, text, 0, n)


def live_findings(path) -> set[tuple[str, str, str, str]]:
    """(sheet, cell, rule, variant) for every problem the check column shows."""
    wb = pc.CalamineWorkbook.from_path(str(path))
    out = set()
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        if not any(len(r) > CHECK_COL and r[CHECK_COL] == CHECK_HEADER for r in rows):
            continue
        for r in rows:
            if len(r) > CHECK_COL and isinstance(r[CHECK_COL], str) and r[CHECK_COL] != CHECK_HEADER:
                for cell, rule, variant in parse_check_text(r[CHECK_COL]):
                    out.add((name, cell, rule, variant))
    return out


def validate_live(path) -> set[tuple[str, str, str, str]]:
    """validate's findings of the rules the workbook also checks live, at cell level."""
    report = validate_file(path)
    out = set()
    for f in report.findings:
        if RULES[f.rule].live if f.rule in RULES else False:
            if f.cell and f.key != "required-field.projects":
                variant = (f.key or f.rule).partition(".")[2]
                out.add((f.sheet, f.cell, f.rule, variant))
    return out


def clerk_mistakes(path):
    """Edit a generated seed workbook the way a careless clerk would; openpyxl drops cached values."""
    wb = openpyxl.load_workbook(path)
    ws = wb[P1]
    right(ws, "其中：财政资金").value = 60  # budget-sum on the total
    below(ws, "6月底").value = 20  # decrease after 25
    below(ws, "12月底").value = 90  # last checkpoint not 100
    right(ws, "资金用途").value = None  # required
    sat = find(ws, "服务对象满意度指标")
    ws.cell(sat.row, 6).value = 120  # satisfaction out of range
    ws = wb[P2]
    first = below(ws, "一级指标")
    first.value = "产出"  # level1 outside the framework
    ws.cell(first.row + 1, 2).value = "社会效益指标"  # level2 under the wrong level1
    ws.cell(first.row + 2, 3).value = None  # indicator name missing
    right(ws, "其他资金").value = "七十"  # not a number
    ws = wb[P5]
    below(ws, "3月底").value = 120  # out of range
    right(ws, "预算数").value = -30  # negative (and sum)
    for r in range(find(ws, "绩效目标").row, find(ws, "一级指标").row):
        ws.cell(r, 3).value = None  # no goal at all
    wb.save(path)


def test_seed_workbook_shows_no_live_problem(make_workbook, seed_doc):
    path = make_workbook(seed_doc)
    assert live_findings(path) == set()
    summary = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("汇总").to_python()
    header = summary[1]
    status = [row[header.index("状态")] for row in summary[2:12]]
    assert status == ["通过"] * 10


def test_cached_checks_match_validate_for_a_generated_document(make_workbook, seed_doc):
    # Data that breaks rules is still written; the cached check values already show it.
    doc = seed_doc.model_copy(deep=True)
    doc.projects[0].budget.total = doc.projects[0].budget.total + 1
    doc.projects[0].spending_plan[3].percent = 95
    doc.projects[3].indicators[0].level2 = "社会效益指标"
    path = make_workbook(doc)
    shown = live_findings(path)
    assert shown == validate_live(path)
    assert (P1, "C4", "budget-sum", "") in shown
    assert (P1, "E7", "spending-plan", "last") in shown
    assert ("4.散煤治理专项经费", "B14", "indicator-taxonomy", "parent") in shown


@pytest.mark.libreoffice
def test_libreoffice_recalculation_agrees_with_validate(make_workbook, seed_doc, soffice, tmp_path):
    path = make_workbook(seed_doc, "filled.xlsx")
    clerk_mistakes(path)
    expected = validate_live(path)
    assert len(expected) >= 12  # the edits above really are mistakes validate sees
    (recalculated,) = soffice([path], "xlsx", tmp_path / "lo")
    shown = live_findings(recalculated)
    assert shown == expected
    # The summary's status column, recalculated, counts the same problems per project.
    rows = pc.CalamineWorkbook.from_path(str(recalculated)).get_sheet_by_name("汇总").to_python()
    header = rows[1]
    per_sheet = {}
    for sheet, *_ in shown:
        per_sheet[sheet] = per_sheet.get(sheet, 0) + 1
    for row in rows[2:12]:
        sheet = row[header.index("工作表")]
        assert row[header.index("问题数")] == per_sheet.get(sheet, 0), sheet
        assert row[header.index("状态")] == ("通过" if sheet not in per_sheet else "有问题")

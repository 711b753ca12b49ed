"""Live checks inside the workbook agree with `budgetxl validate`, before and after LibreOffice
recalculates them."""

from __future__ import annotations

import openpyxl
import pytest
import python_calamine as pc

from budgetxl.messages import message
from budgetxl.rules.live import live_variants, parse_check_text
from budgetxl.workbook.validate import validate_file

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
    """(sheet, cell, rule, variant) for every problem a check column shows (the project and unit
    sheets' 校验提示 column, and the summary's)."""
    wb = pc.CalamineWorkbook.from_path(str(path))
    out = set()
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        col = next((c for r in rows[:3] for c, v in enumerate(r) if v == CHECK_HEADER), None)
        if col is None:
            continue
        for r in rows:
            if len(r) > col and isinstance(r[col], str) and r[col] != CHECK_HEADER:
                for cell, rule, variant in parse_check_text(r[col]):
                    out.add((name, cell, rule, variant))
    return out


def validate_live(path) -> set[tuple[str, str, str, str]]:
    """validate's findings of the rules and variants the workbook also checks live, at cell level."""
    live = live_variants()
    return {(f.sheet, f.cell, f.rule, f.variant) for f in validate_file(path).findings
            if f.cell and (f.rule, f.variant) in live}


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


def test_seed_workbook_shows_what_validate_finds(make_workbook, seed_doc):
    """The seed's two warnings (projects 3 and 10 have no 满意度指标) show live too, as warnings:
    汇总 says 请核对 for them and 通过 for the rest; the spare 新增项目 sheets show nothing."""
    path = make_workbook(seed_doc)
    assert live_findings(path) == validate_live(path) == {
        ("3.计量业务经费", "A13", "indicator-coverage", "expected"),
        ("10.质量安全监管专项经费", "A13", "indicator-coverage", "expected")}
    summary = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("汇总").to_python()
    header = summary[1]
    status = [row[header.index("状态")] for row in summary[2:15]]
    assert status == ["通过"] * 2 + ["请核对"] + ["通过"] * 6 + ["请核对"] + [""] * 3


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


def test_cached_checks_of_every_rule_match_validate(make_workbook, seed_doc):
    """Mistakes of every rule the workbook can decide, written from a document: the cached check
    texts (the Python twins of the formulas) name what validate names, cell for cell."""
    from budgetxl.model import Indicator, SpendingPoint

    doc = seed_doc.model_copy(deep=True)
    p1, p2, p3, p4, p5 = doc.projects[:5]
    p1.purpose = "请填写"  # placeholder
    p1.goals[1] = "第二条 "  # stray space
    p1.indicators[0].value = "≤40"  # no unit
    p1.indicators[3].value = "800000元"  # cost above the budget (80 万元 > 70)
    p1.indicators[5].value = "≥120%"  # satisfaction out of range
    p2.spending_plan = [SpendingPoint(month=m, percent=v) for m, v in ((3, "0.25"), (6, "0.5"), (10, "0.75"), (12, "1"))]
    p2.indicators[-1].value = "≥0.9%"  # a satisfaction written as a fraction
    p3.code = "13052924p00584012381U"  # lower-case p
    p3.indicators.append(Indicator(level1="产出指标", level2="数量指标", name="检查次数", value={"text": "很多", "op": "定性"}))
    p4.code = p1.code  # a duplicate
    p5.code = "13052823P00584012383X"  # another region
    p5.indicators = [i for i in p5.indicators if i.level1 != "效益指标"]  # no 效益指标
    doc.projects[5].added = True  # a project the unit added itself
    path = make_workbook(doc)
    shown = live_findings(path)
    assert shown == validate_live(path)
    rules = {r for _, _, r, _ in shown}
    assert rules >= {"placeholder", "indicator-value", "cost-exceeds-budget", "satisfaction-range", "spending-plan",
                     "project-code-format", "duplicate-project-code", "indicator-coverage", "project-added"}


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
    per_sheet, errors = {}, {}
    for f in validate_file(recalculated).findings:
        if f.cell and (f.rule, f.variant) in live_variants():
            per_sheet[f.sheet] = per_sheet.get(f.sheet, 0) + 1
            errors[f.sheet] = errors.get(f.sheet, 0) + (f.severity == "error")
    for row in rows[2:12]:
        sheet = row[header.index("工作表")]
        assert row[header.index("问题数")] == per_sheet.get(sheet, 0), sheet
        status = "通过" if sheet not in per_sheet else "有问题" if errors[sheet] else "请核对"
        assert row[header.index("状态")] == status, sheet

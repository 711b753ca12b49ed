"""generate -> read gives the document back; the reader survives a clerk's edits.

The property tests write real workbooks with xlsxwriter and read them with python-calamine; the
robustness tests edit a generated workbook with openpyxl the way a clerk edits it in Excel
(insert/delete rows, rename/reorder/copy sheets, unmerge cells) and assert the exact document that
comes back.
"""

from __future__ import annotations

import os
import uuid
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from openpyxl.worksheet.cell_range import CellRange

from budgetxl.form.layout import META_SHEET
from budgetxl.messages import message
from budgetxl.model import Indicator, Submission
from budgetxl.files.grids import load_grids
from budgetxl.workbook.reader import read_workbook
from budgetxl.workbook.writer import generate_workbook

from conftest import assert_same_doc
from strategies import TEMPLATE, submissions

# Each example writes real files: keep the default modest; BUDGETXL_EXAMPLES=500 for a deeper run.
PROPERTY = settings(max_examples=int(os.environ.get("BUDGETXL_EXAMPLES", "40")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    # Hypothesis runs many examples in one test call, so files go to a module-wide directory
    # (function-scoped tmp_path would be shared by all examples anyway) and are removed each time.
    return tmp_path_factory.mktemp("roundtrip")


def _fresh(scratch: Path) -> Path:
    return scratch / f"{uuid.uuid4().hex}.xlsx"


def _grid_values(path: Path) -> dict[str, list[list]]:
    """Every visible value of a workbook, except the generation timestamp in the metadata sheet."""
    out = {}
    for g in load_grids(path):
        rows = g.rows
        if g.name == META_SHEET:
            rows = [r for r in rows if not (r and r[0] == "generated_at")]
        out[g.name] = rows
    return out


# ---- properties ------------------------------------------------------------------------------------

@PROPERTY
@given(doc=submissions())
def test_generate_then_read_gives_the_document_back(scratch, doc):
    path = _fresh(scratch)
    try:
        generate_workbook(doc, path, template=TEMPLATE)
        back = read_workbook(path).doc
    finally:
        path.unlink(missing_ok=True)
    assert back == doc
    assert back.to_json() == doc.to_json()


@PROPERTY
@given(doc=submissions())
def test_regenerating_what_was_read_is_stable(scratch, doc):
    """generate(read(x)) reads back the same again, and is the same workbook cell for cell."""
    first, second = _fresh(scratch), _fresh(scratch)
    try:
        generate_workbook(doc, first, template=TEMPLATE)
        once = read_workbook(first).doc
        generate_workbook(once, second, template=TEMPLATE)
        twice = read_workbook(second).doc
        assert _grid_values(second) == _grid_values(first)
    finally:
        first.unlink(missing_ok=True)
        second.unlink(missing_ok=True)
    assert twice == once == doc


# ---- text that looks like a formula stays text --------------------------------------------------------

FORMULA_TEXTS = {
    "unit.name": "=HYPERLINK(\"http://evil.example/\",\"点击领取\")",
    "overview.overall": "=1+1",
    "overview.items[0]": "+86 0319-1234567",
    "overview.safeguards[0]": "-5%的目标",
    "projects[0].code": "=13052924P005840123885",
    "projects[0].name": "@项目名称",
    "projects[0].purpose": "=SUM(A1:A3)\n第二行",
    "projects[0].goals[0]": "-减少投诉",
    "projects[0].goals[1]": "@所有人",
    "projects[0].indicators[0].description": "=cmd|' /C calc'!A0",
    "projects[0].indicators[0].basis": "+工作计划",
    "projects[0].indicators[0].name": "=A1",
    "projects[0].indicators[0].level1": "=\"产出指标\"",
}


def _formula_doc() -> Submission:
    t = FORMULA_TEXTS
    return Submission.model_validate({
        "template": {"id": TEMPLATE.id, "version": TEMPLATE.version},
        "year": 2024,
        "unit": {"code": "414001", "name": t["unit.name"], "region": "130529"},
        "overview": {"overall": t["overview.overall"], "items": [t["overview.items[0]"]],
                     "safeguards": [t["overview.safeguards[0]"]]},
        "projects": [{
            "code": t["projects[0].code"], "name": t["projects[0].name"],
            "budget": {"total": 1, "fiscal": 1, "other": 0},
            "purpose": t["projects[0].purpose"],
            "goals": [t["projects[0].goals[0]"], t["projects[0].goals[1]"]],
            "indicators": [{
                "level1": t["projects[0].indicators[0].level1"], "level2": "数量指标",
                "name": t["projects[0].indicators[0].name"],
                "description": t["projects[0].indicators[0].description"],
                "value": {"text": "=1+2", "op": "定性"},
                "basis": t["projects[0].indicators[0].basis"],
            }],
        }],
    })


def test_text_starting_like_a_formula_is_a_string_cell(make_workbook):
    doc = _formula_doc()
    path = make_workbook(doc)
    result = read_workbook(path)
    assert result.doc == doc
    wb = openpyxl.load_workbook(path)
    checked = dict(FORMULA_TEXTS, **{"projects[0].indicators[0].value": "=1+2"})
    for field, text in checked.items():
        ref = result.sources[field]
        cell = wb[ref.sheet].cell(ref.row + 1, ref.col + 1)
        assert cell.data_type == "s", (field, cell.coordinate, cell.data_type)
        assert cell.value == text, field
        assert cell.quotePrefix, (field, "no quote prefix: Excel would parse the text when edited")
    # And no formula anywhere contains what a user typed.
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    assert "HYPERLINK" not in cell.value and "cmd|" not in cell.value and "SUM(A1:A3)" not in cell.value


# ---- sheet names count UTF-16 units --------------------------------------------------------------------

def test_sheet_name_with_non_bmp_characters(make_workbook):
    # Excel's 31-character limit counts UTF-16 units: 𠀋 (CJK Extension B) and emoji count twice.
    doc = Submission.model_validate({
        "template": {"id": TEMPLATE.id, "version": TEMPLATE.version},
        "projects": [{"name": "𠀋" * 20 + "专项经费"}, {"name": "𠀋" * 20 + "专项经费"}, {"name": "😀" * 40}],
    })
    path = make_workbook(doc)
    assert read_workbook(path).doc == doc
    names = openpyxl.load_workbook(path).sheetnames
    assert all(len(n.encode("utf-16-le")) // 2 <= 31 for n in names)
    assert len({n.lower() for n in names}) == len(names)


# ---- a clerk edits the workbook -----------------------------------------------------------------------

def find_label(ws, text: str) -> tuple[int, int]:
    """(row, column), 1-based, of the first cell whose value is ``text`` (row by row)."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.row, cell.column
    raise LookupError(f"{text!r} not on {ws.title!r}")


def insert_rows(ws, idx: int, amount: int = 1) -> None:
    """Insert rows before row ``idx`` the way Excel does: merged ranges below move down and ranges
    spanning the insertion point grow (openpyxl's insert_rows alone leaves merges where they were)."""
    merged = [CellRange(r.coord) for r in ws.merged_cells.ranges]
    for r in merged:
        ws.unmerge_cells(r.coord)
    ws.insert_rows(idx, amount)
    for r in merged:
        if r.min_row >= idx:
            r.shift(row_shift=amount)
        elif r.max_row >= idx:
            r.expand(down=amount)
        ws.merge_cells(r.coord)


def project_sheets(wb) -> list:
    """The sheets of the issued projects (not the spare 新增项目 sheets for projects the unit adds)."""
    added = message("workbook.added-mark")
    return [ws for ws in wb.worksheets if any(c.value == TEMPLATE.label("level1") for row in ws.iter_rows() for c in row)
            and not any(c.value == added for row in ws.iter_rows(max_row=3) for c in row)]


def edit(path: Path, change) -> Path:
    """Open with openpyxl, apply ``change(wb)``, save under a new name (like a clerk's 另存为)."""
    wb = openpyxl.load_workbook(path)
    change(wb)
    out = path.with_name(path.stem + "-edited.xlsx")
    wb.save(out)
    return out


def data(doc: Submission) -> dict:
    return doc.model_dump(by_alias=True)


NEW_INDICATOR = {
    "level1": "产出指标", "level2": "数量指标", "name": "新增检查户数", "description": "新增检查的市场主体户数",
    "value": "≥30户", "basis": "工作计划",
}


def test_insert_a_filled_row_inside_the_indicator_table(make_workbook, seed_doc):
    path = make_workbook(seed_doc)

    def change(wb):
        ws = project_sheets(wb)[0]
        hr, _ = find_label(ws, TEMPLATE.label("level1"))
        header = {ws.cell(hr, c).value: c for c in range(1, ws.max_column + 1)}
        r = hr + 2  # between the first and the second indicator
        insert_rows(ws, r)
        cells = {"level1": "产出指标", "level2": "数量指标", "name": "新增检查户数",
                 "description": "新增检查的市场主体户数", "value.op": "≥", "value": 30, "value.unit": "户",
                 "basis": "工作计划"}
        for key, v in cells.items():
            ws.cell(r, header[TEMPLATE.label(key, "indicator")], v)
        # a second row where the clerk typed the whole value into 指标值 (spaces, words and all)
        insert_rows(ws, r + 1)
        for key, v in {"level1": "效益指标", "level2": "社会效益指标", "name": "投诉办结率",
                       "value": "不低于 95 %", "basis": "工作安排"}.items():
            ws.cell(r + 1, header[TEMPLATE.label(key, "indicator")], v)

    back = read_workbook(edit(path, change)).doc
    expected = data(seed_doc)
    expected["projects"][0]["indicators"][1:1] = [
        NEW_INDICATOR,
        {"level1": "效益指标", "level2": "社会效益指标", "name": "投诉办结率", "description": None,
         "value": "≥95%", "basis": "工作安排"},
    ]
    expected = Submission.model_validate(expected)
    assert_same_doc(back, expected)
    assert len(back.projects[0].indicators) == len(seed_doc.projects[0].indicators) + 2
    assert back.projects[0].indicators[1].value.number == Decimal(30)


def test_delete_the_spare_indicator_rows(make_workbook, seed_doc):
    path = make_workbook(seed_doc)
    n = len(seed_doc.projects[1].indicators)
    spare = TEMPLATE.fields.table.spare_rows
    seen = {}

    def change(wb):
        ws = project_sheets(wb)[1]
        hr, _ = find_label(ws, TEMPLATE.label("level1"))
        first_spare = hr + 1 + n
        assert all(ws.cell(first_spare + i, 3).value is None for i in range(spare))
        ws.delete_rows(first_spare, spare)
        seen["max_row"] = ws.max_row
        seen["last"] = first_spare - 1

    back = read_workbook(edit(path, change)).doc
    assert seen["max_row"] == seen["last"]  # the rows really went: the table now ends the sheet
    assert_same_doc(back, seed_doc)


def test_delete_a_filled_indicator_row(make_workbook, seed_doc):
    path = make_workbook(seed_doc)

    def change(wb):
        ws = project_sheets(wb)[2]
        hr, _ = find_label(ws, TEMPLATE.label("level1"))
        ws.delete_rows(hr + 3)  # the third indicator

    back = read_workbook(edit(path, change)).doc
    expected = data(seed_doc)
    del expected["projects"][2]["indicators"][2]
    assert_same_doc(back, Submission.model_validate(expected))


def test_insert_a_goal_row(make_workbook, seed_doc):
    path = make_workbook(seed_doc)
    goal = "新增目标：全年开展检查不少于30次，\n确保按时完成。"  # ("=..." typed would be a formula)

    def change(wb):
        ws = project_sheets(wb)[3]
        gr, gc = find_label(ws, TEMPLATE.label("goals"))
        insert_rows(ws, gr + 1)  # between goal 1 and goal 2
        ws.cell(gr + 1, gc + 2, goal)
        # and a goal typed into the last spare goal row, just above the indicator table
        hr, _ = find_label(ws, TEMPLATE.label("level1"))
        assert ws.cell(hr - 1, gc + 2).value is None
        ws.cell(hr - 1, gc + 2, "最后一条目标")

    back = read_workbook(edit(path, change)).doc
    expected = data(seed_doc)
    goals = expected["projects"][3]["goals"]
    expected["projects"][3]["goals"] = [goals[0], goal, *goals[1:], "最后一条目标"]
    assert_same_doc(back, Submission.model_validate(expected))
    assert len(back.projects[3].goals) == len(seed_doc.projects[3].goals) + 2


def test_rename_and_reorder_sheets(make_workbook, seed_doc):
    path = make_workbook(seed_doc)

    def change(wb):
        projects = project_sheets(wb)
        for i, ws in enumerate(projects):
            ws.title = f"Sheet{i + 1}"
        wb[TEMPLATE.sheets.unit].title = "部门整体"
        wb[TEMPLATE.sheets.summary].title = "总表"
        # projects in reverse order, the unit sheet moved behind them
        order = [*reversed(projects), wb["部门整体"]]
        for i, ws in enumerate(order):
            wb.move_sheet(ws, offset=i - wb.index(ws))
        wb.active = 0

    out = edit(path, change)
    result = read_workbook(out)
    expected = data(seed_doc)
    expected["projects"].reverse()
    assert_same_doc(result.doc, Submission.model_validate(expected))
    assert result.project_sheets == [f"Sheet{i}" for i in range(len(seed_doc.projects), 0, -1)]
    assert result.unit_sheet == "部门整体"


def test_copy_a_project_sheet_for_a_new_project(make_workbook, seed_doc):
    path = make_workbook(seed_doc)
    new_code, new_name = "13052924P00584099999Z", "新增项目（复制）"

    def change(wb):
        src = project_sheets(wb)[0]
        copy = wb.copy_worksheet(src)
        copy.title = "新增项目"
        r, c = find_label(copy, TEMPLATE.label("code"))
        copy.cell(r, c + 1, new_code)
        r, c = find_label(copy, TEMPLATE.label("name"))
        copy.cell(r, c + 1, new_name)
        r, c = find_label(copy, TEMPLATE.label("budget.total"))
        copy.cell(r, c + 1, 12.5)
        # like Excel's 移动或复制 → 建立副本: the copy lands right after its source
        wb.move_sheet(copy, offset=wb.index(src) + 1 - wb.index(copy))

    result = read_workbook(edit(path, change))
    expected = data(seed_doc)
    new = {**expected["projects"][0], "code": new_code, "name": new_name, "added": True}  # (not issued: added)
    new["budget"] = {**new["budget"], "total": Decimal("12.5")}
    expected["projects"].insert(1, new)
    assert_same_doc(result.doc, Submission.model_validate(expected))
    assert len(result.doc.projects) == len(seed_doc.projects) + 1
    assert result.project_sheets[1] == "新增项目"


def test_unmerge_every_cell(make_workbook, seed_doc):
    path = make_workbook(seed_doc)
    counted = {"n": 0}

    def change(wb):
        for ws in wb.worksheets:
            for r in list(ws.merged_cells.ranges):
                ws.unmerge_cells(r.coord)
                counted["n"] += 1

    out = edit(path, change)
    assert counted["n"] > 100  # the generated workbook does merge cells
    assert all(not ws.merged_cells.ranges for ws in openpyxl.load_workbook(out).worksheets)
    assert_same_doc(read_workbook(out).doc, seed_doc)


def test_all_clerk_edits_together(make_workbook, seed_doc):
    """Insert an indicator, delete spare rows, rename, reorder and unmerge in one file."""
    path = make_workbook(seed_doc)
    n_last = len(seed_doc.projects[-1].indicators)

    def change(wb):
        projects = project_sheets(wb)
        first, last = projects[0], projects[-1]
        hr, _ = find_label(first, TEMPLATE.label("level1"))
        header = {first.cell(hr, c).value: c for c in range(1, first.max_column + 1)}
        insert_rows(first, hr + 1)  # a new first indicator
        for key, v in {"level1": "产出指标", "level2": "数量指标", "name": "新增检查户数",
                       "description": "新增检查的市场主体户数", "value.op": "≥", "value": "30", "value.unit": "户",
                       "basis": "工作计划"}.items():
            first.cell(hr + 1, header[TEMPLATE.label(key, "indicator")], v)  # the number typed as text
        hr, _ = find_label(last, TEMPLATE.label("level1"))
        last.delete_rows(hr + 1 + n_last, TEMPLATE.fields.table.spare_rows)
        first.title, last.title = "最后", "最前"
        for ws in wb.worksheets:
            for r in list(ws.merged_cells.ranges):
                ws.unmerge_cells(r.coord)
        wb.move_sheet(last, offset=wb.index(first) - wb.index(last))

    back = read_workbook(edit(path, change)).doc
    expected = data(seed_doc)
    expected["projects"][0]["indicators"].insert(0, NEW_INDICATOR)
    expected["projects"].insert(0, expected["projects"].pop())
    assert_same_doc(back, Submission.model_validate(expected))


def test_blank_items_do_not_survive_the_model_so_the_round_trip_holds(make_workbook, template):
    """Blank goals/overview items and blank projects are dropped by the model (the reader skips
    blank rows and spare sheets), so such a document compares equal after a round trip."""
    doc = Submission.model_validate({
        "template": {"id": template.id, "version": template.version},
        "overview": {"items": ["", "一", None], "safeguards": [None, "\r\n"]},
        "projects": [{}, {"name": "有名称", "goals": ["", "目标", None],
                          "spending_plan": [{"month": 3, "percent": None}, {"month": 12, "percent": 100}],
                          "indicators": [{}, {"name": "指标", "value": "  "}]},
                     {"spending_plan": [{"month": 3}]}],
    })
    assert doc.overview.items == ["一"] and doc.overview.safeguards == ["\n"]
    assert [p.name for p in doc.projects] == ["有名称"]
    assert doc.projects[0].goals == ["目标"]
    assert doc.projects[0].indicators == [Indicator(name="指标")]
    assert_same_doc(read_workbook(make_workbook(doc)).doc, doc)


def test_empty_document_writes_spare_sheets_that_read_as_nothing(make_workbook, template):
    doc = Submission.model_validate({"template": {"id": template.id, "version": template.version}})
    path = make_workbook(doc)
    result = read_workbook(path)
    assert result.doc == doc
    assert result.project_sheets == []
    wb = openpyxl.load_workbook(path)
    assert len(project_sheets(wb)) == template.project.spare_sheets

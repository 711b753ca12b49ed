"""Pages that print: every row is as tall as the text wrapped in it; every table fits the width of
its page at a legible scale or is split across pages with its header repeated; machine columns
stay out of the print area; and, rendered by LibreOffice, no page of the demo's consolidated
workbook, an annotated copy or a unit workbook has text below 8 pt. The later stages' workbooks
(monitoring, self-evaluation) and their consolidations are held to the same."""

from __future__ import annotations

import math
import shutil

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

import budgetxl
from budgetxl.demo import run_demo

from clirun import cli, files, seed

CJK_WIDTH, LATIN_WIDTH = 2.1, 1.1  # column-width units of a character (Excel: a CJK glyph is two digits wide)
MIN_LINE_PT = 14.0  # the least height of a line of 11-pt text


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    run_demo(out)
    return out


def _needed_lines(text: str, width: float) -> int:
    """Lines a text takes in a column (counted here independently of the writer's own estimate)."""
    lines = 0
    for part in text.split("\n"):
        w = sum(CJK_WIDTH if ord(ch) > 0x2E80 else LATIN_WIDTH for ch in part)
        lines += max(1, math.ceil(w / max(width - 1, 1)))
    return lines


def _short_rows(path) -> list[str]:
    """Every wrapped text whose row (or merged rows) is lower than its lines need."""
    book = openpyxl.load_workbook(path, data_only=True)
    bad = []
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        merged = {(r.min_row, r.min_col): r for r in ws.merged_cells.ranges}
        widths = {c: d.width for d in ws.column_dimensions.values() if d.width
                  for c in range(d.min or 1, (d.max or d.min or 1) + 1)}  # (a <col> may cover a range)

        def width(c: int) -> float:
            return widths.get(c, 8.43)

        def height(r: int) -> float:
            dim = ws.row_dimensions.get(r)
            return dim.height if dim is not None and dim.height else 15.0

        last_col = ws.max_column
        if ws.print_area:  # what is printed (the live-check column beside a project table is not)
            from openpyxl.utils.cell import range_boundaries

            last_col = range_boundaries(str(ws.print_area).split(",")[0].split("!")[-1].replace("$", ""))[2]
        for row in ws.iter_rows(max_col=last_col):
            for cell in row:
                if not isinstance(cell.value, str) or not cell.value or not cell.alignment.wrap_text:
                    continue
                if ws.row_dimensions[cell.row].hidden:
                    continue
                rng = merged.get((cell.row, cell.column))
                cols = range(cell.column, (rng.max_col if rng else cell.column) + 1)
                rows = range(cell.row, (rng.max_row if rng else cell.row) + 1)
                lines = _needed_lines(cell.value, sum(width(c) for c in cols))
                if sum(height(r) for r in rows) < lines * MIN_LINE_PT:
                    bad.append(f"{ws.title}!{cell.coordinate} ({lines} lines, {sum(height(r) for r in rows)} pt): "
                               f"{cell.value[:30]}")
    return bad


def test_rows_fit_their_wrapped_text_in_a_unit_workbook(tmp_path):
    long = seed()
    long.projects[0].indicators[0].description = "实际领取工资的自收自支人员数量，" * 4  # long prefilled text
    long.projects[0].name = "非财政开支人员工作经费（含临时聘用人员、劳务派遣人员工资及社会保险）"
    path = budgetxl.generate_workbook(long, tmp_path / "w.xlsx")
    assert _short_rows(path) == []


STAGES = ["", "5-运行监控", "6-绩效自评"]  # the targets, then the later stages (monitoring, self-evaluation)


@pytest.mark.parametrize("stage", STAGES, ids=["targets", "monitor", "selfeval"])
def test_rows_fit_their_wrapped_text_in_the_demos_outputs(demo, stage):
    """The consolidated workbook, an annotated copy, an issued workbook and a return of each stage."""
    folder = demo / stage
    paths = [*(folder / "4-汇总").glob("*.xlsx"), *sorted((folder / "3-退回修改").glob("*.xlsx"))[:1],
             *sorted((folder / "1-下发").glob("*.xlsx"))[:1], *sorted((folder / "2-收件箱").glob("414001*.xlsx"))[:1]]
    assert len(paths) == 4
    for path in paths:
        assert _short_rows(path) == [], path.name


def test_the_old_fixed_heights_would_be_caught(tmp_path):
    """The check is not empty: a 填报说明 row set back to one line's height is found."""
    path = budgetxl.generate_workbook(seed(), tmp_path / "w.xlsx")
    book = openpyxl.load_workbook(path)
    ws = book["填报说明"]
    row = next(c.row for c in ws["B"] if isinstance(c.value, str) and len(c.value) > 80)
    ws.row_dimensions[row].height = 18
    book.save(tmp_path / "shrunk.xlsx")
    assert _short_rows(tmp_path / "shrunk.xlsx")


@pytest.mark.parametrize("stage, title", [("", "预算绩效目标表"), ("5-运行监控", "绩效运行监控表"),
                                          ("6-绩效自评", "项目支出绩效自评表")], ids=["targets", "monitor", "selfeval"])
def test_consolidated_print_set_up(demo, stage, title):
    book = openpyxl.load_workbook(next((demo / stage / "4-汇总").glob("*.xlsx")))
    summary = book["汇总"]
    assert summary["A1"].value == f"邢台市2024年{title}汇总" and "汇总日期" in summary["A2"].value
    assert summary.print_title_rows.replace("$", "") == "3:3"
    if not stage:
        assert [c.value for c in summary[3]][5:8] == ["预算数\n（万元）", "财政资金\n（万元）", "其他资金\n（万元）"]
    status = book["报送情况"]
    headers = [c.value for c in status[1]]
    printed_to = status.print_area[0].split(":")[-1] if isinstance(status.print_area, list) else status.print_area
    last = headers.index("说明") + 1
    assert get_column_letter(last) in printed_to and headers[last:] == ["文件路径", "SHA-256"]  # kept, not printed
    units = book["单位概况"]
    assert [c.value for c in units[1]][-2:] == ["模板", "模板版本"] and units.print_area
    for ws in book.worksheets:
        setup = ws.page_setup
        assert setup.paperSize in (9, "9"), ws.title
        fits = ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage
        assert fits or int(setup.scale or 100) >= 75, ws.title  # never scaled below a legible size
        if not fits:
            assert ws.print_title_rows, ws.title  # split across pages: the header on each
            assert ws.print_title_cols, ws.title  # … and the unit's code (and name) on each
            if ws.title == "汇总":  # the title on the first page, whole: merged only over its columns
                merged = next(r for r in ws.merged_cells.ranges if r.min_row == 1)
                assert merged.max_col < ws.max_column


@pytest.mark.libreoffice
def test_no_printed_text_below_8_pt(demo, soffice, tmp_path):
    """LibreOffice renders the demo's consolidated workbook, an annotated copy and a unit workbook
    to PDF; every character on every page is 8 pt or more, and every page is A4."""
    pdfplumber = pytest.importorskip("pdfplumber")
    src = tmp_path / "src"
    src.mkdir()
    books = [demo / "4-汇总" / "汇总.xlsx", sorted((demo / "3-退回修改").glob("*.xlsx"))[0],
             sorted((demo / "2-收件箱").glob("414001*.xlsx"))[0],
             # the later stages: the monitoring consolidation (a chart more), a self-evaluation return
             next((demo / "5-运行监控" / "4-汇总").glob("*.xlsx")),
             sorted((demo / "6-绩效自评" / "2-收件箱").glob("414001*.xlsx"))[0]]
    copies = [shutil.copy(b, src / f"{i}.xlsx") for i, b in enumerate(books)]
    for pdf_path, book in zip(soffice(copies, "pdf", tmp_path / "pdf"), books):
        with pdfplumber.open(pdf_path) as pdf:
            assert len(pdf.pages) > 1
            for n, page in enumerate(pdf.pages, start=1):
                sizes = [round(c["size"], 1) for c in page.chars]
                assert sizes and min(sizes) >= 8.0, f"{book.name} page {n}: {min(sizes)} pt"
                assert {round(page.width), round(page.height)} == {595, 842}, f"{book.name} page {n} is not A4"


def test_a_later_stage_unit_sheet_is_headed_by_its_form(demo):
    """A monitoring workbook's 单位信息 holds no overall targets: its heading names the form."""
    for stage, form in (("5-运行监控", "绩效运行监控表"), ("6-绩效自评", "项目支出绩效自评表")):
        path = sorted((demo / stage / "1-下发").glob("414001*.xlsx"))[0]
        assert openpyxl.load_workbook(path)["单位信息"]["A1"].value == f"巨鹿县市场监督管理局本级2024年{form}　单位信息"
    path = sorted((demo / "1-下发").glob("414001*.xlsx"))[0]
    assert openpyxl.load_workbook(path)["单位信息"]["A1"].value == "巨鹿县市场监督管理局本级2024年部门整体绩效目标"

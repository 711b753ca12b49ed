"""Annotated copies (退回修改): the county's own workbook with every finding marked and explained.

The input is never touched: openpyxl loads it, marks each finding's cell (red for errors, yellow
for warnings) with a note, adds a first sheet 校验结果 listing all findings with links to their
cells, and the result is written atomically under a new name. VBA is never carried over.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ..cells import needs_quote
from ..files.atomic import atomic_path
from ..findings import Finding
from ..messages import message
from .validate import FileReport
from .xlsx import row_height, text_lines

ERROR_FILL = "FFC7CE"
WARNING_FILL = "FFEB9C"
HEADER_FILL = "D9E1F2"


def annotated_name(path: str | os.PathLike[str], taken: set[str] | None = None, lang: str = "zh",
                   unit: dict[str, Any] | None = None, warnings_only: bool = False) -> str:
    """巨鹿县.xlsx -> 巨鹿县_退回修改.xlsx (only warnings: 巨鹿县_请核对.xlsx; 巨鹿县.xls ->
    巨鹿县.xls_退回修改.xlsx; a zip member by its own name). A file name that does not say whose
    file it is gets the unit's code and name in front, so the clerk recognises the copy; a name
    already ``taken`` in this batch gets (2), (3), …"""
    p = Path(str(path).rsplit("!", 1)[-1])
    stem = p.stem if p.suffix.lower() in (".xlsx", ".xlsm") else p.name
    code, unit_name = (unit or {}).get("code"), (unit or {}).get("name")
    if code and code not in stem:  # the unit's code in front (and its name, when the file's says no name at all)
        named = any(ord(ch) > 0x2E80 for ch in stem) or not unit_name
        safe = re.sub(r'[\\/:*?"<>|\s]+', "", unit_name or "")[:40]
        stem = "_".join([code, stem] if named else [code, safe, stem])
    suffix = message("annotate.suffix-warnings" if warnings_only else "annotate.suffix", lang)
    name, n = f"{stem}_{suffix}.xlsx", 2
    while taken is not None and name in taken:
        name, n = f"{stem}_{suffix}({n}).xlsx", n + 1
    if taken is not None:
        taken.add(name)
    return name


def annotate(report: FileReport, outdir: str | os.PathLike[str], lang: str = "zh",
             taken: set[str] | None = None) -> Path:
    """Write the annotated copy of ``report.path`` into ``outdir``; return its path. ``taken``
    collects the names written in one batch so that two inputs never share a copy. The findings
    are explained in ``lang``; the copy is named in its template's language (the clerk's)."""
    from openpyxl.styles import PatternFill

    wb = _load(report.source or report.path)
    fills = {"error": PatternFill("solid", fgColor=ERROR_FILL), "warning": PatternFill("solid", fgColor=WARNING_FILL)}
    _mark_cells(wb, report.findings, fills, lang)
    _result_sheet(wb, report, fills, lang)
    name = annotated_name(report.path, taken, report.language, report.unit(), report.errors == 0)
    out = Path(outdir) / name
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return out


def _load(path: str | os.PathLike[str]) -> Any:
    """The workbook to mark up, with no VBA, and every text that starts like a formula kept text."""
    import openpyxl
    import openpyxl.xml

    if not openpyxl.xml.DEFUSEDXML:  # entity expansion must be impossible on every openpyxl path
        raise RuntimeError("openpyxl is not using defusedxml (OPENPYXL_DEFUSEDXML is off); refusing to parse")
    # keep_vba=False: an .xlsm's VBA project is dropped, and the copy is saved as .xlsx
    source, scratch = _as_xlsx(path)
    try:
        wb = openpyxl.load_workbook(source, keep_vba=False, rich_text=False)
    finally:
        if scratch is not None:
            scratch.unlink(missing_ok=True)
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "s" and isinstance(cell.value, str) and needs_quote(_unescape(cell.value)):
                    cell.quotePrefix = True
    return wb


def _mark_cells(wb: Any, findings: list[Finding], fills: dict[str, Any], lang: str) -> None:
    """Each finding's cell: red (an error) or yellow (warnings only), with a note explaining it."""
    from openpyxl.comments import Comment

    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.sheet and f.cell and f.sheet in wb.sheetnames:
            by_cell.setdefault((f.sheet, f.cell), []).append(f)
    for (sheet, ref), found in by_cell.items():
        cell = wb[sheet][ref]
        worst = "error" if any(f.severity == "error" for f in found) else "warning"
        cell.fill = fills[worst]
        note = Comment("\n".join(f"[{f.rule}] {f.message(lang)}" for f in found), "budgetxl")
        note.width, note.height = 320, 40 + 30 * len(found)
        cell.comment = note


RESULT_WIDTHS = (5, 6, 18, 20, 24, 7, 50)  # 序号 级别 规则 规则名称 工作表 单元格 说明 (A4 landscape at 75 % or more)
RESULT_HEADER_ROW = 6  # the table's header (1-based); above it: title, unit and file, totals, what to do


def _result_sheet(wb: Any, report: FileReport, fills: dict[str, Any], lang: str) -> None:
    """The first sheet: a heading that says whose file this is, how many errors and warnings it
    has and what the clerk is to do; then every finding (rule id and name, sheet, cell with a link,
    what is wrong). Printed on A4 landscape, one page wide, the header repeated."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    ws = wb.create_sheet(message("annotate.sheet", lang), 0)
    _result_heading(ws, report, lang)
    thin = Side(style="thin", color="808080")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    headers = [message(f"annotate.{k}", lang) for k in ("no", "severity", "rule", "rule-name", "sheet-col", "cell",
                                                           "message")]
    top = Alignment(wrap_text=True, vertical="top")
    for c, h in enumerate(headers, start=1):
        cell = ws.cell(RESULT_HEADER_ROW, c, h)
        cell.font, cell.alignment, cell.border = Font(bold=True), Alignment(vertical="center"), box
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
    for i, f in enumerate(report.findings, start=1):
        row = RESULT_HEADER_ROW + i
        texts = [str(i), message(f"severity.{f.severity}", lang), f.rule, message(f"rule-title.{f.rule}", lang),
                 f.sheet or "", f.cell or "", f.message(lang)]
        ws.cell(row, 1, i)
        for c, text in enumerate(texts[1:], start=2):
            write_text(ws.cell(row, c), text)
        for c in range(1, len(texts) + 1):
            ws.cell(row, c).alignment, ws.cell(row, c).border = top, box
        ws.cell(row, 2).fill = fills[f.severity]
        if f.sheet and f.sheet in wb.sheetnames:
            link = ws.cell(row, 6 if f.cell else 5)
            link.hyperlink = f"#'{f.sheet.replace(chr(39), chr(39) * 2)}'!{f.cell or 'A1'}"
            link.font = Font(color="0563C1", underline="single")
        ws.row_dimensions[row].height = row_height(max(text_lines(t, w) for t, w in zip(texts, RESULT_WIDTHS)))
    for c, width in enumerate(RESULT_WIDTHS, start=1):
        ws.column_dimensions[chr(64 + c)].width = width
    ws.freeze_panes = f"A{RESULT_HEADER_ROW + 1}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{RESULT_HEADER_ROW}:{RESULT_HEADER_ROW}"
    ws.oddFooter.center.text = message("workbook.page", lang)
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False


def _result_heading(ws: Any, report: FileReport, lang: str) -> None:
    """Title, unit and file, the totals, and one line saying what to do (rows 1-4)."""
    from openpyxl.styles import Alignment, Font

    unit = report.unit() or {}
    who = " ".join(x for x in (unit.get("code"), unit.get("name")) if x)
    what = "errors" if report.errors else "warnings" if report.warnings else "none"
    lines = [
        (message("annotate.title", lang, unit=unit.get("name") or "", form=report.form or message("annotate.form", lang)),
         Font(bold=True, size=14), 24),
        (message("annotate.unit-file", lang, unit=who or "-", file=Path(report.path.rsplit("!", 1)[-1]).name), None, 0),
        (message("annotate.totals", lang, errors=report.errors, warnings=report.warnings), Font(bold=True), 0),
        (message(f"annotate.todo-{what}", lang), Font(bold=True, color="9C0006" if report.errors else "000000"), 0),
    ]
    span = len(RESULT_WIDTHS)
    for r, (text, font, height) in enumerate(lines, start=1):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=span)
        write_text(ws.cell(r, 1), text)
        ws.cell(r, 1).alignment = Alignment(wrap_text=True, vertical="center")
        if font is not None:
            ws.cell(r, 1).font = font
        ws.row_dimensions[r].height = height or row_height(text_lines(text, sum(RESULT_WIDTHS)))


def _as_xlsx(path: str | os.PathLike[str]) -> tuple[Path, Path | None]:
    """openpyxl edits only xlsx/xlsm. An .xls or .ods is first copied, values only, into a scratch
    xlsx with the same sheets at the same cells, so findings land where they were found."""
    import tempfile

    from ..files.grids import load_checked
    from ..files.intake import inspect_file
    from .xlsx import SheetWriter, Styles, new_workbook

    if inspect_file(path).kind not in ("xls", "ods"):
        return Path(path), None
    grids, _ = load_checked(path)
    fd, tmp = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    wb = new_workbook(tmp)
    styles = Styles(wb)
    plain = styles.get()
    for g in grids:
        ws = wb.add_worksheet(g.name)
        if g.visible == "veryhidden":
            ws.very_hidden()
        elif g.visible == "hidden":
            ws.hide()
        w = SheetWriter(ws, styles, record=False)
        for r, row in enumerate(g.rows):
            for c, v in enumerate(row):
                if v is not None:
                    w.value(r, c, v if isinstance(v, (int, float)) else str(v), plain)
    wb.close()
    return Path(tmp), Path(tmp)


def _unescape(text: str) -> str:
    """The text Excel shows for a stored string: openpyxl keeps OOXML escapes such as _x000D_ (CR)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text[:16]) if "_x" in text[:16] else text


def write_text(cell, text: str) -> None:
    """Text into an openpyxl cell, never taken for a formula (quote prefix when it looks like one)."""
    cell.value = text
    if needs_quote(text):
        cell.data_type = "s"
        cell.quotePrefix = True


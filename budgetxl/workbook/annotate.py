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

ERROR_FILL = "FFC7CE"
WARNING_FILL = "FFEB9C"


def annotated_name(path: str | os.PathLike[str], taken: set[str] | None = None, lang: str = "zh") -> str:
    """巨鹿县.xlsx -> 巨鹿县_退回修改.xlsx (巨鹿县.xls -> 巨鹿县.xls_退回修改.xlsx; a zip member by its
    own name); a name already ``taken`` in this batch gets (2), (3), …"""
    p = Path(str(path).rsplit("!", 1)[-1])
    stem = p.stem if p.suffix.lower() in (".xlsx", ".xlsm") else p.name
    suffix = message("annotate.suffix", lang)
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
    _result_sheet(wb, report.findings, fills, lang)
    out = Path(outdir) / annotated_name(report.path, taken, report.language)
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


def _result_sheet(wb: Any, findings: list[Finding], fills: dict[str, Any], lang: str) -> None:
    """The first sheet: every finding with a link to its cell; printed as one list."""
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(message("annotate.sheet", lang), 0)
    headers = [message(f"annotate.{k}", lang) for k in ("no", "severity", "rule", "sheet-col", "cell", "message")]
    ws.append(headers)
    for c in range(1, len(headers) + 1):
        ws.cell(1, c).font = Font(bold=True)
    for i, f in enumerate(findings, start=1):
        row = i + 1
        ws.cell(row, 1, i)
        ws.cell(row, 2, message(f"severity.{f.severity}", lang)).fill = fills[f.severity]
        ws.cell(row, 3, f.rule)
        write_text(ws.cell(row, 4), f.sheet or "")
        write_text(ws.cell(row, 5), f.cell or "")
        write_text(ws.cell(row, 6), f.message(lang))
        if f.sheet and f.sheet in wb.sheetnames:
            link = ws.cell(row, 5 if f.cell else 4)
            link.hyperlink = f"#'{f.sheet.replace(chr(39), chr(39) * 2)}'!{f.cell or 'A1'}"
            link.font = Font(color="0563C1", underline="single")
    if not findings:
        ws.cell(2, 1, message("annotate.none", lang))
    for col, width in zip("ABCDEF", (6, 8, 22, 44, 8, 80)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    # printed as one list: A4 landscape, one page wide, the message wrapping in its column
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    for row in ws.iter_rows(min_row=2, min_col=6, max_col=6):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False


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


"""Print set-up for sheets people print: A4, a scale that keeps text legible, what is printed.

A sheet is scaled to fit the width of the page only while its text stays at 8 pt or more (11-pt
text at 75 % or more, judged with the widest column rendering, see PX_PER_UNIT); a wider table is printed at that scale across several pages, with its
header rows (and its identifying columns) repeated on each. Machine columns (a file's full path, a
hash) stay in the sheet but out of the print area, by ending the area before them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

A4_MM = (210.0, 297.0)
MARGIN_IN = 0.4  # left and right; top and bottom leave room for the page header and footer
MIN_SCALE = 75  # % : 11-pt text prints at 8.25 pt


# Pixels per unit of column width. Excel's unit is a digit of the default font (Calibri: 7 px);
# LibreOffice without Calibri draws it as a DejaVu digit, about 9.3 px. Decisions about what fits
# on a page take the wider one, so that a table judged to fit does fit in both.
PX_PER_UNIT = 9.3


def column_px(width: float) -> float:
    """A column's width in pixels at 96 dpi, as wide as any spreadsheet program draws it."""
    return width * PX_PER_UNIT + 5


def fit_scale(widths: Sequence[float], landscape: bool = True) -> int:
    """The print scale (%) at which ``widths`` fill the page's width (at most 100)."""
    page_in = (A4_MM[1] if landscape else A4_MM[0]) / 25.4 - 2 * MARGIN_IN
    need = sum(column_px(w) for w in widths) / 96
    return min(100, int(page_in / need * 100))


def first_page_columns(widths: Sequence[float], landscape: bool = True) -> int:
    """How many leading columns of ``widths`` print on the first page (all when the table fits the
    page's width at a legible scale; else those that fit at MIN_SCALE): what a title spans."""
    if fit_scale(widths, landscape) >= MIN_SCALE:
        return len(widths)
    room = ((A4_MM[1] if landscape else A4_MM[0]) / 25.4 - 2 * MARGIN_IN) * 96 * 100 / MIN_SCALE
    n, used = 0, 0.0
    for w in widths:
        used += column_px(w)
        if used > room:
            break
        n += 1
    return max(n, 1)


def setup_print(ws: Any, widths: Sequence[float], *, landscape: bool = True, printed: int | None = None,
                repeat_rows: tuple[int, int] | None = None, repeat_cols: int = 0, title: str | None = None,
                footer: str | None = None) -> int:
    """A4 print set-up of an xlsxwriter sheet: the scale for its printed columns (the first
    ``printed`` of ``widths``; the rest are machine columns, see :func:`print_columns`), the rows and
    columns repeated on each page, a title in the page header and ``footer`` (page numbers) in the
    footer. Returns the scale."""
    scale = fit_scale(widths[:printed] if printed else widths, landscape)
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(left=MARGIN_IN, right=MARGIN_IN, top=0.75 if title else 0.5, bottom=0.6)
    if scale >= MIN_SCALE:  # one page wide: the program scales (never below MIN_SCALE, see PX_PER_UNIT)
        ws.fit_to_pages(1, 0)
    else:  # across several pages, the header (and identifying columns) on each
        scale = MIN_SCALE
        ws.set_print_scale(scale)
    if repeat_rows is not None:
        ws.repeat_rows(*repeat_rows)
    if repeat_cols:
        ws.repeat_columns(0, repeat_cols - 1)
    if title:
        ws.set_header("&C&12&B" + title.replace("&", "&&"))
    if footer:
        ws.set_footer(footer)
    return scale


def print_columns(ws: Any, last_row: int, printed: int) -> None:
    """Print only the first ``printed`` columns (call once the last row is known)."""
    ws.print_area(0, 0, max(last_row, 1), printed - 1)


def page_height_pt(landscape: bool, top: float = 0.6, bottom: float = 0.6) -> float:
    """The printable height of an A4 page, in points."""
    return ((A4_MM[0] if landscape else A4_MM[1]) / 25.4 - top - bottom) * 72


def rows_height_pt(ws: Any, last_row: int) -> float:
    """The height of rows 0..last_row of an xlsxwriter sheet as set so far, in points."""
    sizes = getattr(ws, "row_sizes", {})
    default = getattr(ws, "default_row_height", 20)
    return sum((sizes[r][0] if r in sizes else default) for r in range(last_row + 1)) * 0.75


def fits_one_page(ws: Any, last_row: int, landscape: bool, top: float = 0.6, bottom: float = 0.6) -> bool:
    """Whether the rows fit one page at the smallest legible scale."""
    return rows_height_pt(ws, last_row) * MIN_SCALE / 100 <= page_height_pt(landscape, top, bottom)

"""Shared helpers for writing xlsx files with xlsxwriter: cached formats, text-safe cell writing,
widths for Chinese text and valid sheet names."""

from __future__ import annotations

import re
from functools import lru_cache
from decimal import Decimal
from typing import Any

import xlsxwriter

from ..cells import a1, needs_quote

FILL_COLOR = "#FFF2CC"  # filled-by-county cells
ISSUED_COLOR = "#EDEDED"  # issued (locked) values
HEADER_COLOR = "#D9E1F2"
FONT = "宋体"
DATA_VALIDATION_LIMIT = 255  # Excel's limit for an inline list


class Styles:
    """Cached xlsxwriter formats built from small property dicts."""

    BASE = {"font_name": FONT, "font_size": 11, "valign": "vcenter", "text_wrap": True}

    def __init__(self, wb: xlsxwriter.Workbook):
        self.wb = wb
        self._cache: dict[tuple, Any] = {}
        self._props: dict[int, dict[str, Any]] = {}

    def get(self, **props: Any):
        key = tuple(sorted(props.items()))
        fmt = self._cache.get(key)
        if fmt is None:
            fmt = self.wb.add_format({**self.BASE, **props})
            self._cache[key] = fmt
            self._props[id(fmt)] = props
        return fmt

    def quoted(self, fmt):
        """The same format with Excel's quote prefix: the cell shows the text, never parses it."""
        props = self._props.get(id(fmt), {}) if fmt is not None else {}
        return self.get(**{**props, "quote_prefix": True})

    def cell(self, kind: str, **extra: Any):
        """A cell's look: label | issued | fill | header | plain | title."""
        props: dict[str, Any] = {"border": 1}
        if kind == "label":
            props.update(bold=True, align="center", bg_color="#F2F2F2")
        elif kind == "issued":
            props.update(bg_color=ISSUED_COLOR)
        elif kind == "fill":
            props.update(bg_color=FILL_COLOR, locked=False)
        elif kind == "header":
            props.update(bold=True, align="center", bg_color=HEADER_COLOR)
        elif kind == "title":
            props = {"bold": True, "font_size": 16, "align": "center"}
        elif kind == "plain":
            props = {}
        props.update(extra)
        return self.get(**props)


class SheetWriter:
    """Writes cells on one worksheet, text always as text."""

    def __init__(self, ws, styles: Styles, record: bool = True):
        self.ws = ws
        self.styles = styles
        self.record = record  # keep what was written (A1 -> value) for computing cached formula results
        self.written: dict[str, Any] = {}

    def get(self, ref: str) -> Any:
        return self.written.get(ref)

    def text(self, row: int, col: int, value: str | None, fmt, span: int = 1) -> None:
        if span > 1:
            self.ws.merge_range(row, col, row, col + span - 1, "", fmt)
        if value is None or value == "":
            if span == 1:
                self.ws.write_blank(row, col, None, fmt)
            return
        if needs_quote(value):
            fmt = self.styles.quoted(fmt)
        self.ws.write_string(row, col, value, fmt)
        if self.record:
            self.written[a1(row, col)] = value

    def number(self, row: int, col: int, value: Decimal | int | None, fmt, span: int = 1) -> None:
        if span > 1:
            self.ws.merge_range(row, col, row, col + span - 1, "", fmt)
        if value is None:
            if span == 1:
                self.ws.write_blank(row, col, None, fmt)
            return
        self.ws.write_number(row, col, float(value), fmt)
        if self.record:
            self.written[a1(row, col)] = float(value)

    def value(self, row: int, col: int, value: Any, fmt, span: int = 1) -> None:
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            self.number(row, col, value, fmt, span)
        else:
            self.text(row, col, None if value is None else str(value), fmt, span)


_NARROW = re.compile("[\x00-\u2e80]+")


def text_width(text: str) -> float:
    """The width of ``text`` in column-width units (a CJK character is about two digits wide,
    2.1 against 1.1; counted in C: this runs for every wrapped cell of a consolidation)."""
    if text.isascii():
        return 1.1 * len(text)
    wide = len(_NARROW.sub("", text))
    return (11 * len(text) + 10 * wide) / 10


LINE_HEIGHT = 16.0  # points per line of 11-pt text (CJK fonts are about 1.45 em high)
MIN_ROW_HEIGHT = 20.0  # a one-line row with room around the text


def text_lines(text: str | None, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` units wide (each line break starts a
    line; Latin words do not break, so a little room is kept for them)."""
    if not text:
        return 1
    usable = max(width - 1.0, 1.0)
    lines = 0
    for part in str(text).split("\n"):
        w = text_width(part)
        lines += 1 if w <= usable else -(-int(w * 1.06 + 0.999) // int(usable))
    return max(lines, 1)


def row_height(lines: int, font_size: float = 11) -> float:
    """The height in points of a row showing ``lines`` lines of ``font_size`` text."""
    return max(MIN_ROW_HEIGHT * font_size / 11, lines * LINE_HEIGHT * font_size / 11 + 4)


def _fit(text: str, units: int) -> str:
    """The longest prefix of ``text`` within ``units`` UTF-16 code units (how Excel counts the
    31-character sheet-name limit: a rare CJK character or an emoji counts twice)."""
    out, used = [], 0
    for ch in text:
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > units:
            break
        out.append(ch)
    return "".join(out)


def sheet_name(base: str, used: set[str]) -> str:
    """A valid, unique (case-insensitively) sheet name from ``base``."""
    cleaned = re.sub(r"\s+", " ", re.sub(r"[\[\]:*?/\\']", "_", base)).strip()
    name = _fit(cleaned or "项目", 31)
    taken = {u.lower() for u in used}
    candidate, n = name, 2
    while candidate.lower() in taken:
        suffix = f"({n})"
        candidate = _fit(name, 31 - len(suffix)) + suffix
        n += 1
    used.add(candidate)
    return candidate


# Functions budgetxl's own formulas use; all are classic Excel functions (no _xlfn. prefix needed).
_CLASSIC_FUNCTIONS = frozenset(
    "IF AND OR NOT ISNUMBER IFERROR ROUND COUNTIF COUNTIFS ADDRESS ROW COLUMN COUNTA SUMPRODUCT LEN "
    "SUBSTITUTE SUM TRIM INDIRECT MATCH N CELL LEFT RIGHT MID ASC EXACT FIND CLEAN ISTEXT ISERROR MOD ISBLANK INT "
    "CHAR".split()
)
_FUNCTION_NAME = re.compile(r"([A-Z][A-Z0-9._]*)\(")


class FastWorksheet(xlsxwriter.worksheet.Worksheet):
    """xlsxwriter runs about 130 regular expressions over every formula to prefix Excel's newer
    functions with ``_xlfn.``; with hundreds of check formulas per workbook that dominated the time
    to generate one. When every function in a formula is a classic one, nothing needs prefixing,
    so that work is skipped; any other formula goes through xlsxwriter's own code."""

    def _prepare_formula(self, formula, expand_future_functions=False):
        f = formula[1:] if formula.startswith("{") else formula
        f = f[1:] if f.startswith("=") else f
        f = f[:-1] if f.endswith("}") else f
        if "_xlfn." in f or _classic(f):
            return f
        return super()._prepare_formula(formula, expand_future_functions)


@lru_cache(maxsize=4096)
def _classic(formula: str) -> bool:
    """Every function the formula calls is a classic one (the same check formulas recur on every
    sheet of a workbook: asked once)."""
    return all(name in _CLASSIC_FUNCTIONS for name in _FUNCTION_NAME.findall(formula))


def new_workbook(path: str, **options: Any) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook that never turns strings into numbers, formulas or links."""
    wb = xlsxwriter.Workbook(
        path, {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False, **options}
    )
    wb.worksheet_class = FastWorksheet
    return wb


def table_sheet(wb: xlsxwriter.Workbook, styles: Styles, name: str, cols: list, titles: list | None = None,
                title: str | None = None, footer: str | None = None, repeat_cols: int = 0) -> Any:
    """A worksheet for a table: ``titles`` rows (text, format, height) across the table, then the
    header row, column widths, frozen header, printed on A4 landscape at a legible scale with the
    header (and the first ``repeat_cols`` columns) repeated on every page. ``cols`` have
    ``header``, ``width`` and ``machine`` (columns left out of the print area, which must come
    last). Rows are written top down (a constant-memory workbook cannot go back)."""
    from .printing import first_page_columns, setup_print

    ws = wb.add_worksheet(name)
    header = styles.cell("header", valign="vcenter")
    w = SheetWriter(ws, styles, record=False)
    printed = sum(1 for col in cols if not getattr(col, "machine", False))
    span = first_page_columns([col.width for col in cols[:printed]])  # (a title printed whole, on the first page)
    for r, (text, fmt, height) in enumerate(titles or []):
        ws.set_row(r, height)
        w.text(r, 0, text, fmt, span=span)
    header_row = len(titles or [])
    height = max((text_lines(col.header, col.width) for col in cols), default=1)
    ws.set_row(header_row, row_height(height))
    for c, col in enumerate(cols):
        w.text(header_row, c, col.header, header)
        ws.set_column(c, c, col.width)
    ws.freeze_panes(header_row + 1, min(repeat_cols, 2))
    setup_print(ws, [col.width for col in cols], printed=printed, repeat_rows=(header_row, header_row),
                repeat_cols=repeat_cols, title=title, footer=footer)
    return ws

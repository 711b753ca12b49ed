"""What an .ods will make the value reader allocate, found the way the reader finds it.

python-calamine reads ``content.xml`` with a streaming parser that matches element names as
written (``table:table-row``, not namespace-aware), copies a repeated cell's value once per
repeat (``table:number-columns-repeated``) and a repeated row once per repeat
(``table:number-rows-repeated``), and expands ``<text:s text:c="N"/>`` into N spaces. So a
100 KB file can ask for gigabytes. :func:`scan_content` follows the same events with expat (no
DTD, so no entity expansion), tallies the used area and the text each cell expands to, and
collects merged ranges (which the value reader does not report for ODS).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from xml.parsers import expat

from .intake_limits import EXCEL_COLS, EXCEL_ROWS, Area, Limits, Refuse

TABLE, ROW = "table:table", "table:table-row"
CELLS = ("table:table-cell", "table:covered-table-cell")
# Attributes that give a cell a value (or a formula) without content
_VALUE_ATTRS = ("office:value", "office:string-value", "office:date-value", "office:time-value",
                "office:boolean-value")
Merges = dict[str, list[tuple[tuple[int, int], tuple[int, int]]]]


def count(v: str | None, default: int = 1) -> int:
    """A repeat count as the reader parses it (digits, an optional +); anything else the reader
    refuses outright, so it cannot cost anything: the default."""
    if v is None:
        return default
    v = v[1:] if v.startswith("+") else v
    return int(v) if v.isascii() and v.isdigit() else default


class _Scan:
    """The reader's state while it walks content.xml (see read_table/read_row/get_datatype)."""

    def __init__(self, area: Area, limits: Limits):
        self.area, self.limits = area, limits
        self.elements = 0
        self.mode = "top"  # top | table | row | text | skip | note
        self.table = ""
        self.row = 0  # 0-based index of the current row (repeats included)
        self.row_rep = 1
        self.col = 0  # 0-based index of the next cell
        self.max_row = self.max_col = 0
        self.row_max_col = 0
        self.row_text = 0  # text bytes of the current row (column repeats included)
        self.cell: tuple[int, int, int] | None = None  # (first column, repeats, text bytes so far)
        self.skip: tuple[str, int] = ("", 0)  # element skipped to its end, and depth
        self.merges: Merges = {}

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self.elements += 1
        if self.elements > self.limits.max_xml_elements:
            raise Refuse("intake-too-many-cells", cells=f"> {self.limits.max_xml_elements} XML elements",
                         limit=self.limits.max_xml_elements)
        mode = self.mode
        if mode == "text":
            if tag == "text:s":
                self._text(max(0, count(attrs.get("text:c"))))
            elif tag == "text:p":
                self._text(1)
            elif tag == "office:annotation":
                self.mode = "note"
            return
        if mode == "skip":
            name, depth = self.skip
            if tag == name:
                self.skip = (name, depth + 1)
            return
        if mode == "note":
            return
        if mode == "top":
            if tag == TABLE and "table:name" in attrs:
                self.mode, self.table = "table", attrs["table:name"]
                self.row = self.max_row = self.max_col = 0
            return
        if mode == "table":
            if tag == ROW:
                self.mode, self.col, self.row_max_col, self.row_text = "row", 0, 0, 0
                self.row_rep = max(0, count(attrs.get("table:number-rows-repeated")))
            return
        if tag in CELLS:  # (mode "row": anything else makes the reader refuse the file)
            self._cell(tag, attrs)

    def _cell(self, tag: str, attrs: dict[str, str]) -> None:
        rep = min(max(0, count(attrs.get("table:number-columns-repeated"))), EXCEL_COLS)
        text = len(attrs.get("table:formula", "").encode())
        value = next((k for k in _VALUE_ATTRS if k in attrs), None)
        filled = value is not None or text > 0
        if value is not None and value != "office:value":
            text += len(attrs[value].encode())
        rs, cs = count(attrs.get("table:number-rows-spanned")), count(attrs.get("table:number-columns-spanned"))
        if (rs > 1 or cs > 1) and tag == CELLS[0]:
            self.area.merge()
            self.merges.setdefault(self.table, []).append(((self.row, self.col), (self.row + rs - 1, self.col + cs - 1)))
        if value is None and attrs.get("office:value-type") == "string":
            self.cell, self.mode = (self.col, rep, text), "text"
            return
        self.mode, self.skip = "skip", (tag, 0)
        self._cell_done(self.col, rep, text, filled)

    def _text(self, n: int) -> None:
        first, rep, text = self.cell  # type: ignore[misc]
        self.cell = (first, rep, text + n)
        if (text + n) * rep > self.limits.max_text_bytes:  # (one cell alone, before its row ends)
            self.area.add_text((text + n) * rep)

    def _cell_done(self, first: int, rep: int, text: int, filled: bool) -> None:
        self.col = first + rep
        if filled and rep:
            self.row_max_col = self.col
            self.row_text += text * rep
            self.area.check_open(self.table, self.row + 1, self.row_max_col)

    def chars(self, data: str) -> None:
        if self.mode == "text":
            self._text(len(data.encode()))

    def end(self, tag: str) -> None:
        mode = self.mode
        if mode == "text":
            if tag in CELLS:
                first, rep, text = self.cell  # type: ignore[misc]
                self.mode = "row"
                self._cell_done(first, rep, text, True)
            return
        if mode == "note":
            if tag == "office:annotation":
                self.mode = "text"
            return
        if mode == "skip":
            name, depth = self.skip
            if tag == name:
                if depth:
                    self.skip = (name, depth - 1)
                else:
                    self.mode = "row"
            return
        if mode == "row" and tag == ROW:
            self._row_done()
        elif mode == "table" and tag == TABLE:
            self.area.sheet(self.table, self.max_row, self.max_col)
            self.mode = "top"

    def _row_done(self) -> None:
        self.mode = "table"
        rep = min(self.row_rep, EXCEL_ROWS + 1)
        if self.row_max_col and rep:
            self.max_row = self.row + rep
            self.max_col = max(self.max_col, self.row_max_col)
            self.area.check_open(self.table, self.max_row, self.max_col)
            self.area.cells(self.row_max_col * rep)
            self.area.add_text(self.row_text * rep)
        self.row += rep


def scan_content(pieces: Iterable[bytes], area: Area, limits: Limits) -> Merges:
    """Walk content.xml (its pieces, in order): used area, cells and text per table, merged ranges."""
    scan = _Scan(area, limits)

    def refuse_dtd(*_a: Any) -> None:
        raise Refuse("intake-dtd", part="content.xml")

    parser = expat.ParserCreate()  # not namespace-aware: names as written, as the reader matches them
    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.ExternalEntityRefHandler = refuse_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.CharacterDataHandler = scan.chars
    parser.buffer_text = True
    try:
        for piece in pieces:
            parser.Parse(piece, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise Refuse("intake-damaged", detail=f"content.xml: {expat.errors.messages.get(exc.code, 'XML error')}") from None
    except (LookupError, ValueError) as exc:  # (an encoding expat cannot use; intake refuses those first)
        raise Refuse("intake-damaged", detail=f"content.xml: {type(exc).__name__}") from None
    return scan.merges

"""What an xlsx will make the value reader allocate, found the way the reader finds it.

python-calamine reads the sheets that ``xl/workbook.xml`` names through its relationships (part
names matched without regard to case), places each cell at its ``r`` reference or, without one,
after the previous cell of its row (``<row>`` tags carry the row the same way), fills the
bounding box of the cells from A1, and copies a shared string into every cell that uses it.
This module follows the same rules over the XML text, without parsing it into a tree:
:func:`sheet_parts` finds the parts, :class:`SheetScan` places the cells, :func:`shared_strings`
measures the strings, so intake can refuse what would not fit (see intake_limits).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter

from .intake_limits import EXCEL_COLS, EXCEL_ROWS, Area, Refuse

# Fast path: cells written <c r="A1" ...> with a plain reference (Excel, WPS, LibreOffice and
# xlsxwriter all do). One C-level pass collects each reference and the rest of its tag (ending in
# "/" for a self-closing, formatted but empty, cell), and any other spelling of a cell tag (or a
# reference the fast path does not take: lower case, four letters, eight digits) as ODD; one more
# search over the rests finds a second r key (the reader would take the last one) or a "<" (a tag
# inside a tag: the slow path follows the quotes). A prefixed tag is searched for on its own.
_CELL_TAGS = re.compile(rb'<c(?: r="([A-Z]{1,3})([1-9][0-9]{0,6})"([^>]*)>|[>\t\n\r/ ])')
_ODD = (b"", b"", b"")  # (a _CELL_TAGS match of another spelling)
_R_KEY_OR_TAG = re.compile(rb"r\s*=|<")
_COL, _ROW, _REST = itemgetter(0), itemgetter(1), itemgetter(2)  # (the groups of a _CELL_TAGS match)
_PREFIXED_TAG = re.compile(rb':(?:c|row)[\s/>]')
# a row or cell tag, its end found outside quoted attribute values (as the XML tokenizer finds it)
_TAG = re.compile(rb"""<(/?)(?:[A-Za-z_][\w.\-]*:)?(row|c)(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_ROW_TAG = re.compile(rb"""<row((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_REF = re.compile(rb"([A-Za-z]*)([0-9]+)")
_ROW_START = re.compile(rb"<row[\s/>]")
_SHEETDATA_END = re.compile(rb"</(?:[A-Za-z_][\w.\-]*:)?sheetData\s*>")
_S_VALUE = re.compile(rb"""<(?:[\w.\-]+:)?c\s[^>]*?\bt\s*=\s*["']s["'][^>]*>\s*<(?:[\w.\-]+:)?v>\s*([0-9]{1,12})\s*<""")
_SI = re.compile(rb"<(?:[\w.\-]+:)?si[\s>/]")
_UNIQUE = re.compile(rb"""\buniqueCount\s*=\s*["']\s*\+?([0-9]+)\s*["']""")


def col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def raw_attrs(region: bytes) -> list[tuple[bytes, bytes]] | None:
    """A tag's attributes as the reader's own attribute scanner splits them (key: everything up to
    "=", trimmed; value: up to the matching quote); None where it reports an error."""
    out, pos, n = [], 0, len(region)
    while True:
        while pos < n and region[pos] in b" \t\n\r\x0c":
            pos += 1
        if pos >= n:
            return out
        eq = region.find(b"=", pos)
        if eq < 0:
            return None
        key = region[pos:eq].rstrip(b" \t\n\r\x0c")
        pos = eq + 1
        while pos < n and region[pos] in b" \t\n\r\x0c":
            pos += 1
        if pos >= n or region[pos] not in b"\"'":
            return None
        end = region.find(region[pos:pos + 1], pos + 1)
        out.append((key, region[pos + 1:end if end >= 0 else n]))
        pos = end + 1 if end >= 0 else n


def cell_ref(region: bytes) -> tuple[int, int] | None | bool:
    """The (1-based row, 1-based column) a cell tag's attributes give, as the reader takes them
    (its r, s, t lookup stops once it has seen three of them, the last r seen wins); None without
    a usable one; False when the reader refuses the attributes."""
    attrs = raw_attrs(region)
    if attrs is None:
        return False
    r, seen = None, 0
    for k, v in attrs:
        if k in (b"r", b"s", b"t"):
            seen += 1
            if k == b"r":
                r = v
            if seen == 3:
                break
    return _ref(r) if r is not None else None


def row_ref(region: bytes) -> int | None | bool:
    """The 1-based row a row tag's first r gives (its letters ignored), None without one."""
    attrs = raw_attrs(region)
    if attrs is None:
        return False
    r = next((v for k, v in attrs if k == b"r"), None)
    ref = _ref(r) if r is not None else None
    return ref if ref in (None, False) else ref[0]


def _ref(value: bytes) -> tuple[int, int] | bool:
    m = _REF.fullmatch(value)
    if m is None or not int(m.group(2)):
        return False  # (the reader refuses it)
    return int(m.group(2)), col_number(m.group(1))


class SheetScan:
    """The cells of one worksheet part, placed as the reader places them, piece by piece.

    ``row``/``col`` are the reader's 0-based position for the next cell without a reference;
    ``max_row``/``max_col`` the 1-based extent of the cells with content."""

    def __init__(self, name: str, area: Area):
        self.name, self.area = name, area
        self.row = self.col = 0
        self.max_row = self.max_col = 0
        self.shared = 0  # cells with a value: each may take a shared string
        self.done = False

    def feed(self, piece: bytes) -> None:
        if self.done:
            return
        end = _sheetdata_end(piece)  # (the reader stops at its end tag, prefixed or not)
        if end >= 0:
            piece, self.done = piece[:end], True
        if _PREFIXED_TAG.search(piece) or not self._fast(piece):
            self._slow(piece)
        if self.max_row and self.max_col:
            self.area.check_open(self.name, self.max_row, self.max_col)

    def _fast(self, piece: bytes) -> bool:
        found = _CELL_TAGS.findall(piece)
        if _ODD in found or _R_KEY_OR_TAG.search(b"".join(map(_REST, found))):
            return False  # another spelling, a second r, a key ending in r, a tag in a tag: follow every tag
        last_row = _last_row_start(piece)
        row_end = piece.rfind(b"</row")
        if last_row >= 0:
            tag = _ROW_TAG.match(piece, last_row)
            ref = row_ref(tag.group(1).rstrip(b"/")) if tag else None
            if not ref:
                return False  # a row placed after the previous one, or an odd tag: follow every tag
            self._bound(ref, 1)
            row = ref - 1 + piece.count(b"</row", tag.end())
            if tag.group(1).endswith(b"/"):
                row, row_end = row + 1, max(row_end, last_row)
        else:
            row = self.row + piece.count(b"</row")
        filled = [cell for cell in found if cell[2][-1:] != b"/"]  # (not self-closing: it has a value)
        if filled:  # (map over itemgetters: C loops over every cell, Python for each distinct column)
            self.max_row = max(self.max_row, max(map(int, map(_ROW, filled))))
            self.max_col = max(self.max_col, max(map(col_number, set(map(_COL, filled)))))
            self.area.cells(len(filled))
            self.shared += len(filled)
        self.row = row
        if found and piece.rfind(b'<c r="') > row_end:
            self.col = col_number(found[-1][0])  # (the 1-based column of the last cell is the next 0-based)
        elif row_end >= 0:
            self.col = 0
        return True

    def _slow(self, piece: bytes) -> None:
        """Every row and cell tag in order, as the reader follows them."""
        area, filled = self.area, 0
        for m in _TAG.finditer(piece):
            closing, tag, attrs = m.groups()
            self_closing = attrs.endswith(b"/")
            region = attrs[:-1] if self_closing else attrs
            if tag == b"row":
                if closing:
                    self.row, self.col = self.row + 1, 0
                    continue
                ref = row_ref(region)
                if ref is False:
                    raise Refuse("intake-damaged", detail=f"sheet '{self.name[:60]}': a malformed row")
                if ref is not None:
                    self._bound(ref, 1)
                    self.row = ref - 1
                if self_closing:
                    self.row, self.col = self.row + 1, 0
                continue
            if closing:
                continue
            ref = cell_ref(region)
            if ref is False or (ref is not None and not ref[1]):
                raise Refuse("intake-damaged", detail=f"sheet '{self.name[:60]}': a malformed cell reference")
            if ref is not None:
                row, col = ref[0] - 1, ref[1] - 1
                self.col = col
            else:
                row, col = self.row, self.col
            self.col += 1
            self._bound(row + 1, col + 1)
            if not self_closing:
                filled += 1
                self.max_row, self.max_col = max(self.max_row, row + 1), max(self.max_col, col + 1)
        area.cells(filled)
        self.shared += filled

    def _bound(self, row: int, col: int) -> None:
        if row > EXCEL_ROWS or col > EXCEL_COLS:
            raise Refuse("intake-damaged", detail=f"a cell of sheet '{self.name[:60]}' lies outside any sheet "
                                                  f"(row {row}, column {col})")

    def finish(self) -> None:
        self.area.sheet(self.name, self.max_row, self.max_col)


def _sheetdata_end(piece: bytes) -> int:
    """Where the first </sheetData> end tag (any prefix) starts, or -1; found by the word, whose
    tag starts at the last "<" before it."""
    j = piece.find(b"sheetData")
    while j >= 0:
        lt = piece.rfind(b"<", 0, j)
        if lt >= 0 and (m := _SHEETDATA_END.match(piece, lt)) and m.start() == lt:
            return lt
        j = piece.find(b"sheetData", j + 1)
    return -1


def _last_row_start(piece: bytes) -> int:
    """Where the last ``<row`` start tag of ``piece`` begins (not <rowBreaks>), or -1."""
    j = len(piece)
    while (j := piece.rfind(b"<row", 0, j)) >= 0:
        if _ROW_START.match(piece, j):
            return j
    return -1


# ---- which parts are sheets ------------------------------------------------------------------------

_ATTRS = re.compile(r"""([\w:.\-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# a sheet tag, any prefix (the bytes of a non-ASCII letter count as letters, as in a str pattern)
_SHEET_WORD = re.compile(rb"sheet(?![\w\x80-\xff])([^>]*)>")
_TAG_OPEN = re.compile(rb"<(?:[\w\x80-\xff]+:)?")


def _sheet_tags(xml: bytes) -> Iterator[bytes]:
    """The attributes of every <sheet> tag (any prefix), as <(prefix:)?sheet\b([^>]*)> finds them
    left to right, but searched by the word: a "<" starts each of the thousands of tags around."""
    pos = 0
    while m := _SHEET_WORD.search(xml, pos):
        lt = xml.rfind(b"<", 0, m.start())
        if lt >= 0 and _TAG_OPEN.fullmatch(xml, lt, m.start()):
            yield m.group(1)
            pos = m.end()
        else:
            pos = m.start() + 1


def _attrs(tag: str) -> dict[str, str]:
    return {k: a if a or not b else b for k, a, b in _ATTRS.findall(tag)}


def sheet_parts(read: Callable[[str], bytes], names: Iterable[str]) -> list[tuple[str, str]]:
    """(part, sheet name) for every sheet the reader will read, in workbook order: the sheets of
    the workbook part that ``_rels/.rels`` names, through its relationships, part names matched
    as the reader matches them (any case, either slash). A part named twice is listed twice."""
    by_lower: dict[str, list[str]] = {}
    for n in names:
        by_lower.setdefault(n.replace("\\", "/").lower(), []).append(n)

    def text(path: str) -> str:
        found = by_lower.get(path.lower(), [])
        return read(found[-1]).decode("utf-8", "replace") if found else ""

    folder = "xl/"
    for m in re.finditer(r"<(?:\w+:)?Relationship\b([^>]*)>", text("_rels/.rels")):
        a = _attrs(m.group(1))
        if a.get("Type", "").endswith("/relationships/officeDocument") and "Target" in a:
            target = a["Target"]
            folder = target[: target.rfind("/") + 1].removeprefix("/") if "/" in target else ""
    targets = {}
    for m in re.finditer(r"<(?:\w+:)?Relationship\b([^>]*)>", text(folder + "_rels/workbook.xml.rels")):
        a = _attrs(m.group(1))
        if "Id" in a:
            targets[a["Id"]] = a.get("Target", "")
    found = by_lower.get((folder + "workbook.xml").lower(), [])
    workbook = read(found[-1]) if found else b""
    out = []
    # (over the bytes: the part may be a megabyte of defined names, and only the sheet tags matter)
    for attrs in _sheet_tags(workbook):
        a = _attrs(attrs.decode("utf-8", "replace"))
        rid = next((v for k, v in a.items() if k == "id" or k.endswith(":id")), None)
        target = targets.get(rid or "")
        if target is None:
            continue
        path = target[1:] if target.startswith("/") else folder + target
        out += [(part, html.unescape(a.get("name", part))) for part in by_lower.get(path.replace("\\", "/").lower(), [])]
    return out


def shared_strings_parts(names: Iterable[str]) -> list[str]:
    """Every part the reader may take for the shared strings (xl/sharedStrings.xml, any case)."""
    return [n for n in names if n.replace("\\", "/").lower().endswith("sharedstrings.xml")]


# ---- shared strings ----------------------------------------------------------------------------------

class SharedStrings:
    """The shared strings part, measured in one streaming pass: its declared count (which the
    reader reserves room for) and an upper bound of its longest string."""

    def __init__(self, name: str, declared_size: int):
        self.name, self.size = name, declared_size
        self.longest = 0
        self._carry = 0
        self._first = True

    def feed(self, piece: bytes) -> None:
        if self._first:
            self._first = False
            m = _UNIQUE.search(piece, 0, piece.find(b">", piece.find(b"sst")) + 1)
            # Each string takes at least "<si/>" (5 bytes): a larger count is a lie.
            if m and int(m.group(1)) > self.size // 5 + 16:
                raise Refuse("intake-damaged", detail=f"{self.name[:60]}: {int(m.group(1))} strings announced")
        segments = piece.split(b"si>")
        if len(segments) == 1:
            self._carry += len(piece)
            return
        self.longest = max(self.longest, self._carry + len(segments[0]), max(map(len, segments[1:-1]), default=0))
        self._carry = len(segments[-1])

    def finish(self) -> None:
        self.longest = max(self.longest, self._carry)


def shared_text(sst: bytes, sheets: Iterator[bytes], longest: int) -> int:
    """The shared-string text the reader copies into cells, counted cell by cell (for files whose
    quick bound, cells x longest string, is over the limit): each string's length is bounded by
    the distance to the next <si> tag; a t="s" cell in an unusual spelling counts as the longest."""
    starts = [m.start() for m in _SI.finditer(sst)] + [len(sst)]
    lengths = [b - a for a, b in zip(starts, starts[1:])]
    total = counted = spelled = 0
    for piece in sheets:
        spelled += piece.count(b'"s"') + piece.count(b"'s'")  # (every way t="s" can be written, and more)
        for idx in _S_VALUE.findall(piece):
            i = int(idx)
            if i < len(lengths):
                total += lengths[i]
            counted += 1
    return total + max(0, spelled - counted) * longest

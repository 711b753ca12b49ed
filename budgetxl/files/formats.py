"""Which cells show their number as a percentage: the one thing about a cell's format the reader
needs, since python-calamine reads values only.

A clerk who types ``95%`` gets 0.95 in the cell, shown through a percent format; the reader asks
this module about the few cells where that matters (a spending-plan checkpoint, a 指标值 holding a
number) and reads them as the clerk meant them. Each container says it cheaply, without parsing
the workbook a second time:

* xlsx: the cell's style index (``<c r="F19" s="5">``) → ``cellXfs`` in styles.xml → its number
  format (built-in 9 and 10, or a custom code with a ``%`` outside quotes); when no style of the
  workbook is a percent format (every workbook budgetxl writes) no sheet is looked at;
* ods: the cell's value type, ``office:value-type="percentage"``; when content.xml has none, no
  table is walked;
* xls: the XF index of the cell's NUMBER/RK/MULRK record → its FORMAT (BIFF8), walking only the
  requested sheet's records.

Files have passed intake (bounded, no DTD) before they get here. A file whose formats cannot be
read answers ``None`` (unknown), and the reader reports the value as ambiguous.
"""

from __future__ import annotations

import html
import os
import re
import struct
import zipfile
from typing import Any
from xml.parsers import expat

_BUILTIN_PERCENT = {9, 10}
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_PERCENT_ID = re.compile(r'numFmtId="0*(?:9|10)"')


def is_percent_code(code: str) -> bool:
    """Does a number format code scale by 100 (a % outside quotes, escapes and [..] sections)?"""
    return "%" in _QUOTED.sub("", code)


class PercentCells:
    """``cells(sheet, row, col)`` -> True/False, or None when the format cannot be known."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = str(path)
        self._sheets: dict[str, Any] = {}
        self._reader: Any = None

    def __call__(self, sheet: str, row: int, col: int) -> bool | None:
        if self._reader is None:
            self._reader = _open(self.path)
        if self._reader is False:
            return None
        if sheet not in self._sheets:
            try:
                self._sheets[sheet] = self._reader(sheet)
            except Exception:  # (a container we could not follow: unknown, never a crash)
                self._sheets[sheet] = None
        cells = self._sheets[sheet]
        return None if cells is None else (row, col) in cells


def _open(path: str) -> Any:
    """A function sheet name -> set of (row, col) shown as percentages; False when unknown."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
        if head.startswith(b"PK"):
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
                if "content.xml" in names and "xl/workbook.xml" not in names:
                    return _Ods(path)
                # (styles.xml read while the zip is open: most workbooks have no percent style, and
                # then nothing else is read)
                return _Xlsx(path, z.read("xl/styles.xml") if "xl/styles.xml" in names else None)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            return _Xls(path)
    except Exception:
        pass
    return False


# ---- xlsx -------------------------------------------------------------------------------------

def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


class _Xlsx:
    _CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*)>')

    def __init__(self, path: str, styles: bytes | None):
        self.path = path
        self.percent = self._percent_styles(styles)
        self.parts = self._sheet_parts() if self.percent else {}

    def _read(self, name: str) -> bytes:
        with zipfile.ZipFile(self.path) as z:
            return z.read(name)

    @staticmethod
    def _percent_styles(styles: bytes | None) -> set[int]:
        if styles is None:
            return set()
        xml = styles.decode("utf-8", "replace")
        if "%" not in xml and "&#" not in xml and not _PERCENT_ID.search(xml):
            return set()  # (no percent format, built in or custom (a "%", maybe as a character reference))
        custom = {}
        for m in re.finditer(r"<(?:\w+:)?numFmt\b([^>]*)>", xml):
            a = dict(_ATTR.findall(m.group(1)))
            if "numFmtId" in a:
                custom[int(a["numFmtId"])] = html.unescape(a.get("formatCode", ""))
        m = re.search(r"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", xml, re.S)
        out = set()
        for i, xf in enumerate(re.finditer(r"<(?:\w+:)?xf\b([^>]*)>", m.group(1) if m else "")):
            fid = int(dict(_ATTR.findall(xf.group(1))).get("numFmtId", "0"))
            if fid in _BUILTIN_PERCENT or (fid in custom and is_percent_code(custom[fid])):
                out.add(i)
        return out

    def _sheet_parts(self) -> dict[str, str]:
        wb = self._read("xl/workbook.xml").decode("utf-8", "replace")
        rels = self._read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
        targets = {}
        for m in re.finditer(r"<(?:\w+:)?Relationship\b([^>]*)>", rels):
            a = dict(_ATTR.findall(m.group(1)))
            t = a.get("Target", "")
            targets[a.get("Id")] = t.lstrip("/") if t.startswith("/") else "xl/" + t
        out = {}
        for m in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)>", wb):
            a = dict(_ATTR.findall(m.group(1)))
            rid = next((v for k, v in a.items() if k.endswith(":id")), None)
            if rid in targets and "name" in a:
                out[html.unescape(a["name"])] = targets[rid]
        return out

    def __call__(self, sheet: str) -> set[tuple[int, int]]:
        if not self.percent:
            return set()
        part = self.parts[sheet]
        out = set()
        for m in self._CELL.finditer(self._read(part)):
            a = dict(_ATTR.findall(m.group(1).decode("ascii", "replace")))
            if int(a.get("s", "0")) in self.percent and "r" in a:
                ref = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)", a["r"])
                if ref:
                    out.add((int(ref.group(2)) - 1, _col(ref.group(1))))
        return out


# ---- ods --------------------------------------------------------------------------------------

_T = "urn:oasis:names:tc:opendocument:xmlns:table:1.0 "
_O = "urn:oasis:names:tc:opendocument:xmlns:office:1.0 "


class _Ods:
    def __init__(self, path: str):
        with zipfile.ZipFile(path) as z:
            content = z.read("content.xml")
        self.tables = _ods_percent_cells(content) if b'value-type="percentage"' in content else {}

    def __call__(self, sheet: str) -> set[tuple[int, int]]:
        return self.tables.get(sheet, set())


def _ods_percent_cells(content: bytes) -> dict[str, set[tuple[int, int]]]:
    """Every table's cells whose value type is percentage, repeats expanded as the value reader does."""
    tables: dict[str, set[tuple[int, int]]] = {}
    s = {"table": None, "row": 0, "rep": 1, "col": 0, "depth": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if s["depth"]:
            s["depth"] += 1
            return
        if tag == _T + "table":
            s.update(table=attrs.get(_T + "name", ""), row=0)
            tables.setdefault(s["table"], set())
        elif tag == _T + "table-row":
            s.update(rep=int(attrs.get(_T + "number-rows-repeated", "1") or 1), col=0)
        elif tag in (_T + "table-cell", _T + "covered-table-cell"):
            n = int(attrs.get(_T + "number-columns-repeated", "1") or 1)
            if attrs.get(_O + "value-type") == "percentage" and s["table"] is not None:
                for r in range(s["row"], s["row"] + min(s["rep"], 1000)):
                    for c in range(s["col"], s["col"] + min(n, 1000)):
                        tables[s["table"]].add((r, c))
            s["col"] += n
            s["depth"] = 1

    def end(tag: str) -> None:
        if s["depth"]:
            s["depth"] -= 1
            if s["depth"]:
                return
        if tag == _T + "table-row":
            s["row"] += s["rep"]
        elif tag == _T + "table":
            s["table"] = None

    def refuse(*_a: Any) -> None:  # (intake refused DTDs already; never expand an entity here either)
        raise ValueError("DTD in content.xml")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = refuse
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.Parse(content, True)
    return tables


# ---- xls (BIFF8) ------------------------------------------------------------------------------

class _Xls:
    def __init__(self, path: str):
        from .intake import LIMITS, _Ole  # (the bounded compound-file reader intake uses)

        with open(path, "rb") as fh:
            ole = _Ole(fh, os.path.getsize(path), LIMITS)
            names = ole.names()
            stream = next(n for n in ("Workbook", "WORKBOOK", "Book", "BOOK") if n in names)
            self.data = ole.stream(stream)
        self.percent, self.sheets = self._globals()

    def _records(self, pos: int):
        data, n = self.data, len(self.data)
        while pos + 4 <= n:
            rtype, rlen = struct.unpack_from("<HH", data, pos)
            yield rtype, pos + 4, rlen
            pos += 4 + rlen

    def _globals(self) -> tuple[set[int], dict[str, int]]:
        formats: dict[int, str] = {}
        xfs: list[int] = []
        sheets: dict[str, int] = {}
        data = self.data
        for rtype, body, rlen in self._records(0):
            if rtype == 0x041E and rlen >= 5:  # FORMAT: ifmt, then the code as an XLUnicodeString
                ifmt, cch, flags = struct.unpack_from("<HHB", data, body)
                raw = data[body + 5: body + rlen]
                formats[ifmt] = raw[: cch * 2].decode("utf-16-le", "replace") if flags & 1 else raw[:cch].decode("latin-1")
            elif rtype == 0x00E0 and rlen >= 4:  # XF: font, format
                xfs.append(struct.unpack_from("<H", data, body + 2)[0])
            elif rtype == 0x0085 and rlen >= 8:  # BOUNDSHEET: offset of its BOF, then the name
                offset = struct.unpack_from("<I", data, body)[0]
                cch, flags = data[body + 6], data[body + 7]
                raw = data[body + 8: body + rlen]
                name = raw[: cch * 2].decode("utf-16-le", "replace") if flags & 1 else raw[:cch].decode("latin-1")
                sheets[name] = offset
            elif rtype == 0x000A:  # EOF of the globals
                break
        percent = {i for i, f in enumerate(xfs) if f in _BUILTIN_PERCENT or is_percent_code(formats.get(f, ""))}
        return percent, sheets

    def __call__(self, sheet: str) -> set[tuple[int, int]]:
        if not self.percent:
            return set()
        out, depth, data = set(), 0, self.data
        for rtype, body, rlen in self._records(self.sheets[sheet]):
            if rtype == 0x0809:
                depth += 1
            elif rtype == 0x000A:
                depth -= 1
                if depth <= 0:
                    break
            elif depth == 1 and rtype in (0x0203, 0x027E, 0x0006) and rlen >= 6:  # NUMBER, RK, FORMULA
                r, c, xf = struct.unpack_from("<HHH", data, body)
                if xf in self.percent:
                    out.add((r, c))
            elif depth == 1 and rtype == 0x00BD and rlen >= 6:  # MULRK: (xf, rk) per column
                r, c = struct.unpack_from("<HH", data, body)
                for k in range((rlen - 6) // 6):
                    if struct.unpack_from("<H", data, body + 4 + 6 * k)[0] in self.percent:
                        out.add((r, c + k))
        return out

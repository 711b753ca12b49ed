"""Mutators: one way of breaking a workbook each, at the zip, XML, BIFF, ODS or value level.

Every mutator is a function ``(data: bytes, **params) -> bytes`` plus a ``draw(rng) -> params``
that picks its parameters, so a case is a list of ``(mutator name, params)``: reproducible,
printable, and storable as a regression recipe (``tests/corpus/fuzz-regressions.toml``). The
inputs are the project's own workbooks (see :mod:`fuzz_bases`): the seed example as budgetxl
generates it, and that workbook re-saved by LibreOffice as xlsx, xls and ods.
"""

from __future__ import annotations

import hashlib
import io
import random
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from budgetxl.cells import col_letter
from fuzz_bases import corpus_build

Params = dict[str, Any]


@dataclass(frozen=True)
class Mutator:
    name: str
    kinds: tuple[str, ...]  # base kinds it applies to: xlsx, ods, xls
    apply: Callable[..., bytes]
    draw: Callable[[random.Random], Params]


MUTATORS: dict[str, Mutator] = {}


def mutator(*kinds: str, draw: Callable[[random.Random], Params] = lambda rng: {}):
    def deco(fn: Callable[..., bytes]) -> Callable[..., bytes]:
        MUTATORS[fn.__name__] = Mutator(fn.__name__, kinds, fn, draw)
        return fn
    return deco


def mutate(data: bytes, steps: list[tuple[str, Params]]) -> bytes:
    for name, params in steps:
        data = MUTATORS[name].apply(data, **params)
    return data


# ---- zip helpers --------------------------------------------------------------------------------

_BROKEN = (zipfile.BadZipFile, OSError, EOFError, ValueError, struct.error, NotImplementedError, KeyError, zlib.error)


def members(data: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return z.namelist()
    except _BROKEN:
        return []


def read_member(data: bytes, name: str) -> bytes | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return z.read(name)
    except _BROKEN:
        return None


def rezip(data: bytes, edit: Callable[[str, bytes], bytes | None], add: list[tuple[str, bytes]] = ()) -> bytes:
    """Rewrite a zip, ``edit(name, content)`` giving each member's new content (None drops it).
    A zip that cannot be read is returned as it is (a mutation of a broken file is a no-op)."""
    out = io.BytesIO()
    try:
        with warnings.catch_warnings(), zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
            warnings.simplefilter("ignore")  # (a duplicate name is what zip_duplicate_member means)
            for info in zin.infolist():
                new = edit(info.filename, zin.read(info.filename))
                if new is not None:
                    zout.writestr(info, new, compress_type=info.compress_type)
            for name, content in add:
                zout.writestr(zipfile.ZipInfo(name), content, compress_type=zipfile.ZIP_DEFLATED)
    except _BROKEN:
        return data
    return out.getvalue()


def edit_member(data: bytes, pick: str, fn: Callable[[bytes], bytes]) -> bytes:
    """Apply ``fn`` to the member matched by the regex ``pick`` (the first one)."""
    names = [n for n in members(data) if re.search(pick, n)]
    if not names:
        return data
    target = names[0]
    return rezip(data, lambda n, c: fn(c) if n == target else c)


def sheet_parts_bytes(data: bytes) -> list[tuple[str, str]]:
    """(sheet name, part) of an xlsx held in memory; [] for a broken one."""
    from budgetxl.intake_xlsx import sheet_parts

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return [(name, part) for part, name in sheet_parts(z.read, z.namelist())]
    except _BROKEN:
        return []


def _pick_member(rng: random.Random, kind: str = "any") -> str:
    choices = {
        "sheet": [r"worksheets/sheet[0-9]+\.xml$", r"content\.xml$"],
        "any": [r"worksheets/sheet[0-9]+\.xml$", r"sharedStrings\.xml$", r"workbook\.xml$", r"styles\.xml$",
                r"\.rels$", r"Content_Types", r"content\.xml$", r"styles\.xml$", r"manifest\.xml$", r"mimetype$"],
    }[kind]
    pick = rng.choice(choices)
    if "sheet[0-9]" in pick and rng.random() < 0.7:
        pick = rf"worksheets/sheet{rng.randint(1, 15)}\.xml$"
    return pick


# ---- the zip level ---------------------------------------------------------------------------------

@mutator("xlsx", "ods", draw=lambda rng: {"pick": _pick_member(rng)})
def zip_delete_member(data: bytes, pick: str) -> bytes:
    names = [n for n in members(data) if re.search(pick, n)]
    return rezip(data, lambda n, c: None if names and n == names[0] else c)


@mutator("xlsx", "ods", draw=lambda rng: {"pick": _pick_member(rng), "junk": rng.random() < 0.5})
def zip_duplicate_member(data: bytes, pick: str, junk: bool) -> bytes:
    names = [n for n in members(data) if re.search(pick, n)]
    if not names:
        return data
    content = read_member(data, names[0])
    return rezip(data, lambda n, c: c, add=[(names[0], b"<x/>" if junk or content is None else content)])


@mutator("xlsx", "ods", draw=lambda rng: {"pick": _pick_member(rng), "keep": rng.random()})
def zip_truncate_member(data: bytes, pick: str, keep: float) -> bytes:
    return edit_member(data, pick, lambda c: c[: int(len(c) * keep)])


@mutator("xlsx", "ods", "xls", draw=lambda rng: {"keep": rng.random()})
def truncate_file(data: bytes, keep: float) -> bytes:
    return data[: max(1, int(len(data) * keep))]


@mutator("xlsx", "ods", "xls", draw=lambda rng: {"seed": rng.getrandbits(32), "count": rng.choice([1, 2, 8, 64])})
def flip_bytes(data: bytes, seed: int, count: int) -> bytes:
    rng = random.Random(seed)
    out = bytearray(data)
    for _ in range(count):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8) if rng.random() < 0.7 else rng.randrange(1, 256)
    return bytes(out)


@mutator("xlsx", "ods", draw=lambda rng: {"pick": _pick_member(rng), "how": rng.choice(["upper", "backslash", "dir"])})
def zip_rename_member(data: bytes, pick: str, how: str) -> bytes:
    names = [n for n in members(data) if re.search(pick, n)]
    if not names:
        return data
    old = names[0]
    new = {"upper": old.upper(), "backslash": old.replace("/", "\\"), "dir": "other/" + old}[how]
    content = read_member(data, old)
    if content is None:
        return data
    return rezip(data, lambda n, c: None if n == old else c, add=[(new, content)])


# ---- the XML level ----------------------------------------------------------------------------------

@mutator("xlsx", "ods", draw=lambda rng: {"pick": _pick_member(rng), "seed": rng.getrandbits(32),
                                          "count": rng.choice([1, 3, 10, 50])})
def xml_flip(data: bytes, pick: str, seed: int, count: int) -> bytes:
    def flip(c: bytes) -> bytes:
        if not c:
            return c
        rng = random.Random(seed)
        out = bytearray(c)
        for _ in range(count):
            i = rng.randrange(len(out))
            out[i] = rng.choice(b"<>/\"'=&;:0129AZaz \x00\xff\xc3") if rng.random() < 0.5 else out[i] ^ 0x20
        return bytes(out)
    return edit_member(data, pick, flip)


_NUMERIC_ATTRS = [b"r", b"s", b"count", b"uniqueCount", b"ref", b"spans", b"sheetId", b"table:number-columns-repeated",
                  b"table:number-rows-repeated", b"table:number-columns-spanned", b"text:c", b"office:value"]


@mutator("xlsx", "ods", draw=lambda rng: {"pick": _pick_member(rng, "sheet" if rng.random() < 0.7 else "any"),
                                          "nth": rng.randrange(200), "size": rng.choice([10, 1000, 100_000, 2_000_000]),
                                          "numeric": rng.random() < 0.5, "seed": rng.getrandbits(16)})
def xml_huge_attribute(data: bytes, pick: str, nth: int, size: int, numeric: bool, seed: int) -> bytes:
    """An attribute made huge: a long text, or a long number in an attribute that holds one."""
    def edit(c: bytes) -> bytes:
        tags = list(re.finditer(rb"<([A-Za-z_][\w:.\-]*)(\s[^>]*?)?(/?)>", c))
        if not tags:
            return c
        m = tags[nth % len(tags)]
        value = (b"9" * min(size, 40) if size < 1000 else b"1" + b"0" * min(size, 5000)) if numeric else b"x" * size
        name = random.Random(seed).choice(_NUMERIC_ATTRS) if numeric else b"huge"
        attrs = re.sub(rb'\s' + re.escape(name) + rb'="[^"]*"', b"", m.group(2) or b"")
        new = b"<" + m.group(1) + attrs + b" " + name + b'="' + value + b'"' + m.group(3) + b">"
        return c[:m.start()] + new + c[m.end():]
    return edit_member(data, pick, edit)


_TYPES = [b"s", b"n", b"b", b"e", b"str", b"inlineStr", b"d", b"zz", b""]
_VALUES = [b"0", b"1", b"-1", b"4294967295", b"99999999999999999999", b"NaN", b"inf", b"-inf", b"1e308", b"1e309",
           b"-0", b"1E+400", b"TRUE", b"#DIV/0!", b"2024-13-45T99:99", b"", b"x" * 40, b"\xe4\xb8\xad"]


@mutator("xlsx", draw=lambda rng: {"sheet": rng.randint(1, 15), "seed": rng.getrandbits(32), "count": rng.choice([1, 5, 50])})
def cell_types(data: bytes, sheet: int, seed: int, count: int) -> bytes:
    """Cells given another type (t=...) and/or a value that does not fit it."""
    rng = random.Random(seed)

    def edit(c: bytes) -> bytes:
        cells = list(re.finditer(rb'<c r="([A-Z]+[0-9]+)"[^>]*?(?:/>|>.*?</c>)', c, re.S))
        if not cells:
            return c
        for m in sorted(rng.sample(cells, min(count, len(cells))), key=lambda m: -m.start()):
            t, v = rng.choice(_TYPES), rng.choice(_VALUES)
            body = b"<is><t>" + v + b"</t></is>" if t == b"inlineStr" else b"<v>" + v + b"</v>"
            new = b'<c r="' + m.group(1) + b'"' + (b' t="' + t + b'"' if t else b"") + b">" + body + b"</c>"
            c = c[:m.start()] + new + c[m.end():]
        return c
    return edit_member(data, rf"worksheets/sheet{sheet}\.xml$", edit)


_CELLS_TO_SET = ["B3", "F3", "C4", "E4", "G4", "C5", "B7", "C8", "A14", "C14", "F14", "G14", "B2", "B5", "A1"]


@mutator("xlsx", draw=lambda rng: {"sheet": rng.randint(1, 15), "ref": rng.choice(_CELLS_TO_SET),
                                   "t": rng.choice(["n", "s", "str", "b", "e", "inlineStr"]),
                                   "value": rng.choice([v.decode("utf-8") for v in _VALUES])})
def set_cell(data: bytes, sheet: int, ref: str, t: str, value: str) -> bytes:
    """One cell (by reference) given a type and a value: a number too big for any format, an
    infinity, -0, a shared-string index that does not exist, text where a number belongs."""
    v = value.encode()
    body = b"<is><t>" + v + b"</t></is>" if t == "inlineStr" else b"<v>" + v + b"</v>"
    new = b'<c r="' + ref.encode() + b'" t="' + t.encode() + b'">' + body + b"</c>"

    def edit(c: bytes) -> bytes:
        m = re.search(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', c, re.S)
        return c[:m.start()] + new + c[m.end():] if m else c
    return edit_member(data, rf"worksheets/sheet{sheet}\.xml$", edit)


ABSURD_REFS = ["XFD1048576", "XFE1", "AAAA1", "A1048577", "A99999999999", "A4294967296", "A4294967295", "a1", "xfd5",
               "$A$1", "", "1A", "A0", "ZZZZZZZ1", "A-1", "B2:C3", "A 1", "A1A", "XFD1", "A1048576"]


@mutator("xlsx", draw=lambda rng: {"sheet": rng.randint(1, 15), "nth": rng.randrange(300), "ref": rng.choice(ABSURD_REFS),
                                   "form": rng.choice(["cell", "row", "no-r", "all-no-r", "tail-no-r", "append-plain",
                                                       "append-formatted", "append-prefixed"])})
def absurd_reference(data: bytes, sheet: int, nth: int, ref: str, form: str) -> bytes:
    """A cell or row moved to an absurd place, in every spelling a writer can use."""
    r = ref.encode()

    def edit(c: bytes) -> bytes:
        if form.startswith("append"):
            row = re.sub(rb"[^0-9]", b"", r) or b"1"
            cell = {"append-plain": b'<c r="' + r + b'"><v>1</v></c>',
                    "append-formatted": b'<c r="' + r + b'" s="1"/>',
                    "append-prefixed": b'<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="'
                                       + r + b'"><x:v>1</x:v></x:c>'}[form]
            return c.replace(b"</sheetData>", b'<row r="' + row + b'">' + cell + b"</row></sheetData>", 1)
        if form == "all-no-r":
            return re.sub(rb'(<c) r="[^"]*"', rb"\1", c)
        if form == "tail-no-r":  # a cell without a reference at the end of the last row
            end = c.rfind(b"</row>")
            return c[:end] + b"<c><v>2</v></c>" + c[end:] if end >= 0 else c
        # (a cell with a value: an empty formatted one is not read at all)
        tag = {"cell": rb'<c r="[^"]*"(?=[^>]*[^/]>)', "row": rb'<row r="[^"]*"', "no-r": rb'<c r="[^"]*"'}[form]
        found = list(re.finditer(tag, c))
        if not found:
            return c
        m = found[nth % len(found)]
        new = {"cell": b'<c r="' + r + b'"', "row": b'<row r="' + r + b'"', "no-r": b"<c"}[form]
        return c[:m.start()] + new + c[m.end():]
    return edit_member(data, rf"worksheets/sheet{sheet}\.xml$", edit)


@mutator("xlsx", "ods", draw=lambda rng: {"pick": _pick_member(rng), "depth": rng.choice([100, 10_000, 100_000]),
                                          "where": rng.choice(["cell", "root", "si"])})
def deep_nesting(data: bytes, pick: str, depth: int, where: str) -> bytes:
    nest = b"<a>" * depth + b"</a>" * depth
    anchors = {"cell": [b"<v>", b"<text:p>", b"<t>"], "root": [b"?>"], "si": [b"<si>"]}[where]

    def edit(c: bytes) -> bytes:
        for a in anchors:
            i = c.find(a)
            if i >= 0:
                return c[: i + len(a)] + nest + c[i + len(a):]
        return c
    return edit_member(data, pick, edit)


ENCODINGS = ["foo", "UTF-16", "utf-16le", "shift_jis", "gbk", "GB18030", "latin-1", "ebcdic-cp-us", "UTF-32", "big5",
             "x-mac-roman", "cp1252", "UTF-7", "us-ascii", ""]


@mutator("xlsx", "ods", draw=lambda rng: {"pick": _pick_member(rng), "encoding": rng.choice(ENCODINGS),
                                          "recode": rng.random() < 0.3})
def bogus_encoding(data: bytes, pick: str, encoding: str, recode: bool) -> bytes:
    """The XML declaration names another encoding (and the text is sometimes re-encoded in it)."""
    def edit(c: bytes) -> bytes:
        decl = b'<?xml version="1.0" encoding="' + encoding.encode() + b'"?>'
        body = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", c)
        out = decl + body
        if recode:
            try:
                out = out.decode("utf-8").encode(encoding or "utf-8", "replace")
            except (LookupError, UnicodeError):
                pass
        return out
    return edit_member(data, pick, edit)


@mutator("xlsx", draw=lambda rng: {"attr": rng.choice(["uniqueCount", "count"]),
                                   "value": rng.choice(["4294967295", "4294967296", "18446744073709551615", "-1",
                                                        "0", "99999999999999999999999", "1e9", "+5", " 7"])})
def shared_string_count(data: bytes, attr: str, value: str) -> bytes:
    return edit_member(data, r"sharedStrings\.xml$",
                       lambda c: re.sub(attr.encode() + rb'="[^"]*"', attr.encode() + b'="' + value.encode() + b'"', c, 1))


@mutator("xlsx", draw=lambda rng: {"sheet": rng.randint(1, 15), "cells": rng.choice([100, 10_000, 200_000]),
                                   "length": rng.choice([1000, 32767, 100_000])})
def shared_string_fanout(data: bytes, sheet: int, cells: int, length: int) -> bytes:
    """One long shared string used by many cells (the reader copies it into each)."""
    index = [0]

    def sst(c: bytes) -> bytes:
        index[0] = len(re.findall(rb"<si>", c))
        return c.replace(b"</sst>", b"<si><t>" + b"W" * length + b"</t></si></sst>", 1)

    def sheet_edit(c: bytes) -> bytes:
        per_row, rows = 64, []
        for r in range(0, cells, per_row):
            rows.append(b'<row r="%d">' % (2000 + r // per_row) + b"".join(
                b'<c r="%s%d" t="s"><v>%d</v></c>' % (col_letter(k).encode(), 2000 + r // per_row, index[0])
                for k in range(min(per_row, cells - r))) + b"</row>")
        return c.replace(b"</sheetData>", b"".join(rows) + b"</sheetData>", 1)
    data = edit_member(data, r"sharedStrings\.xml$", sst)
    return edit_member(data, rf"worksheets/sheet{sheet}\.xml$", sheet_edit)


@mutator("xlsx", draw=lambda rng: {"sheet": rng.randint(1, 15), "ref": rng.choice(["A1:XFD1048576", "A1:A1048576",
                                   "ZZZZ1:A1", "A1:B99999999999", "", "A1", "B2:A1", "XFD1048576:XFD1048576"]),
                                   "what": rng.choice(["dimension", "merge"])})
def sheet_range(data: bytes, sheet: int, ref: str, what: str) -> bytes:
    r = ref.encode()

    def edit(c: bytes) -> bytes:
        if what == "dimension":
            return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="' + r + b'"/>', c, 1)
        if b"<mergeCells" in c:
            return re.sub(rb'(<mergeCells count=")(\d+)(">)', lambda m: m.group(1) + str(int(m.group(2)) + 1).encode()
                          + m.group(3) + b'<mergeCell ref="' + r + b'"/>', c, 1)
        return c.replace(b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="' + r + b'"/></mergeCells>', 1)
    return edit_member(data, rf"worksheets/sheet{sheet}\.xml$", edit)


@mutator("xlsx", draw=lambda rng: {"sheet": rng.randint(1, 15), "target": rng.choice(
    ["sharedStrings.xml", "styles.xml", "worksheets/sheet4.xml", "/xl/worksheets/sheet4.xml", "WORKSHEETS/SHEET4.XML",
     "../x.xml", "worksheets\\sheet4.xml", "theme/theme1.xml", "missing.xml"]),
                                   "drop_type": rng.random() < 0.5})
def retarget_sheet(data: bytes, sheet: int, target: str, drop_type: bool) -> bytes:
    """A sheet's relationship pointed at another part (its content type sometimes dropped)."""
    def rels(c: bytes) -> bytes:
        new = b'Target="' + target.encode() + b'"'
        return re.sub(rb'Target="worksheets/sheet' + str(sheet).encode() + rb'\.xml"', lambda m: new, c)

    def ct(c: bytes) -> bytes:
        return re.sub(rb'<Override PartName="/xl/worksheets/sheet' + str(sheet).encode() + rb'\.xml"[^>]*/>', b"", c)
    data = edit_member(data, r"workbook\.xml\.rels$", rels)
    return edit_member(data, r"Content_Types", ct) if drop_type else data


@mutator("xlsx", draw=lambda rng: {"sheet": rng.randint(1, 15)})
def namespace_prefix(data: bytes, sheet: int) -> bytes:
    """Every element of a sheet written with a namespace prefix (<x:row>, <x:c>), as some writers do."""
    def edit(c: bytes) -> bytes:
        c = re.sub(rb"<(/?)(?!\?)([A-Za-z]\w*)([\s/>])", rb"<\1x:\2\3", c)
        return c.replace(b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                         b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"', 1)
    return edit_member(data, rf"worksheets/sheet{sheet}\.xml$", edit)


# ---- ODS ------------------------------------------------------------------------------------------

def _ods_content(data: bytes, fn: Callable[[bytes], bytes]) -> bytes:
    return edit_member(data, r"^content\.xml$", fn)


def _nth(pattern: bytes, c: bytes, nth: int) -> re.Match[bytes] | None:
    found = list(re.finditer(pattern, c, re.S))
    return found[nth % len(found)] if found else None


_ODS_CELL = rb'<table:table-cell\b[^>]*office:value-type="[^"]*"[^>]*>'


@mutator("ods", draw=lambda rng: {"nth": rng.randrange(500), "cols": rng.choice([1, 2, 1000, 16384, 100_000, 10**9]),
                                  "rows": rng.choice([1, 2, 1000, 100_000, 1_048_576, 10**9]),
                                  "text": rng.choice([0, 100, 30_000])})
def ods_repeat(data: bytes, nth: int, cols: int, rows: int, text: int) -> bytes:
    """A cell with content repeated across columns, its row repeated down, its text made long."""
    def edit(c: bytes) -> bytes:
        m = _nth(_ODS_CELL, c, nth)
        if m is None:
            return c
        tag = re.sub(rb'\s*table:number-columns-repeated="[^"]*"', b"", m.group(0))
        tag = tag[:-1].rstrip(b"/") + b' table:number-columns-repeated="%d"' % cols + (b"/>" if tag.endswith(b"/>") else b">")
        c = c[:m.start()] + tag + c[m.end():]
        if text:
            i = c.find(b"<text:p>", m.start())
            if i >= 0:
                c = c[: i + 8] + b"Z" * text + c[i + 8:]
        row = c.rfind(b"<table:table-row", 0, m.start())
        if row >= 0 and rows > 1:
            end = c.find(b">", row)
            head = re.sub(rb'\s*table:number-rows-repeated="[^"]*"', b"", c[row:end])
            c = c[:row] + head + b' table:number-rows-repeated="%d"' % rows + c[end:]
        return c
    return _ods_content(data, edit)


@mutator("ods", draw=lambda rng: {"nth": rng.randrange(500), "count": rng.choice(["1", "1000", "100000000", "1000000000",
                                  "2147483647", "2147483648", "-5", "+7", "x", "99999999999999999999"])})
def ods_text_spaces(data: bytes, nth: int, count: str) -> bytes:
    """Spaces written the ODF way, <text:s text:c="N"/>, in a text cell (the reader expands them)."""
    def edit(c: bytes) -> bytes:
        m = _nth(rb'office:value-type="string"[^>]*>\s*<text:p>', c, nth)
        if m is None:
            return c
        return c[:m.end()] + b'<text:s text:c="' + count.encode() + b'"/>' + c[m.end():]
    return _ods_content(data, edit)


@mutator("ods", draw=lambda rng: {"nth": rng.randrange(500), "rows": rng.choice([2, 1000, 10**9]),
                                  "cols": rng.choice([2, 16384, 10**9])})
def ods_span(data: bytes, nth: int, rows: int, cols: int) -> bytes:
    def edit(c: bytes) -> bytes:
        m = _nth(_ODS_CELL, c, nth)
        if m is None:
            return c
        tag = m.group(0)[:-1].rstrip(b"/")
        tag += b' table:number-rows-spanned="%d" table:number-columns-spanned="%d"' % (rows, cols)
        return c[:m.start()] + tag + (b"/>" if m.group(0).endswith(b"/>") else b">") + c[m.end():]
    return _ods_content(data, edit)


@mutator("ods", draw=lambda rng: {"how": rng.choice(["rebind", "rename", "default"])})
def ods_namespaces(data: bytes, how: str) -> bytes:
    """The table namespace bound to another prefix, or the prefix to another namespace."""
    def edit(c: bytes) -> bytes:
        if how == "rebind":  # same prefix, another namespace: names as written still say table:
            return c.replace(b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"', b'xmlns:table="urn:x"', 1)
        if how == "rename":  # another prefix for the same namespace
            c = c.replace(b"xmlns:table=", b"xmlns:t=", 1)
            return re.sub(rb"(</?|\s)table:", rb"\1t:", c)
        return c.replace(b"<office:document-content ", b'<office:document-content xmlns="urn:oasis:names:tc:opendocument:'
                         b'xmlns:table:1.0" ', 1)
    return _ods_content(data, edit)


@mutator("ods", draw=lambda rng: {"nth": rng.randrange(500), "what": rng.choice(["formula", "value", "string-value"]),
                                  "value": rng.choice(["NaN", "inf", "-inf", "1e308", "1e309", "-0", "x" * 50_000,
                                                       "of:=" + "[.A1]+" * 5000 + "1", "", "1" * 400])})
def ods_cell_value(data: bytes, nth: int, what: str, value: str) -> bytes:
    attr = {"formula": b"table:formula", "value": b"office:value", "string-value": b"office:string-value"}[what]

    def edit(c: bytes) -> bytes:
        m = _nth(_ODS_CELL, c, nth)
        if m is None:
            return c
        tag = re.sub(rb"\s" + attr + rb'="[^"]*"', b"", m.group(0))
        tag = tag[:-1].rstrip(b"/") + b" " + attr + b'="' + value.encode() + b'"' + (b"/>" if tag.endswith(b"/>") else b">")
        return c[:m.start()] + tag + c[m.end():]
    return _ods_content(data, edit)


# ---- BIFF (.xls) ------------------------------------------------------------------------------------

def _xls(data: bytes):
    """(ole, Workbook stream, its sector chain) of an xls, or None when the container is broken."""
    from budgetxl.intake_limits import LIMITS, Refuse
    from budgetxl.intake_xls import Ole

    try:
        ole = Ole(io.BytesIO(data), len(data), LIMITS)
        entry = next(e for e in ole.dir_entries if e[0] == "Workbook")
        return ole, ole.stream("Workbook"), ole._chain(entry[2])
    except (Refuse, StopIteration, KeyError, struct.error, IndexError):
        return None


def records(stream: bytes) -> list[tuple[int, int, int]]:
    """(offset, type, length) of every record."""
    out, pos = [], 0
    while pos + 4 <= len(stream):
        t, ln = struct.unpack_from("<HH", stream, pos)
        out.append((pos, t, ln))
        pos += 4 + ln
    return out


def patch_stream(data: bytes, at: int, new: bytes) -> bytes:
    """Overwrite bytes of the Workbook stream in place (the container is left as it is)."""
    found = _xls(data)
    if found is None:
        return data
    ole, stream, chain = found
    out = bytearray(data)
    for k, b in enumerate(new):
        off = at + k
        if off >= len(stream):
            break
        sector = chain[off // ole.ssize]
        out[(sector + 1) * ole.ssize + off % ole.ssize] = b
    return bytes(out)


def rebuild_xls(data: bytes, fn: Callable[[bytes], bytes]) -> bytes:
    """A new compound file whose Workbook stream is ``fn`` of the old one."""
    found = _xls(data)
    if found is None:
        return data
    return corpus_build.ole_file({"Workbook": fn(found[1])})


def _nth_record(data: bytes, types: set[int], nth: int) -> tuple[int, int, int] | None:
    found = _xls(data)
    if found is None:
        return None
    recs = [r for r in records(found[1]) if r[1] in types]
    return recs[nth % len(recs)] if recs else None


@mutator("xls", draw=lambda rng: {"nth": rng.randrange(3000), "field": rng.choice(["type", "length", "body"]),
                                  "value": rng.getrandbits(16)})
def biff_record(data: bytes, nth: int, field: str, value: int) -> bytes:
    found = _xls(data)
    if found is None:
        return data
    recs = records(found[1])
    if not recs:
        return data
    pos, t, ln = recs[nth % len(recs)]
    if field == "type":
        return patch_stream(data, pos, struct.pack("<H", value))
    if field == "length":
        return patch_stream(data, pos + 2, struct.pack("<H", value))
    return patch_stream(data, pos + 4 + (value % max(ln, 1)), bytes([value & 0xFF])) if ln else data


@mutator("xls", draw=lambda rng: {"nth": rng.randrange(20), "values": rng.choice([
    [0, 0xFFFFFFFF, 0, 0xFF], [5, 1, 0, 10], [0, 65536, 0, 256], [0, 0x7FFFFFFF, 0, 0x4000], [0, 0, 0, 0],
    [0xFFFFFFFF, 1, 0xFFFF, 1], [0, 1048576, 0, 16384]])})
def biff_dimensions(data: bytes, nth: int, values: list[int]) -> bytes:
    rec = _nth_record(data, {0x0200}, nth)
    if rec is None or rec[2] != 14:
        return data
    rf, rl, cf, cl = values
    return patch_stream(data, rec[0] + 4, struct.pack("<IIHH", rf, rl, cf & 0xFFFF, cl & 0xFFFF))


@mutator("xls", draw=lambda rng: {"nth": rng.randrange(3000), "row": rng.choice([0, 100, 65535, 32767]),
                                  "col": rng.choice([0, 255, 256, 16383, 16384, 65535])})
def biff_cell_position(data: bytes, nth: int, row: int, col: int) -> bytes:
    rec = _nth_record(data, {0x0203, 0x0204, 0x00FD, 0x027E, 0x0006, 0x00BD, 0x0205}, nth)
    if rec is None:
        return data
    return patch_stream(data, rec[0] + 4, struct.pack("<HH", row, col))


@mutator("xls", draw=lambda rng: {"nth": rng.randrange(20), "offset": rng.choice([0, 1, 4, 100, 10**6, 2**32 - 1, -8])})
def biff_sheet_offset(data: bytes, nth: int, offset: int) -> bytes:
    """A BOUNDSHEET record pointing somewhere else (offset -8: at another sheet's start)."""
    found = _xls(data)
    rec = _nth_record(data, {0x0085}, nth)
    if rec is None or found is None:
        return data
    if offset < 0:
        others = [r for r in records(found[1]) if r[1] == 0x0085]
        offset = struct.unpack_from("<I", found[1], others[0][0] + 4)[0]
    return patch_stream(data, rec[0] + 4, struct.pack("<I", offset % 2**32))


@mutator("xls", draw=lambda rng: {"nth": rng.randrange(3000), "index": rng.choice([0, 1, 10**6, 2**32 - 1])})
def biff_shared_index(data: bytes, nth: int, index: int) -> bytes:
    rec = _nth_record(data, {0x00FD}, nth)
    return data if rec is None else patch_stream(data, rec[0] + 10, struct.pack("<I", index))


@mutator("xls", draw=lambda rng: {"nth": rng.randrange(3000), "value": rng.choice(
    [float("nan"), float("inf"), float("-inf"), 1e308, -0.0, 1e28, 5e-324, 123456789012345678901234567890.0])})
def biff_number(data: bytes, nth: int, value: float | str) -> bytes:
    rec = _nth_record(data, {0x0203}, nth)
    return data if rec is None else patch_stream(data, rec[0] + 10, struct.pack("<d", float(value)))


def _insert_before_sheet_eof(stream: bytes, sheet: int, blob: bytes) -> bytes:
    eofs = [pos for pos, t, _ in records(stream) if t == 0x000A]
    if len(eofs) < 2:
        return stream
    pos = eofs[1 + sheet % (len(eofs) - 1)]
    return stream[:pos] + blob + stream[pos:]


@mutator("xls", draw=lambda rng: {"sheet": rng.randrange(15), "what": rng.choice(["cells", "continues", "labels",
                                  "formulas", "mulrk", "merges"]), "count": rng.choice([10, 10_000, 300_000])})
def biff_flood(data: bytes, sheet: int, what: str, count: int) -> bytes:
    """Many records of one kind added to a sheet (cells at one place, CONTINUE records, long labels,
    long formulas, a wide MULRK, merged ranges); the stream stays under the 7 MB a compound file
    without DIFAT sectors holds."""
    rec = corpus_build.biff_record

    def blob() -> bytes:
        if what == "cells":
            return rec(0x0203, struct.pack("<HHHd", 5, 5, 0, 1.0)) * count
        if what == "continues":
            return rec(0x0203, struct.pack("<HHHd", 5, 5, 0, 1.0)) + rec(0x003C, b"x") * count
        if what == "labels":
            text = "长" * 8000
            return rec(0x0204, struct.pack("<HHHHB", 6, 1, 0, len(text), 1) + text.encode("utf-16-le")) * min(count, 300)
        if what == "formulas":
            body = struct.pack("<HHH", 7, 1, 0) + struct.pack("<d", 1.0) + struct.pack("<HI", 0, 0)
            tokens = struct.pack("<H", 8000) + b"\x1e\x01\x00" + b"\x1e\x01\x00\x03" * 1999
            return rec(0x0006, body + tokens) * min(count, 600)
        if what == "mulrk":
            n = 1300
            return rec(0x00BD, struct.pack("<HH", 8, 16000) + struct.pack("<HI", 0, 2) * n + struct.pack("<H", 16000 + n - 1))
        return rec(0x00E5, struct.pack("<H", 1000) + struct.pack("<HHHH", 0, 65535, 0, 255) * 1000) * max(1, count // 1000)
    return rebuild_xls(data, lambda s: _insert_before_sheet_eof(s, sheet, blob()))


@mutator("xls", draw=lambda rng: {"field": rng.choice(["nfat", "first_dir", "minifat", "nminifat", "difat", "ndifat",
                                                       "shift", "fat0"]), "value": rng.choice([0, 1, 0xFFFFFFFF,
                                                       0xFFFFFFFE, 0xFFFFFFFA, 0x7FFFFFFF, 1 << 20, 3])})
def ole_header(data: bytes, field: str, value: int) -> bytes:
    offsets = {"nfat": 44, "first_dir": 48, "minifat": 60, "nminifat": 64, "difat": 68, "ndifat": 72, "fat0": 76}
    out = bytearray(data)
    if len(out) < 512:
        return data
    if field == "shift":
        out[30:32] = struct.pack("<H", value & 0xFFFF)
    else:
        out[offsets[field]:offsets[field] + 4] = struct.pack("<I", value)
    return bytes(out)


# ---- values and metadata (xlsx) ---------------------------------------------------------------------

_TEXTS = ["\x01\x02\x03", "_x0001__x001F_", "a\x00b", "\ufffe\uffff", "😀" * 1000, "=1+1", "-" * 5, "\t\r\n",
          "x" * 40_000, "", " ", "‮RTL", "\ud800", "&amp;&lt;", "]]>", "一" * 10_000]


@mutator("xlsx", draw=lambda rng: {"sheet": rng.randint(1, 15), "nth": rng.randrange(500), "text": rng.choice(_TEXTS),
                                   "raw": rng.random() < 0.5})
def cell_text(data: bytes, sheet: int, nth: int, text: str, raw: bool) -> bytes:
    """A cell's text replaced: control characters (raw, or escaped as _xHHHH_), lone surrogates,
    very long text, text that looks like a formula."""
    t = text.encode("utf-8", "surrogatepass") if raw else text.encode("ascii", "xmlcharrefreplace")

    def edit(c: bytes) -> bytes:
        m = _nth(rb'<c r="([A-Z]+[0-9]+)"[^>]*?(?:/>|>.*?</c>)', c, nth)
        if m is None:
            return c
        new = b'<c r="' + m.group(1) + b'" t="inlineStr"><is><t xml:space="preserve">' + t + b"</t></is></c>"
        return c[:m.start()] + new + c[m.end():]
    return edit_member(data, rf"worksheets/sheet{sheet}\.xml$", edit)


META_VALUES = {
    "issued_json": ["5", "[]", "{}", "null", '{"unit":5}', '{"year":2024,"unit":{},"projects":5}', "deep:100000",
                    "{" * 50_000, "objects:20000", "x" * 3_000_000, "NaN", '{"year":1e999}',
                    '{"year":2024,"unit":{"code":"1","name":"n","region":"r"},"projects":[{"code":"c","name":"n",'
                    '"budget":{"total":"1e5000"}}]}', "\x00\x01"],
    "template_version": ["", "abc", "9" * 1000, "第二版", "2024112801\x00"],
    "template_id": ["../../etc/passwd", "x" * 10_000, "perf targets", "project-apply"],
    "year": ["²", "9" * 5000, "-1", "20２4", "0"],
    "issued_fingerprint": ["zz", "0" * 64, "A" * 64],
    "unit_code": ["x" * 100_000, "=cmd|' /C calc'!A0"],
}


@mutator("xlsx", draw=lambda rng: {"key": (k := rng.choice(sorted(META_VALUES))), "value": rng.choice(META_VALUES[k])})
def meta_value(data: bytes, key: str, value: str) -> bytes:
    """A value of the hidden _meta sheet replaced (written as an inline string)."""
    sheets = dict(sheet_parts_bytes(data))
    part = sheets.get("_meta")
    if part is None:
        return data
    sst = read_member(data, "xl/sharedStrings.xml") or b""
    strings = [re.sub(rb"<[^>]+>", b"", si) for si in re.findall(rb"<si>(.*?)</si>", sst, re.S)]
    if key.encode() not in strings:
        return data
    idx = strings.index(key.encode())
    if value.startswith(("deep:", "objects:")):  # (recipes spell nesting this way, not 100 KB of brackets)
        n = int(value.split(":")[1])
        value = "[" * n + "]" * n if value.startswith("deep:") else '{"a":' * n + "1" + "}" * n
    t = value.encode("ascii", "xmlcharrefreplace").replace(b"&#0;", b"_x0000_").replace(b"<", b"&lt;")

    def edit(c: bytes) -> bytes:
        m = re.search(rb'<c r="A(\d+)"[^>]*t="s"[^>]*><v>' + str(idx).encode() + rb"</v></c>", c)
        if m is None:
            return c
        row = m.group(1)
        cell = re.search(rb'<c r="B' + row + rb'"[^>]*?(?:/>|>.*?</c>)', c, re.S)
        new = b'<c r="B' + row + b'" t="inlineStr"><is><t>' + t + b"</t></is></c>"
        if cell is None:
            return c[:m.end()] + new + c[m.end():]
        return c[:cell.start()] + new + c[cell.end():]
    return edit_member(data, re.escape(part) + "$", edit)


# ---- size: the budgets ------------------------------------------------------------------------------

@mutator("xlsx", draw=lambda rng: {"rows": rng.choice([100, 5_000, 100_000]), "what": rng.choice(["indicators", "column"]),
                                   "formulas": rng.random() < 0.5})
def many_rows(data: bytes, rows: int, what: str, formulas: bool = True) -> bytes:
    """The first project sheet's first indicator row (row 14) copied ``rows`` times below its last
    row (with or without its live-check formula), or ``rows`` rows of one number each."""
    sheets = dict(sheet_parts_bytes(data))
    part = next((p for n, p in sheets.items() if re.match(r"1\.", n)), None)
    if part is None:
        return data

    def edit(c: bytes) -> bytes:
        first = re.search(rb'<row r="14"[^>]*>.*?</row>', c, re.S)
        end = c.rfind(b"</row>")
        last = re.findall(rb'<row r="(\d+)"', c)
        if first is None or end < 0 or not last:
            return c
        template, last_row = first.group(0), int(last[-1])
        if not formulas:
            template = re.sub(rb"<c [^>]*><f>.*?</f>.*?</c>", b"", template, flags=re.S)
        out = []
        for k in range(1, rows + 1):
            r = str(last_row + k).encode()
            if what == "indicators":
                row = re.sub(rb'(r="[A-Z]*)14"', rb"\g<1>" + r + b'"', template)
                # a name of its own per row (rows that differ compress like real ones, not like a bomb)
                name = b"%s-%s" % (r, hashlib.sha1(r).hexdigest().encode())
                out.append(re.sub(rb'<c r="C' + r + rb'"[^>]*?(?:/>|>.*?</c>)', lambda m: b'<c r="C' + r
                                  + b'" t="inlineStr"><is><t>' + name + b"</t></is></c>", row, count=1, flags=re.S))
            else:
                out.append(b'<row r="' + r + b'"><c r="A' + r + b'"><v>' + r + b"</v></c></row>")
        return c[:end + 6] + b"".join(out) + c[end + 6:]
    return edit_member(data, re.escape(part) + "$", edit)

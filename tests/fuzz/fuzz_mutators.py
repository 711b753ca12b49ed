"""Mutators: one way of breaking a workbook each, at the zip, XML, BIFF, ODS or value level.

Every mutator is a function ``(data: bytes, **params) -> bytes`` plus a ``draw(rng) -> params``
that picks its parameters, so a case is a list of ``(mutator name, params)``: reproducible,
printable, and storable as a regression recipe (``tests/corpus/fuzz-regressions.toml``). The
inputs are the project's own workbooks (see :mod:`fuzz_bases`): the seed example as budgetxl
generates it, and that workbook re-saved by LibreOffice as xlsx, xls and ods.
"""

from __future__ import annotations

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
    from budgetxl.files.intake_xlsx import sheet_parts

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
                                                       "append-glued", "append-second-r", "append-junk-key",
                                                       "append-formatted", "append-prefixed"])})
def absurd_reference(data: bytes, sheet: int, nth: int, ref: str, form: str) -> bytes:
    """A cell or row moved to an absurd place, in every spelling a writer can use."""
    r = ref.encode()

    def edit(c: bytes) -> bytes:
        if form.startswith("append"):
            row = re.sub(rb"[^0-9]", b"", r) or b"1"
            cell = {"append-plain": b'<c r="' + r + b'"><v>1</v></c>',
                    "append-glued": b'<c s="0"r="' + r + b'"><v>1</v></c>',  # (no space before r)
                    "append-second-r": b'<c r="A1" r="' + r + b'"><v>1</v></c>',  # (the reader takes the last)
                    "append-junk-key": b'<c r="A1"/><c xx r="A1"><v>1</v></c>',  # (key "xx r": no reference)
                    "append-formatted": b'<c r="' + r + b'" s="1"/>',
                    "append-prefixed": b'<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="'
                                       + r + b'"><x:v>1</x:v></x:c>'}[form]
            end = re.search(rb"</(\w+:)?sheetData>", c)  # (the sheet may be written with a prefix)
            if end is None:
                return c
            x = end.group(1) or b""
            if x:
                cell = re.sub(rb"<(/?)c\b", rb"<\1" + x + b"c", re.sub(rb"<(/?)v>", rb"<\1" + x + b"v>", cell))
            return c[:end.start()] + b"<" + x + b'row r="' + row + b'">' + cell + b"</" + x + b"row>" + c[end.start():]
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


def _nth(pattern: bytes, c: bytes, nth: int) -> re.Match[bytes] | None:
    found = list(re.finditer(pattern, c, re.S))
    return found[nth % len(found)] if found else None


# The other levels register themselves on import (they use the helpers above).
import fuzz_mutators_ods_xls  # noqa: E402
import fuzz_mutators_values  # noqa: E402

LEVELS = (fuzz_mutators_ods_xls, fuzz_mutators_values)

"""Mutators of the ODS and BIFF (.xls) levels (registered in fuzz_mutators.MUTATORS)."""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Callable

from fuzz_bases import corpus_build
from fuzz_mutators import _nth, edit_member, mutator

# ---- ODS ------------------------------------------------------------------------------------------

def _ods_content(data: bytes, fn: Callable[[bytes], bytes]) -> bytes:
    return edit_member(data, r"^content\.xml$", fn)


_ODS_CELL = rb'<table:table-cell\b[^>]*office:value-type="[^"]*"[^>]*>'


@mutator("ods", draw=lambda rng: {"nth": rng.randrange(500), "cols": rng.choice([1, 2, 1000, 16384, 100_000, 10**9]),
                                  "rows": rng.choice([1, 2, 1000, 100_000, 1_048_576, 10**9]),
                                  "text": rng.choice([0, 100, 30_000])})
def ods_repeat(data: bytes, nth: int, cols: int, rows: int, text: int, value_type: str = "") -> bytes:
    """A cell with content repeated across columns, its row repeated down, its text made long.
    ``value_type`` ("string", ...) picks among the cells of that type only (a recipe that must hit a
    text cell whatever the generator's layout)."""
    pattern = _ODS_CELL.replace(b'value-type="[^"]*"', b'value-type="%s"' % re.escape(value_type.encode())) \
        if value_type else _ODS_CELL

    def edit(c: bytes) -> bytes:
        m = _nth(pattern, c, nth)
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


@mutator("ods", draw=lambda rng: {"nth": rng.randrange(500), "cols": rng.choice([2, 1000, 16000]),
                                  "length": rng.choice([10, 20_000])})
def ods_nested_cell(data: bytes, nth: int, cols: int, length: int) -> bytes:
    """Cells inside a text cell: the reader takes the inner cell's end for the outer one's and
    reads the cells after it (repeated, with a long value) as cells of the row."""
    inner = (b'<table:table-cell/><table:table-cell table:number-columns-repeated="%d" office:value-type="string" '
             b'office:string-value="%s"/>' % (cols, b"Q" * length))

    def edit(c: bytes) -> bytes:
        m = _nth(rb'<table:table-cell[^>]*office:value-type="string"[^>]*>(?:(?!</table:table-cell>).)*?</text:p>', c, nth)
        return c[:m.end()] + inner + c[m.end():] if m else c
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
    from budgetxl.files.intake_limits import LIMITS, Refuse
    from budgetxl.files.intake_xls import Ole

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


_OLE_MAX = 7_000_000  # what corpus_build.ole_file holds (no DIFAT sectors)


def rebuild_xls(data: bytes, fn: Callable[[bytes], bytes]) -> bytes:
    """A new compound file whose Workbook stream is ``fn`` of the old one (cut at 7 MB: a stream
    cut short is one more broken file)."""
    found = _xls(data)
    if found is None:
        return data
    return corpus_build.ole_file({"Workbook": fn(found[1])[:_OLE_MAX]})


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
            tokens = struct.pack("<H", 7999) + b"\x1e\x01\x00" + b"\x1e\x01\x00\x03" * 1999
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

"""What an .xls will make the value reader allocate, found the way the reader finds it.

An .xls is an OLE2 compound file holding a BIFF record stream. python-calamine reads the
directory, takes the first entry named ``Workbook`` (then ``Book``, ...), reads the workbook
globals up to their first EOF record (sheets, shared strings, names), then reads each sheet's
records from the offset its BOUNDSHEET record gives: it reserves room for what a DIMENSIONS
record announces, stores every cell record, copies a shared string into every cell that uses it,
spells every formula out, and fills the bounding box of the cells. :class:`Ole` reads the
container the same way, with every chain walk bounded, and :func:`scan_biff` walks the records
the same way, so intake can refuse what would not fit before the reader runs.
"""

from __future__ import annotations

import struct

from .intake_limits import Area, Limits, Refuse

_FREE, _END, _FAT, _DIFAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC
MINI_CUTOFF = 4096  # the reader's, whatever the header says


class Ole:
    """A bounded reader of an OLE2 compound file: directory and streams by name."""

    def __init__(self, fh, size: int, limits: Limits):
        self.fh, self.size, self.limits = fh, size, limits
        fh.seek(0)
        h = fh.read(512)
        if len(h) < 512:
            raise Refuse("intake-truncated")
        major, byte_order, shift, mini_shift = struct.unpack_from("<HHHH", h, 26)
        if byte_order != 0xFFFE or shift not in (9, 12) or mini_shift != 6:
            raise Refuse("intake-damaged", detail="bad compound-file header")
        self.ssize = 1 << shift
        self.nsectors = max(0, (size - self.ssize) // self.ssize) if shift == 12 else max(0, (size - 512) // 512)
        if (size - (self.ssize if shift == 12 else 512)) % self.ssize:
            self.nsectors += 1  # a short last sector (some writers do not pad)
        nfat, first_dir, _, cutoff, first_minifat, nminifat, first_difat, ndifat = struct.unpack_from("<IIIIIIII", h, 44)
        # The reader reserves room for these counts as read from the header (the second one from
        # bytes 62-65, as it reads them): a count the file cannot hold is a lie.
        if nfat > self.nsectors + 1 or struct.unpack_from("<I", h, 62)[0] > 1 << 24 or nminifat > self.nsectors + 1:
            raise Refuse("intake-damaged", detail="bad compound-file header")
        fat_sectors = [s for s in struct.unpack_from("<109I", h, 76) if s < _DIFAT]
        d, seen = first_difat, 0
        per = self.ssize // 4 - 1
        while d < 0xFFFFFFFA:  # (the reader follows the chain while the id is a sector id)
            seen += 1
            if seen > self.nsectors:
                raise Refuse("intake-damaged", detail="broken sector chain")
            entries = struct.unpack_from(f"<{per + 1}I", self._sector(d))
            fat_sectors += [s for s in entries[:per] if s < _DIFAT]
            d = entries[per]
        if len(fat_sectors) > self.nsectors + 1:
            raise Refuse("intake-damaged", detail="bad FAT")
        fat = bytearray()
        for s in fat_sectors:
            fat += self._sector(s)
        self.fat = struct.unpack(f"<{len(fat) // 4}I", bytes(fat))
        self.dir_entries = self._directory(first_dir)
        root = self.dir_entries[0] if self.dir_entries else None
        self.minifat: tuple[int, ...] = ()
        self.ministream = b""
        if root is not None and first_minifat not in (_FREE, _END):
            mf = self._chain_bytes(first_minifat, None)
            self.minifat = struct.unpack(f"<{len(mf) // 4}I", mf[: len(mf) // 4 * 4])

    def _sector(self, n: int) -> bytes:
        if n >= self.nsectors:
            raise Refuse("intake-truncated")
        off = (n + 1) * self.ssize
        self.fh.seek(off)
        data = self.fh.read(self.ssize)
        if len(data) < self.ssize:
            if len(data) == 0:
                raise Refuse("intake-truncated")
            data += b"\x00" * (self.ssize - len(data))
        return data

    def _chain(self, start: int) -> list[int]:
        out: list[int] = []
        s = start
        while s not in (_END, _FREE):
            if s >= len(self.fat) or s >= self.nsectors or len(out) > self.nsectors:
                raise Refuse("intake-truncated" if s >= self.nsectors and s < len(self.fat) else "intake-damaged",
                             detail="broken sector chain")
            out.append(s)
            s = self.fat[s]
        return out

    def _chain_bytes(self, start: int, size: int | None) -> bytes:
        if size is not None and size > self.limits.max_file_bytes:
            raise Refuse("intake-damaged", detail="stream larger than the file")
        out = bytearray()
        for s in self._chain(start):
            out += self._sector(s)
            if size is not None and len(out) >= size:
                break
        if size is not None:
            if len(out) < size:
                raise Refuse("intake-truncated")
            return bytes(out[:size])
        return bytes(out)

    def _directory(self, first: int) -> list[tuple[str, int, int, int]]:
        raw = self._chain_bytes(first, None)
        entries = []
        for i in range(0, len(raw) - 127, 128):
            e = raw[i : i + 128]
            etype = e[66]
            start, size_lo, size_hi = struct.unpack_from("<III", e, 116)
            # the name as the reader decodes it: all 64 bytes, up to the first NUL character
            name = e[:64].decode("utf-16-le", "replace").split("\x00", 1)[0]
            size = size_lo if self.ssize == 512 else size_lo | (size_hi << 32)
            entries.append((name, etype, start, size))
        return entries

    def names(self) -> set[str]:
        return {n for n, t, _, _ in self.dir_entries if t in (1, 2)}

    def stream(self, name: str) -> bytes:
        """The first directory entry of that name, whatever its type (as the reader takes it)."""
        for n, _, start, size in self.dir_entries:
            if n == name:
                if size > self.limits.max_file_bytes:
                    raise Refuse("intake-damaged", detail="stream larger than the file")
                if size < MINI_CUTOFF:
                    return self._mini(start, size)
                return self._chain_bytes(start, size)
        raise KeyError(name)

    def _mini(self, start: int, size: int) -> bytes:
        if not self.ministream:
            root = self.dir_entries[0]
            self.ministream = self._chain_bytes(root[2], root[3])
        out = bytearray()
        s, n = start, 0
        while s not in (_END, _FREE) and len(out) < size:
            if s >= len(self.minifat) or n > len(self.minifat):
                raise Refuse("intake-damaged", detail="broken mini-stream chain")
            off = s * 64
            if off + 64 > len(self.ministream):
                raise Refuse("intake-truncated")
            out += self.ministream[off : off + 64]
            s = self.minifat[s]
            n += 1
        if len(out) < size:
            raise Refuse("intake-truncated")
        return bytes(out[:size])


# ---- the BIFF record stream ---------------------------------------------------------------------------

_BOF, _EOF, _CONTINUE = 0x0809, 0x000A, 0x003C
_INLINE_TEXT = {0x0204, 0x00D6, 0x0207}  # Label, RString, String (a formula's text result)
_CELLS = {0x0203: 6, 0x0204: 6, 0x00D6: 6, 0x0205: 6, 0x027E: 6, 0x00FD: 10, 0x0006: 20}  # -> shortest body read
_MULRK, _DIMENSIONS, _MERGES, _SST, _NAME, _BOUNDSHEET, _FILEPASS = 0x00BD, 0x0200, 0x00E5, 0x00FC, 0x0018, 0x0085, 0x002F
MAX_CONTINUES = 10_000  # CONTINUE records after one record (the reader's handling is quadratic in them)
MAX_RECORDS = 1_000_000  # records walked in all (bounds this scan's own time)


def _records(data: bytes, pos: int, budget: list[int]):
    """(type, body start, body end, end of its CONTINUE records) from ``pos``, as the reader
    groups them; ``budget`` counts records walked."""
    n, unpack, walked = len(data), struct.unpack_from, budget[0]
    try:
        while pos + 4 <= n:
            rtype, rlen = unpack("<HH", data, pos)
            body = pos + 4
            end = nxt = body + rlen
            if end > n:
                raise Refuse("intake-truncated")
            if data[nxt:nxt + 2] == b"<\x00" and nxt + 4 < n:  # CONTINUE records (type 0x003C)
                conts = 0
                while nxt + 4 < n and data[nxt:nxt + 2] == b"<\x00":
                    nxt += 4 + unpack("<H", data, nxt + 2)[0]
                    conts += 1
                    if conts > MAX_CONTINUES:
                        raise Refuse("intake-damaged", detail="a record continued too often")
                walked += conts
            walked += 1
            if walked > MAX_RECORDS:
                raise Refuse("intake-too-many-cells", cells=f"> {MAX_RECORDS} records", limit=MAX_RECORDS)
            yield rtype, body, end, nxt
            pos = nxt
    finally:
        budget[0] = walked


UNKNOWN_STRING = 3 * 65535  # the longest a string of the record format can be, in UTF-8 bytes


def _sst_lengths(data: bytes, body: int, end: int, stop: int, limit: int) -> tuple[list[int], bool]:
    """Each shared string's length in UTF-8 bytes at most (3 per character), walking the SST
    record and its CONTINUE records as the reader does, and whether all of it could be walked."""
    pieces, p = [data[body:end]], end
    while p + 4 <= stop:
        ln = struct.unpack_from("<H", data, p + 2)[0]
        pieces.append(data[p + 4:p + 4 + ln])
        p += 4 + ln
    out: list[int] = []
    unpack, k, cur, i = struct.unpack_from, 0, pieces[0], 8
    try:
        while True:
            if i >= len(cur):  # (a string starts at the top of the next CONTINUE record)
                if k + 1 >= len(pieces):
                    return out, True
                k, cur, i = k + 1, pieces[k + 1], 0
                continue
            cch, flags = unpack("<HB", cur, i)
            runs = unpack("<H", cur, i + 3)[0] * 4 if flags & 8 else 0
            ext = unpack("<i", cur, i + (5 if flags & 8 else 3))[0] if flags & 4 else 0
            i += 3 + (2 if flags & 8 else 0) + (4 if flags & 4 else 0)
            left, width = cch, 2 if flags & 1 else 1
            while left > 0:  # the characters, across CONTINUE records (each starts with a flags byte)
                take = min(left, (len(cur) - i) // width)
                i, left = i + take * width, left - take
                if left > 0:
                    k, cur = k + 1, pieces[k + 1]
                    width, i = 2 if cur[0] & 1 else 1, 1
            skip = runs + max(0, ext)
            while skip > 0:  # formatting runs and phonetic data
                if i >= len(cur):
                    k, cur, i = k + 1, pieces[k + 1], 0
                take = min(skip, len(cur) - i)
                i, skip = i + take, skip - take
            out.append(3 * cch)
            if len(out) > limit:
                raise Refuse("intake-too-many-cells", cells=f"{len(out)} shared strings", limit=limit)
    except (struct.error, IndexError):
        return out, False  # (the reader stops there too, with an error; or this walk is wrong)


class _Globals:
    def __init__(self) -> None:
        self.sheets: list[tuple[int, str]] = []  # (offset, name) of each BOUNDSHEET
        self.sst: list[int] = []
        self.sst_complete = True
        self.longest_name = 0  # characters of the longest sheet or defined name (formulas spell them)


# Workbook-globals records whose first two bytes the reader reads unchecked (CODEPAGE, DATEMODE,
# BOF, EXTERNSHEET): a shorter body makes it panic.
_GLOBAL_U16 = (0x0042, 0x0022, 0x0809, 0x0017)


def _globals(data: bytes, limits: Limits, budget: list[int]) -> _Globals:
    g = _Globals()
    for rtype, body, end, stop in _records(data, 0, budget):
        if rtype == _EOF:
            break
        if rtype == _FILEPASS:
            raise Refuse("intake-encrypted")
        if rtype in _GLOBAL_U16 and end - body < 2:
            raise Refuse("intake-damaged", detail=f"a record of type {rtype:#06x} too short")
        if rtype == _BOUNDSHEET:
            if end - body < 8:
                raise Refuse("intake-damaged", detail="bad sheet record")
            name = sheet_name(data[body:end])
            g.sheets.append((struct.unpack_from("<I", data, body)[0], name))
            g.longest_name = max(g.longest_name, len(name))
            if len(g.sheets) > limits.max_sheets:
                raise Refuse("intake-too-many-sheets", n=len(g.sheets), limit=limits.max_sheets)
        elif rtype == _SST and end - body >= 8:
            g.sst, g.sst_complete = _sst_lengths(data, body, end, stop, limits.max_cell_records)
        elif rtype == _NAME:
            _name_record(data, body, end)
            g.longest_name = max(g.longest_name, data[body + 3])
    return g


# the reader's defined-name formula: first token -> shortest formula it reads without slicing out of
# range (PtgRef3d, PtgArea3d, PtgRefErr3d / PtgAreaErr3d; any other token it does not read)
_NAME_PTG_LEN = {**dict.fromkeys((0x3A, 0x5A, 0x7A), 7), **dict.fromkeys((0x3B, 0x5B, 0x7B), 11),
                 **dict.fromkeys((0x3C, 0x5C, 0x7C, 0x3D, 0x5D, 0x7D), 3)}


def _name_record(data: bytes, body: int, end: int) -> None:
    """A NAME record the reader can slice: the name's cch characters after the 14-byte header and
    its flags byte, and the formula as its last cce bytes (the reader indexes both unchecked)."""
    rlen = end - body
    if rlen < 15 or rlen < 15 + data[body + 3]:
        raise Refuse("intake-damaged", detail="bad defined-name record")
    cce = struct.unpack_from("<H", data, body + 4)[0]
    if cce > rlen or (cce and cce < _NAME_PTG_LEN.get(data[end - cce], 0)):
        raise Refuse("intake-damaged", detail="bad defined-name record")


def scan_biff(data: bytes, limits: Limits) -> Area:
    """Walk the BIFF record stream of an xls as the reader will: version, encryption, and for
    each sheet its used area, cells, text and what its DIMENSIONS record makes the reader reserve."""
    if len(data) < 8:
        raise Refuse("intake-truncated")
    if len(data) > limits.max_biff_bytes:
        raise Refuse("intake-too-many-cells", cells=f"{len(data)} bytes of records", limit=limits.max_biff_bytes)
    rtype, rlen = struct.unpack_from("<HH", data, 0)
    if rtype not in (0x0809, 0x0409, 0x0209, 0x0009) or rlen < 4:
        raise Refuse("intake-damaged", detail="no BOF record")
    if rtype != _BOF or struct.unpack_from("<H", data, 4)[0] != 0x0600:
        raise Refuse("intake-old-excel")
    budget = [0]
    g = _globals(data, limits, budget)
    area = Area(limits)
    # a formula spells out names: at most this many bytes of text per byte of formula
    per_byte = max(8, (6 * g.longest_name + 24) // 5)
    done: dict[int, tuple[int, int]] = {}
    for offset, name in g.sheets:
        if offset >= len(data):
            raise Refuse("intake-damaged", detail=f"sheet '{name[:60]}' outside the file")
        if offset not in done:
            done[offset] = _scan_sheet(data, offset, name, g, area, per_byte, budget)
        area.sheet(name, *done[offset])
    if area.sheets == 0 and g.sheets:
        raise Refuse("intake-truncated")
    return area


def _scan_sheet(data: bytes, offset: int, name: str, g: _Globals, area: Area, per_byte: int,
                budget: list[int]) -> tuple[int, int]:
    """(rows, columns) of one sheet's used area from A1; cells, text and merges tallied."""
    max_row = max_col = cells = text = 0
    seen_bof, depth = False, 0
    limits = area.limits
    sst, nsst = g.sst, len(g.sst)
    beyond = 0 if g.sst_complete else UNKNOWN_STRING
    unpack = struct.unpack_from
    for rtype, body, end, _ in _records(data, offset, budget):
        if depth:
            depth += {_BOF: 1, _EOF: -1}.get(rtype, 0)
            continue
        if rtype == _BOF:
            depth, seen_bof = (1, seen_bof) if seen_bof else (0, True)
            continue
        if rtype == _EOF:
            break
        rlen = end - body
        if rtype in _CELLS or rtype == _MULRK:
            if rlen < _CELLS.get(rtype, 6):
                continue  # (the reader refuses the file)
            r, c = unpack("<HH", data, body)
            last = c
            if rtype == _MULRK:
                last = c + (rlen - 6) // 6 - 1
                cells += max(0, last - c + 1)
            else:
                cells += 1
            if rtype in _INLINE_TEXT:
                text += 3 * rlen
            elif rtype == 0x00FD:
                i = unpack("<I", data, body + 6)[0]
                text += sst[i] if i < nsst else beyond
            elif rtype == 0x0006:
                # the reader slices the tokens as rgce[2..2 + cce] after the 20-byte header, unchecked
                cce = unpack("<H", data, body + 20)[0] if rlen >= 22 else rlen
                if 22 + cce > rlen or not _tokens_fit(data, body + 22, body + 22 + cce):
                    raise Refuse("intake-damaged", detail="bad formula record")
                text += per_byte * rlen
            if r + 1 > max_row or last + 1 > max_col:
                max_row, max_col = max(max_row, r + 1), max(max_col, last + 1)
                area.check_open(name, max_row, max_col)
        elif rtype == 0x0207:
            cells, text = cells + 1, text + 3 * rlen
        elif rtype == _DIMENSIONS:
            _dimensions(data[body:end], name, limits)
        elif rtype == _MERGES and rlen >= 2:
            for _ in range(unpack("<H", data, body)[0]):
                area.merge()
        if cells > limits.max_cell_records or text > limits.max_text_bytes:
            break  # (refused just below)
    area.cells(cells)
    area.add_text(text)
    return max_row, max_col


# A formula's tokens as the reader's parse_formula steps over them: the operand bytes after each
# token, which it slices unchecked (BIFF8); _STOP: a token it does not read (it gives up on the
# formula there, without harm); _SPECIAL: a token whose length is in its operand.
_STOP, _SPECIAL = 255, 254
_PTG = bytearray([_STOP]) * 256
for _ptgs, _n in ((range(0x03, 0x17), 0), ((0x23, 0x43, 0x63, 0x24, 0x44, 0x64, 0x2A, 0x4A, 0x6A), 4),
                  ((0x18,), 5), ((0x1D,), 1), ((0x1E,), 2), ((0x22, 0x42, 0x62), 3), ((0x39, 0x59), 6),
                  ((0x1F, 0x25, 0x45, 0x65, 0x2B, 0x4B, 0x6B), 8), ((0x20, 0x40, 0x60), 7),
                  ((0x3A, 0x5A, 0x7A, 0x3C, 0x5C, 0x7C), 6), ((0x3B, 0x5B, 0x7B, 0x3D, 0x5D, 0x7D), 10),
                  ((0x01, 0x17, 0x19, 0x1C, 0x21, 0x41, 0x61), _SPECIAL)):
    for _p in _ptgs:
        _PTG[_p] = _n
_ERRORS = frozenset((0x00, 0x07, 0x0F, 0x17, 0x1D, 0x24, 0x2A, 0x2B))
_FUNCTIONS = 485  # the reader's function table: a PtgFunc beyond it ends the formula


def _tokens_fit(data: bytes, p: int, end: int) -> bool:
    """Whether every token up to the first the reader does not read has its operand inside the
    formula's ``cce`` bytes (the reader panics on one that does not)."""
    size = _PTG
    while p < end:
        ptg = data[p]
        n = size[ptg]
        p += 1
        if n < _SPECIAL:
            p += n
        elif n == _STOP:
            return True
        elif ptg == 0x01 or ptg == 0x17:  # PtgExp, PtgStr: one cut short ends the formula (checked)
            n = 4 if ptg == 0x01 else 2 + data[p] if p < end else 2
            if p + n > end:
                return True
            p += n
        elif p >= end:
            return False  # (the other special tokens read their first operand byte unchecked)
        elif ptg == 0x1C:  # PtgErr
            if data[p] not in _ERRORS:
                return True
            p += 1
        elif ptg == 0x19:  # PtgAttr
            etpg, p = data[p], p + 1
            if etpg == 0x04:  # attrChoose: a count, then count + 1 offsets
                if p + 2 > end:
                    return False
                p += 2 + 2 * (struct.unpack_from("<H", data, p)[0] + 1)
            elif etpg in (0x01, 0x02, 0x08, 0x10, 0x20, 0x21, 0x40, 0x41):
                p += 2
            else:
                return True
        else:  # PtgFunc
            if p + 2 <= end and struct.unpack_from("<H", data, p)[0] >= _FUNCTIONS:
                return True
            p += 2
        if p > end:
            return False
    return True


def _dimensions(body: bytes, name: str, limits: Limits) -> None:
    """What the reader reserves for a DIMENSIONS record, computed as it computes it (32-bit
    unsigned arithmetic, first column reset when out of range)."""
    if len(body) == 10:
        rf, rl, cf, cl = struct.unpack_from("<HHHH", body)
    elif len(body) == 14:
        rf, rl, cf, cl = struct.unpack_from("<IIHH", body)
    else:
        return  # (the reader refuses the file)
    if cf > 0xFF or cl < cf:
        cf = 0
    if rl >= 1 and cl >= 1:
        rows, cols = (rl - 1 - rf + 1) % 2**32, (cl - 1 - cf + 1) % 2**32
    else:
        rows = cols = 1
    if rows * cols > limits.max_dimension_cells:
        raise Refuse("intake-sheet-too-big", sheet=name[:60], rows=rows, cols=cols)


def sheet_name(body: bytes) -> str:
    try:
        ln, flags = body[6], body[7]
        raw = body[8:]
        return raw[: ln * 2].decode("utf-16-le", "replace") if flags & 1 else raw[:ln].decode("latin-1")
    except IndexError:
        return "?"

"""The value reader's copy of an xlsx, made from the parts intake has already inflated and checked.

Intake inflates every XML part of an xlsx to bound what the value reader will allocate; the reader
would then inflate them all again, and parse workbook.xml's defined names, which a budgetxl
workbook carries by the thousand (its live checks: about a megabyte) and the reader never uses.
So intake keeps the parts it inflated (up to REPACK_LIMIT in all) and hands the reader a stored
(uncompressed) zip of them, workbook.xml without its <definedNames> block and the sheets without
the formulas whose cached values follow them (the reader reads values; the live checks are half
of every sheet's bytes): about two thirds less work for the reader, the same cells. The copy is
made only when it cannot change what the reader reads: every part the reader could open is in
it, and the sheets the workbook names, found as intake found them, are the same with and
without the defined names. Otherwise the reader reads the file.
"""

from __future__ import annotations

import re
import struct
import zipfile

from .intake_xlsx import sheet_parts

try:  # (as intake: zlib-ng's checksum is much faster when installed)
    from zlib_ng import zlib_ng as zlib
except ImportError:
    import zlib

REPACK_LIMIT = 16 * 2**20  # inflated bytes kept for the copy; a larger file is read from its path
# Parts intake does not inflate and the value reader does not open (pictures, printer settings, macros).
UNREAD = (".bin", ".png", ".jpg", ".jpeg", ".gif", ".emf", ".wmf", ".bmp", ".tif", ".tiff", ".svg")

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_DOS_DATE = 0x21  # 1980-01-01
# A plain formula (no child elements) followed at once by its cached value. The reader takes a
# cell's last child element for its value (a formula counts as none) and skips a formula whole:
# without one followed by a value, a cell reads the same. (A formula after the value, which
# blanks the cell, stays.)
_FORMULA = re.compile(rb"<f(?:\s[^<>/]*)?>[^<]*</f>(?=<v>)")


def copy_planned(infos: dict[str, zipfile.ZipInfo], limit: int) -> bool:
    """The copy will be made, as far as the parts' names and declared sizes can tell: every part
    is one intake inflates (XML) or one the reader never opens, all within ``limit``."""
    inflated = [i for name, i in infos.items() if not name.lower().endswith(UNREAD)]
    return (all(i.filename.lower().endswith((".xml", ".rels", ".vml")) for i in inflated)
            and sum(i.file_size for i in inflated) <= limit)


def lean_sheet(xml: bytes) -> bytes:
    """A piece of a sheet part without the formulas that precede their cached values."""
    return _FORMULA.sub(b"", xml)


def repacked(kept: dict[str, list[bytes]], infos: dict[str, zipfile.ZipInfo],
             whole: dict[str, bytes] | None = None, sheets: list[tuple[str, str]] | None = None) -> bytes | None:
    """The reader's copy of the workbook whose inflated parts are ``kept`` (in pieces; ``whole``:
    some of them already joined), ``infos`` all its members, ``sheets`` what sheet_parts found
    in it (found again when not given); None when the file must be read as it is."""
    if any(name not in kept and not name.lower().endswith(UNREAD) for name in infos):
        return None
    whole = dict(whole or {})

    def read(name: str) -> bytes:
        if name not in whole:
            whole[name] = b"".join(kept.get(name, ()))
        return whole[name]

    parts: dict[str, list[bytes]] = dict(kept)
    crcs = {name: infos[name].CRC for name in parts}
    if sheets is None:
        sheets = sheet_parts(read, infos)
    cut: dict[str, bytes] = {}
    for name in parts:
        if name.replace("\\", "/").lower().endswith("workbook.xml"):
            xml = read(name)
            start = xml.find(b"<definedNames>")
            end = xml.find(b"</definedNames>", start)
            if start >= 0 and end > start:
                cut[name] = xml[:start] + xml[end + len(b"</definedNames>"):]
    if cut and sheet_parts(lambda n: cut.get(n) or read(n), infos) == sheets:  # (else the cut changed a sheet)
        for name, xml in cut.items():
            parts[name], crcs[name] = [xml], zlib.crc32(xml)
    for name in {part for part, _ in sheets if part in parts}:  # (kept lean: see lean_sheet)
        if sum(map(len, parts[name])) != infos[name].file_size:
            crc = 0
            for piece in parts[name]:
                crc = zlib.crc32(piece, crc)
            crcs[name] = crc
    return stored_zip([(name, parts[name], crcs[name]) for name in infos if name in parts])


def stored_zip(members: list[tuple[str, list[bytes], int]]) -> bytes:
    """A zip of (name, data in pieces, CRC-32) members, stored, in order (sizes well within 4 GB),
    joined in one copy."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, pieces, crc in members:
        raw = name.encode("utf-8")
        flags = 0 if name.isascii() else 0x800  # (UTF-8 names)
        size = sum(map(len, pieces))
        out += [_LOCAL.pack(0x04034B50, 20, flags, 0, 0, _DOS_DATE, crc, size, size, len(raw), 0), raw, *pieces]
        central += [_CENTRAL.pack(0x02014B50, 20, 20, flags, 0, 0, _DOS_DATE, crc, size, size, len(raw),
                                  0, 0, 0, 0, 0, offset), raw]
        offset += _LOCAL.size + len(raw) + size
    size = sum(map(len, central))
    return b"".join([*out, *central, _END.pack(0x06054B50, 0, 0, len(members), len(members), size, offset, 0)])

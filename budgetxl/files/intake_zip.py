"""Zip members read for intake: inflated in a stream through our own bounded inflater (never
trusting the declared sizes, the checksum checked), XML parts in chunks that never split a tag,
refused when they declare a DTD or an encoding other than UTF-8. Parts may be kept, in their
pieces, for the value reader's copy (intake_repack)."""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Callable

try:  # zlib-ng: zlib's API (and stream semantics), inflating twice as fast and checksumming 15x
    from zlib_ng import zlib_ng as zlib
except ImportError:  # (a plain zlib is as safe, only slower)
    import zlib

from .intake_limits import Limits, Refuse as _Refuse, human_size
from .intake_repack import REPACK_LIMIT, copy_planned

_CHUNK = 1 << 16


class ZipParts:
    """Reads zip members through our own bounded inflater (never trusting the declared sizes)."""

    def __init__(self, fh, size: int, names: dict[str, zipfile.ZipInfo], limits: Limits, keep: bool = False):
        self.fh, self.size, self.names, self.limits = fh, size, names, limits
        self.checked: dict[str, bytes] = {}  # whole XML parts read (and checked) once, by name
        # Every part inflated, in its pieces (joined once, into the copy), kept for the value reader's
        # copy (intake_repack) until they grow too big.
        self.kept: dict[str, list[bytes]] | None = {} if keep else None
        self.kept_size = 0
        # The copy will be made (as far as the parts' names and declared sizes tell): the sheets are
        # scanned, and kept, without the formulas the copy leaves out (intake_repack.lean_sheet).
        self.lean = keep and copy_planned(names, REPACK_LIMIT)
        self.sheets: list[tuple[str, str]] = []  # (part, name) of the sheets the workbook names

    def keep(self, name: str, pieces: list[bytes]) -> None:
        if self.kept is not None:
            self.kept_size += sum(map(len, pieces))
            if self.kept_size > REPACK_LIMIT:
                self.kept = None  # (read from the file, as any large workbook)
            else:
                self.kept[name] = pieces

    def read_small(self, name: str, cap: int = 4 * 2**20) -> bytes:
        data = _joined(self.stream(name), name, cap)
        self.keep(name, [data])
        return data

    def read_xml(self, name: str, cap: int = 4 * 2**20) -> bytes:
        """A whole XML part, checked as xml_chunks checks it, inflated once however often it is
        asked for (a workbook.xml carrying thousands of defined names is a megabyte)."""
        if name not in self.checked:
            self.checked[name] = _joined(xml_chunks(self, name), name, cap)
        return self.checked[name]

    def stream(self, name: str):
        """Yield the inflated bytes of ``name`` in chunks; refuse as soon as it inflates past its
        declared size, and check the CRC at the end."""
        info = self.names[name]
        fh = self.fh
        fh.seek(info.header_offset)
        local = fh.read(30)
        if len(local) < 30 or local[:4] != b"PK\x03\x04":
            raise _Refuse("intake-damaged", detail=f"bad local header for {name[:60]}")
        nlen, xlen = struct.unpack("<HH", local[26:30])
        fh.seek(info.header_offset + 30 + nlen + xlen)
        left = info.compress_size
        if fh.tell() + left > self.size:
            raise _Refuse("intake-truncated")
        declared = info.file_size
        if info.compress_type == zipfile.ZIP_STORED:
            inflater = None
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            inflater = zlib.decompressobj(-15)
        else:
            raise _Refuse("intake-damaged", detail=f"compression method {info.compress_type}")
        produced = 0
        crc = 0
        while True:
            if inflater is not None and inflater.unconsumed_tail:
                data = inflater.unconsumed_tail
            else:
                if left <= 0:
                    break
                data = fh.read(min(_CHUNK, left))
                if not data:
                    raise _Refuse("intake-truncated")
                left -= len(data)
            try:
                # Never more than one chunk past what is still declared: a lying member stops here.
                out = inflater.decompress(data, _CHUNK) if inflater is not None else data
            except zlib.error:
                raise _Refuse("intake-damaged", detail=f"{name[:60]}: bad compressed data") from None
            produced += len(out)
            if produced > declared:
                raise _Refuse("intake-bomb", detail=f"{name[:60]}: inflates past its declared {human_size(declared)}")
            if out:
                crc = zlib.crc32(out, crc)
                yield out
            if inflater is not None and inflater.eof:
                break
        if inflater is not None and not inflater.eof:
            raise _Refuse("intake-truncated")
        if produced != declared or crc != info.CRC:
            raise _Refuse("intake-damaged", detail=f"{name[:60]}: size or checksum mismatch")


def _joined(pieces, name: str, cap: int) -> bytes:
    out, size = [], 0
    for piece in pieces:
        out.append(piece)
        size += len(piece)
        if size > cap:
            raise _Refuse("intake-bomb", detail=f"{name[:60]}: > {human_size(cap)}")
    return out[0] if len(out) == 1 else b"".join(out)


# DTDs anywhere are refused (no workbook format uses one): no entity is ever expanded.
DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")


def xml_chunks(reader: ZipParts, name: str, edit: Callable[[bytes], bytes] | None = None):
    """The part's bytes in pieces that never split a tag, DTD refused; each piece passed through
    ``edit`` before it is yielded and kept."""
    first = True
    pieces: list[bytes] | None = [] if reader.kept is not None else None
    for piece in _cut_after_tags(reader.stream(name), name):
        if first:
            first = False
            _check_encoding(piece, name)
        if DTD.search(piece):  # (the regex's prefix scan is twice as fast as bytes' "in" here)
            raise _Refuse("intake-dtd", part=name[:80])
        if edit is not None:
            piece = edit(piece)
        if pieces is not None:
            pieces.append(piece)
        yield piece
    if pieces is not None:
        reader.keep(name, pieces)


def _cut_after_tags(chunks, name: str):
    """The chunks cut again after their last '>' (the rest carried into the next), then the rest."""
    carry = b""
    for chunk in chunks:
        buf = carry + chunk
        cut = buf.rfind(b">") + 1
        if cut == 0:
            if len(buf) > 4 * 2**20:
                raise _Refuse("intake-damaged", detail=f"{name[:60]}: malformed XML")
            carry = buf
            continue
        piece, carry = buf[:cut], buf[cut:]
        yield piece
    if carry:
        yield carry


_DECLARED = re.compile(rb"""\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")


def _check_encoding(head: bytes, name: str) -> None:
    """Only UTF-8 (or its ASCII subset): what every spreadsheet program writes, and all the value
    reader decodes. UTF-16 or a declared legacy encoding is refused before any parser sees it."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:2] in (b"<\x00", b"\x00<"):
        raise _Refuse("intake-damaged", detail=f"{name[:60]}: UTF-16 XML")
    m = _DECLARED.match(head.removeprefix(b"\xef\xbb\xbf"))
    if m and m.group(1).strip().lower() not in (b"utf-8", b"utf8", b"us-ascii", b"ascii"):
        raise _Refuse("intake-damaged", detail=f"{name[:60]}: XML in the encoding '{m.group(1)[:20].decode('latin-1')}'")


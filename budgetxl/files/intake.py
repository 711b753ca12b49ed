"""Know what a file is before parsing it, and refuse what must not be parsed.

Files arrive from Excel, WPS and LibreOffice of every age, by e-mail and IM, and a few are broken
or hostile. :func:`inspect_file` looks at a file's bytes (never its name) and either returns the
kind of workbook it is (xlsx, xlsm, xls, ods) or raises :class:`ReadError` with one sentence that
says what the file is and what the county should do.

Everything here runs in bounded time and memory *before* the value reader (python-calamine) sees
the file, because the value reader can be made to allocate without bound or abort the process:
a dense range is allocated over the bounding box of the cells, so two cells at A1 and XFD1048576
ask for 17 billion cells, and an ODS repeat attribute multiplies one cell a billion times.

* Zip containers (xlsx, xlsm, ods): the central directory is checked first (member count, declared
  sizes, compression ratio), so a zip bomb is refused before anything is inflated. Then every XML
  part is inflated in a stream, counting bytes against its declared size (a member that inflates
  to more than it declares is refused as soon as it does), with any DTD refused (no entity
  expansion, no external entities), and every sheet is scanned for the extent of its cells.
* OLE2 containers (xls, WPS .et, password-protected OOXML): the compound-file directory is read
  with bounded chain walks; the BIFF record stream is scanned for encryption (FILEPASS), the
  number of sheets and the extent of the cells.
* Anything else is recognised from its first bytes (HTML, MHTML, SpreadsheetML 2003, CSV/TSV,
  PDF, images, archives, Word documents, …) and refused with a sentence naming it.
"""

from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from ..errors import ReadError
from ..findings import Finding


# ---- limits ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    """What a unit workbook may need, with a wide margin (a real one is well under 1 MB, ~20 sheets,
    a few thousand cells). Reading within these stays under a few seconds and ~200 MB."""

    max_file_bytes: int = 64 * 2**20
    max_members: int = 5_000  # parts in a zip container
    max_member_bytes: int = 64 * 2**20  # declared uncompressed size of one part
    max_total_bytes: int = 256 * 2**20  # declared uncompressed size of all parts
    max_ratio: int = 200  # compression ratio of one part larger than ratio_floor
    ratio_floor: int = 2**20
    max_sheets: int = 255
    max_sheet_cells: int = 1_000_000  # rows x columns of a sheet's used area, as the reader fills it
    max_total_cells: int = 2_000_000
    max_merges: int = 100_000
    max_xml_elements: int = 5_000_000  # elements scanned in one ODS content part


LIMITS = Limits()

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


@dataclass
class FileKind:
    kind: str  # xlsx | xlsm | xls | ods
    notes: list[Finding] = field(default_factory=list)
    sheets: int = 0
    cells: int = 0  # the used area of all sheets (rows x columns)
    # Merged ranges by sheet, for containers whose merges the value reader does not report (ODS):
    # sheet name -> [((r0, c0), (r1, c1)), ...]
    merges: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = field(default_factory=dict)


class _Refuse(Exception):
    """Internal: stop inspecting and refuse with message ``key`` (see i18n ``intake-*``)."""

    def __init__(self, key: str, **args: Any):
        super().__init__(key)
        self.key, self.args_ = key, args


def inspect_file(path: str | os.PathLike[str], limits: Limits = LIMITS) -> FileKind:
    """Identify ``path`` by its bytes; raise ReadError (one clear sentence) for a file that is not a
    readable spreadsheet, or one whose reading would not stay within ``limits``."""
    p = str(path)
    try:
        size = os.path.getsize(p)
        with open(p, "rb") as fh:
            if size == 0:
                raise _Refuse("intake-empty")
            if size > limits.max_file_bytes:
                raise _Refuse("intake-too-large", size=human_size(size), limit=human_size(limits.max_file_bytes))
            head = fh.read(8192)
            if head.startswith(ZIP_MAGICS):
                return _inspect_zip(fh, size, limits)
            if head.startswith(OLE_MAGIC):
                return _inspect_ole(fh, size, limits)
            raise _Refuse(*_sniff(head, size))
    except _Refuse as r:
        raise ReadError(r.key, path=p, **r.args_) from None
    except OSError as exc:
        raise ReadError("intake-damaged", path=p, detail=exc.strerror or type(exc).__name__) from None


def human_size(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n / 1024:.0f} KB"


# ---- anything that is not a zip or OLE2 container ---------------------------------------------

_IMAGE_MAGICS = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")
_ARCHIVE_MAGICS = (b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")


def _sniff(head: bytes, size: int) -> tuple[str, ...]:
    """The refusal for a file that is neither a zip nor an OLE2 container."""
    if head.startswith(b"%PDF"):
        return ("intake-pdf",)
    if head.startswith(_IMAGE_MAGICS):
        return ("intake-image",)
    if head.startswith(_ARCHIVE_MAGICS):
        return ("intake-archive",)
    if head.startswith(b"{\\rtf"):
        return ("intake-document",)
    # Excel 2.x-4.x wrote a bare BIFF stream: a BOF record (09 00 / 09 02 / 09 04 with length 4-6/16).
    if len(head) >= 4 and head[0] == 0x09 and head[1] in (0x00, 0x02, 0x04) and head[2] in (4, 6, 8, 16) and head[3] == 0:
        return ("intake-old-excel",)
    if OLE_MAGIC.startswith(head) or ZIP_MAGICS[0].startswith(head):
        return ("intake-truncated",)  # the first bytes of a container and nothing more
    text = _as_text(head)
    if text is None:
        return ("intake-unknown",)
    low = text.lstrip().lower()
    start = low[:4096]
    if start.startswith("mime-version:") or "content-type: multipart/related" in start or (
        start.startswith("from:") and "mime-version:" in start
    ):
        return ("intake-mhtml",)
    if "urn:schemas-microsoft-com:office:spreadsheet" in start or 'progid="excel.sheet"' in start:
        if "<html" not in start:
            return ("intake-xml2003",)
    if "opendocument.spreadsheet" in start and "<office:document" in start:
        return ("intake-fods",)
    if "<html" in start or "<!doctype html" in start or start.startswith(("<table", "<meta", "<head", "<body")):
        return ("intake-html",)
    if start.startswith("<?xml") or start.startswith("<"):
        return ("intake-xml",)
    if start.startswith(("{", "[")):
        return ("intake-text",)  # JSON and the like
    lines = [ln for ln in low.splitlines()[:20] if ln.strip()]
    if lines and sum("\t" in ln for ln in lines) >= max(1, len(lines) // 2):
        return ("intake-csv", )
    if lines and sum("," in ln or "，" in ln or ";" in ln for ln in lines) >= max(1, len(lines) // 2):
        return ("intake-csv",)
    return ("intake-text",)


def _as_text(head: bytes) -> str | None:
    """The start of a text file (UTF-8, UTF-16 with BOM, GB18030), or None for binary data."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16"
    elif head.startswith(b"\xef\xbb\xbf"):
        enc = "utf-8-sig"
    else:
        if b"\x00" in head:
            return None
        enc = "utf-8"
    for e in (enc, "gb18030") if enc == "utf-8" else (enc,):
        try:
            text = head.decode(e)
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut at the end of the sample
                try:
                    text = head[: exc.start].decode(e)
                except UnicodeDecodeError:
                    continue
            else:
                continue
        bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
        if bad > len(text) // 100:
            return None
        return text
    return None


# ---- zip containers: xlsx, xlsm, ods (and what only looks like them) ---------------------------

_CT_MAIN = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.main+xml": "xlsm",
    "application/vnd.ms-excel.template.macroenabled.main+xml": "xlsm",
    "application/vnd.ms-excel.addin.macroenabled.main+xml": "xlsm",
    "application/vnd.ms-excel.sheet.binary.macroenabled.main": "xlsb",
}
_CT_WORKSHEET = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
    "application/vnd.ms-excel.worksheet",  # (prefix of the macro-sheet types too)
)
_CHUNK = 1 << 16


def _inspect_zip(fh, size: int, limits: Limits) -> FileKind:
    fh.seek(0)
    try:
        zf = zipfile.ZipFile(fh)
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error, NotImplementedError):
        # No readable central directory at the end: a download or copy that stopped part-way.
        raise _Refuse("intake-truncated") from None
    if len(infos) > limits.max_members:
        raise _Refuse("intake-bomb", detail=f"{len(infos)} parts")
    names: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        if info.filename in names:
            raise _Refuse("intake-damaged", detail=f"duplicate part {info.filename[:60]}")
        names[info.filename] = info
        if info.flag_bits & 0x1:
            raise _Refuse("intake-encrypted")
        if info.file_size > limits.max_member_bytes:
            raise _Refuse("intake-bomb", detail=f"{info.filename[:60]}: {human_size(info.file_size)}")
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise _Refuse("intake-bomb", detail=f"{info.filename[:60]}: {info.file_size // max(info.compress_size, 1)}:1")
        if info.header_offset + info.compress_size > size:
            raise _Refuse("intake-truncated")
        total += info.file_size
    if total > limits.max_total_bytes:
        raise _Refuse("intake-bomb", detail=f"{human_size(total)}")

    reader = _ZipParts(fh, size, names, limits)
    if "mimetype" in names and "[Content_Types].xml" not in names:
        return _inspect_odf(reader, names, limits)
    if "[Content_Types].xml" in names:
        return _inspect_ooxml(reader, names, limits)
    if any(n.startswith("xl/") for n in names):
        raise _Refuse("intake-damaged", detail="[Content_Types].xml missing")
    raise _Refuse("intake-archive")  # a zip of attachments (or of anything else)


class _ZipParts:
    """Reads zip members through our own bounded inflater (never trusting the declared sizes)."""

    def __init__(self, fh, size: int, names: dict[str, zipfile.ZipInfo], limits: Limits):
        self.fh, self.size, self.names, self.limits = fh, size, names, limits

    def read_small(self, name: str, cap: int = 4 * 2**20) -> bytes:
        out = bytearray()
        for chunk in self.stream(name):
            out += chunk
            if len(out) > cap:
                raise _Refuse("intake-bomb", detail=f"{name[:60]}: > {human_size(cap)}")
        return bytes(out)

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


# XML scanning: DTDs anywhere are refused (no workbook format uses one); cells are counted.
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c|mergeCell|sheet)(?=[\s/>])([^>]*)>")
_ATTR_R = re.compile(rb'\br\s*=\s*["\']\$?([A-Za-z]{0,3})\$?(\d*)["\']')
_ATTR_REF = re.compile(rb'\bref\s*=\s*["\']([^"\']*)["\']')


def _xml_chunks(reader: _ZipParts, name: str):
    """The part's bytes in chunks cut after a '>' (so a tag is never split), DTD refused."""
    carry = b""
    first = True
    for chunk in reader.stream(name):
        buf = carry + chunk
        if first:
            first = False
            if buf.startswith((b"\xff\xfe", b"\xfe\xff")) or buf[:2] in (b"<\x00", b"\x00<"):
                raise _Refuse("intake-damaged", detail=f"{name[:60]}: UTF-16 XML")
        cut = buf.rfind(b">") + 1
        if cut == 0:
            if len(buf) > 4 * 2**20:
                raise _Refuse("intake-damaged", detail=f"{name[:60]}: malformed XML")
            carry = buf
            continue
        piece, carry = buf[:cut], buf[cut:]
        if b"<!" in piece and _DTD.search(piece):  # (a plain find first: most pieces have no "<!")
            raise _Refuse("intake-dtd", part=name[:80])
        yield piece
    if carry:
        if _DTD.search(carry):
            raise _Refuse("intake-dtd", part=name[:80])
        yield carry


class _Area:
    """The cells of one workbook: used area per sheet and in total, against the limits."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.total = 0
        self.sheets = 0
        self.merges = 0

    def sheet(self, name: str, rows: int, cols: int) -> None:
        self.sheets += 1
        if self.sheets > self.limits.max_sheets:
            raise _Refuse("intake-too-many-sheets", n=self.sheets, limit=self.limits.max_sheets)
        area = rows * cols
        if area > self.limits.max_sheet_cells:
            raise _Refuse("intake-sheet-too-big", sheet=name[:60], rows=rows, cols=cols)
        self.total += area
        if self.total > self.limits.max_total_cells:
            raise _Refuse("intake-too-many-cells", cells=self.total, limit=self.limits.max_total_cells)

    def check_open(self, name: str, rows: int, cols: int) -> None:
        """Refuse early, while a sheet is still being scanned."""
        if rows * cols > self.limits.max_sheet_cells:
            raise _Refuse("intake-sheet-too-big", sheet=name[:60], rows=rows, cols=cols)

    def merge(self) -> None:
        self.merges += 1
        if self.merges > self.limits.max_merges:
            raise _Refuse("intake-too-many-cells", cells=f"{self.merges} merged ranges", limit=self.limits.max_merges)


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


# Fast path: every cell written as <c r="A1" ...> (Excel, WPS, LibreOffice and xlsxwriter all do).
# One C-level pass collects each cell's reference and the character before its ">" ("/" marks a
# formatted empty cell, which is not part of the used area).
_FAST_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,9})"[^>]*(.)>')
_ODD_CELL_TAG = re.compile(rb'<c(?:[>\t\n\r/]| (?!r="))')  # a cell tag not written as <c r="
_PREFIXED_CELL = re.compile(rb':c[\s/>]')  # a namespace-prefixed cell tag (<x:c>)
_MERGE = re.compile(rb"<(?:[\w.\-]+:)?mergeCell[\s/>]")


def _scan_worksheet(reader: _ZipParts, name: str, sheet_name: str, area: _Area) -> None:
    """The used area of one worksheet part: the bounding box of its non-empty cells from A1.

    Where every cell tag of a chunk is ``<c r="..."`` the references are collected by regex (see
    _FAST_CELL); otherwise (namespace prefixes, cells whose position is implied by their order)
    the chunk is followed tag by tag, placing cells as the value reader does."""
    state = [0, 0]  # 1-based row of the current <row>, column of the last cell in it
    max_row = max_col = 0
    for piece in _xml_chunks(reader, name):
        if b"mergeCell" in piece:
            for _ in _MERGE.finditer(piece):
                area.merge()
        if not _ODD_CELL_TAG.search(piece) and not _PREFIXED_CELL.search(piece):
            found = _FAST_CELL.findall(piece)
            if not found:
                continue
            cells = [(c, r) for c, r, end in found if end != b"/"]
            if cells:
                max_row = max(max_row, max(map(int, [r for _, r in cells])))
                max_col = max(max_col, max(_col_number(c) for c in {c for c, _ in cells}))
            state = [int(found[-1][1]), _col_number(found[-1][0])]
        else:
            max_row, max_col = _scan_tags(piece, state, max_row, max_col)
        if max_row and max_col:
            area.check_open(sheet_name, max_row, max_col)
    area.sheet(sheet_name, max_row, max_col)


def _scan_tags(piece: bytes, state: list[int], max_row: int, max_col: int) -> tuple[int, int]:
    row, col = state
    for m in _TAG.finditer(piece):
        tag, attrs = m.group(1), m.group(2)
        if tag == b"row":
            r = _ATTR_R.search(attrs)
            row = int(r.group(2)) if r and r.group(2) else row + 1
            col = 0
        elif tag == b"c":
            r = _ATTR_R.search(attrs)
            if r and r.group(1):
                col = _col_number(r.group(1))
                if r.group(2):
                    row = int(r.group(2))
            else:
                col += 1
            if not attrs.rstrip().endswith(b"/"):  # <c r="X9" s="1"/>: formatting only, no value
                max_row, max_col = max(max_row, row, 1), max(max_col, col)
    state[:] = [row, col]
    return max_row, max_col


def _inspect_ooxml(reader: _ZipParts, names: dict[str, zipfile.ZipInfo], limits: Limits) -> FileKind:
    ct = reader.read_small("[Content_Types].xml").decode("utf-8", "replace")
    if _DTD.search(ct.encode()):
        raise _Refuse("intake-dtd", part="[Content_Types].xml")
    overrides = {m.group(1).lstrip("/"): m.group(2).lower()
                 for m in re.finditer(r'<(?:\w+:)?Override\b[^>]*?PartName="([^"]+)"[^>]*?ContentType="([^"]+)"', ct)}
    overrides.update({m.group(2).lstrip("/"): m.group(1).lower()
                      for m in re.finditer(r'<(?:\w+:)?Override\b[^>]*?ContentType="([^"]+)"[^>]*?PartName="([^"]+)"', ct)})
    mains = [v for v in overrides.values() if v in _CT_MAIN]
    kind = _CT_MAIN[mains[0]] if mains else None
    if kind is None:
        if any("wordprocessingml" in v or "presentationml" in v for v in overrides.values()):
            raise _Refuse("intake-document")
        if "xl/workbook.bin" in names:
            raise _Refuse("intake-xlsb")
        if "xl/workbook.xml" not in names:
            raise _Refuse("intake-unknown")
        kind = "xlsx"
    if kind == "xlsb":
        raise _Refuse("intake-xlsb")
    if "xl/workbook.xml" in names and b"purl.oclc.org/ooxml/spreadsheetml/main" in reader.read_small("xl/workbook.xml"):
        raise _Refuse("intake-strict")  # ISO 29500 Strict: other namespaces, which the value reader does not know
    notes: list[Finding] = []
    has_vba = any(n.lower().endswith("vbaproject.bin") for n in names) or kind == "xlsm"
    if has_vba:
        kind = "xlsm"
        notes.append(Finding("macros", "warning"))

    sheet_names = _ooxml_sheet_names(reader, names)
    worksheets = [p for p, t in overrides.items() if t.startswith(_CT_WORKSHEET) and p in names]
    if not worksheets:
        worksheets = [n for n in names if re.fullmatch(r"xl/(worksheets|macrosheets)/[^/]+\.xml", n)]
    area = _Area(limits)
    for part in sorted(worksheets):
        _scan_worksheet(reader, part, sheet_names.get(part, part.rsplit("/", 1)[-1]), area)
    # Every other XML part the reader or openpyxl may parse: inflate-verify and refuse DTDs.
    for n in names:
        if n not in worksheets and n.lower().endswith((".xml", ".rels", ".vml")):
            for _ in _xml_chunks(reader, n):
                pass
    return FileKind(kind, notes, sheets=area.sheets, cells=area.total)


def _ooxml_sheet_names(reader: _ZipParts, names: dict[str, zipfile.ZipInfo]) -> dict[str, str]:
    """worksheet part -> sheet name (for messages); best effort."""
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return {}
    import html

    wb = reader.read_small("xl/workbook.xml").decode("utf-8", "replace")
    rels = reader.read_small("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {}
    for m in re.finditer(r"<(?:\w+:)?Relationship\b([^>]*)>", rels):
        a = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        if "Id" in a and "Target" in a:
            t = a["Target"]
            targets[a["Id"]] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    out = {}
    for m in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)>", wb):
        a = dict(re.findall(r'([\w:]+)="([^"]*)"', m.group(1)))
        rid = next((v for k, v in a.items() if k.endswith(":id")), None)
        if rid in targets and "name" in a:
            out[targets[rid]] = html.unescape(a["name"])
    return out


_ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _inspect_odf(reader: _ZipParts, names: dict[str, zipfile.ZipInfo], limits: Limits) -> FileKind:
    mime = reader.read_small("mimetype", cap=256).decode("ascii", "replace").strip()
    if mime == _ODS_MIME + "-template":
        mime = _ODS_MIME
    if mime != _ODS_MIME:
        if mime.startswith("application/vnd.oasis.opendocument."):
            raise _Refuse("intake-document")
        raise _Refuse("intake-unknown")
    if "META-INF/manifest.xml" in names:
        manifest = b"".join(_xml_chunks(reader, "META-INF/manifest.xml"))
        if b"encryption-data" in manifest:
            raise _Refuse("intake-encrypted")
    if "content.xml" not in names:
        raise _Refuse("intake-damaged", detail="content.xml missing")
    notes: list[Finding] = []
    # A LibreOffice Basic module or script: never run, never copied, but the county should know.
    if any(n.startswith(("Basic/", "Scripts/")) and not n.endswith(("/", "script-lc.xml", "script-lb.xml",
                                                                   "dialog-lc.xml", "dialog-lb.xml"))
           for n in names):
        notes.append(Finding("macros", "warning"))
    area = _Area(limits)
    merges = _scan_ods_content(reader, area, limits)
    for n in names:
        if n != "content.xml" and n.lower().endswith((".xml", ".rdf")):
            for _ in _xml_chunks(reader, n):
                pass
    return FileKind("ods", notes, sheets=area.sheets, cells=area.total, merges=merges)


def _scan_ods_content(reader: _ZipParts, area: _Area, limits: Limits) -> dict[str, list]:
    """Walk content.xml with expat (no DTD allowed): each table's used area, repeats expanded the
    way the value reader expands them, and its merged ranges (which the value reader does not
    report for ODS)."""
    T = _TABLE_NS + " "
    state: dict[str, Any] = {"table": None, "depth": 0, "elements": 0}
    merges: dict[str, list] = {}

    class S:
        name = ""
        row = 0  # 0-based index of the current row
        row_rep = 1
        col = 0  # 0-based index of the next cell
        max_row = 0  # 1-based extent
        max_col = 0
        cell_rep = 1
        cell_start = 0
        cell_content = False
        in_cell = 0
        row_has_content = False
        row_max_col = 0

    s = S()

    def refuse_dtd(*_a: Any) -> None:
        raise _Refuse("intake-dtd", part="content.xml")

    def start(tag: str, attrs: dict[str, str]) -> None:
        state["elements"] += 1
        if state["elements"] > limits.max_xml_elements:
            raise _Refuse("intake-too-many-cells", cells=f"> {limits.max_xml_elements} XML elements",
                          limit=limits.max_xml_elements)
        if s.in_cell:
            s.in_cell += 1
            s.cell_content = True
            return
        if tag == T + "table":
            s.name = attrs.get(T + "name", "")
            s.row = s.col = s.max_row = s.max_col = 0
            state["table"] = s.name
        elif state["table"] is None:
            return
        elif tag == T + "table-row":
            s.row_rep = _int(attrs.get(T + "number-rows-repeated"), 1)
            s.col = 0
            s.row_has_content = False
            s.row_max_col = 0
        elif tag in (T + "table-cell", T + "covered-table-cell"):
            s.cell_rep = _int(attrs.get(T + "number-columns-repeated"), 1)
            s.cell_start = s.col
            s.cell_content = (_OFFICE_NS + " value-type") in attrs
            s.in_cell = 1
            rs = _int(attrs.get(T + "number-rows-spanned"), 1)
            cs = _int(attrs.get(T + "number-columns-spanned"), 1)
            if (rs > 1 or cs > 1) and tag == T + "table-cell":
                area.merge()
                merges.setdefault(s.name, []).append(((s.row, s.col), (s.row + rs - 1, s.col + cs - 1)))

    def end(tag: str) -> None:
        if s.in_cell:
            s.in_cell -= 1
            if s.in_cell:
                return
            s.col = s.cell_start + s.cell_rep
            if s.cell_content:
                s.row_has_content = True
                s.row_max_col = s.col
                area.check_open(s.name, s.row + 1, s.row_max_col)
            return
        if state["table"] is None:
            return
        if tag == T + "table-row":
            if s.row_has_content:
                s.max_row = s.row + s.row_rep
                s.max_col = max(s.max_col, s.row_max_col)
                area.check_open(s.name, s.max_row, s.max_col)
            s.row += s.row_rep
        elif tag == T + "table":
            area.sheet(s.name, s.max_row, s.max_col)
            state["table"] = None

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.ExternalEntityRefHandler = refuse_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.buffer_text = True
    try:
        for piece in _xml_chunks(reader, "content.xml"):
            parser.Parse(piece, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise _Refuse("intake-damaged", detail=f"content.xml: {expat.errors.messages.get(exc.code, 'XML error')}") from None
    return merges


def _int(v: str | None, default: int) -> int:
    if v is None:
        return default
    try:
        n = int(v)
    except ValueError:
        return default
    return n if n >= 1 else default


# ---- OLE2 compound files: xls, WPS .et, password-protected OOXML -------------------------------

_FREE, _END, _FAT, _DIFAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC


class _Ole:
    """A bounded reader of an OLE2 compound file: directory and streams by name."""

    def __init__(self, fh, size: int, limits: Limits):
        self.fh, self.size, self.limits = fh, size, limits
        fh.seek(0)
        h = fh.read(512)
        if len(h) < 512:
            raise _Refuse("intake-truncated")
        major, byte_order, shift, mini_shift = struct.unpack_from("<HHHH", h, 26)
        if byte_order != 0xFFFE or shift not in (9, 12) or mini_shift != 6:
            raise _Refuse("intake-damaged", detail="bad compound-file header")
        self.ssize = 1 << shift
        self.nsectors = max(0, (size - self.ssize) // self.ssize) if shift == 12 else max(0, (size - 512) // 512)
        if (size - (self.ssize if shift == 12 else 512)) % self.ssize:
            self.nsectors += 1  # a short last sector (some writers do not pad)
        nfat, first_dir, _, cutoff, first_minifat, nminifat, first_difat, ndifat = struct.unpack_from("<IIIIIIII", h, 44)
        self.cutoff = cutoff
        fat_sectors = [s for s in struct.unpack_from("<109I", h, 76) if s not in (_FREE, _END)]
        d, seen = first_difat, 0
        per = self.ssize // 4 - 1
        while d not in (_FREE, _END) and seen <= self.nsectors:
            block = self._sector(d)
            entries = struct.unpack_from(f"<{per + 1}I", block)
            fat_sectors += [s for s in entries[:per] if s not in (_FREE, _END)]
            d = entries[per]
            seen += 1
        if len(fat_sectors) > self.nsectors + 1:
            raise _Refuse("intake-damaged", detail="bad FAT")
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
            raise _Refuse("intake-truncated")
        off = (n + 1) * self.ssize
        self.fh.seek(off)
        data = self.fh.read(self.ssize)
        if len(data) < self.ssize:
            if len(data) == 0:
                raise _Refuse("intake-truncated")
            data += b"\x00" * (self.ssize - len(data))
        return data

    def _chain(self, start: int) -> list[int]:
        out: list[int] = []
        s = start
        while s not in (_END, _FREE):
            if s >= len(self.fat) or s >= self.nsectors or len(out) > self.nsectors:
                raise _Refuse("intake-truncated" if s >= self.nsectors and s < len(self.fat) else "intake-damaged",
                              detail="broken sector chain")
            out.append(s)
            s = self.fat[s]
        return out

    def _chain_bytes(self, start: int, size: int | None) -> bytes:
        if size is not None and size > self.limits.max_file_bytes:
            raise _Refuse("intake-damaged", detail="stream larger than the file")
        out = bytearray()
        for s in self._chain(start):
            out += self._sector(s)
            if size is not None and len(out) >= size:
                break
        if size is not None:
            if len(out) < size:
                raise _Refuse("intake-truncated")
            return bytes(out[:size])
        return bytes(out)

    def _directory(self, first: int) -> list[tuple[str, int, int, int]]:
        raw = self._chain_bytes(first, None)
        entries = []
        for i in range(0, len(raw) - 127, 128):
            e = raw[i : i + 128]
            nlen = struct.unpack_from("<H", e, 64)[0]
            etype = e[66]
            start, size_lo, size_hi = struct.unpack_from("<III", e, 116)
            name = e[: max(0, min(nlen, 64) - 2)].decode("utf-16-le", "replace")
            size = size_lo if self.ssize == 512 else size_lo | (size_hi << 32)
            entries.append((name, etype, start, size))
        return entries

    def names(self) -> set[str]:
        return {n for n, t, _, _ in self.dir_entries if t in (1, 2)}

    def stream(self, name: str) -> bytes:
        for n, t, start, size in self.dir_entries:
            if t == 2 and n == name:
                if size > self.limits.max_file_bytes:
                    raise _Refuse("intake-damaged", detail="stream larger than the file")
                if size < self.cutoff:
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
                raise _Refuse("intake-damaged", detail="broken mini-stream chain")
            off = s * 64
            if off + 64 > len(self.ministream):
                raise _Refuse("intake-truncated")
            out += self.ministream[off : off + 64]
            s = self.minifat[s]
            n += 1
        if len(out) < size:
            raise _Refuse("intake-truncated")
        return bytes(out[:size])


def _inspect_ole(fh, size: int, limits: Limits) -> FileKind:
    try:
        ole = _Ole(fh, size, limits)
    except struct.error:
        raise _Refuse("intake-damaged", detail="bad compound-file structure") from None
    names = ole.names()
    if "EncryptedPackage" in names or "EncryptionInfo" in names:
        raise _Refuse("intake-encrypted")
    for stream in ("Workbook", "WORKBOOK", "Book", "BOOK"):
        if stream in names:
            kind = _scan_biff(ole.stream(stream), limits)
            if "_VBA_PROJECT_CUR" in names:  # an .xls with macros: read for values, never run
                kind.notes.append(Finding("macros", "warning"))
            return kind
    if names & {"WordDocument", "PowerPoint Document", "VisioDocument"}:
        raise _Refuse("intake-document")
    raise _Refuse("intake-unknown")


# BIFF records with a cell's row and column at offsets 0 and 2 (BLANK/MULBLANK carry formatting
# only: the value reader skips them, so they do not count towards the used area).
_BIFF_CELLS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x0006, 0x0205, 0x00D6, 0x0406}
_BIFF_MULRK = 0x00BD
_BIFF_BOF = (0x0809, 0x0409, 0x0209, 0x0009)


def _scan_biff(data: bytes, limits: Limits) -> FileKind:
    """Walk the BIFF record stream of an xls: version, encryption, sheets, used area."""
    n = len(data)
    if n < 8:
        raise _Refuse("intake-truncated")
    rtype, rlen = struct.unpack_from("<HH", data, 0)
    if rtype not in _BIFF_BOF or rlen < 4:
        raise _Refuse("intake-damaged", detail="no BOF record")
    version = struct.unpack_from("<H", data, 4)[0]
    if rtype != 0x0809 or version not in (0x0500, 0x0600):
        raise _Refuse("intake-old-excel")
    if version == 0x0500:
        raise _Refuse("intake-old-excel")
    area = _Area(limits)
    pos = 0
    depth = 0
    sheet_index = -1
    kind = None  # substream type of the current BOF
    max_row = max_col = 0
    bound_names: list[str] = []
    while pos + 4 <= n:
        rtype, rlen = struct.unpack_from("<HH", data, pos)
        body = pos + 4
        end = body + rlen
        if end > n:
            raise _Refuse("intake-truncated")
        if rtype == 0x0809:
            depth += 1
            kind = struct.unpack_from("<H", data, body + 2)[0] if rlen >= 4 else None
            if kind != 0x0005:
                sheet_index += 1
            max_row = max_col = 0
        elif rtype == 0x000A:  # EOF
            if kind in (0x0010, 0x0040) and depth:
                name = bound_names[sheet_index] if 0 <= sheet_index < len(bound_names) else f"#{sheet_index + 1}"
                area.sheet(name, max_row, max_col)
            depth = max(0, depth - 1)
            kind = None
        elif rtype == 0x002F and kind == 0x0005:  # FILEPASS in the workbook globals
            raise _Refuse("intake-encrypted")
        elif rtype == 0x0085 and kind == 0x0005:  # BOUNDSHEET
            bound_names.append(_biff_sheet_name(data[body:end]))
            if len(bound_names) > limits.max_sheets:
                raise _Refuse("intake-too-many-sheets", n=len(bound_names), limit=limits.max_sheets)
        elif kind in (0x0010, 0x0040) and rlen >= 4:
            if rtype in _BIFF_CELLS:
                r, c = struct.unpack_from("<HH", data, body)
                last_c = c
            elif rtype == _BIFF_MULRK and rlen >= 6:
                r, c = struct.unpack_from("<HH", data, body)
                last_c = struct.unpack_from("<H", data, end - 2)[0]
            else:
                r = -1
            if r >= 0 and (r + 1 > max_row or last_c + 1 > max_col):
                max_row, max_col = max(max_row, r + 1), max(max_col, last_c + 1)
                name = bound_names[sheet_index] if 0 <= sheet_index < len(bound_names) else f"#{sheet_index + 1}"
                area.check_open(name, max_row, max_col)
            if rtype == 0x00E5 and rlen >= 2:  # MERGEDCELLS
                for _ in range(struct.unpack_from("<H", data, body)[0]):
                    area.merge()
        pos = end
    if area.sheets == 0 and bound_names:
        raise _Refuse("intake-truncated")
    return FileKind("xls", [], sheets=area.sheets, cells=area.total)


def _biff_sheet_name(body: bytes) -> str:
    try:
        ln, flags = body[6], body[7]
        raw = body[8:]
        return raw[: ln * 2].decode("utf-16-le", "replace") if flags & 1 else raw[:ln].decode("latin-1")
    except IndexError:
        return "?"

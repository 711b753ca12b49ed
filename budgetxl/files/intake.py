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
from dataclasses import dataclass, field

from ..errors import ReadError
from ..findings import Finding
from .intake_limits import LIMITS, Area as _Area, Limits, Refuse as _Refuse, human_size  # noqa: F401 (API)
from .intake_ods import scan_content
from .intake_repack import lean_sheet, repacked
from .intake_xls import Ole, scan_biff
from .intake_xlsx import SharedStrings, SheetScan, shared_strings_parts, shared_text, sheet_parts
from .intake_zip import DTD as _DTD, ZipParts as _ZipParts, xml_chunks as _xml_chunks

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
    # An xlsx's parts as intake inflated them, for the value reader (see intake_repack), when asked for.
    repacked: bytes | None = field(default=None, repr=False)


def inspect_file(path: str | os.PathLike[str], limits: Limits = LIMITS, repack: bool = False) -> FileKind:
    """Identify ``path`` by its bytes; raise ReadError (one clear sentence) for a file that is not a
    readable spreadsheet, or one whose reading would not stay within ``limits``. With ``repack``,
    an xlsx comes with the value reader's copy of it (``FileKind.repacked``) where one can be made."""
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
                return _inspect_zip(fh, size, limits, repack)
            if head.startswith(OLE_MAGIC):
                return _inspect_ole(fh, size, limits)
            raise _Refuse(*_sniff(head, size))
    except _Refuse as r:
        raise ReadError(r.key, path=p, **r.args_) from None
    except OSError as exc:
        raise ReadError("intake-damaged", path=p, detail=exc.strerror or type(exc).__name__) from None


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

def _inspect_zip(fh, size: int, limits: Limits, repack: bool = False) -> FileKind:
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
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise _Refuse("intake-bomb", detail=f"{info.filename[:60]}: {info.file_size // max(info.compress_size, 1)}:1")
        if info.file_size > limits.max_member_bytes:  # (an ordinary ratio: just too much content)
            raise _Refuse("intake-too-large", size=human_size(info.file_size), limit=human_size(limits.max_member_bytes))
        if info.header_offset + info.compress_size > size:
            raise _Refuse("intake-truncated")
        total += info.file_size
    if total > limits.max_total_bytes:
        raise _Refuse("intake-too-large", size=human_size(total), limit=human_size(limits.max_total_bytes))

    reader = _ZipParts(fh, size, names, limits, keep=repack and "[Content_Types].xml" in names)
    if "mimetype" in names and "[Content_Types].xml" not in names:
        return _inspect_odf(reader, names, limits)
    if "[Content_Types].xml" in names:
        return _inspect_ooxml(reader, names, limits)
    if any(n.startswith("xl/") for n in names):
        raise _Refuse("intake-damaged", detail="[Content_Types].xml missing")
    raise _Refuse("intake-archive")  # a zip of attachments (or of anything else)


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
    if "xl/workbook.xml" in names and b"purl.oclc.org/ooxml/spreadsheetml/main" in reader.read_xml("xl/workbook.xml"):
        raise _Refuse("intake-strict")  # ISO 29500 Strict: other namespaces, which the value reader does not know
    notes: list[Finding] = []
    has_vba = any(n.lower().endswith("vbaproject.bin") for n in names) or kind == "xlsm"
    if has_vba:
        kind = "xlsm"
        notes.append(Finding("macros", "warning"))

    worksheets = [p for p, t in overrides.items() if t.startswith(_CT_WORKSHEET) and p in names]
    if not worksheets:
        worksheets = [n for n in names if re.fullmatch(r"xl/(worksheets|macrosheets)/[^/]+\.xml", n)]
    area, scanned = _scan_sheets(reader, names, worksheets, limits)
    # Every other XML part the reader or openpyxl may parse: inflate-verify and refuse DTDs.
    for n in names:
        if n not in scanned and n not in reader.checked and n.lower().endswith((".xml", ".rels", ".vml")):
            for _ in _xml_chunks(reader, n):
                pass
    copy = repacked(reader.kept, names, reader.checked, reader.sheets) if reader.kept is not None else None
    if reader.lean and copy is None:  # (not foreseen: the reader reads the file, so bound the file)
        reader.lean = False
        area, scanned = _scan_sheets(reader, names, worksheets, limits)
    return FileKind(kind, notes, sheets=area.sheets, cells=area.total, repacked=copy)


def _scan_sheets(reader: _ZipParts, names: dict[str, zipfile.ZipInfo], worksheets: list[str],
                 limits: Limits) -> tuple[_Area, set[str]]:
    """Scan the sheets the value reader will read (and every part typed as a worksheet), each
    part once but counted as often as the workbook names it, then the shared strings: the text
    the reader copies into cells must stay within the limits too."""
    area = _Area(limits)
    lean = lean_sheet if reader.lean else None  # (what the value reader will read)
    sheets = reader.sheets = sheet_parts(reader.read_xml, names)
    sheets += [(p, p.rsplit("/", 1)[-1]) for p in worksheets if p not in {q for q, _ in sheets}]
    if sum(names[p].file_size for p, _ in sheets) > limits.max_total_bytes:
        raise _Refuse("intake-damaged", detail="one sheet part named by many sheets")
    scans: dict[str, SheetScan] = {}
    for part, name in sheets:
        if part not in scans:
            scans[part] = scan = SheetScan(name, area)
            for piece in _xml_chunks(reader, part, lean):
                scan.feed(piece)
        area.sheet(name, scans[part].max_row, scans[part].max_col)
    shared_cells = sum(scans[p].shared for p, _ in sheets)
    longest = 0
    for part in shared_strings_parts(names):
        strings = SharedStrings(part, names[part].file_size)
        for piece in _xml_chunks(reader, part):
            strings.feed(piece)
        strings.finish()
        longest = max(longest, strings.longest)
    text = shared_cells * longest
    if text > limits.max_text_bytes:  # the quick bound is not enough: count string by string
        sst = max(shared_strings_parts(names), key=lambda n: names[n].file_size)
        data = b"".join(_xml_chunks(reader, sst))
        text = shared_text(data, (piece for p, _ in sheets for piece in _xml_chunks(reader, p, lean)), longest)
    area.add_text(text)
    return area, set(scans) | set(shared_strings_parts(names))


_ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"


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
    merges = scan_content(_xml_chunks(reader, "content.xml"), area, limits)
    for n in names:
        if n != "content.xml" and n.lower().endswith((".xml", ".rdf")):
            for _ in _xml_chunks(reader, n):
                pass
    return FileKind("ods", notes, sheets=area.sheets, cells=area.total, merges=merges)


# ---- OLE2 compound files: xls, WPS .et, password-protected OOXML -------------------------------

_Ole = Ole  # (the name tests/corpus/build.py uses)


def _inspect_ole(fh, size: int, limits: Limits) -> FileKind:
    try:
        ole = Ole(fh, size, limits)
    except struct.error:
        raise _Refuse("intake-damaged", detail="bad compound-file structure") from None
    names = ole.names()
    if "EncryptedPackage" in names or "EncryptionInfo" in names:
        raise _Refuse("intake-encrypted")
    entries = {n for n, _, _, _ in ole.dir_entries}
    for stream in ("Workbook", "Book", "WORKBOOK", "BOOK"):  # (the value reader's order)
        if stream in entries:
            try:
                area = scan_biff(ole.stream(stream), limits)
            except struct.error:
                raise _Refuse("intake-damaged", detail="bad record") from None
            kind = FileKind("xls", [], sheets=area.sheets, cells=area.total)
            if "_VBA_PROJECT_CUR" in names:  # an .xls with macros: read for values, never run
                kind.notes.append(Finding("macros", "warning"))
            return kind
    if names & {"WordDocument", "PowerPoint Document", "VisioDocument"}:
        raise _Refuse("intake-document")
    raise _Refuse("intake-unknown")

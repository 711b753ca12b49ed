"""Read a published document into lines and table rows: plain text (UTF-8 or GBK) or a PDF's text
layer (pdfplumber; ruled tables come out cell by cell). No OCR.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

from .text import BREAK, Line, Row, Source

MAX_BYTES = 64 * 1024 * 1024
MAX_PAGES = 2000


class SourceError(Exception):
    """A source that cannot be read as a document: message key and arguments (see messages.py)."""

    def __init__(self, key: str, **args: Any):
        super().__init__(key)
        self.key = key
        self.args_ = args


def read_source(path: str | os.PathLike[str]) -> Source:
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise SourceError("src-too-large", size=f"{size / 1048576:.0f} MB", limit=f"{MAX_BYTES // 1048576} MB")
        data = p.read_bytes()
    except FileNotFoundError:
        raise SourceError("src-not-found") from None
    except IsADirectoryError:
        raise SourceError("src-is-dir") from None
    except OSError as exc:
        raise SourceError("src-io", detail=exc.strerror or str(exc)) from None
    if not data.strip():
        raise SourceError("src-empty")
    if data.lstrip()[:5] == b"%PDF-":
        return read_pdf(p)
    kind = _binary_kind(data)
    if kind:
        raise SourceError("src-binary", kind=kind)
    text, encoding = decode_text(data)
    src = text_source(text)
    src.encoding = encoding
    return src


_MAGIC = [
    (b"PK\x03\x04", "zip/xlsx/docx"), (b"\xd0\xcf\x11\xe0", "xls/doc"), (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"),
    (b"{\\rtf", "RTF"),
]


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    head = data[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    return None


def decode_text(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GBK (as GB18030, its superset)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError:
        raise SourceError("src-encoding") from None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def text_source(text: str) -> Source:
    """Lines of a plain text; a form feed starts a new page; blank lines are counted, not kept."""
    src = Source(kind="text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = len(_CONTROL.findall(text[:20000]))
    if bad > 50:
        raise SourceError("src-binary", kind="binary")
    page, gap = 0, 0
    for raw in text.split("\n"):
        parts = raw.split("\f")
        for k, part in enumerate(parts):
            if k:
                page += 1
            line = _CONTROL.sub("", part).strip()
            if not line:
                gap += 1
                continue
            src.items.append(Line(line, page=page, gap_before=gap))
            src.chars += len(line)
            gap = 0
    src.pages = page + 1
    return src


# ---- PDF -------------------------------------------------------------------------------------------

def read_pdf(path: Path) -> Source:
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFPasswordIncorrect
    except ImportError:  # pragma: no cover - a dependency of the package
        raise SourceError("src-no-pdf-support") from None
    src = Source(kind="pdf")
    try:
        with pdfplumber.open(path) as pdf:
            src.pages = len(pdf.pages)
            if src.pages > MAX_PAGES:
                raise SourceError("src-too-many-pages", pages=src.pages, limit=MAX_PAGES)
            for number, page in enumerate(pdf.pages):
                _read_page(page, number, src)
                page.flush_cache()
    except SourceError:
        raise
    except PDFPasswordIncorrect:
        raise SourceError("src-pdf-encrypted") from None
    except Exception as exc:  # pdfminer raises many kinds on damaged files; one line for all
        raise SourceError("src-pdf-damaged", detail=type(exc).__name__) from None
    return src


def _read_page(page: Any, number: int, src: Source) -> None:
    src.images += len(page.images)
    src.chars += sum(1 for c in page.chars if not c["text"].isspace())
    tables = [t for t in page.find_tables() if _is_grid(t)]
    src.tables += len(tables)
    boxes = [t.bbox for t in tables]
    placed: list[tuple[float, Line | Row]] = []
    outside = page.filter(lambda o: o.get("object_type") != "char" or not _inside_any(o, boxes))
    text_lines = [tl for tl in outside.extract_text_lines(return_chars=True, strip=True) if tl["text"].strip()]
    # the line pitch: the smallest step between two lines of text (not two lines of one glyph row)
    steps = [b["top"] - a["top"] for a, b in zip(text_lines, text_lines[1:])
             if b["top"] - a["top"] > 0.8 * max(c["size"] for c in a["chars"])]
    pitch = min(steps) if steps else 0.0
    for k, tl in enumerate(text_lines):
        # blank lines before it, as a text would have them (two or more: a page number may follow)
        gap = round((tl["top"] - text_lines[k - 1]["top"]) / pitch) - 1 if k and pitch else 0
        placed.append((tl["top"], Line(_spaced(tl["chars"]).strip(), page=number, gap_before=max(gap, 0))))
    for t in tables:
        placed += [(top, Row(cells, page=number)) for top, cells in _table_rows(page, t, number)]
    placed.sort(key=lambda x: x[0])
    src.items.extend(item for _, item in placed)


def _is_grid(table: Any) -> bool:
    rows = table.rows
    return len(rows) >= 1 and max((len(r.cells) for r in rows), default=0) >= 2


def _inside_any(obj: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


Box = tuple[float, float, float, float]
Chars = list[dict[str, Any]]


def _table_rows(page: Any, table: Any, number: int) -> list[tuple[float, list[Line | None]]]:
    """The rows of a ruled table, each cell's text read from the characters inside it.

    Text taller than its cell (a spreadsheet prints it vertically centred and lets it run over
    the borders) puts a line across a border: it goes to whichever of the two cells it makes
    better centred."""
    boxes: list[list[Box | None]] = [list(r.cells) for r in table.rows]
    lines: dict[tuple[int, int], list[Chars]] = {}
    cells = [(r, c, b) for r, row in enumerate(boxes) for c, b in enumerate(row) if b is not None]
    for ch in page.chars:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        for r, c, (x0, top, x1, bottom) in cells:
            if x0 <= cx <= x1 and top <= cy <= bottom:
                lines.setdefault((r, c), []).append(ch)
                break
    grouped = {key: _group_lines(chars) for key, chars in lines.items()}
    _settle_overflow(grouped, boxes)
    out = []
    for r, row in enumerate(boxes):
        texts = [None if b is None else _cell_line(grouped.get((r, c), []), b, number) for c, b in enumerate(row)]
        if any(t is not None and t.text for t in texts):
            out.append((table.rows[r].bbox[1], texts))
    return out


def _settle_overflow(grouped: dict[tuple[int, int], list[Chars]], boxes: list[list[Box | None]]) -> None:
    moves = []  # (line, from cell, to cell)
    for (r, c), lines in grouped.items():
        box = boxes[r][c]
        for line in lines:
            top, bottom = min(ch["top"] for ch in line), max(ch["bottom"] for ch in line)
            cx = (line[0]["x0"] + line[-1]["x1"]) / 2
            if top < box[1] - 1 and r > 0:
                other = _cell_at(boxes, r - 1, cx)
            elif bottom > box[3] + 1 and r + 1 < len(boxes):
                other = _cell_at(boxes, r + 1, cx)
            else:
                continue
            if other is not None:
                moves.append((line, (r, c), other))
    if not moves or len(moves) > 10:
        return
    best, best_cost = None, math.inf
    for choice in range(1 << len(moves)):
        trial = {k: list(v) for k, v in grouped.items()}
        for bit, (line, src, dst) in enumerate(moves):
            if choice >> bit & 1:
                trial[src].remove(line)
                trial.setdefault(dst, []).append(line)
        touched = {m[1] for m in moves} | {m[2] for m in moves}
        cost = sum(_off_centre(trial.get(k, []), boxes[k[0]][k[1]]) for k in touched)
        if cost < best_cost - 1e-6:
            best, best_cost = trial, cost
    if best is not None:
        grouped.clear()
        grouped.update({k: sorted(v, key=lambda ln: ln[0]["top"]) for k, v in best.items()})


def _cell_at(boxes: list[list[Box | None]], r: int, x: float) -> tuple[int, int] | None:
    for c, b in enumerate(boxes[r]):
        if b is not None and b[0] <= x <= b[2]:
            return r, c
    return None


def _off_centre(lines: list[Chars], box: Box | None) -> float:
    if not lines or box is None:
        return 0.0
    top = min(ch["top"] for ln in lines for ch in ln)
    bottom = max(ch["bottom"] for ln in lines for ch in ln)
    return abs((top + bottom) / 2 - (box[1] + box[3]) / 2)


def _cell_line(lines: list[Chars], box: Box, number: int) -> Line:
    """One cell's text; a line that reaches the cell's right edge was wrapped and is joined to the
    next without a break, a shorter one ends a paragraph (BREAK)."""
    out = ""
    for k, line in enumerate(lines):
        if k:
            prev = lines[k - 1]
            size = max(c["size"] for c in prev)
            full = box[2] - max(c["x1"] for c in prev) < 2.2 * size
            out += "" if full else BREAK
        out += _spaced(line).strip()
    return Line(out, page=number, cell=True, x0=box[0], x1=box[2])


def _group_lines(chars: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    lines: list[list[dict[str, Any]]] = []
    for c in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        mid = (c["top"] + c["bottom"]) / 2
        for line in lines:
            ref = line[0]
            if ref["top"] - 0.5 <= mid <= ref["bottom"] + 0.5:
                line.append(c)
                break
        else:
            lines.append([c])
    for line in lines:
        line.sort(key=lambda c: c["x0"])
    lines.sort(key=lambda ln: ln[0]["top"])
    return lines


def _spaced(chars: list[dict[str, Any]]) -> str:
    """Characters of one line with spaces where the PDF has gaps: one space for a word gap, two
    for a column gap (the parser reads two spaces as a certain cell boundary)."""
    out: list[str] = []
    prev = None
    for c in sorted(chars, key=lambda c: c["x0"]):
        if prev is not None:
            gap = c["x0"] - prev["x1"]
            size = max(prev["size"], c["size"], 1.0)
            if gap > 1.2 * size:
                out.append("  ")
            elif gap > 0.18 * size and not c["text"].isspace() and not prev["text"].isspace():
                out.append(" ")
        out.append(c["text"])
        prev = c
    return "".join(out)

"""Finding things in a document: project tables (by their titles), labels, the indicator header.

The document is a list of lines (a ruled table's cells are lines too, marked with their row and
column). A region is a run of those lines searched as one text, so that a label or a title broken
across lines is still found, and a slice of it gives back lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .layout import Column, Layout, LabelledField
from .text import BREAK, Line, Row, canon, join_inline


def flatten(items: list[Line | Row]) -> list[Line]:
    """Lines, with every non-empty cell of a table row as a line of its own (row and column kept)."""
    out: list[Line] = []
    for ri, it in enumerate(items):
        if isinstance(it, Line):
            out.append(it)
            continue
        for ci, cell in enumerate(it.cells):
            if cell is not None and cell.text.strip():
                out.append(replace(cell, row=ri, col=ci))
    return out


class Region:
    def __init__(self, lines: list[Line]):
        self.lines = lines
        self.starts: list[int] = []
        pos = 0
        for ln in lines:
            self.starts.append(pos)
            pos += len(ln.text) + 1
        self.text = "\n".join(ln.text for ln in lines)

    def slice(self, a: int, b: int) -> list[Line]:
        """The lines (cut where a or b fall inside one) covering text[a:b]."""
        out: list[Line] = []
        for ln, start in zip(self.lines, self.starts):
            end = start + len(ln.text)
            lo, hi = max(a, start), min(b, end)
            if lo < hi or (lo == hi == start and not ln.text):
                piece = ln.text[lo - start:hi - start]
                if piece.strip(BREAK + " \t"):
                    full = ln.full if hi == end else True
                    out.append(replace(ln, text=piece.strip(" \t"), full=full))
        return out

    def line_at(self, pos: int) -> int:
        k = 0
        while k + 1 < len(self.starts) and self.starts[k + 1] <= pos:
            k += 1
        return k


# ---- project tables ----------------------------------------------------------------------------------

@dataclass
class Block:
    start: int  # first line (the title, or the anchor label when there is no title)
    body: int  # first line after the title
    end: int
    title: str | None = None


def find_blocks(flat: list[Line], layout: Layout) -> list[Block]:
    """Project tables: a title followed closely by the anchor label; without titles, each anchor."""
    titles = [re.compile(p) for p in layout.project.title]
    anchor = re.compile(label_body(layout.project.anchor))
    starts: list[tuple[int, int, str | None]] = []
    k = 0
    while k < len(flat):
        hit = _title_at(flat, k, titles, anchor, layout.project.anchor_within)
        if hit:
            starts.append((k, k + hit[0], hit[1]))
            k += hit[0]
        else:
            k += 1
    if not starts:
        starts = [(k, k, None) for k, ln in enumerate(flat)
                  if anchor.match(canon(ln.text)) and (k == 0 or not anchor.match(canon(flat[k - 1].text)))]
    ends = [s for s, _, _ in starts[1:]] + [len(flat)]
    return [Block(s, b, e, name) for (s, b, name), e in zip(starts, ends)]


def _title_at(flat: list[Line], k: int, titles: list[re.Pattern[str]], anchor: re.Pattern[str],
              within: int) -> tuple[int, str | None] | None:
    for span in (1, 2, 3):
        if k + span > len(flat):
            return None
        m = _title_match(flat[k:k + span], titles)
        if m is None:
            continue
        if span > 1 and _title_match(flat[k + 1:k + span], titles):
            return None  # the title starts on the next line (this one ends the table above)
        after = "\n".join(canon(ln.text) for ln in flat[k + span:k + span + within])
        if anchor.search(after):
            return span, m.groupdict().get("name")
    return None


def _title_match(lines: list[Line], titles: list[re.Pattern[str]]) -> re.Match[str] | None:
    joined = join_inline([ln.text for ln in lines])
    for t in titles:
        m = t.search(joined)
        if m:
            return m
    return None


def label_body(label: str) -> str:
    """A label (canonical, spaces allowed between its characters), never the end of a longer one
    (项目编码 is not found in 上年项目编码)."""
    return r"(?<![\u3400-\u9fff])" + r"\s*".join(re.escape(c) for c in canon(label))


# ---- labelled fields ----------------------------------------------------------------------------------

@dataclass
class Found:
    spec: LabelledField
    start: int
    end: int


def find_fields(region: Region, specs: list[LabelledField]) -> list[tuple[LabelledField, list[Line]]]:
    """Each label's first occurrence, and the lines from its end to the next label found."""
    found: list[Found] = []
    for spec in specs:
        hits = [m for rx in spec.regexes if (m := rx.search(region.text))]
        if hits:
            m = min(hits, key=lambda m: m.start())
            start = m.start()
            if spec.kind == "section":  # a heading: the whole line it is on starts the section
                start = region.text.rfind("\n", 0, start) + 1
            found.append(Found(spec, start, m.end()))
    found.sort(key=lambda f: f.start)
    kept: list[Found] = []
    for f in found:
        if kept and f.start < kept[-1].end:
            continue
        kept.append(f)
    out = []
    for k, f in enumerate(kept):
        stop = kept[k + 1].start if k + 1 < len(kept) else len(region.text)
        lines = [ln for ln in region.slice(f.end, stop) if not _is_label(ln.text, specs)]
        out.append((f.spec, lines))
    return out


def _is_label(text: str, specs: list[LabelledField]) -> bool:
    """A label printed again (a merged label cell printed on both pages it spans) is not content."""
    t = text.strip()
    return any((m := rx.match(t)) and m.end() == len(t) for spec in specs for rx in spec.regexes)


# ---- the indicator table's header -------------------------------------------------------------------

def header_regex(columns: list[Column]) -> re.Pattern[str]:
    parts = []
    for col in columns:
        alts = "|".join(r"\s*".join(_char(c) for c in label if not c.isspace()) for label in col.label)
        parts.append(f"(?:(?:{alts})\\s*)" + ("?" if col.optional else ""))
    return re.compile(r"(?<![^\s])" + "".join(parts))


def _char(c: str) -> str:
    import unicodedata

    alts = {c, unicodedata.normalize("NFKC", c)}
    return "[" + "".join(re.escape(a) for a in sorted(alts)) + "]" if len(alts) > 1 else re.escape(c)


def match_header_row(row: Row, columns: list[Column]) -> dict[int, str] | None:
    """Column index -> field when a ruled table's row is the indicator header."""
    mapping: dict[int, str] = {}
    for ci, cell in enumerate(row.cells):
        if cell is None or not cell.text.strip():
            continue
        text = canon(cell.text.replace(BREAK, ""))
        for col in columns:
            if col.field not in mapping.values() and any(canon(lbl) == text for lbl in col.label):
                mapping[ci] = col.field
                break
    fields = set(mapping.values())
    required = {c.field for c in columns if not c.optional}
    if "name" in fields and fields & {"value", "number"} and len(fields & required) >= 0.6 * len(required):
        return mapping
    return None

"""Text primitives for published documents: lines, widths, labels that wrap, artefact spaces.

Text taken from a PDF has spaces where the PDF had gaps (``≤40 人``, ``2024 年``), a cell's text
broken into lines at the cell's width, and labels broken the same way (``其中：财政`` / ``资金``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache


@dataclass
class Line:
    """One line of text as extracted.

    ``full``: the line reaches the right edge of its column (so it was wrapped, and the next line
    continues the same paragraph); None when unknown (plain text: judged from widths later).
    ``cell``: the text of one whole table cell (from a ruled PDF table); its ``\\n`` are real breaks.
    """

    text: str
    page: int = 0
    full: bool | None = None
    cell: bool = False
    gap_before: int = 0  # blank lines before it (plain text), a hint for page breaks
    row: int = -1  # a cell: the index of its Row among the source's items, and its column
    col: int = -1
    x0: float = 0.0  # a cell: its left and right edges on the page
    x1: float = 0.0


@dataclass
class Row:
    """One row of a ruled table: its cells, None where a merged cell continues."""

    cells: list[Line | None]
    page: int = 0
    header_hint: bool = False

    def texts(self) -> list[str]:
        return [c.text if c is not None else "" for c in self.cells]


@dataclass
class Source:
    """A document as extracted: lines and table rows in reading order."""

    items: list[Line | Row] = field(default_factory=list)
    kind: str = "text"  # text | pdf
    pages: int = 0
    chars: int = 0
    images: int = 0
    tables: int = 0
    encoding: str | None = None


BREAK = "\u2028"  # a line break inside one cell's text (the cell's own paragraphs)


def char_width(c: str) -> float:
    if c.isspace():
        return 0.5
    return 1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.5


@lru_cache(maxsize=1 << 16)
def width(s: str) -> float:
    """Printed width in Chinese characters (a Latin letter or digit counts half)."""
    return sum(char_width(c) for c in s.strip())


def _ascii_word(c: str) -> bool:
    return c.isascii() and c.isalnum()


_SPACES = re.compile(r"\s+")


def squeeze(s: str) -> str:
    """Artefact spaces removed: whitespace goes, except one space between two ASCII words."""
    s = s.strip()

    def keep(m: re.Match[str]) -> str:
        a = s[m.start() - 1] if m.start() else ""
        b = s[m.end()] if m.end() < len(s) else ""
        return " " if a and b and _ascii_word(a) and _ascii_word(b) and (a.isalpha() or b.isalpha()) else ""

    return _SPACES.sub(keep, s)


def join_inline(parts: list[str]) -> str:
    """Wrapped pieces of one value joined into one line."""
    out = ""
    for p in parts:
        p = squeeze(p)
        if not p:
            continue
        if out and _ascii_word(out[-1]) and _ascii_word(p[0]) and out[-1].isalpha() and p[0].isalpha():
            out += " "
        out += p
    return out


def no_space(s: str) -> str:
    return _SPACES.sub("", s)


def canon(s: str) -> str:
    """For comparing labels and vocabulary: no whitespace, compatibility forms (（ -> (, ： -> :)."""
    return unicodedata.normalize("NFKC", no_space(s))


_ENUM = r"(?:[一二三四五六七八九十]{1,3}\s*[、.．]\s*|[(（]\s*[一二三四五六七八九十]{1,3}\s*[)）]\s*)?"


def _char_class(c: str) -> str:
    alts = {c, unicodedata.normalize("NFKC", c)}
    if c in "%％":
        alts |= {"%", "％"}
    return "[" + "".join(re.escape(a) for a in sorted(alts)) + "]" if len(alts) > 1 else re.escape(c)


def label_regex(label: str) -> re.Pattern[str]:
    """A label as printed: at a line start or after a space, perhaps numbered (一、), perhaps
    broken across lines anywhere, perhaps followed by a colon; never glued to the text before."""
    chars = [c for c in label if not c.isspace()]
    body = r"\s*".join(_char_class(c) for c in chars)
    return re.compile(rf"(?<![^\s]){_ENUM}{body}(?:\s*[:：]|(?=[\s(（]|$))")

"""Page furniture: page numbers, running headers and footers, wherever the text extraction left them
(often in the middle of a table)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from .text import Line, Row, canon

PAGE_NUMBER = re.compile(
    r"^(?:第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|[-－—–]\s*\d+\s*[-－—–]|\d+\s*/\s*\d+|"
    r"(?:page|Page|PAGE)\s*\d+(?:\s*of\s*\d+)?|共\s*\d+\s*页\s*第\s*\d+\s*页)$"
)
# A footer printed on one line with its page number (表样：预算绩效目标表（2024112801版）　第 2 页，共 28 页)
FOOTER_WITH_PAGE = re.compile(r"\S.*第\s*\d+\s*页\s*[,，]\s*共\s*\d+\s*页$")
BARE_NUMBER = re.compile(r"^\d{1,4}$")
_DIGITS = re.compile(r"\d+")


def _shape(text: str) -> str:
    return _DIGITS.sub("#", canon(text))


def remove_furniture(items: list[Line | Row], protection: Callable[[str], int],
                     extra: list[re.Pattern[str]] | None = None,
                     starts_table: Callable[[int], bool] = lambda k: False) -> tuple[list[Line | Row], list[str]]:
    """Items without page furniture, and the furniture removed (for the report).

    A page number is a line in one of the usual forms; a bare number only where a page ends (a
    page edge in a PDF, a form feed, or two blank lines in a text). A running header or footer is a
    line that repeats at page edges. ``protection`` says what a line may be: 2 never furniture (a
    label, a unit line, an indicator level), 1 furniture only when repeated at the top of the next
    page (a title printed again over a continued table), 0 anything. ``starts_table(k)``: the line
    is followed by a new project table (a title repeated on the next page for the next project).
    """
    protected = lambda text: protection(text) > 0  # noqa: E731
    lines = [(k, it) for k, it in enumerate(items) if isinstance(it, Line)]
    drop: set[int] = set()
    edges = _page_edges(items)
    spelled = {pos for pos, (_, ln) in enumerate(lines)
               if PAGE_NUMBER.match(ln.text.strip()) or FOOTER_WITH_PAGE.match(ln.text.strip())}
    for pos, (k, ln) in enumerate(lines):
        text = ln.text.strip()
        if protected(text):
            continue
        if pos in spelled or any(p.search(text) for p in extra or []):
            drop.add(k)
        elif BARE_NUMBER.match(text) and not spelled & set(range(pos - 3, pos + 4)):
            # a bare number is a page number only where a page ends, and only if the page has no
            # page number spelled out next to it (then it is a table's last cell: a weight column)
            nxt = lines[pos + 1][1] if pos + 1 < len(lines) else None
            if k in edges or ln.gap_before >= 2 or (nxt is not None and nxt.gap_before >= 2) or nxt is None:
                drop.add(k)
    drop |= _running(items, lines, edges, drop, protected)
    drop |= {k for k in _repeated_on_next_page(items, edges, lambda text: protection(text) > 1)
             if not starts_table(k)}
    removed = [items[k].text for k in sorted(drop)]  # type: ignore[union-attr]
    return [it for k, it in enumerate(items) if k not in drop], removed


def _page_edges(items: list[Line | Row]) -> dict[int, str]:
    """Lines among the first two ("top") or last two ("bottom") items of their page."""
    by_page: dict[int, list[int]] = {}
    for k, it in enumerate(items):
        by_page.setdefault(it.page, []).append(k)
    if len(by_page) < 2:
        return {}
    out: dict[int, str] = {}
    for ks in by_page.values():
        out.update((k, "bottom") for k in ks[-2:] if isinstance(items[k], Line))
        out.update((k, "top") for k in ks[:2] if isinstance(items[k], Line))
    return out


def _running(items: list[Line | Row], lines: list[tuple[int, Line]], edges: dict[int, str], numbers: set[int],
             protected: Callable[[str], bool]) -> set[int]:
    """Repeated header/footer lines: at the same edge of at least half the pages of a paged source,
    or next to the page numbers of a text that has no page breaks."""
    if edges:
        pages = len({it.page for it in items})
        where = {k: (edge, _shape(items[k].text)) for k, edge in edges.items() if k not in numbers}  # type: ignore[union-attr]
        need = max(2, (pages + 1) // 2)
    else:
        # only the line just before or after a page number; long enough not to be a piece of a
        # table cell (those repeat too: 工作计划和 / 安排)
        index = {k: pos for pos, (k, _) in enumerate(lines)}
        where = {}
        for k in numbers:
            pos = index[k]
            for p in (pos - 1, pos + 1):
                if 0 <= p < len(lines) and lines[p][0] not in numbers and len(_shape(lines[p][1].text)) >= 6:
                    where[lines[p][0]] = ("near", _shape(lines[p][1].text))
        need = 2
    counts = Counter(where.values())
    return {k for k, key in where.items() if counts[key] >= need and len(key[1]) >= 4
            and not protected(items[k].text)}  # type: ignore[union-attr]


def _repeated_on_next_page(items: list[Line | Row], edges: dict[int, str], protected: Callable[[str], bool]) -> set[int]:
    """A line at the top of a page that was also at the top of the page before: a title or header
    printed again over a table that goes on (the first one stays)."""
    tops: dict[int, dict[str, int]] = {}
    for k, edge in edges.items():
        if edge == "top":
            tops.setdefault(items[k].page, {})[canon(items[k].text)] = k  # type: ignore[union-attr]
    out: set[int] = set()
    for page, lines in tops.items():
        before = tops.get(page - 1, {})
        out.update(k for text, k in lines.items() if text in before and not protected(items[k].text))  # type: ignore[union-attr]
    return out

"""The value of one labelled field, from the lines between its label and the next one."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .text import BREAK, Line, join_inline, no_space, squeeze, width

FULL_SHARE = 0.85  # a plain-text line at least this share of its field's widest line was wrapped


class Unreadable(Exception):
    """The field's text is there but does not read as its kind; the text goes to the report."""


def texts(lines: list[Line]) -> list[str]:
    return [ln.text for ln in lines if ln.text.strip()]


def inline(lines: list[Line]) -> str | None:
    parts = [p for ln in lines for p in ln.text.split(BREAK)]
    return join_inline(parts) or None


def code(lines: list[Line]) -> str | None:
    return no_space("".join(texts(lines))).replace(BREAK, "") or None


def paragraphs(lines: list[Line], ref: float) -> str | None:
    """Lines joined into text: a wrapped line continues, a short one ends its paragraph (\\n).
    A cell's own breaks are kept; a cell always ends a paragraph."""
    out: list[str] = []
    current: list[str] = []

    def close() -> None:
        if current:
            out.append(join_inline(current))
            current.clear()

    for ln in lines:
        if ln.cell:
            close()
            out.extend(join_inline([p]) for p in ln.text.split(BREAK))
            continue
        current.append(ln.text)
        full = ln.full if ln.full is not None else width(ln.text) >= FULL_SHARE * ref
        if not full:
            close()
    close()
    text = "\n".join(p for p in out if p)
    return text or None


_ITEM = re.compile(r"^\s*(?:(?P<a>\d{1,2})\s*[.．、](?!\d)|[(（]\s*(?P<b>\d{1,2})\s*[)）])\s*")
_BARE = re.compile(r"^\s*(\d{1,2})\s*$")


def items(lines: list[Line], ref: float) -> list[str]:
    """A numbered list (1. / 1、 / （1） at a line start, or a number in a cell of its own); the
    numbers must run on (2 after 1) so that a wrapped line starting with a number stays put.
    Unnumbered text before the first number is an item too."""
    groups: list[list[Line]] = [[]]
    expected: int | None = None
    for ln in _paragraph_lines(lines):
        bare = _BARE.match(ln.text) if ln.cell else None
        m = bare or _ITEM.match(ln.text)
        number = int(m.group(1) if bare else (m["a"] or m["b"])) if m else None
        if number is not None and (expected is None or number == expected):
            expected = number + 1
            groups.append([])
            rest = ln.text[m.end():]
            if rest.strip():  # (how full the line is counts the number too)
                full = ln.full if ln.full is not None or ln.cell else width(ln.text) >= FULL_SHARE * ref
                groups[-1].append(Line(rest, ln.page, full, ln.cell))
            continue
        groups[-1].append(ln)
    return [t for g in groups if g and (t := paragraphs(g, ref))]


def _paragraph_lines(lines: list[Line]) -> list[Line]:
    """A cell's own paragraphs as lines of their own (a numbered list typed into one cell)."""
    out: list[Line] = []
    for ln in lines:
        if ln.cell and BREAK in ln.text:
            out += [Line(p, ln.page, False, True) for p in ln.text.split(BREAK) if p.strip()]
        else:
            out.append(ln)
    return out


_UNIT = re.compile(r"^(?P<name>.+?)\s*(?:[（(]\s*(?P<code>\d{6})\s*[)）])?\s*(?:单位[：:]\s*(?:万元|元))?$")


def unit(lines: list[Line]) -> dict[str, str] | None:
    """单位名称（单位编码） as printed after a label such as 实施单位."""
    text = " ".join(t.replace(BREAK, " ") for t in texts(lines)).strip()
    m = _UNIT.match(text)
    if not m or not m["name"].strip():
        return None
    found = {"name": no_space(m["name"])}
    if m["code"]:
        found["code"] = m["code"]
    return found


_AMOUNT = re.compile(
    r"^\s*(?P<num>[+-]?(?:\d{1,3}(?:[,，]\d{3})+|\d+)(?:\.\d+)?)\s*(?P<unit>万元|万|元)?(?=\s|$|[，,；;。])"
)


def amount(lines: list[Line], doc_unit: str) -> tuple[Decimal | None, str]:
    """An amount in 万元 (converted from 元 when the figure or the document says 元), and the text
    after it (for a field that shares the cell, such as 资金用途 after 其他资金)."""
    text = "\n".join(ln.text.replace(BREAK, "\n") for ln in lines).strip()
    m = _AMOUNT.match(text)
    if not m:
        return None, text
    try:
        value = Decimal(m["num"].replace(",", "").replace("，", ""))
    except InvalidOperation:
        return None, text
    unit = m["unit"] or doc_unit
    if unit == "元":
        value = value / Decimal(10000)
    return value, text[m.end():].strip()


_MONTH = re.compile(r"(\d{1,2})\s*月\s*(?:份\s*)?(?:底|末)?")
_PERCENT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*[%％]?")


def spending_plan(lines: list[Line]) -> list[dict[str, Any]]:
    """Month-end labels (3月底 …) and the cumulative percentages under them, in order."""
    text = " ".join(ln.text.replace(BREAK, " ") for ln in lines)
    months = [int(m.group(1)) for m in _MONTH.finditer(text)]
    values = [Decimal(v) for v in _PERCENT.findall(_MONTH.sub(" ", text))]
    if not months and not values:
        return []
    if len(months) != len(values) or not all(1 <= m <= 12 for m in months) or len(set(months)) != len(months):
        raise Unreadable(squeeze(text))
    if values and max(values) <= 1 and values[-1] == 1:
        values = [v * 100 for v in values]  # written as fractions of 1
    return [{"month": m, "percent": v} for m, v in zip(months, values)]


def year(lines: list[Line]) -> int | None:
    m = re.search(r"(20\d{2})", "".join(texts(lines)))
    if not m:
        raise Unreadable(inline(lines) or "")
    return int(m.group(1))


def template_ref(lines: list[Line]) -> dict[str, str] | None:
    m = re.search(r"([\w.-]+)@(\d{10})", no_space("".join(texts(lines))))
    if not m:
        raise Unreadable(inline(lines) or "")
    return {"id": m.group(1), "version": m.group(2)}

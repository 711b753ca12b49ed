"""Live checks: formulas inside the generated workbook that show a clerk's mistakes while typing.

Each :class:`LiveCheck` is one condition written twice, as an Excel formula and in Python (for
the cached value, so the file reads right before any recalculation), and is keyed by the
(rule, variant) it stands for; its text in the check column comes from the catalogue
(``live.<rule>[.<variant>]``). Providers are registered per rule with :func:`live`, for the
project sheet's fields (``sheet``) or for one row of the indicator table (``row``), and declare
the variants they raise; field kinds bring their own checks (an amount: number, not negative, not
too many decimals) through the rule they belong to.

A project sheet gets a check column beside the form: each check cell lists the problems of its
row as ``C4 预算数≠财政资金+其他资金；`` (the address follows the cell when rows are inserted), and
the offending cell turns red. The summary sheet counts the problems per project.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from decimal import Decimal, InvalidOperation
from typing import Any

from ..messages import MESSAGES, RULES, live_key, message, pick

SEP = "；"
Getter = Callable[[str], Any]

_NUM = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$")


# ---- Python side: Excel's coercions, as the formulas below use them --------------------------

def blank(v: Any) -> bool:
    return v is None or v == ""


def num(v: Any) -> Decimal | None:
    """What ``--X`` gives in Excel: numbers, and text that looks like a number; else an error."""
    if isinstance(v, bool) or v is None or v == "":
        return None
    if isinstance(v, (int, float, Decimal)):
        try:
            return Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
        except InvalidOperation:
            return None
    if isinstance(v, str) and _NUM.match(v):
        return Decimal(v.strip())
    return None


@dataclass(frozen=True)
class LiveCheck:
    target: str  # A1 of the cell the problem is about (also what validate names)
    rule: str
    variant: str
    excel: str  # the condition, A1 references
    py: Callable[[Getter], bool]
    label: str = ""  # the field's label, shown before the text (未填写)

    def text(self, lang: str) -> str:
        return f"{self.label}{_live_text(self.rule, self.variant, lang)}"


@lru_cache(maxsize=256)
def _live_text(rule: str, variant: str, lang: str) -> str:
    return message(live_key(rule, variant), lang)


@dataclass
class LiveSheet:
    """The project sheet's fields as the live checks see them: value cells by key."""

    template: Any
    fields: list[tuple[Any, str]]  # (field, A1 of its value cell), head fields
    checkpoints: list[tuple[int, str, str]] = field(default_factory=list)  # (month, A1, label)
    lists: list[tuple[Any, list[str]]] = field(default_factory=list)  # (list block, A1s of its text cells)

    def ref(self, key: str) -> str | None:
        return next((a for f, a in self.fields if f.key == key), None)


@dataclass
class LiveRow:
    """One row of the indicator table: cells by field key."""

    template: Any
    fields: list[tuple[Any, str]]

    def ref(self, key: str) -> str | None:
        return next((a for f, a in self.fields if f.key == key), None)


@dataclass(frozen=True)
class Provider:
    rule: str
    variants: tuple[str, ...]
    scope: str  # "sheet" | "row"
    fn: Callable[[Any], list[LiveCheck]]


PROVIDERS: list[Provider] = []


def live(rule: str, variants: tuple[str, ...] = ("",), scope: str = "sheet"):
    """Register ``fn(LiveSheet | LiveRow) -> [LiveCheck]`` as live checks of ``rule``."""
    text = RULES.get(rule)
    missing = [v for v in variants if text is None or v not in text.live]
    if missing:
        raise RuntimeError(f"no live text for {rule!r} variants {missing} in the catalogue")

    def register(fn: Callable[[Any], list[LiveCheck]]) -> Callable[[Any], list[LiveCheck]]:
        PROVIDERS.append(Provider(rule, tuple(variants), scope, fn))
        return fn

    return register


def live_rules() -> set[str]:
    return {p.rule for p in PROVIDERS}


def checks(scope: str, target: LiveSheet | LiveRow) -> list[LiveCheck]:
    out: list[LiveCheck] = []
    off = target.template.rules.severity
    for p in PROVIDERS:
        if p.scope != scope or off.get(p.rule) == "off":
            continue
        for c in p.fn(target):
            if c.rule != p.rule or c.variant not in p.variants:
                raise RuntimeError(f"live check of {p.rule!r} raised {c.rule}.{c.variant}, which it does not declare")
            out.append(c)
    return out


# ---- the check cells ----------------------------------------------------------------------

def check_formula(items: list[LiveCheck], used: str | None, lang: str) -> str:
    parts = "&".join(
        f'IF({c.excel},ADDRESS(ROW({c.target}),COLUMN({c.target}),4)&" {c.text(lang)}{SEP}","")' for c in items
    )
    return f'=IF({used},{parts},"")' if used else f"={parts}"


def check_value(items: list[LiveCheck], g: Getter, lang: str, used: bool = True) -> str:
    if not used:
        return ""
    return "".join(f"{c.target} {c.text(lang)}{SEP}" for c in items if c.py(g))


def count_formula(sheet_ref_range: str) -> str:
    """Problems in a check column: one separator per problem."""
    return f'=SUMPRODUCT(LEN({sheet_ref_range})-LEN(SUBSTITUTE({sheet_ref_range},"{SEP}","")))'


def parse_check_text(text: str, lang: str = "zh") -> list[tuple[str, str, str]]:
    """'C4 预算数未填写；F13 满意度…；' -> [(cell, rule, variant), …] (for tests and tools)."""
    texts = sorted(((pick(MESSAGES[live_key(r.id, v)], lang), (r.id, v))
                    for r in RULES.values() for v in r.live), key=lambda t: -len(t[0]))
    out = []
    for piece in filter(None, (text or "").split(SEP)):
        ref, _, msg = piece.strip().partition(" ")
        hit = next((key for t, key in texts if msg.endswith(t.strip())), None)
        if hit is None:
            raise ValueError(f"unknown live-check message: {piece!r}")
        out.append((ref, *hit))
    return out

"""Live checks: formulas inside the generated workbook that show a clerk's mistakes while typing.

Each :class:`LiveCheck` is one condition written twice, as an Excel formula and in Python (for
the cached value, so the file reads right before any recalculation), and is keyed by the
(rule, variant) it stands for; its text in the check column comes from the catalogue
(``live.<rule>[.<variant>]``). Providers are registered per rule with :func:`live` for a *scope*
and declare the variants they raise:

- ``sheet``: a project sheet's own cells (its fields, the spending plan, the project as a whole);
- ``unit``: the unit sheet's fields;
- ``row``: one row of the indicator table, ``item``: one row of a list block (goals, …);
- ``table``, ``list``: a whole block (coverage; at least one goal), over the block's range, which
  grows when the clerk inserts rows inside it;
- ``summary``: one row of the 汇总 sheet against the project sheet it shows.

Row and item checks are written once per sheet as defined names with references relative to the
row that uses them, so every row of a block, including one the clerk inserts, is checked without a
formula to copy (see :mod:`budgetxl.workbook.writer.live`). A rule or variant the workbook cannot
decide is declared with :func:`not_live` and a reason, which docs/rules.md prints.

Each check cell lists the problems of its rows as ``C4 预算数≠财政资金+其他资金；`` (the address
follows the cell when rows are inserted); a warning carries a mark (``（提醒）``); the offending cell
turns red. The summary sheet counts the problems per project, warnings apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from ..messages import MESSAGES, RULES, live_key, message, pick
from ..values import normalize_text

SEP = "；"
Getter = Callable[[str], Any]

_NUM = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$")
_ALIAS = re.compile(r"^BY[A-Z]_\w*?_([A-Z]{1,3})$")  # a name standing for a cell of a row: BYA_0_C (column C)


# ---- Python side: Excel's coercions, as the formulas use them ----------------------------------

def blank(v: Any) -> bool:
    return v is None or v == ""


def num(v: Any) -> Decimal | None:
    """What :func:`number_x` gives: numbers, and text that reads as one (full-width ７０, 1,200);
    else None (an error in Excel)."""
    if isinstance(v, bool) or v is None or v == "":
        return None
    if isinstance(v, (int, float, Decimal)):
        try:
            return Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
        except InvalidOperation:
            return None
    if isinstance(v, str):
        s = normalize_text(v).replace(",", "")
        return Decimal(s) if _NUM.match(s) else None
    return None


def number_x(ref: str) -> str:
    """A cell as a number the way the reader takes it (full-width digits too): an error if none."""
    return f"--ASC(TRIM({ref}))"


@dataclass(frozen=True)
class LiveCheck:
    target: str  # the cell the problem is about (also what validate names): A1, or a row-relative ref
    rule: str
    variant: str
    excel: str  # the condition
    py: Callable[[Getter], bool] | None = None  # the same condition in Python (None: never true when generated)
    label: str = ""  # the field's label, shown before the text (未填写)
    args: tuple[tuple[str, str], ...] = ()  # arguments of the live text ({level1})

    def text(self, lang: str, warning: bool = False) -> str:
        return f"{self.label}{_live_text(self.rule, self.variant, lang, self.args)}" + (warn_mark(lang) if warning else "")

    def holds(self, g: Getter) -> bool:
        return self.py is not None and bool(self.py(g))


@lru_cache(maxsize=512)
def _live_text(rule: str, variant: str, lang: str, args: tuple[tuple[str, str], ...]) -> str:
    return message(live_key(rule, variant), lang, **dict(args))


@lru_cache(maxsize=4)
def warn_mark(lang: str) -> str:
    """What marks a warning in a check cell (the summary counts warnings by it)."""
    return message("workbook.live-warning", lang)


# ---- what a provider sees -------------------------------------------------------------------------

def inline(key: str, expr: str) -> str:
    """A shared part written where it is used (the default of ``let``)."""
    return f"({expr})"


def same(ref: str) -> str:
    return ref


@dataclass
class LiveSheet:
    """A project sheet (scope ``sheet``) or the unit sheet (scope ``unit``): value cells by key."""

    template: Any
    fields: list[tuple[Any, str]]  # (field, A1 of its value cell)
    checkpoints: list[tuple[int, str, str]] = field(default_factory=list)  # (month, A1, label)
    issued: dict[str, str] = field(default_factory=dict)  # field key -> cell holding its issued value (_meta)
    added: bool = False  # a spare sheet for a project the unit adds
    unit_refs: dict[str, str] = field(default_factory=dict)  # unit field key -> its cell on the unit sheet
    earlier_codes: str | None = None  # the summary's code cells of the projects before this one
    earlier_values: tuple[str, ...] = ()  # their codes when generated (for the cached value)
    unit_values: dict[str, Any] = field(default_factory=dict)  # the unit fields' values when generated
    used: str | None = None  # Excel condition: the sheet is in use (None: always)
    let: Callable[[str, str], str] = inline  # names a part several checks share (see LiveRow)
    qualify: Callable[[str], str] = same  # a cell as a name's formula refers to it
    # a later stage's issued indicator table: (field, its cell, [(part field, cell, issued value's cell or None)])
    issued_rows: list[tuple[Any, str, list[tuple[Any, str, str | None]]]] = field(default_factory=list)

    def ref(self, key: str) -> str | None:
        return next((a for f, a in self.fields if f.key == key), None)


@dataclass
class LiveRow:
    """One row of the indicator table (scope ``row``): cells by field key; ``total`` is the
    project's 预算数 (an absolute reference). ``let(key, expr)`` names a part of a condition that
    several checks share, and returns what stands for it (a defined name, so that the row's
    conditions stay short; see workbook.writer.live)."""

    template: Any
    fields: list[tuple[Any, str]]
    total: str | None = None
    let: Callable[[str, str], str] = inline

    def ref(self, key: str) -> str | None:
        return next((a for f, a in self.fields if f.key == key), None)


@dataclass
class LiveItem:
    """One row of a list block (scope ``item``): its text cell."""

    template: Any
    block: Any
    ref: str


@dataclass
class LiveBlock:
    """A list or table block as a whole (scopes ``list`` and ``table``). ``columns`` are ranges
    from the block's first row to the row after it (so a row inserted anywhere inside, or just
    below it, is in them); ``inside`` is the Excel array of which rows of those ranges belong to
    the block; ``rows`` gives, for the cached value, each written row's cells by key."""

    template: Any
    block: Any
    anchor: str  # the cell a finding about the whole block names
    columns: dict[str, str]
    inside: str
    rows: list[dict[str, str]]
    used: str | None = None


@dataclass
class LiveSummaryRow:
    """One row of the 汇总 sheet: (field, summary cell, the project sheet's cell) per column; the
    indicator count against the sheet's 三级指标 column."""

    template: Any
    cells: list[tuple[Any, str, str]]
    count: tuple[str, str] | None = None  # (summary cell, the count of the sheet's named indicators)
    count_label: str = ""


@dataclass(frozen=True)
class Provider:
    rule: str
    variants: tuple[str, ...]
    scope: str
    fn: Callable[[Any], list[LiveCheck]]


SCOPES = ("sheet", "unit", "row", "item", "table", "list", "summary")
PROVIDERS: list[Provider] = []
NOT_LIVE: dict[tuple[str, str], tuple[str, str]] = {}  # (rule, variant) -> why not (zh, en)


def live(rule: str, variants: tuple[str, ...] = ("",), scope: str = "sheet"):
    """Register ``fn(target) -> [LiveCheck]`` as live checks of ``rule`` in ``scope``."""
    text = RULES.get(rule)
    missing = [v for v in variants if text is None or v not in text.live]
    if missing:
        raise RuntimeError(f"no live text for {rule!r} variants {missing} in the catalogue")
    if scope not in SCOPES:
        raise RuntimeError(f"unknown live-check scope {scope!r}")

    def register(fn: Callable[[Any], list[LiveCheck]]) -> Callable[[Any], list[LiveCheck]]:
        PROVIDERS.append(Provider(rule, tuple(variants), scope, fn))
        return fn

    return register


def not_live(rule: str, variants: tuple[str, ...], why: tuple[str, str]) -> None:
    """Declare that the workbook cannot decide these variants of ``rule`` itself, and why."""
    text = RULES.get(rule)
    unknown = [v for v in variants if text is None or v not in text.messages]
    if unknown:
        raise RuntimeError(f"rule {rule!r} has no variants {unknown}")
    for v in variants:
        NOT_LIVE[(rule, v)] = why


def live_variants() -> set[tuple[str, str]]:
    return {(p.rule, v) for p in PROVIDERS for v in p.variants}


def live_rules() -> set[str]:
    return {p.rule for p in PROVIDERS}


def checks(scope: str, target: Any) -> list[LiveCheck]:
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


# ---- the check cells ------------------------------------------------------------------------------

def address(target: str) -> str:
    """The Excel text of a check's cell address (it follows the cell when rows move)."""
    m = _ALIAS.match(target)
    if m:  # a name standing for a cell of the row that uses it: the column is fixed
        return f'"{m.group(1)}"&ROW({target})'
    return f"ADDRESS(ROW({target}),COLUMN({target}),4)"


def check_terms(items: list[LiveCheck], lang: str, is_warning: Callable[[LiveCheck], bool]) -> list[str]:
    """The Excel terms listing the problems among ``items`` (to be joined with &)."""
    return [f'IF({c.excel},{address(c.target)}&" {c.text(lang, is_warning(c))}{SEP}","")' for c in items]


def check_value(items: list[LiveCheck], g: Getter, lang: str, is_warning: Callable[[LiveCheck], bool],
                used: bool = True) -> str:
    if not used:
        return ""
    return "".join(f"{c.target} {c.text(lang, is_warning(c))}{SEP}" for c in items if c.holds(g))


def count_formula(rng: str, mark: str | None = None) -> str:
    """Problems in a check range (one separator each); with ``mark``, the warnings among them."""
    token = mark if mark is not None else SEP
    per = f"/{len(token)}" if len(token) > 1 else ""
    return f'SUMPRODUCT((LEN({rng})-LEN(SUBSTITUTE({rng},"{token}",""))){per})'


@lru_cache(maxsize=4)
def _matchers(lang: str) -> list[tuple[re.Pattern[str], tuple[str, str]]]:
    out = []
    for r in RULES.values():
        for v in r.live:
            text = pick(MESSAGES[live_key(r.id, v)], lang).strip()
            pattern = re.escape(text)
            pattern = re.sub(r"\\\{\w+\\\}", ".+?", pattern)  # {level1}: any text
            out.append((re.compile("(?:^|.*)" + pattern + "$"), (r.id, v)))
    out.sort(key=lambda m: -len(m[0].pattern))
    return out


def parse_check_text(text: str, lang: str = "zh") -> list[tuple[str, str, str]]:
    """'C4 预算数未填写；A13 没有满意度指标（提醒）；' -> [(cell, rule, variant), …] (for tests and tools)."""
    return [(cell, rule, variant) for cell, rule, variant, _ in parse_check_items(text, lang)]


def parse_check_items(text: str, lang: str = "zh") -> list[tuple[str, str, str, bool]]:
    """Like :func:`parse_check_text`, with whether each is a warning. The notice about too many
    inserted rows (※…) is no check and is skipped."""
    mark = warn_mark(lang)
    out = []
    for piece in filter(None, (text or "").split(SEP)):
        if piece.strip().startswith("※"):
            continue
        ref, _, msg = piece.strip().partition(" ")
        warning = msg.endswith(mark)
        if warning:
            msg = msg[: -len(mark)]
        hit = next((key for pattern, key in _matchers(lang) if pattern.match(msg.strip())), None)
        if hit is None:
            raise ValueError(f"unknown live-check message: {piece!r}")
        out.append((ref, *hit, warning))
    return out

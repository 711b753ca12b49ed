"""The live checks of the rules about single fields and the spending plan (see rules.live):
required-field, placeholder, amount-invalid, budget-sum, spending-plan, indicator-taxonomy."""

from __future__ import annotations

import re
from typing import Any

from .live import Getter, LiveBlock, LiveCheck, LiveItem, LiveRow, LiveSheet, blank, live, num, number_x
from .live_excel import percent_format_x, percent_py, percent_x, placeholder_py, placeholder_x, space_py, space_x
from .project import BUDGET


def required(ref: str, label: str, variant: str = "") -> LiveCheck:
    return LiveCheck(ref, "required-field", variant, f'{ref}=""', lambda g: blank(g(ref)), label)


def not_number(ref: str, rule: str, variant: str) -> LiveCheck:
    return LiveCheck(ref, rule, variant, f'AND({ref}<>"",NOT(ISNUMBER({number_x(ref)})))',
                     lambda g: not blank(g(ref)) and num(g(ref)) is None)


def _required_fields(fields: list) -> list[LiveCheck]:
    return [required(ref, f.label) for f, ref in fields if f.required and f.spec.live and f.part_of is None]


@live("required-field")
def required_on_sheet(s: LiveSheet) -> list[LiveCheck]:
    out = _required_fields(s.fields)
    cp = s.template.fields.checkpoints
    if cp is not None and cp.required and cp.live:
        out += [required(ref, label) for _, ref, label in s.checkpoints]
    return out


live("required-field", scope="unit")(required_on_sheet)


@live("required-field", scope="row")
def required_in_row(r: LiveRow) -> list[LiveCheck]:
    return _required_fields(r.fields)


@live("required-field", ("", "goals", "indicators"), scope="list")
def required_list(b: LiveBlock) -> list[LiveCheck]:
    """At least one item in a required list block (the whole block's range)."""
    block = b.block
    if not block.required:
        return []
    col = b.columns["text"]
    variant = block.key if block.key in ("goals", "indicators") else ""
    label = "" if variant else block.label
    return [LiveCheck(b.anchor, "required-field", variant, f'SUMPRODUCT(({b.inside})*({col}<>""))=0',
                      lambda g: all(blank(g(row["text"])) for row in b.rows), label)]


@live("required-field", ("indicators",), scope="table")
def required_table(b: LiveBlock) -> list[LiveCheck]:
    if not b.block.required or b.block.key != "indicators":
        return []
    return [LiveCheck(b.anchor, "required-field", "indicators", f"NOT({_table_used(b)})",
                      lambda g: not _table_used_py(b, g))]


def _table_used(b: LiveBlock) -> str:
    joined = "&".join(b.columns.values())
    return f"SUMPRODUCT(({b.inside})*(LEN({joined})>0))>0"


def _table_used_py(b: LiveBlock, g: Getter) -> bool:
    return any(any(not blank(g(ref)) for ref in row.values()) for row in b.rows)


# -- placeholder ----------------------------------------------------------------------------------

def text_checks(ref: str, label: str, template: Any, let: Any = None, qualify: Any = None) -> list[LiveCheck]:
    placeholder = placeholder_x(ref, template)
    if let is not None:  # (named once per cell: the whitespace check uses it too)
        placeholder = let("H" + re.search(r"([A-Z]+\d*)$", ref).group(1), placeholder_x(qualify(ref), template))
    return [
        LiveCheck(ref, "placeholder", "", placeholder, lambda g: placeholder_py(g(ref), template), label),
        LiveCheck(ref, "placeholder", "space", space_x(ref, template, placeholder),
                  lambda g: space_py(g(ref), template), label),
    ]


def _texts(target: LiveSheet | LiveRow) -> list[LiveCheck]:
    t, let = target.template, target.let
    qualify = getattr(target, "qualify", lambda ref: ref)
    return [c for f, ref in target.fields if f.checks_text and f.part_of is None and f.spec.live
            for c in text_checks(ref, f.label, t, let, qualify)]


for _scope in ("sheet", "unit", "row"):
    live("placeholder", ("", "space"), scope=_scope)(_texts)


@live("placeholder", ("", "space"), scope="item")
def placeholder_item(i: LiveItem) -> list[LiveCheck]:
    return text_checks(i.ref, i.block.label, i.template)


# -- amounts --------------------------------------------------------------------------------------

def amount_checks(ref: str, max_decimals: int) -> list[LiveCheck]:
    def negative(g: Getter) -> bool:
        n = num(g(ref))
        return n is not None and n < 0

    def decimals(g: Getter) -> bool:
        n = num(g(ref))
        return n is not None and -n.normalize().as_tuple().exponent > max_decimals

    n = number_x(ref)
    return [
        not_number(ref, "amount-invalid", ""),
        LiveCheck(ref, "amount-invalid", "negative", f'IFERROR(AND({ref}<>"",{n}<0),FALSE)', negative),
        LiveCheck(ref, "amount-invalid", "decimals",
                  f'IFERROR(AND({ref}<>"",ROUND({n},{max_decimals})<>{n}),FALSE)', decimals),
    ]


def _amounts(target: LiveSheet | LiveRow) -> list[LiveCheck]:
    most = target.template.rules.max_amount_decimals
    return [c for f, ref in target.fields if f.kind.column_type == "amount" for c in amount_checks(ref, most)]


live("amount-invalid", ("", "negative", "decimals"))(_amounts)
live("amount-invalid", ("", "negative", "decimals"), scope="row")(_amounts)


@live("budget-sum")
def budget_sum(s: LiveSheet) -> list[LiveCheck]:
    refs = [s.ref(k) for k in BUDGET]
    if None in refs:
        return []
    total, fiscal, other = refs

    def py(g: Getter) -> bool:
        t, f, o = num(g(total)), num(g(fiscal)), num(g(other))
        if t is None or f is None or (o is None and not blank(g(other))):
            return False
        return t != f + (o or 0)

    t_, f_, o_ = (number_x(r) for r in refs)
    excel = f'IFERROR(AND({total}<>"",{fiscal}<>"",ROUND({t_}-({f_})-IF({other}="",0,{o_}),6)<>0),FALSE)'
    return [LiveCheck(total, "budget-sum", "", excel, py)]


# -- the spending plan (percent places: 95% typed is 95) --------------------------------------------

def _fraction_plan(s: LiveSheet, refs: list[str]) -> tuple[str, Any]:
    """The plan is written as fractions (0.25 … 1, see rules.project.fraction_plan): Excel and Python."""
    q = [s.qualify(r) for r in refs]
    each = ",".join(f'OR({r}="",AND(ISNUMBER({r}),NOT({percent_format_x(r)}),{r}>=0,{r}<=1))' for r in q)
    some = ",".join(f"{r}>0" for r in q)
    broken = ",".join(f"{r}<>INT({r})" for r in q)
    excel = s.let("FRAC", f"IFERROR(AND({each},OR({some}),OR({q[-1]}=1,{broken})),FALSE)")

    def py(g: Getter) -> bool:
        values = [g(r) for r in refs]
        if any(isinstance(v, str) and v for v in values):
            return False
        nums = [num(v) for v in values if not blank(v)]
        if not nums or not all(n is not None and 0 <= n <= 1 for n in nums) or not any(n > 0 for n in nums):
            return False
        return num(g(refs[-1])) == 1 or any(n != n.to_integral_value() for n in nums)

    return excel, py


@live("spending-plan", ("", "number", "decrease", "last", "fraction"))
def spending_plan(s: LiveSheet) -> list[LiveCheck]:
    refs = [ref for _, ref, _ in s.checkpoints]
    if not refs:
        return []
    named = {r: s.let(f"PCT{r}", percent_x(s.qualify(r))) for r in refs}  # (each checkpoint's percent, once)
    frac, frac_py = _fraction_plan(s, refs)

    def pct(r: str) -> str:
        return named[r]

    def valid_x(r: str) -> str:
        return f'AND({r}<>"",{pct(r)}>=0,{pct(r)}<=100)'

    def valid(v: Any) -> bool:
        n = percent_py(v)
        return n is not None and 0 <= n <= 100

    def check(ref: str, variant: str, excel: str, py: Any) -> LiveCheck:
        """A check of a plan that is not made of fractions (those are said to be, and nothing else)."""
        return LiveCheck(ref, "spending-plan", variant, f"AND(NOT({frac}),{excel})", lambda g: not frac_py(g) and py(g))

    out: list[LiveCheck] = []
    for i, ref in enumerate(refs):
        out.append(LiveCheck(ref, "spending-plan", "fraction", f'AND({frac},{ref}<>"",{ref}>0)',
                             lambda g, r=ref: frac_py(g) and (n := num(g(r))) is not None and n > 0))
        out.append(check(ref, "number", f'AND({ref}<>"",NOT(ISNUMBER({pct(ref)})))',
                         lambda g, r=ref: not blank(g(r)) and percent_py(g(r)) is None))
        out.append(check(ref, "", f'IFERROR(AND({ref}<>"",OR({pct(ref)}<0,{pct(ref)}>100)),FALSE)',
                         lambda g, r=ref: (n := percent_py(g(r))) is not None and not 0 <= n <= 100))
        if i:
            prev = refs[i - 1]
            out.append(check(ref, "decrease", f"IFERROR(AND({valid_x(prev)},{valid_x(ref)},{pct(ref)}<{pct(prev)}),FALSE)",
                             lambda g, r=ref, p=prev: valid(g(p)) and valid(g(r)) and percent_py(g(r)) < percent_py(g(p))))
    last = refs[-1]
    out.append(check(last, "last", f"IFERROR(AND({valid_x(last)},{pct(last)}<>100),FALSE)",
                     lambda g: valid(g(last)) and percent_py(g(last)) != 100))
    return out


# -- the framework --------------------------------------------------------------------------------

@live("indicator-taxonomy", ("", "level2", "parent"), scope="row")
def taxonomy(r: LiveRow) -> list[LiveCheck]:
    t = r.template
    A, B = r.ref("level1"), r.ref("level2")
    if A is None or B is None:
        return []
    level1, level2, pairs = t.level2_of, t.level2_names, t.framework_pairs
    a, b = f"TRIM(CLEAN({A}))", f"TRIM(CLEAN({B}))"
    in_l1, in_l2 = f"SUMPRODUCT(--EXACT(BX_L1,{a}))>0", f"SUMPRODUCT(--EXACT(BX_PAIR_L2,{b}))>0"

    def s(v: Any) -> str:
        return v.strip() if isinstance(v, str) else ("" if v is None else str(v))

    return [
        LiveCheck(A, "indicator-taxonomy", "", f'AND({A}<>"",NOT({in_l1}))',
                  lambda g: not blank(g(A)) and s(g(A)) not in level1),
        LiveCheck(B, "indicator-taxonomy", "level2", f'AND({B}<>"",NOT({in_l2}))',
                  lambda g: not blank(g(B)) and s(g(B)) not in level2),
        LiveCheck(B, "indicator-taxonomy", "parent",
                  f'AND({A}<>"",{B}<>"",{in_l1},{in_l2},SUMPRODUCT(EXACT(BX_PAIR_L1,{a})*EXACT(BX_PAIR_L2,{b}))=0)',
                  lambda g: s(g(A)) in level1 and s(g(B)) in level2 and (s(g(A)), s(g(B))) not in pairs),
    ]

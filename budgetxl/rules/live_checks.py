"""The live checks of each rule the workbook can decide while the clerk types (see rules.live)."""

from __future__ import annotations

from decimal import Decimal

from ..values import QUALITATIVE_OP
from .live import Getter, LiveCheck, LiveRow, LiveSheet, blank, live, num
from .project import BUDGET


def required(ref: str, label: str, variant: str = "") -> LiveCheck:
    return LiveCheck(ref, "required-field", variant, f'{ref}=""', lambda g: blank(g(ref)), label)


def not_number(ref: str, rule: str, variant: str) -> LiveCheck:
    return LiveCheck(ref, rule, variant, f'AND({ref}<>"",NOT(ISNUMBER(--{ref})))',
                     lambda g: not blank(g(ref)) and num(g(ref)) is None)


def _required_fields(fields: list) -> list[LiveCheck]:
    return [required(ref, f.label) for f, ref in fields if f.required and f.spec.live and f.part_of is None]


@live("required-field", ("", "goals"))
def required_on_sheet(s: LiveSheet) -> list[LiveCheck]:
    out = _required_fields(s.fields)
    cp = s.template.fields.checkpoints
    if cp is not None and cp.required and cp.live:
        out += [required(ref, label) for _, ref, label in s.checkpoints]
    for block, cells in s.lists:
        if block.required and cells:
            first, last = cells[0], cells[-1]
            variant = "goals" if block.key == "goals" else ""
            label = "" if variant else block.label
            out.append(LiveCheck(first, "required-field", variant, f"COUNTA({first}:{last})=0",
                                 lambda g, cells=cells: all(blank(g(c)) for c in cells), label))
    return out


@live("required-field", scope="row")
def required_in_row(r: LiveRow) -> list[LiveCheck]:
    return _required_fields(r.fields)


def amount_checks(ref: str, max_decimals: int) -> list[LiveCheck]:
    def negative(g: Getter) -> bool:
        n = num(g(ref))
        return n is not None and n < 0

    def decimals(g: Getter) -> bool:
        n = num(g(ref))
        return n is not None and -n.normalize().as_tuple().exponent > max_decimals

    return [
        not_number(ref, "amount-invalid", ""),
        LiveCheck(ref, "amount-invalid", "negative", f"IFERROR(--{ref}<0,FALSE)", negative),
        LiveCheck(ref, "amount-invalid", "decimals", f"IFERROR(ROUND(--{ref},{max_decimals})<>--{ref},FALSE)", decimals),
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

    excel = f'IFERROR(ROUND(--{total}-(--{fiscal})-IF({other}="",0,--{other}),6)<>0,FALSE)'
    return [LiveCheck(total, "budget-sum", "", excel, py)]


@live("spending-plan", ("", "number", "decrease", "last"))
def spending_plan(s: LiveSheet) -> list[LiveCheck]:
    refs = [ref for _, ref, _ in s.checkpoints]
    if not refs:
        return []

    def in_range(v: Decimal | None) -> bool:
        return v is not None and 0 <= v <= 100

    out: list[LiveCheck] = []
    for i, ref in enumerate(refs):
        out.append(not_number(ref, "spending-plan", "number"))
        out.append(LiveCheck(ref, "spending-plan", "", f"IFERROR(OR(--{ref}<0,--{ref}>100),FALSE)",
                             lambda g, r=ref: (n := num(g(r))) is not None and not in_range(n)))
        if i:
            prev = refs[i - 1]
            out.append(LiveCheck(
                ref, "spending-plan", "decrease",
                f"IFERROR(AND(--{prev}>=0,--{prev}<=100,--{ref}>=0,--{ref}<=100,--{ref}<--{prev}),FALSE)",
                lambda g, r=ref, p=prev: in_range(num(g(p))) and in_range(num(g(r))) and num(g(r)) < num(g(p)),
            ))
    last = refs[-1]
    out.append(LiveCheck(last, "spending-plan", "last", f"IFERROR(AND(--{last}>=0,--{last}<=100,--{last}<>100),FALSE)",
                         lambda g: in_range(n := num(g(last))) and n != 100))
    return out


@live("indicator-taxonomy", ("", "level2", "parent"), scope="row")
def taxonomy(r: LiveRow) -> list[LiveCheck]:
    t = r.template
    A, B = r.ref("level1"), r.ref("level2")
    if A is None or B is None:
        return []
    level1, level2, pairs = t.level2_of, t.level2_names, t.framework_pairs
    return [
        LiveCheck(A, "indicator-taxonomy", "", f'AND({A}<>"",COUNTIF(BX_L1,{A})=0)',
                  lambda g: not blank(g(A)) and g(A) not in level1),
        LiveCheck(B, "indicator-taxonomy", "level2", f'AND({B}<>"",COUNTIF(BX_PAIR_L2,{B})=0)',
                  lambda g: not blank(g(B)) and g(B) not in level2),
        LiveCheck(B, "indicator-taxonomy", "parent",
                  f'AND({A}<>"",{B}<>"",COUNTIF(BX_L1,{A})>0,COUNTIF(BX_PAIR_L2,{B})>0,'
                  f"COUNTIFS(BX_PAIR_L1,{A},BX_PAIR_L2,{B})=0)",
                  lambda g: g(A) in level1 and g(B) in level2 and (g(A), g(B)) not in pairs),
    ]


@live("satisfaction-range", scope="row")
def satisfaction(r: LiveRow) -> list[LiveCheck]:
    B, E, F, G = (r.ref(k) for k in ("level2", "value.op", "value", "value.unit"))
    if None in (B, E, F, G):
        return []
    names = r.template.rules.coverage.satisfaction_level2

    def py(g: Getter) -> bool:
        n = num(g(F))
        if g(B) not in names or g(G) != "%" or g(E) == QUALITATIVE_OP or n is None:
            return False
        return n < 0 or n > 100 or (g(E) == ">" and n >= 100) or (g(E) == "<" and n <= 0)

    any_name = ",".join(f'{B}="{s}"' for s in names) or "FALSE"
    excel = (f'IFERROR(AND(OR({any_name}),{G}="%",{E}<>"{QUALITATIVE_OP}",ISNUMBER(--{F}),'
             f'OR(--{F}<0,--{F}>100,AND({E}=">",--{F}>=100),AND({E}="<",--{F}<=0))),FALSE)')
    return [LiveCheck(F, "satisfaction-range", "", excel, py)]

"""Live checks: formulas inside the generated workbook that show a clerk's mistakes while typing.

Each :class:`Check` is one condition written twice, once as an Excel formula and once in Python
(for the cached value, so the file reads right before any recalculation). A project sheet gets a
check column beside the form: each check cell lists the problems of its row as
``C4 预算数≠财政资金+其他资金；`` (the address follows the cell when rows are inserted), and the
offending input cell turns red through conditional formatting. The summary counts the problems
per project. ``LIVE_MESSAGES`` maps each text back to its rule, so tests can compare the
recalculated workbook with ``budgetxl validate``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .cells import a1
from .layout import INDICATOR_COLUMNS, ProjectLayout
from .template import Template

SEP = "；"
CHECK_COL = len(INDICATOR_COLUMNS)  # the column right of the form (I)
CHECK_HEADER = "校验提示"

Getter = Callable[[str], Any]

# message text -> (rule, message variant)
LIVE_MESSAGES: dict[str, tuple[str, str]] = {
    "未填写": ("required-field", ""),
    "至少填一条绩效目标": ("required-field", "goals"),
    "金额不是数字": ("amount-invalid", ""),
    "金额不能为负": ("amount-invalid", "negative"),
    "金额小数位过多": ("amount-invalid", "decimals"),
    "预算数≠财政资金+其他资金": ("budget-sum", ""),
    "支出进度不是数字": ("spending-plan", "number"),
    "支出进度应在0–100之间": ("spending-plan", ""),
    "支出进度低于上一期": ("spending-plan", "decrease"),
    "最后一期应为100": ("spending-plan", "last"),
    "一级指标不在框架内": ("indicator-taxonomy", ""),
    "二级指标不在框架内": ("indicator-taxonomy", "level2"),
    "二级指标不属于该一级指标": ("indicator-taxonomy", "parent"),
    "满意度应在0–100%之间": ("satisfaction-range", ""),
}

_NUM = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$")


# ---- Python side: Excel's coercions, as used by the formulas below ---------------------------

def _blank(v: Any) -> bool:
    return v is None or v == ""


def _num(v: Any) -> Decimal | None:
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
class Check:
    target: str  # A1 of the cell the problem is about (also what validate names)
    message: str  # a key of LIVE_MESSAGES (a label may be prepended for required fields)
    excel: str  # condition, A1 references
    py: Callable[[Getter], bool]
    label: str = ""  # field name shown before 未填写


def required(ref: str, label: str) -> Check:
    return Check(ref, "未填写", f'{ref}=""', lambda g: _blank(g(ref)), label)


def not_number(ref: str, message: str) -> Check:
    return Check(ref, message, f'AND({ref}<>"",NOT(ISNUMBER(--{ref})))',
                 lambda g: not _blank(g(ref)) and _num(g(ref)) is None)


def amount_checks(ref: str, max_decimals: int) -> list[Check]:
    def negative(g: Getter) -> bool:
        n = _num(g(ref))
        return n is not None and n < 0

    def decimals(g: Getter) -> bool:
        n = _num(g(ref))
        return n is not None and -n.normalize().as_tuple().exponent > max_decimals

    return [
        not_number(ref, "金额不是数字"),
        Check(ref, "金额不能为负", f"IFERROR(--{ref}<0,FALSE)", negative),
        Check(ref, "金额小数位过多", f"IFERROR(ROUND(--{ref},{max_decimals})<>--{ref},FALSE)", decimals),
    ]


def budget_sum(total: str, fiscal: str, other: str) -> Check:
    def py(g: Getter) -> bool:
        t, f, o = _num(g(total)), _num(g(fiscal)), _num(g(other))
        if t is None or f is None or (o is None and not _blank(g(other))):
            return False
        return t != f + (o or 0)

    excel = f'IFERROR(ROUND(--{total}-(--{fiscal})-IF({other}="",0,--{other}),6)<>0,FALSE)'
    return Check(total, "预算数≠财政资金+其他资金", excel, py)


def plan_checks(refs: list[str], labels: list[str]) -> list[Check]:
    checks: list[Check] = []

    def in_range(v: Decimal | None) -> bool:
        return v is not None and 0 <= v <= 100

    for i, ref in enumerate(refs):
        checks.append(required(ref, labels[i]))
        checks.append(not_number(ref, "支出进度不是数字"))
        checks.append(Check(ref, "支出进度应在0–100之间", f"IFERROR(OR(--{ref}<0,--{ref}>100),FALSE)",
                            lambda g, r=ref: (n := _num(g(r))) is not None and not in_range(n)))
        if i:
            prev = refs[i - 1]
            checks.append(Check(
                ref, "支出进度低于上一期",
                f"IFERROR(AND(--{prev}>=0,--{prev}<=100,--{ref}>=0,--{ref}<=100,--{ref}<--{prev}),FALSE)",
                lambda g, r=ref, p=prev: in_range(_num(g(p))) and in_range(_num(g(r))) and _num(g(r)) < _num(g(p)),
            ))
    last = refs[-1]
    checks.append(Check(last, "最后一期应为100", f"IFERROR(AND(--{last}>=0,--{last}<=100,--{last}<>100),FALSE)",
                        lambda g: in_range(n := _num(g(last))) and n != 100))
    return checks


def indicator_checks(row: int, t: Template) -> list[Check]:
    col = {k: a1(row, i) for i, k in enumerate(INDICATOR_COLUMNS)}
    A, B, C, E, F, G = (col[k] for k in ("level1", "level2", "indicator_name", "op", "value", "value_unit"))
    level1 = set(t.level1_names)
    level2 = {l2 for l2s in t.level2_of.values() for l2 in l2s}
    pairs = {(l1, l2) for l1, l2s in t.level2_of.items() for l2 in l2s}
    satisfaction = t.rules.coverage.satisfaction_level2

    def sat(g: Getter) -> bool:
        n = _num(g(F))
        if g(B) not in satisfaction or g(G) != "%" or g(E) == "定性" or n is None:
            return False
        return n < 0 or n > 100 or (g(E) == ">" and n >= 100) or (g(E) == "<" and n <= 0)

    sat_names = ",".join(f'{B}="{s}"' for s in satisfaction) or "FALSE"
    return [
        required(A, t.label("level1")),
        required(B, t.label("level2")),
        required(C, t.label("indicator_name")),
        Check(F, "未填写", f'AND({F}="",{E}="",{G}="")', lambda g: _blank(g(F)) and _blank(g(E)) and _blank(g(G)),
              t.label("value")),
        Check(A, "一级指标不在框架内", f'AND({A}<>"",COUNTIF(BX_L1,{A})=0)',
              lambda g: not _blank(g(A)) and g(A) not in level1),
        Check(B, "二级指标不在框架内", f'AND({B}<>"",COUNTIF(BX_PAIR_L2,{B})=0)',
              lambda g: not _blank(g(B)) and g(B) not in level2),
        Check(B, "二级指标不属于该一级指标",
              f'AND({A}<>"",{B}<>"",COUNTIF(BX_L1,{A})>0,COUNTIF(BX_PAIR_L2,{B})>0,'
              f"COUNTIFS(BX_PAIR_L1,{A},BX_PAIR_L2,{B})=0)",
              lambda g: g(A) in level1 and g(B) in level2 and (g(A), g(B)) not in pairs),
        Check(F, "满意度应在0–100%之间",
              f'IFERROR(AND(OR({sat_names}),{G}="%",{E}<>"定性",ISNUMBER(--{F}),'
              f'OR(--{F}<0,--{F}>100,AND({E}=">",--{F}>=100),AND({E}="<",--{F}<=0))),FALSE)',
              sat),
    ]


# ---- the check cells ----------------------------------------------------------------------

def _piece_text(c: Check) -> str:
    return f"{c.label}{c.message}"


def check_formula(checks: list[Check], used: str | None) -> str:
    parts = "&".join(
        f'IF({c.excel},ADDRESS(ROW({c.target}),COLUMN({c.target}),4)&" {_piece_text(c)}{SEP}","")' for c in checks
    )
    return f'=IF({used},{parts},"")' if used else f"={parts}"


def check_value(checks: list[Check], g: Getter, used: bool = True) -> str:
    if not used:
        return ""
    return "".join(f"{c.target} {_piece_text(c)}{SEP}" for c in checks if c.py(g))


def parse_check_text(text: str) -> list[tuple[str, str, str]]:
    """'C4 预算数未填写；F13 满意度…；' -> [(cell, rule, variant), …] (for tests and tools)."""
    out = []
    for piece in filter(None, (text or "").split(SEP)):
        ref, _, msg = piece.strip().partition(" ")
        key = next((k for k in LIVE_MESSAGES if msg.endswith(k)), None)
        if key is None:
            raise ValueError(f"unknown live-check message: {piece!r}")
        rule, variant = LIVE_MESSAGES[key]
        out.append((ref, rule, variant))
    return out


@dataclass
class ProjectChecks:
    """The check rows of one project sheet: (row, checks, used-condition) triples."""

    rows: list[tuple[int, list[Check], str | None, Callable[[Getter], bool]]]


def project_checks(lay: ProjectLayout, t: Template, cell_of: dict[str, tuple[int, int]]) -> ProjectChecks:
    """All checks of a project sheet. ``cell_of`` maps field paths (code, name, budget.total, …,
    plan months as 'm3') to the cells the writer put them in."""
    ref = {k: a1(*rc) for k, rc in cell_of.items()}
    used_excel = f'OR({ref["code"]}<>"",{ref["name"]}<>"")'

    def used(g: Getter) -> bool:
        return not _blank(g(ref["code"])) or not _blank(g(ref["name"]))

    months = t.spending_plan.months
    plan_refs = [ref[f"m{m}"] for m in months]
    goal_first = a1(lay.goals_start, 2)
    goal_last = a1(lay.goals_start + lay.goal_rows - 1, 2)
    goals_check = Check(goal_first, "至少填一条绩效目标", f"COUNTA({goal_first}:{goal_last})=0",
                        lambda g: all(_blank(g(a1(lay.goals_start + i, 2))) for i in range(lay.goal_rows)))
    rows: list[tuple[int, list[Check], str | None, Callable[[Getter], bool]]] = [
        (lay.code, [required(ref["code"], t.label("code")), required(ref["name"], t.label("name"))], used_excel, used),
        (lay.budget, [required(ref["budget.total"], t.label("total")),
                      *amount_checks(ref["budget.total"], t.rules.max_amount_decimals),
                      *amount_checks(ref["budget.fiscal"], t.rules.max_amount_decimals),
                      *amount_checks(ref["budget.other"], t.rules.max_amount_decimals),
                      budget_sum(ref["budget.total"], ref["budget.fiscal"], ref["budget.other"])], used_excel, used),
        (lay.purpose, [required(ref["purpose"], t.label("purpose"))], used_excel, used),
        (lay.plan_values, plan_checks(plan_refs, [t.label("month", month=m) for m in months]), used_excel, used),
        (lay.goals_start, [goals_check], used_excel, used),
    ]
    for i in range(lay.indicator_rows):
        r = lay.first_indicator + i
        first, last = a1(r, 0), a1(r, len(INDICATOR_COLUMNS) - 1)
        row_cells = [a1(r, c) for c in range(len(INDICATOR_COLUMNS))]
        rows.append((r, indicator_checks(r, t), f"COUNTA({first}:{last})>0",
                     lambda g, cells=row_cells: any(not _blank(g(c)) for c in cells)))
    return ProjectChecks(rows)


def count_formula(sheet_ref_range: str) -> str:
    """Problems in a check column: one separator per problem."""
    return f'=SUMPRODUCT(LEN({sheet_ref_range})-LEN(SUBSTITUTE({sheet_ref_range},"{SEP}","")))'

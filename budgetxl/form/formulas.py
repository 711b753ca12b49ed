"""The Excel twins of form.scoring: the formulas a later stage's workbook computes live.

Each function takes the A1 references of the cells it reads (and the template's settings) and
returns the formula text without its ``=``; form.scoring computes the same value in exact
decimals (the cached value written with the formula). Comparisons that decide a band or a
threshold round the difference first (ROUND(x, 9)), so that binary floating point in the
spreadsheet and exact decimals in Python agree at the boundaries; scores round to 2 decimals
with ROUND, which rounds half away from zero as Python's ROUND_HALF_UP does. Only classic
functions are used (Excel 2007, LibreOffice, WPS).
"""

from __future__ import annotations

from typing import Any

from ..values import QUALITATIVE_OP
from .scoring import EQUAL, POSITIVE, REVERSE


def isnum(ref: str) -> str:
    """The cell holds a number (or a text that is one): what form.scoring sees as a Decimal."""
    return f'AND({ref}<>"",ISNUMBER(--{ref}))'


def _str(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _any_op(op: str, ops: tuple[str, ...] | list[str]) -> str:
    return "OR(" + ",".join(f"{op}={_str(o)}" for o in ops) + ")" if ops else "FALSE"


def rate(spent: str, budget: str) -> str:
    """执行率 (%), 2 decimals (scoring.rate)."""
    return f'IF(AND({isnum(spent)},{isnum(budget)}),IF(--{budget}>0,ROUND(--{spent}/--{budget}*100,2),""),"")'


def budget_score(spent: str, budget: str, points: Any) -> str:
    """预算执行率 得分 (scoring.budget_score)."""
    return (f'IF(AND({isnum(spent)},{isnum(budget)}),IF(--{budget}>0,'
            f'MAX(0,ROUND({points}*MIN(--{spent}/--{budget},1),2)),0),"")')


def indicator_score(op: str, target: str, actual: str, points: str) -> str:
    """得分 of a quantitative indicator (scoring.indicator_score)."""
    a, t, p = f"--{actual}", target, points
    reverse = f"IF({a}<={t},{p},IF({a}>={t}*2,0,MAX(0,ROUND((1-({a}-{t})/{t})*{p},2))))"
    positive = f"IF({a}>={t},{p},IF({t}<=0,0,MAX(0,ROUND({a}/{t}*{p},2))))"
    return (f'IF(OR({op}={_str(QUALITATIVE_OP)},NOT({isnum(actual)}),NOT(ISNUMBER({t})),NOT(ISNUMBER({p}))),"",'
            f"IF({_any_op(op, REVERSE)},{reverse},"
            f"IF(AND({op}={_str(EQUAL)},{t}=0),IF({a}<=0,{p},0),"
            f'IF({_any_op(op, (*POSITIVE, EQUAL))},{positive},""))))')


def light(op: str, target: str, actual: str, month: int, monitor: Any) -> str:
    """序时进度 light (scoring.light)."""
    a, t = f"--{actual}", target
    qualitative = '""'
    for word, name in reversed(list(monitor.qualitative.items())):
        qualitative = f"IF({actual}={_str(word)},{_str(name)},{qualitative})"
    inside, outside = _str(monitor.inside), _str(monitor.outside)
    standard = f"({t}*{month}/12)"
    ratio = f"ROUND({a}/{standard}*100,6)"
    bands = _str(monitor.lights[-1].light)
    for band in reversed(monitor.lights[:-1]):
        bands = f"IF({ratio}<{band.below},{_str(band.light)},{bands})"
    reverse = f'IF(IF({op}="≤",{a}<={t},{a}<{t}),{inside},{outside})'
    zero = f"IF(IF({op}={_str(EQUAL)},{a}<=0,{a}>={standard}),{inside},{outside})"
    return (f'IF({actual}="","",IF({op}={_str(QUALITATIVE_OP)},{qualitative},'
            f'IF(NOT(AND({isnum(actual)},ISNUMBER({t}))),"",'
            f"IF({_any_op(op, REVERSE)},{reverse},IF({standard}<=0,{zero},{bands})))))")


def total(budget_scores: list[str], scores: str) -> str:
    """总分: 预算执行率 得分 and the indicator 得分 column (``scores``: its range)."""
    parts = "+".join(f"N({r})" for r in budget_scores) or "0"
    return f"ROUND({parts}+SUM({scores}),2)"


def grade(total_ref: str, scoring: Any) -> str:
    """评价等级 (scoring.grade)."""
    out = _str(scoring.lowest)
    for g in reversed(scoring.grades):
        out = f"IF({total_ref}>={g.min},{_str(g.grade)},{out})"
    return f'IF(ISNUMBER({total_ref}),{out},"")'

"""Live checks of the later stages (see rules.live): the workbook shows them while the clerk types.

Each mirrors a check of rules.stage_checks on the same cell: the Excel condition and its Python
twin (for the cached value) use form.scoring's computations and the template's settings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..files.grids import cell_text
from ..form import scoring as S
from ..form.formulas import _any_op, _str, isnum
from ..values import QUALITATIVE_OP
from .live import Getter, LiveCheck, LiveRow, LiveSheet, blank, live, num, number_x
from .stage_checks import CAUSE, EXPLAIN, first_rate, score_value

QUAL = _str(QUALITATIVE_OP)


def check(target: str, rule: str, variant: str, excel: str, py) -> LiveCheck:
    """A live check whose condition is FALSE where a cell's text makes the arithmetic fail (AND
    evaluates every argument: one #VALUE! would blank the whole check cell)."""
    return LiveCheck(target, rule, variant, f"IFERROR({excel},FALSE)", py)


def _one_of(ref: str, words: list[str]) -> str:
    return "OR(" + ",".join(f"{ref}={_str(w)}" for w in words) + ")" if words else "FALSE"


@live("stage-actual", ("", "qualitative"), scope="row")
def actual(r: LiveRow) -> list[LiveCheck]:
    op = r.ref("value.op")
    if op is None:
        return []
    out = []
    for f, ref in r.fields:
        if f.kind.name != "actual":
            continue
        choices = r.template.lists.get(f.list_name) or []
        out.append(check(ref, "stage-actual", "", f'AND({op}<>{QUAL},{ref}<>"",NOT(ISNUMBER(--{ref})))',
                             lambda g, ref=ref: g(op) != QUALITATIVE_OP and not blank(g(ref)) and num(g(ref)) is None))
        out.append(check(ref, "stage-actual", "qualitative", f'AND({op}={QUAL},{ref}<>"",NOT({_one_of(ref, choices)}))',
                             lambda g, ref=ref, c=choices: g(op) == QUALITATIVE_OP and not blank(g(ref))
                             and cell_text(g(ref)) not in c))
    return out


def _over(m: Any, op: str, target: str, value: str) -> tuple[str, Any]:
    excel = (f"IFERROR(AND({_any_op(op, m.over_ops)},{isnum(value)},ISNUMBER({target}),"
             f"ROUND(--{value}-{target}*(1+{m.over_target}/100),9)>0),FALSE)")
    return excel, lambda g: S.over_target(g(op), num(g(target)), num(g(value)), m)


@live("monitor-deviation", ("over", "likelihood"), scope="row")
def deviation(r: LiveRow) -> list[LiveCheck]:
    stage = r.template.stage
    refs = [r.ref(k) for k in ("value.op", "value", "monitor.actual", "monitor.likelihood")]
    if stage is None or stage.monitor is None or None in refs:
        return []
    m = stage.monitor
    op, target, value, likely = refs
    over, over_py = _over(m, op, target, value)
    doubtful = _one_of(likely, m.doubtful)
    out = []
    for key in (CAUSE, EXPLAIN):
        ref = r.ref(key)
        if ref is None:
            continue
        out.append(check(ref, "monitor-deviation", "over", f'AND({over},{ref}="")',
                             lambda g, ref=ref: over_py(g) and blank(g(ref))))
        out.append(check(ref, "monitor-deviation", "likelihood", f'AND(NOT({over}),{doubtful},{ref}="")',
                             lambda g, ref=ref: not over_py(g) and g(likely) in m.doubtful and blank(g(ref))))
    return out


def _behind(spent: str, budget: str, threshold: str, threshold_py: Decimal) -> tuple[str, Any]:
    excel = f"AND({isnum(spent)},{isnum(budget)},IFERROR(ROUND(--{spent}/--{budget}*100-({threshold}),9)<0,FALSE))"
    return excel, lambda g: S.behind(num(g(spent)), num(g(budget)), threshold_py)


def _rate_refs(s: LiveSheet) -> list[str | None]:
    rate = first_rate(s.template.fields)
    return [s.ref(k) for k in rate.spec.of] if rate is not None else [None, None]


@live("monitor-deviation", ("rate",))
def rate_behind(s: LiveSheet) -> list[LiveCheck]:
    stage, cause = s.template.stage, s.ref(CAUSE)
    spent, budget = _rate_refs(s)
    if stage is None or stage.monitor is None or None in (cause, spent, budget):
        return []
    month, tol = s.template.month or 12, stage.monitor.rate_tolerance
    excel, py = _behind(spent, budget, f"{month}*100/12-{tol}", Decimal(month) * S.HUNDRED / 12 - tol)
    return [check(cause, "monitor-deviation", "rate", f'AND({excel},{cause}="")', lambda g: py(g) and blank(g(cause)))]


@live("selfeval-reason", ("", "long"))
def reason(s: LiveSheet) -> list[LiveCheck]:
    stage, ref = s.template.stage, s.ref("selfeval.reason")
    if stage is None or stage.scoring is None or ref is None:
        return []
    sc = stage.scoring
    out = [check(ref, "selfeval-reason", "long", f"LEN({ref})>{sc.reason_max}",
                     lambda g: len(cell_text(g(ref)) or "") > sc.reason_max)]
    spent, budget = _rate_refs(s)
    if spent is not None and budget is not None:
        excel, py = _behind(spent, budget, str(sc.reason_below), sc.reason_below)
        out.insert(0, check(ref, "selfeval-reason", "", f'AND({excel},{ref}="")', lambda g: py(g) and blank(g(ref))))
    return out


@live("selfeval-analysis", scope="row")
def analysis(r: LiveRow) -> list[LiveCheck]:
    score = next((ref for f, ref in r.fields if f.kind.name == "score"), None)
    points, ref = r.ref("points"), r.ref("selfeval.analysis")
    if None in (score, points, ref):
        return []
    excel = f'AND({isnum(score)},ISNUMBER({points}),ROUND(--{score}-{points},9)<0,{ref}="")'

    def py(g: Getter) -> bool:
        got, full = num(g(score)), num(g(points))
        return got is not None and full is not None and got < full and blank(g(ref))

    return [check(ref, "selfeval-analysis", "", excel, py)]


@live("selfeval-band", ("", "missing"), scope="row")
def band(r: LiveRow) -> list[LiveCheck]:
    stage = r.template.stage
    score = next((ref for f, ref in r.fields if f.kind.name == "score"), None)
    op, value, points = r.ref("value.op"), r.ref("selfeval.actual"), r.ref("points")
    if stage is None or stage.scoring is None or None in (score, op, value, points):
        return []
    bands = stage.scoring.bands
    names = [b.name for b in bands]
    outside = []
    for b in bands:
        high = f"ROUND(--{score}-{points}*{b.to}/100,9)" + ("<=0" if b.to == S.HUNDRED else "<0")
        inside = f"IFERROR(AND({isnum(score)},ROUND(--{score}-{points}*{b.from_}/100,9)>=0,{high}),FALSE)"
        outside.append(f"AND({value}={_str(b.name)},NOT({inside}))")
    qualitative = f"{op}={QUAL}"

    def problem(g: Getter) -> str | None:
        if g(op) != QUALITATIVE_OP or g(value) not in names or num(g(points)) is None:
            return None
        return S.band_problem(stage.scoring.band(g(value)), score_value(g(score)), num(g(points)))

    return [
        check(score, "selfeval-band", "", f'AND({qualitative},{score}<>"",ISNUMBER({points}),OR({",".join(outside)}))',
                  lambda g: problem(g) == ""),
        check(score, "selfeval-band", "missing",
                  f'AND({qualitative},{_one_of(value, names)},ISNUMBER({points}),{score}="")',
                  lambda g: problem(g) == "missing"),
    ]


def _differs(f: Any, cell: str, want: str | None) -> str:
    if want is None:
        return f'{cell}<>""'
    if f.kind.column_type in ("number", "amount"):
        return f'IFERROR(OR({cell}="",{number_x(cell)}<>{want}),TRUE)'
    return f"NOT(EXACT({cell},{want}))"


@live("issued-field-changed")
def issued_rows(s: LiveSheet) -> list[LiveCheck]:
    """A later stage's issued indicator rows against the values kept on the metadata sheet (the
    rows are fixed: no row can be inserted or deleted there). A change to a part of 年度指标值 (its
    operator, number or unit) is one change of that field, as validate reports it."""
    out = []
    for f, target, parts in s.issued_rows:
        wants = [want for _, _, want in parts if want is not None]
        excel = f"OR({','.join(_differs(p, cell, want) for p, cell, want in parts)})"
        if wants:  # (nothing to compare with when the hidden sheet is gone: metadata-missing says so)
            excel = f"IF(ISERROR({wants[0]}),FALSE,{excel})"
        out.append(LiveCheck(target, "issued-field-changed", "", excel, label=f.label))
    return out

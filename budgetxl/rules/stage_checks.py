"""Checks of the later stages: 完成值, deviations (绩效运行监控), reasons, analyses and bands (绩效自评).

Each runs only where the template has the fields it judges (a targets form has none of them).
The numbers come from the template's ``[stage]`` settings and the computations from form.scoring,
so these findings agree with the live checks of rules.stage_live cell for cell.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ..findings import Finding
from ..files.grids import cell_text
from ..form import scoring as S
from ..form.scorecard import project_card
from ..values import QUALITATIVE_OP, format_number
from .live import num
from .registry import check

CAUSE, EXPLAIN = "monitor.cause", "monitor.explain"


def _shown(v: Any) -> str:
    return format_number(v) if isinstance(v, Decimal) else str(v)


def first_rate(table: Any) -> Any:
    """The project's 执行率 (the first rate cell: the 年度资金总额 row) and what it is computed of."""
    return next((f for f in table.project if f.kind.name == "rate" and len(f.spec.of) == 2), None)


def _operands(table: Any, f: Any, p: Any) -> list[Any]:
    return [table.field(k).get(p) if table.get(k) is not None else None for k in f.spec.of]


@check("stage-actual", ("", "qualitative"))
def stage_actual(ctx: Any) -> Iterator[Finding]:
    fields = [f for f in ctx.table.indicator if f.kind.name == "actual"]
    for i, p, k, ind, base in ctx.indicators() if fields else ():
        qualitative = ind.value is not None and ind.value.op == QUALITATIVE_OP
        for f in fields:
            path = f"{base}.{f.key}"
            raw = ctx.raw(path, f.get(ind))
            if raw is None or raw == "":
                continue
            if qualitative:
                choices = ctx.template.lists.get(f.list_name) or []
                if cell_text(raw) not in choices:
                    yield ctx.finding("stage-actual", path, "qualitative", project=i, name=ind.name or "",
                                      field=f.display, value=cell_text(raw), choices="、".join(choices))
            elif num(raw) is None:
                yield ctx.finding("stage-actual", path, project=i, name=ind.name or "", field=f.display,
                                  value=cell_text(raw))


def _blank(v: Any) -> bool:
    return v is None or v == ""


def score_value(raw: Any) -> Any:
    """A typed score as a band sees it: None when empty, the number, or the text that is not one."""
    if _blank(raw):
        return None
    n = num(raw)
    return n if n is not None else raw


@check("monitor-deviation", ("over", "likelihood", "rate"))
def monitor_deviation(ctx: Any) -> Iterator[Finding]:
    stage, table = ctx.template.stage, ctx.table
    if stage is None or stage.monitor is None:
        return
    m = stage.monitor
    needed = [f for f in (table.get(CAUSE, "indicator"), table.get(EXPLAIN, "indicator")) if f is not None]
    for i, p, k, ind, base in ctx.indicators():
        mon, v = ind.monitor, ind.value
        actual = mon.actual if mon else None
        op, target = (v.op, v.number) if v else (None, None)
        if S.over_target(op, target, actual, m):
            variant, args = "over", {"actual": _shown(actual), "target": _shown(target), "over": _shown(m.over_target)}
        elif mon is not None and mon.likelihood in m.doubtful:
            variant, args = "likelihood", {"likelihood": mon.likelihood}
        else:
            continue
        for f in needed:
            if _blank(f.get(ind)):
                yield ctx.finding("monitor-deviation", f"{base}.{f.key}", variant, project=i, name=ind.name or "",
                                  field=f.display, **args)
    yield from _rate_behind(ctx, m)


def _rate_behind(ctx: Any, m: Any) -> Iterator[Finding]:
    table = ctx.table
    rate, cause = first_rate(table), table.get(CAUSE)
    if rate is None or cause is None:
        return
    month = ctx.template.month or 12
    due = Decimal(month) * S.HUNDRED / 12
    for i, p, pre in ctx.projects():
        spent, budget = _operands(table, rate, p)
        if S.behind(spent, budget, due - m.rate_tolerance) and _blank(cause.get(p)):
            yield ctx.finding("monitor-deviation", f"{pre}.{cause.key}", "rate", project=i, month=month,
                              rate=_shown(S.rate(spent, budget)), due=_shown(S.round2(due)),
                              tolerance=_shown(m.rate_tolerance), field=cause.display)


@check("selfeval-reason", ("", "long"))
def selfeval_reason(ctx: Any) -> Iterator[Finding]:
    stage, table = ctx.template.stage, ctx.table
    reason, rate = table.get("selfeval.reason"), first_rate(table)
    if stage is None or stage.scoring is None or reason is None:
        return
    sc = stage.scoring
    for i, p, pre in ctx.projects():
        text = reason.get(p)
        path = f"{pre}.{reason.key}"
        if rate is not None:
            spent, budget = _operands(table, rate, p)
            if S.behind(spent, budget, sc.reason_below) and _blank(text):
                yield ctx.finding("selfeval-reason", path, project=i, rate=_shown(S.rate(spent, budget)),
                                  threshold=_shown(sc.reason_below), field=reason.display)
        if text is not None and len(text) > sc.reason_max:
            yield ctx.finding("selfeval-reason", path, "long", project=i, n=len(text), max=sc.reason_max,
                              field=reason.display)


def _score_fields(table: Any) -> tuple[Any, Any, Any, Any]:
    score = next((f for f in table.indicator if f.kind.name == "score"), None)
    analysis = table.get("selfeval.analysis", "indicator")
    actual = table.get(score.spec.of[0], "indicator") if score is not None and score.spec.of else None
    return score, analysis, actual, table.get("points", "indicator")


@check("selfeval-analysis")
def selfeval_analysis(ctx: Any) -> Iterator[Finding]:
    score, analysis, _, points = _score_fields(ctx.table)
    if ctx.template.stage is None or score is None or analysis is None or points is None:
        return
    for i, p, pre in ctx.projects():
        card = project_card(p, ctx.template)
        for k, ind in enumerate(p.indicators):
            got, full = num(card.value(score.key, k)), num(card.value(points.key, k))
            if got is not None and full is not None and got < full and _blank(analysis.get(ind)):
                yield ctx.finding("selfeval-analysis", f"{pre}.indicators[{k}].{analysis.key}", project=i,
                                  name=ind.name or "", score=_shown(got), points=_shown(full), field=analysis.display)


@check("selfeval-band", ("", "missing"))
def selfeval_band(ctx: Any) -> Iterator[Finding]:
    stage = ctx.template.stage
    score, _, actual, points = _score_fields(ctx.table)
    if stage is None or stage.scoring is None or None in (score, actual, points):
        return
    for i, p, k, ind, base in ctx.indicators():
        if ind.value is None or ind.value.op != QUALITATIVE_OP:
            continue
        band = stage.scoring.band(actual.get(ind)) if isinstance(actual.get(ind), str) else None
        full = points.get(ind)
        if band is None or full is None:
            continue
        path = f"{base}.{score.key}"
        raw = ctx.raw(path, score.get(ind))
        problem = S.band_problem(band, score_value(raw), full)
        if problem is not None:
            low, high, _ = S.band_range(band, full)
            yield ctx.finding("selfeval-band", path, problem, project=i, name=ind.name or "", band=band.name,
                              low=_shown(S.round2(low)), high=_shown(S.round2(high)), score=cell_text(raw) or "")

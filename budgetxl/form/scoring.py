"""The computations of the later stages, in exact decimals: 执行率, 序时进度 lights, 分值, 得分, 总分, 评价等级.

These are the national rules (see templates/perf-selfeval.toml and perf-monitor.toml for the
numbers, which are template data). Each computation has an Excel twin in :mod:`budgetxl.form.formulas`
that the workbook evaluates live; the cached values written with those formulas come from here,
and tests recalculate the workbook in LibreOffice to show that both agree.

- 执行率 = spent / budget × 100 (a percentage, 2 decimals); none when the budget is not above 0.
- 预算执行率 得分 = points × min(spent / budget, 1), rounded to 2 decimals.
- Indicator 得分 (quantitative): positive (≥ >) full points when met, else actual / target × points;
  equal (＝) with target 0 full points when actual ≤ 0, else 0, otherwise as positive; reverse
  (≤ <) full points when actual ≤ target, 0 at or beyond 2 × target, linear in between. Rounded to
  2 decimals, never below 0. A qualitative indicator's 得分 is the clerk's, within its band.
- 分值: each 一级指标's points split equally over its indicators (2 decimals, the last takes the
  rest), unless the issued 分值 sum to the 一级指标's points; a 一级指标 a project lacks may give its
  points to another (``moves``).
- 总分 = 预算执行率 得分 + every indicator's 得分, rounded to 2 decimals; 评价等级 from the grades.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..values import QUALITATIVE_OP, format_number

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
POSITIVE, REVERSE, EQUAL = ("≥", ">"), ("≤", "<"), "＝"


def round2(d: Decimal) -> Decimal:
    """ROUND(d, 2) as Excel and LibreOffice do it (half away from zero)."""
    return d.quantize(CENT, ROUND_HALF_UP)


def _round(d: Decimal, places: int) -> Decimal:
    return d.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def number(v: Any) -> Decimal | None:
    return v if isinstance(v, Decimal) else None


# ---- money -------------------------------------------------------------------------------------

def rate(spent: Any, budget: Any) -> Decimal | None:
    """执行率 (%), 2 decimals."""
    s, b = number(spent), number(budget)
    if s is None or b is None or b <= 0:
        return None
    return round2(s / b * HUNDRED)


def budget_score(spent: Any, budget: Any, points: Decimal) -> Decimal | None:
    """预算执行率 得分; None until both amounts are numbers, 0 for a budget not above 0."""
    s, b = number(spent), number(budget)
    if s is None or b is None:
        return None
    if b <= 0:
        return Decimal(0)
    return max(Decimal(0), round2(points * min(s / b, Decimal(1))))


def behind(spent: Any, budget: Any, threshold: Decimal) -> bool:
    """Is 执行率 below ``threshold`` percent (exactly: compared before any rounding)?"""
    s, b = number(spent), number(budget)
    return s is not None and b is not None and b > 0 and _round(s / b * HUNDRED - threshold, 9) < 0


# ---- indicators --------------------------------------------------------------------------------

def indicator_score(op: str | None, target: Any, actual: Any, points: Any) -> Decimal | None:
    """得分 of a quantitative indicator; None until its actual value is a number."""
    t, a, p = number(target), number(actual), number(points)
    if t is None or a is None or p is None:
        return None
    if op in REVERSE:
        if a <= t:
            return p
        if a >= 2 * t:
            return Decimal(0)
        return max(Decimal(0), round2((1 - (a - t) / t) * p))
    if op == EQUAL and t == 0:
        return p if a <= 0 else Decimal(0)
    if op in POSITIVE or op == EQUAL:
        if a >= t:
            return p
        if t <= 0:
            return Decimal(0)
        return max(Decimal(0), round2(a / t * p))
    return None


def band_range(band: Any, points: Decimal) -> tuple[Decimal, Decimal, bool]:
    """The scores a band allows: [low, high) (high included for the top band)."""
    return band.from_ * points / HUNDRED, band.to * points / HUNDRED, band.to == HUNDRED


def band_problem(band: Any, score: Any, points: Any) -> str | None:
    """What is wrong with a qualitative score in its band: "missing", "" (outside or not a
    number) or None (fine)."""
    p = number(points)
    if score is None:
        return "missing"
    s = number(score)
    if s is None or p is None:
        return ""
    low, high, top = band_range(band, p)
    inside = _round(s - low, 9) >= 0 and (_round(s - high, 9) <= 0 if top else _round(s - high, 9) < 0)
    return None if inside else ""


def light(op: str | None, target: Any, actual: Any, month: int, monitor: Any) -> str | None:
    """序时进度 light of an indicator reported to the end of ``month``."""
    if actual is None:
        return None
    if op == QUALITATIVE_OP:
        return monitor.qualitative.get(actual) if isinstance(actual, str) else None
    t, a = number(target), number(actual)
    if t is None or a is None:
        return None
    if op in REVERSE:
        return monitor.inside if (a <= t if op == "≤" else a < t) else monitor.outside
    standard = t * month / 12
    if standard <= 0:
        return monitor.inside if (a <= 0 if op == EQUAL else a >= standard) else monitor.outside
    ratio = _round(a / standard * HUNDRED, 6)
    for band in monitor.lights:
        if band.below is None or ratio < band.below:
            return band.light
    return None


def over_target(op: str | None, target: Any, actual: Any, monitor: Any) -> bool:
    """A ≥ indicator's value to date more than ``over_target`` percent above its target."""
    t, a = number(target), number(actual)
    if op not in monitor.over_ops or t is None or a is None:
        return False
    return _round(a - t * (1 + monitor.over_target / HUNDRED), 9) > 0


def grade(total: Decimal | None, scoring: Any) -> str | None:
    if total is None:
        return None
    return next((g.grade for g in scoring.grades if total >= g.min), scoring.lowest)


# ---- 分值 ----------------------------------------------------------------------------------------

@dataclass
class Points:
    """Each indicator's points in a project, and what was decided on the way (notes for the form)."""

    points: list[Decimal]
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def split_points(indicators: list[Any], scoring: Any) -> Points:
    level1s = [(i.level1 or "").strip() for i in indicators]
    present = set(level1s)
    weights = dict(scoring.weights)
    notes: list[tuple[str, dict[str, Any]]] = []
    for src, dst in scoring.moves.items():
        if src not in present and weights.get(src) and dst in weights:
            notes.append(("stage.points-moved", {"src": src, "dst": dst, "points": _shown(weights[src])}))
            weights[dst] += weights[src]
            weights[src] = Decimal(0)
    out: list[Decimal] = [Decimal(0)] * len(indicators)
    for level1 in dict.fromkeys(level1s):
        idx = [k for k, name in enumerate(level1s) if name == level1]
        total = weights.get(level1)
        if total is None:
            continue  # outside the weights: no points (the framework check says why)
        given = [number(indicators[k].points) for k in idx]
        if all(g is not None for g in given) and sum(given, Decimal(0)) == total:
            shares = given
        else:
            if any(g is not None for g in given):
                notes.append(("stage.points-equal", {"level1": level1, "points": _shown(total)}))
            each = round2(total / len(idx))
            shares = [each] * (len(idx) - 1) + [total - each * (len(idx) - 1)]
        for k, share in zip(idx, shares):
            out[k] = share  # type: ignore[assignment]
    return Points(out, notes)


def _shown(d: Decimal) -> str:
    return format_number(d)

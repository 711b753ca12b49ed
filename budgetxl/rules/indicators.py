"""Checks on indicators: the framework, coverage per project, the value, costs, satisfaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..findings import Finding
from ..files.grids import cell_text
from ..values import QUALITATIVE_OP, format_number, normalize_text, to_decimal, value_unit
from .registry import check


@check("indicator-taxonomy", ("", "level2", "parent"))
def indicator_taxonomy(ctx: Any) -> Iterator[Finding]:
    level2_of = ctx.template.level2_of
    for i, p, k, ind, base in ctx.indicators():
        l1, l2 = ind.level1, ind.level2
        if l1 is not None and l1.strip() not in level2_of:
            yield ctx.finding("indicator-taxonomy", f"{base}.level1", project=i, value=l1)
        if l2 is not None:
            parents = [a for a, bs in level2_of.items() if l2.strip() in bs]
            if not parents:
                yield ctx.finding("indicator-taxonomy", f"{base}.level2", "level2", project=i, value=l2)
            elif l1 is not None and l1.strip() in level2_of and l1.strip() not in parents:
                yield ctx.finding("indicator-taxonomy", f"{base}.level2", "parent", project=i, value=l2, level1=l1,
                                  parent=parents[0])


@check("indicator-coverage", ("", "expected", "level2"))
def indicator_coverage(ctx: Any) -> Iterator[Finding]:
    """Required 一级指标 (error), expected 一级/二级指标 (always warnings: see the catalogue)."""
    cov = ctx.template.rules.coverage
    for i, p, pre in ctx.projects():
        if not p.indicators:
            continue
        present = {(ind.level1 or "").strip() for ind in p.indicators}
        path = f"{pre}.indicators"
        for l1 in cov.required_level1:
            if l1 not in present:
                yield ctx.finding("indicator-coverage", path, project=i, level1=l1)
        for l1 in cov.expected_level1:
            if l1 not in present:
                yield ctx.finding("indicator-coverage", path, "expected", project=i, level1=l1)
        for l1, wanted in cov.expected_level2.items():
            if l1 not in present:
                continue
            have = {(ind.level2 or "").strip() for ind in p.indicators if (ind.level1 or "").strip() == l1}
            for l2 in wanted:
                if l2 not in have:
                    yield ctx.finding("indicator-coverage", path, "level2", project=i, level1=l1, level2=l2)


def value_problem(ctx: Any, ind: Any, base: str) -> tuple[str, dict[str, Any]] | None | bool:
    """What is wrong with an indicator's value: (variant, args) of an indicator-value finding; True
    when there is nothing to judge (no value, or a placeholder: other rules say so); None when the
    value is fine."""
    v = ind.value
    if v is None:
        return True
    path = f"{base}.value"
    raw = ctx.raw(path, v.text)
    if raw is None or (isinstance(raw, str) and ctx.is_placeholder(raw.strip())):
        return True
    unit = (cell_text(ctx.raw(f"{path}.unit", None)) or "").strip()
    op = ctx.raw(f"{path}.op", None)
    located = ctx.located
    if located is not None and path in located.percents and unit not in ("", "%"):
        return "percent", {"value": f"{format_number(to_decimal(raw) * 100)}%", "unit": unit}
    l2 = (ind.level2 or "").strip()
    shown = located is not None and path in located.percents
    if (l2 in ctx.template.rules.coverage.satisfaction_level2 and v.kind == "quantitative" and v.unit == "%"
            and not shown and 0 < v.number <= 1):  # a satisfaction of 0.95%: 95% meant? said so, not guessed at
        return "fraction", {"value": v.text, "percent": format_number(v.number * 100)}
    looks_numeric = v.text[:1] in "≥≤><＝=" or op not in (None, QUALITATIVE_OP)
    if v.kind != "quantitative" and looks_numeric:
        return "", {"value": v.text}
    l2 = ind.level2
    if l2 is not None and l2.strip() in ctx.template.rules.coverage.numeric_level2 and v.number is None:
        return "number", {"value": v.text, "level2": l2}
    if (v.kind == "quantitative" and isinstance(raw, str) and unit and value_unit(normalize_text(raw))
            and not normalize_text(raw).endswith(normalize_text(unit))):
        return "units", {"value": raw.strip(), "unit": unit}
    if v.kind == "quantitative" and not v.unit:
        return "unit", {"value": v.text}
    return None


@check("indicator-value", ("", "number", "unit", "units", "percent", "fraction"))
def indicator_value(ctx: Any) -> Iterator[Finding]:
    for i, p, k, ind, base in ctx.indicators():
        problem = value_problem(ctx, ind, base)
        if isinstance(problem, tuple):
            variant, args = problem
            yield ctx.finding("indicator-value", f"{base}.value", variant, project=i, **args)


@check("cost-exceeds-budget")
def cost_exceeds_budget(ctx: Any) -> Iterator[Finding]:
    costs = ctx.template.rules.coverage.cost_level2
    units = ctx.template.rules.amount_units
    for i, p, k, ind, base in ctx.indicators():
        v, l2, total = ind.value, ind.level2, p.budget.total
        if l2 is None or l2.strip() not in costs or total is None or value_problem(ctx, ind, base) is not None:
            continue
        if v.number is not None:
            factor = units.get(v.unit or "")
            if factor is not None and v.number * factor > total:
                yield ctx.finding("cost-exceeds-budget", f"{base}.value", project=i, value=v.text,
                                  total=format_number(total))


@check("satisfaction-range")
def satisfaction_range(ctx: Any) -> Iterator[Finding]:
    satisfaction = ctx.template.rules.coverage.satisfaction_level2
    for i, p, k, ind, base in ctx.indicators():
        v, l2 = ind.value, ind.level2
        if l2 is None or l2.strip() not in satisfaction or value_problem(ctx, ind, base) is not None:
            continue
        if v.number is not None and v.unit == "%":
            n = v.number
            if not (0 <= n <= 100) or (v.op == ">" and n >= 100) or (v.op == "<" and n <= 0):
                yield ctx.finding("satisfaction-range", f"{base}.value", project=i, value=v.text)

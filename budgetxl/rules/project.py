"""Checks on a project as a whole: its budget, spending plan and code."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ..files.grids import cell_text
from ..findings import Finding
from ..values import format_number
from .registry import check

BUDGET = ("budget.total", "budget.fiscal", "budget.other")


@check("budget-sum")
def budget_sum(ctx: Any) -> Iterator[Finding]:
    """预算数 = 财政资金 + 其他资金 (exactly), when all three read as numbers."""
    fields = [ctx.table.get(k) for k in BUDGET]
    if None in fields:
        return
    for i, p, pre in ctx.projects():
        total, fiscal, other = (f.get(p) for f in fields)
        if any(f.get(p) is None and ctx.raw(f"{pre}.{f.key}", None) is not None for f in fields):
            continue  # an amount that is not a number: amount-invalid says so
        if total is not None and fiscal is not None and total != fiscal + (other or 0):
            yield ctx.finding("budget-sum", f"{pre}.{fields[0].key}", project=i, total=format_number(total),
                              fiscal=format_number(fiscal), other=format_number(other or Decimal(0)))


@check("spending-plan", ("", "number", "decrease", "last", "fraction"))
def spending_plan(ctx: Any) -> Iterator[Finding]:
    cp = ctx.table.checkpoints
    if cp is None:
        return
    months = cp.months
    for i, p, pre in ctx.projects():
        plan = {sp.month: sp.percent for sp in p.spending_plan}
        if fraction_plan(ctx, plan, f"{pre}.{cp.key}", months):  # ambiguous: said so, not guessed at
            for m, v in plan.items():
                if 0 < v <= 1:
                    yield ctx.finding("spending-plan", f"{pre}.{cp.key}[{m}]", "fraction", project=i, month=m,
                                      value=format_number(v), percent=format_number(v * 100))
            continue
        prev: Decimal | None = None
        for m in months:
            path = f"{pre}.{cp.key}[{m}]"
            v = plan.get(m)
            if v is None:
                prev = None
                raw = ctx.raw(path, None)
                if raw is not None:
                    yield ctx.finding("spending-plan", path, "number", project=i, month=m, value=cell_text(raw))
                continue
            if not (0 <= v <= 100):
                yield ctx.finding("spending-plan", path, project=i, month=m, value=format_number(v))
            elif prev is not None and v < prev:
                yield ctx.finding("spending-plan", path, "decrease", project=i, month=m, value=format_number(v),
                                  prev=format_number(prev))
            # A decrease is judged against the checkpoint just before, when that one is valid.
            prev = v if 0 <= v <= 100 else None
        last = plan.get(months[-1])
        if last is not None and 0 <= last <= 100 and last != 100:
            yield ctx.finding("spending-plan", f"{pre}.{cp.key}[{months[-1]}]", "last", project=i, month=months[-1],
                              value=format_number(last))


def fraction_plan(ctx: Any, plan: dict[int, Decimal], path: str, months: list[int]) -> bool:
    """A plan written as fractions: every checkpoint a number from 0 to 1 typed as such (not shown
    as a percentage, not text such as 25%), one above 0, and the last 1 or one not whole."""
    located = ctx.located
    typed = [(m, v) for m, v in plan.items()
             if located is None or (f"{path}[{m}]" not in located.percents
                                    and not isinstance(located.raw.get(f"{path}[{m}]"), str))]
    if not plan or len(typed) < len(plan) or not all(0 <= v <= 1 for _, v in typed):
        return False
    last = plan.get(months[-1])
    return any(v > 0 for _, v in typed) and (last == 1 or any(v != v.to_integral_value() for _, v in typed))


@check("project-code-format", ("", "region", "year"))
def project_code_format(ctx: Any) -> Iterator[Finding]:
    """The template's code pattern; its region and year groups agree with the unit and the year."""
    regex, doc = ctx.template.code_regex, ctx.doc
    for i, p, pre in ctx.projects():
        if not p.code:
            continue
        m = regex.fullmatch(p.code)
        if not m:
            yield ctx.finding("project-code-format", f"{pre}.code", project=i, code=p.code)
            continue
        groups = m.groupdict()
        region, year = groups.get("region"), groups.get("year")
        if region and doc.unit.region and region != doc.unit.region:
            yield ctx.finding("project-code-format", f"{pre}.code", "region", project=i, got=region, want=doc.unit.region)
        elif year and doc.year and year != f"{doc.year % 100:02d}":
            yield ctx.finding("project-code-format", f"{pre}.code", "year", project=i, got=year,
                              want=f"{doc.year % 100:02d}")


@check("project-added")
def project_added(ctx: Any) -> Iterator[Finding]:
    """A project the unit added itself (on a 新增项目 sheet, or a copy given a new code and name)."""
    for i, p, pre in ctx.projects():
        if p.added:
            yield ctx.finding("project-added", f"{pre}.code", project=i, code=p.code or "", name=p.name or "")


@check("duplicate-project-code")
def duplicate_project_code(ctx: Any) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    sheets = ctx.located.project_sheets if ctx.located is not None else []
    for i, p, pre in ctx.projects():
        if not p.code:
            continue
        if p.code in seen:
            j = seen[p.code]
            other = sheets[j] if j < len(sheets) else str(j + 1)
            yield ctx.finding("duplicate-project-code", f"{pre}.code", project=i, code=p.code, other=other)
        else:
            seen[p.code] = i

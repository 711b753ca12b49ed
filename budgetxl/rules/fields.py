"""Checks that apply to every field the template declares: required, placeholder, amount."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ..files.grids import cell_text
from ..findings import Finding, Label
from ..messages import RULES
from ..values import format_number
from .registry import check


@check("required-field", ("", "goals", "indicators", "projects"))
def required_field(ctx: Any) -> Iterator[Finding]:
    if not ctx.doc.projects:
        yield ctx.finding("required-field", None, "projects")
    cells = ctx.located.raw if ctx.located is not None else None
    for f, obj, pre, i in ctx.fields(lambda f: f.required and f.part_of is None):
        value = f.get(obj)
        if value is not None and not f.kind.raw_decides:
            continue
        path = pre + f.key
        raw = cells.get(path) if cells is not None else f.kind.to_json(value)
        if f.kind.missing(value, raw):
            yield ctx.finding("required-field", path, project=i, field=f.display)
    cp = ctx.table.checkpoints
    if cp is not None and cp.required:
        for i, p, pre in ctx.projects():
            plan = {sp.month: sp.percent for sp in p.spending_plan}
            for m in cp.months:
                path = f"{pre}.{cp.key}[{m}]"
                if plan.get(m) is None and ctx.raw(path, None) is None:
                    yield ctx.finding("required-field", path, project=i, field=ctx.table.checkpoint_display(m))
    for block, items, path, i in ctx.list_items():
        if block.required and not items:
            yield _empty_block(ctx, block, path, i)
    table = ctx.table.table
    if table is not None and table.required:
        for i, p, pre in ctx.projects():
            if not p.indicators:
                yield _empty_block(ctx, table, f"{pre}.{table.key}", i)


def _empty_block(ctx: Any, block: Any, path: str, project: int | None) -> Finding:
    # The catalogue has a sentence for the form's own blocks (goals, indicators); another block is
    # named by its label.
    variant = block.key if block.key in RULES["required-field"].messages else ""
    label = Label(getattr(block, "name", None) or getattr(block, "label", block.key), getattr(block, "en", None))
    return ctx.finding("required-field", path, variant, project=project, field=label)


@check("placeholder", ("", "space"))
def placeholder(ctx: Any) -> Iterator[Finding]:
    """Instruction or placeholder text, or leading/trailing whitespace, in any text field."""
    cells = ctx.located.raw if ctx.located is not None else None  # (what each cell held: the text checked)
    for f, obj, pre, i in ctx.fields(lambda f: f.checks_text and f.part_of is None):
        path = pre + f.key
        raw = cells.get(path) if cells is not None else f.kind.to_json(f.get(obj))
        if raw.__class__ is str and raw and (found := _text(ctx, path, raw, f.display, i)):
            yield found
    for block, items, path, i in ctx.list_items():
        label = Label(block.name or block.label, block.en)
        for j, item in enumerate(items):
            raw = ctx.raw(f"{path}[{j}]", item)
            if isinstance(raw, str) and raw and (found := _text(ctx, f"{path}[{j}]", raw, label, i)):
                yield found


def _text(ctx: Any, path: str, raw: str, label: Label, project: int | None) -> Finding | None:
    stripped = raw.strip()
    if ctx.is_placeholder(stripped):
        return ctx.finding("placeholder", path, project=project, field=label, value=stripped)
    if stripped != raw:
        return ctx.finding("placeholder", path, "space", project=project, field=label)
    return None


@check("amount-invalid", ("", "negative", "decimals"))
def amount_invalid(ctx: Any) -> Iterator[Finding]:
    most = ctx.template.rules.max_amount_decimals
    for f, obj, pre, i in ctx.fields(lambda f: f.kind.column_type == "amount"):
        path = pre + f.key
        value: Decimal | None = f.get(obj)
        if value is None:
            raw = ctx.raw(path, None)
            if raw is not None:
                yield ctx.finding("amount-invalid", path, project=i, field=f.display, value=cell_text(raw))
        elif value < 0:
            yield ctx.finding("amount-invalid", path, "negative", project=i, field=f.display,
                              value=format_number(value))
        elif -value.normalize().as_tuple().exponent > most:
            yield ctx.finding("amount-invalid", path, "decimals", project=i, field=f.display,
                              value=format_number(value), max=most)

"""The consolidated tables, derived from the field table: their sheets, columns and rows.

merge writes them (workbook sheets and data files) and split reads them back, both from the
columns made here. Every field with a ``column`` gets one (a compound kind several: the indicator
value gives 指标值, 计算符号, 数值, 计量单位, 类型). Unit-sheet fields the city issues lead every table
(they say whose row it is); an indicator row also names its project by code and name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..messages import message
from ..model import value_at
from .fields import Field
from .kinds import Kind
from .layout import item_counts
from .scorecard import scorecard

SHEETS = ("summary", "status", "projects", "indicators", "units", "findings", "charts")
UNIT_IDENTITY = ("unit.code", "unit.name")  # the unit columns an indicator row repeats
PROJECT_IDENTITY = ("code", "name")  # the project columns an indicator row repeats


@dataclass(frozen=True)
class Column:
    key: str  # data-file column name
    header: str  # heading in the consolidated workbook
    type: str = "text"  # text | amount | int | percent
    width: float = 14


def sheet_name(template: Any, which: str) -> str:
    return message(f"sheet.{which}", template.language)


def program_column(template: Any, key: str, type: str = "text", width: float = 8) -> Column:
    return Column(key, message(f"col.{key}", template.language), type, width)


def field_columns(f: Field, template: Any) -> list[Column]:
    """The columns of one field (none for a part of a compound field: its columns come with it)."""
    memo = template.fields.memo
    key = ("columns", f.scope, f.key)
    if key not in memo:
        memo[key] = _field_columns(f, template)
    return memo[key]


def _field_columns(f: Field, template: Any) -> list[Column]:
    if f.part_of is not None or f.column_key is None:
        return []
    out = []
    for slot in f.kind.columns:
        if slot == "":
            out.append(Column(f.column_key, f.header, f.kind.column_type, f.width))
        elif slot.startswith("="):
            key, _, type_ = slot[1:].partition(":")
            out.append(program_column(template, key, type_ or "text", 10))
        else:
            part = template.fields.parts_of(f)[slot]
            out.append(Column(part.column_key or part.key, part.header, part.kind.column_type, part.width))
    return out


def _columns(fields: list[Field], template: Any) -> list[Column]:
    return [c for f in fields for c in field_columns(f, template)]


def _values(fields: list[Field], obj: Any, template: Any) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for f, keys, direct in _plan(fields, template):
        if direct:
            row[keys[0]] = f.get(obj)  # (a kind that keeps the base flatten: the value itself)
        else:
            row.update(zip(keys, f.kind.flatten(f.get(obj))))
    return row


def _plan(fields: list[Field], template: Any) -> list[tuple[Field, list[str], bool]]:
    """Each field with columns, their keys, and whether its value is its one column's (once per list)."""
    memo = template.fields.memo
    key = ("plan", tuple((f.scope, f.key) for f in fields))
    if key not in memo:
        memo[key] = [(f, [c.key for c in cols], type(f.kind).flatten is Kind.flatten)
                     for f in fields if (cols := field_columns(f, template))]
    return memo[key]


def _unit_fields(template: Any, identity_only: bool = False) -> list[Field]:
    t = template.fields
    if identity_only:
        return [t.field(k, "unit") for k in UNIT_IDENTITY if t.get(k, "unit")]
    return t.issued("unit")


def _numbered(template: Any, block: Any, n: int, **fmt: Any) -> Column:
    spec = block.column
    key = (spec.key or f"{block.key.split('.')[-1]}_{{n}}").format(n=n, **fmt)
    header = spec.header.format(n=n, **fmt) if spec.header else message(
        "col.numbered", template.language, name=block.name or block.label, n=n)
    return Column(key, header, "text", spec.width or 36)


def _checkpoint_columns(template: Any) -> list[Column]:
    cp = template.fields.checkpoints
    if cp is None:
        return []
    spec = cp.column
    return [Column((spec.key or "plan_m{month}").format(month=m),
                   (spec.header or cp.month_label).format(month=m), "percent", spec.width or 9) for m in cp.months]


# ---- columns --------------------------------------------------------------------------------

def unit_columns(template: Any) -> list[Column]:
    return _columns(_unit_fields(template), template)


def project_columns(template: Any, max_goals: int) -> list[Column]:
    goals = [b for b in template.fields.lists["project"]]
    return [
        *unit_columns(template), program_column(template, "project_no", "int"),
        *_columns(template.fields.project, template), program_column(template, "indicator_count", "int"),
        *_checkpoint_columns(template),
        *(_numbered(template, b, n) for b in goals for n in range(1, max_goals + 1)),
    ]


def indicator_columns(template: Any) -> list[Column]:
    t = template.fields
    return [
        *_columns(_unit_fields(template, identity_only=True), template), program_column(template, "project_no", "int"),
        *_columns([t.field(k) for k in PROJECT_IDENTITY], template), program_column(template, "indicator_no", "int"),
        *_columns(t.indicator, template),
    ]


def overview_columns(template: Any, max_items: dict[str, int]) -> list[Column]:
    lists = template.fields.lists["unit"]
    return [
        *unit_columns(template),
        *_columns([f for f in template.fields.unit if not f.issued], template),
        *(_numbered(template, b, n) for b in lists for n in range(1, max_items.get(b.key, 0) + 1)),
    ]


def amount_fields(template: Any) -> list[Field]:
    """Project amounts, totalled per unit in the summaries."""
    return [f for f in template.fields.project if f.kind.column_type == "amount" and f.column_key]


def summary_columns(template: Any) -> list[Column]:
    return [
        *unit_columns(template), program_column(template, "projects", "int"),
        *(Column(f.column_key, f.header, "amount", 14) for f in amount_fields(template)),
        program_column(template, "indicators", "int"), *stage_columns(template),
        program_column(template, "status", width=18), program_column(template, "file", width=40),
    ]


def stage_columns(template: Any) -> list[Column]:
    """A later stage's figures per unit: 执行率, and the lights (monitoring) or the mean 总分 and
    its grade (self-evaluation); see consolidation.stage."""
    stage = template.stage
    if stage is None:
        return []
    cols = [program_column(template, "rate", "percent", 10)]
    if stage.monitor is not None:
        cols += [Column(f"light_{i}", message("col.light", template.language, light=name), "int", 6)
                 for i, name in enumerate(stage.monitor.light_names())]
    if stage.scoring is not None:
        cols += [program_column(template, "total_score", "number", 10), program_column(template, "grade", width=8)]
    return cols


def _derived(fields: list[Field], values: dict[str, Any], template: Any) -> dict[str, Any]:
    """A later stage's computed cells (and 得分, 分值 as scored) in their columns."""
    return {c.key: values[f.key] for f in fields if f.key in values
            for c in field_columns(f, template)[:1]}


def status_columns(template: Any) -> list[Column]:
    unit = [Column(c.key, c.header, c.type, c.width) for c in _columns(_unit_fields(template, True), template)]
    p = program_column
    return [*unit, p(template, "status", width=16), p(template, "file", width=44), p(template, "sha256", width=20),
            p(template, "saved", width=20), p(template, "errors", "int"), p(template, "warnings", "int"),
            p(template, "note", width=40)]


def finding_columns(template: Any) -> list[Column]:
    p = program_column
    unit = _columns(_unit_fields(template, True), template)
    return [p(template, "file", width=40), *unit, p(template, "rule", width=22), p(template, "severity"),
            p(template, "sheet", width=24), p(template, "cell"), p(template, "message", width=60)]


# ---- rows -----------------------------------------------------------------------------------

def unit_values(doc: Any, template: Any, identity_only: bool = False) -> dict[str, Any]:
    return _values(_unit_fields(template, identity_only), doc, template)


def project_rows(doc: Any, template: Any) -> list[dict[str, Any]]:
    t = template.fields
    base = unit_values(doc, template)
    goals = t.lists["project"]
    cp_cols = _checkpoint_columns(template)
    rows = []
    cards = scorecard(doc, template)
    for i, p in enumerate(doc.projects, start=1):
        row = {**base, "project_no": i, **_values(t.project, p, template), "indicator_count": len(p.indicators)}
        if cards:
            row.update(_derived(t.project, cards[i - 1].values, template))
        if t.checkpoints is not None:
            plan = {sp.month: sp.percent for sp in p.spending_plan}
            row.update((c.key, plan.get(m)) for c, m in zip(cp_cols, t.checkpoints.months))
        for b in goals:
            items = value_at(p, b.key)
            row.update((_numbered(template, b, n).key, item) for n, item in enumerate(items, start=1))
        rows.append(row)
    return rows


def indicator_rows(doc: Any, template: Any) -> list[dict[str, Any]]:
    t = template.fields
    base = unit_values(doc, template, identity_only=True)
    ident = [t.field(k) for k in PROJECT_IDENTITY]
    rows = []
    cards = scorecard(doc, template)
    for i, p in enumerate(doc.projects, start=1):
        head = {**base, "project_no": i, **_values(ident, p, template)}
        for k, ind in enumerate(p.indicators, start=1):
            row = {**head, "indicator_no": k, **_values(t.indicator, ind, template)}
            if cards:
                row.update(_derived(t.indicator, cards[i - 1].indicators[k - 1], template))
            rows.append(row)
    return rows


def overview_row(doc: Any, template: Any) -> dict[str, Any]:
    t = template.fields
    row = {**unit_values(doc, template), **_values([f for f in t.unit if not f.issued], doc, template)}
    for b in t.lists["unit"]:
        row.update((_numbered(template, b, n).key, item) for n, item in enumerate(value_at(doc, b.key), start=1))
    return row


def list_counts(doc: Any, template: Any) -> dict[str, int]:
    """How many items each unit-sheet list holds (the overview columns need the most of them)."""
    return item_counts(template.unit, doc)

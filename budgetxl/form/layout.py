"""Where everything goes on a freshly generated sheet, computed from the template's blocks.

The writer puts labels and values at these places; the live checks refer to them. The reader
does not use row numbers: it finds each label wherever a clerk's edits moved it and reads the
value at the same offset from it as placed here (a field's value right of its label, a
checkpoint's value under its month, a list's text two columns right of its label, a table's
columns under its header). Rows and columns are 0-based.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any

from ..model import value_at
from .fields import Field, FieldTable
from .spec import CheckpointsBlock, FieldsBlock, ListBlock, RowSpec, SheetSpec, TableBlock

# Hidden sheets of a generated workbook.
META_SHEET = "_meta"
LISTS_SHEET = "_lists"
META_MARK = "budgetxl-meta"  # A1 of the metadata sheet, so it is found even when renamed

LIST_NUMBER_COL = 1  # a list's running number, right of its label
LIST_TEXT_COL = 2  # a list's text, two right of its label


@dataclass(frozen=True)
class FieldPlace:
    field: Field
    label: tuple[int, int]
    value: tuple[int, int]
    span: int


@dataclass(frozen=True)
class RowPlace:
    row: int
    spec: RowSpec
    fields: list[FieldPlace]


@dataclass(frozen=True)
class FieldsPlace:
    name: str
    spec: FieldsBlock
    top: int
    rows: list[RowPlace]
    groups: list[tuple[str, int, int]]  # label, first row, last row

    @property
    def height(self) -> int:
        return len(self.rows)



@dataclass(frozen=True)
class CheckpointsPlace:
    name: str
    spec: CheckpointsBlock
    top: int
    height: int = 2

    def months(self) -> list[tuple[int, tuple[int, int], tuple[int, int]]]:
        """(month, label cell, value cell) for every checkpoint."""
        return [(m, (self.top, 1 + i), (self.top + 1, 1 + i)) for i, m in enumerate(self.spec.months)]



@dataclass(frozen=True)
class ListPlace:
    name: str
    spec: ListBlock
    top: int
    height: int


    def text_cells(self) -> list[tuple[int, int]]:
        return [(self.top + i, LIST_TEXT_COL) for i in range(self.height)]


@dataclass(frozen=True)
class TablePlace:
    name: str
    spec: TableBlock
    top: int  # the header row
    rows: int
    columns: list[tuple[Field, int]]

    @property
    def height(self) -> int:
        return 1 + self.rows

    @property
    def first(self) -> int:
        return self.top + 1

    @property
    def last(self) -> int:
        return self.top + self.rows


    def col(self, key: str) -> int | None:
        return next((c for f, c in self.columns if f.key == key), None)


@dataclass(frozen=True)
class SheetLayout:
    width: int
    top: int  # rows above the first block (title, unit line)
    blocks: list[Any] = field(default_factory=list)

    @property
    def last_row(self) -> int:
        b = self.blocks[-1]
        return b.top + b.height - 1

    def fields(self) -> list[FieldPlace]:
        """Every placed field of the sheet (a block kind of another form gives its own: field_places)."""
        out: list[FieldPlace] = []
        for b in self.blocks:
            if isinstance(b, FieldsPlace):
                out += [fp for r in b.rows for fp in r.fields]
            elif hasattr(b, "field_places"):
                out += b.field_places()
        return out

    def value_cell(self, key: str) -> tuple[int, int] | None:
        return next((fp.value for fp in self.fields() if fp.field.key == key), None)

    def of(self, kind: type) -> list[Any]:
        return [b for b in self.blocks if isinstance(b, kind)]

    def table(self) -> TablePlace | None:
        return next(iter(self.of(TablePlace)), None)

    def checkpoints(self) -> CheckpointsPlace | None:
        return next(iter(self.of(CheckpointsPlace)), None)


def _fields_place(name: str, spec: FieldsBlock, top: int, fields: dict[str, Field]) -> FieldsPlace:
    rows, groups = [], []
    for n, row in enumerate(spec.row):
        r = top + n
        c = 1 if row.group else 0
        placed = []
        for f in row.field:
            placed.append(FieldPlace(fields[f.key], (r, c), (r, c + 1), f.span))
            c += 1 + f.span
        rows.append(RowPlace(r, row, placed))
        if row.group:
            if groups and groups[-1][0] == row.group and groups[-1][2] == r - 1:
                groups[-1] = (row.group, groups[-1][1], r)
            else:
                groups.append((row.group, r, r))
    return FieldsPlace(name, spec, top, rows, groups)


# How each block kind is placed: (name, block, top row, field table, scope, item counts) -> its place.
PLACERS: dict[str, Callable[..., Any]] = {
    "fields": lambda name, block, top, table, scope, counts: _fields_place(
        name, block, top, {f.key: f for f in table.scope(scope)}),
    "checkpoints": lambda name, block, top, table, scope, counts: CheckpointsPlace(name, block, top),
    "list": lambda name, block, top, table, scope, counts: ListPlace(
        name, block, top, max(block.min_rows, counts.get(block.key, 0) + block.spare_rows)),
    "table": lambda name, block, top, table, scope, counts: TablePlace(
        name, block, top, max(counts.get(block.key, 0) + block.spare_rows, 1),
        [(f, c) for c, f in enumerate(table.indicator)]),
}


def sheet_layout(spec: SheetSpec, table: FieldTable, scope: str, counts: dict[str, int], top: int) -> SheetLayout:
    """The layout of a sheet whose list/table blocks hold ``counts[block key]`` items."""
    blocks: list[Any] = []
    r = top
    for name, block in spec.ordered():
        place = PLACERS[block.kind](name, block, r, table, scope, counts)
        blocks.append(place)
        r += place.height
    return SheetLayout(spec.width, top, blocks)


PROJECT_TOP = 2  # title, then the unit line
UNIT_TOP = 1  # title


def item_counts(sheet: SheetSpec, obj: Any) -> dict[str, int]:
    """How many items each list and table block of ``sheet`` holds in ``obj`` (document or project)."""
    return {b.key: len(value_at(obj, b.key)) for _, b in sheet.ordered() if isinstance(b, (ListBlock, TableBlock))}


def project_layout(template: Any, project: Any) -> SheetLayout:
    counts = item_counts(template.project, project)
    return sheet_layout(template.project, template.fields, "project", counts, PROJECT_TOP)


def unit_layout(template: Any, doc: Any) -> SheetLayout:
    return sheet_layout(template.unit, template.fields, "unit", item_counts(template.unit, doc), UNIT_TOP)

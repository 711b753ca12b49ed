"""Block kinds of the monitoring and self-evaluation forms: their specs, fields and places.

- ``grid``: the money table (项目资金): a label in column A, one row per funding source (年度资金总额,
  其中：财政拨款, 其他资金), one column per field (年初预算数, 1–N月执行数, 执行率 …). Each cell is a
  field of its own, keyed ``<column key>.<row key>`` (``budget.total``, ``monitor.spent.fiscal``,
  ``calc.rate.total``); a column may hold only some rows (``rows``), the others show a dash.
- ``issued-table``: the indicator table of a later stage: one row per issued indicator, its
  issued columns locked, the clerk's columns open by the indicator's kind (a number, or a word
  from a list), computed columns (序时进度, 得分) as formulas. No spare rows: indicators are issued.
- ``totals``: a label over the first columns, then computed cells (分值 100, 总分, 评价等级).
- ``note``: the form's closing 说明 line (with what the scoring says about this project).

Placers are registered in form.layout.PLACERS, writers in workbook.writer.stage_blocks, readers in
workbook.stage_reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .layout import PLACERS, FieldPlace, TablePlace
from .spec import FieldSpec, TableBlock, block_kind


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GridRow(_Spec):
    key: str  # the last part of each cell's key (total, fiscal, other)
    label: str  # the row's label (年度资金总额)
    name: str = ""  # added to a column's name in messages and headings (财政拨款); "" for none
    en: str | None = None


class GridColumn(FieldSpec):
    rows: list[str] | None = None  # the rows this column has (default: all)


@block_kind("grid")
class GridBlock(_Spec):
    kind: Literal["grid"]
    label: str  # column A, merged down the block
    corner: str = ""  # the heading over the row labels
    row_span: int = Field(1, ge=1)  # columns the row labels take
    rows: list[GridRow] = Field(min_length=1)
    field: list[GridColumn] = Field(min_length=1)
    header_height: float = 30
    row_height: float = 20

    def cells(self) -> list[tuple[int, GridRow, GridColumn, FieldSpec]]:
        """(row index, row, column, the cell's field spec) for every cell that has a field."""
        out = []
        for i, row in enumerate(self.rows):
            for col in self.field:
                if col.rows is None or row.key in col.rows:
                    out.append((i, row, col, cell_spec(col, row, i == 0)))
        return out

    def add_fields(self, table: Any, sheet: str, where: str) -> None:
        width = len(table.template.project.widths if sheet == "project" else table.template.unit.widths)
        used = 1 + self.row_span + sum(c.span for c in self.field)
        if used > width:
            raise ValueError(f"{where} needs {used} columns; the sheet has {width} (widths)")
        placed = [table._field(spec, sheet, where) for _, _, _, spec in self.cells()]
        table.scope(sheet).extend(placed)
        table.blocks.setdefault((sheet, where.split(".")[-1]), []).extend(placed)


def cell_spec(col: GridColumn, row: GridRow, first: bool) -> FieldSpec:
    """The field of one cell of a grid column: its key, name and operands carry the row; a
    column marked ``summary`` shows its first row (年度资金总额) in the workbook's summary."""
    data = col.model_dump(exclude={"rows"}, exclude_unset=True)
    data["summary"] = col.summary and first
    name = col.name or col.label
    data["key"] = f"{col.key}.{row.key}"
    data["name"] = f"{name}（{row.name}）" if row.name else name
    if col.en:
        data["en"] = f"{col.en} ({row.en or row.key})" if row.name else col.en
    if col.of:
        data["of"] = [f"{k}.{row.key}" for k in col.of]
    spec = col.column_spec
    if spec is not None:
        data["column"] = {"key": (spec.key or f"{col.key}_{{row}}".replace(".", "_")).format(row=row.key),
                          "header": (spec.header or data["name"]).format(row=row.name or row.label),
                          **({"width": spec.width} if spec.width else {})}
    return FieldSpec.model_validate(data)


@block_kind("issued-table")
class IssuedTableBlock(TableBlock):
    """A table whose rows the city issues (see the module's docstring)."""

    kind: Literal["issued-table"]  # type: ignore[assignment]


@block_kind("totals")
class TotalsBlock(_Spec):
    kind: Literal["totals"]
    label: str  # over the first columns (总分)
    label_span: int = Field(1, ge=1)
    field: list[FieldSpec] = Field(min_length=1)  # computed cells, left to right after the label
    height: float = 24

    def add_fields(self, table: Any, sheet: str, where: str) -> None:
        placed = [table._field(spec, sheet, where) for spec in self.field]
        table.scope(sheet).extend(placed)
        table.blocks.setdefault((sheet, where.split(".")[-1]), []).extend(placed)


@block_kind("note")
class NoteBlock(_Spec):
    kind: Literal["note"]
    label: str  # column A (说明)
    text: str = ""  # the form's own note; the scoring's notes about the project follow it
    height: float = 36


# ---- places ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GridPlace:
    name: str
    spec: GridBlock
    top: int  # the header row
    cells: list[FieldPlace]  # label: the column's heading cell; value: the cell
    columns: list[tuple[GridColumn, int]]  # each column and its first sheet column

    @property
    def height(self) -> int:
        return 1 + len(self.spec.rows)

    def field_places(self) -> list[FieldPlace]:
        return list(self.cells)

    def first_col(self) -> int:
        return 1 + self.spec.row_span


def _grid_place(name: str, block: GridBlock, top: int, table: Any, scope: str, counts: dict[str, int]) -> GridPlace:
    fields = {f.key: f for f in table.block_fields(scope, name)}
    columns, c = [], 1 + block.row_span
    for col in block.field:
        columns.append((col, c))
        c += col.span
    at = {id(col): c for col, c in columns}
    cells = [FieldPlace(fields[spec.key], (top, at[id(col)]), (top + 1 + i, at[id(col)]), col.span)
             for i, row, col, spec in block.cells()]
    return GridPlace(name, block, top, cells, columns)


@dataclass(frozen=True)
class TotalsPlace:
    name: str
    spec: TotalsBlock
    top: int
    cells: list[FieldPlace]
    height: int = 1

    def field_places(self) -> list[FieldPlace]:
        return list(self.cells)


def _totals_place(name: str, block: TotalsBlock, top: int, table: Any, scope: str,
                  counts: dict[str, int]) -> TotalsPlace:
    fields = {f.key: f for f in table.block_fields(scope, name)}
    cells, c = [], block.label_span
    for spec in block.field:
        cells.append(FieldPlace(fields[spec.key], (top, 0), (top, c), spec.span))
        c += spec.span
    return TotalsPlace(name, block, top, cells)


@dataclass(frozen=True)
class NotePlace:
    name: str
    spec: NoteBlock
    top: int
    height: int = 1


PLACERS["grid"] = _grid_place
PLACERS["issued-table"] = lambda name, block, top, table, scope, counts: TablePlace(
    name, block, top, max(counts.get(block.key, 0), 1), [(f, c) for c, f in enumerate(table.indicator)])
PLACERS["totals"] = _totals_place
PLACERS["note"] = lambda name, block, top, table, scope, counts: NotePlace(name, block, top)

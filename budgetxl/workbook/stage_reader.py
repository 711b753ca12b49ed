"""Readers of the later stages' block kinds (registered in workbook.reader.READERS).

As everywhere, cells are found by their labels: a grid's cell where its row's label and its
column's heading meet; the indicator table under its heading row, down to the block below it.
Computed cells (a formula's result) are never read into the document.
"""

from __future__ import annotations

from typing import Any

from ..files.grids import Grid
from ..form.fields import CALC
from .reader import READERS, ReadResult, _read_table, _set


def read_grid(res: ReadResult, grid: Grid, t: Any, sheet: Any, name: str, block: Any, prefix: str,
              data: dict[str, Any]) -> None:
    fields = {f.key: f for f in t.fields.block_fields("project", name) if f.stored}
    stored = [col for col in block.field if any(k.startswith(col.key + ".") for k in fields)]
    head = next((at for col in stored if (at := grid.find(col.label)) is not None), None)
    if head is None:
        return
    cols = {col.key: c for col in stored if (c := grid.find_in_row(head[0], col.label)) is not None}
    for row in block.rows:
        at = grid.find(row.label)
        if at is None or at[0] <= head[0]:
            continue
        for key, c in cols.items():
            f = fields.get(f"{key}.{row.key}")
            if f is not None:
                f.set(data, f.kind.read(res.take(prefix + f.key, grid, at[0], c)))


def read_issued_table(res: ReadResult, grid: Grid, t: Any, sheet: Any, name: str, block: Any, prefix: str,
                      data: dict[str, Any]) -> None:
    until = t.fields.next_anchor(sheet, name)
    head = grid.find(t.fields.indicator[0].label)
    stop = grid.find(until) if until else None
    rows = grid.rows[:stop[0]] if stop is not None and head is not None and stop[0] > head[0] else grid.rows
    items = _read_table(res, Grid(grid.name, rows, grid.visible), t, prefix)
    for ind in items:
        ind.pop(CALC, None)  # (what the workbook computed is shown, not data)
    computed = [p for p in res.raw if p.startswith(prefix) and f".{CALC}." in p]
    for p in computed:
        del res.raw[p]
    _set(data, block.key, items)


def _nothing(*args: Any) -> None:
    """A block the workbook computes or prints (总分, 说明): nothing to read."""


READERS["grid"] = read_grid
READERS["issued-table"] = read_issued_table
READERS["totals"] = _nothing
READERS["note"] = _nothing

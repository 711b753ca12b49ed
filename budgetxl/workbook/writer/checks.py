"""The check columns of the project sheets and the unit sheet: what each sheet's live checks see
(its cells, the issued values kept on the metadata sheet, the unit sheet's region and year, the
summary's earlier codes) and where the check cells go."""

from __future__ import annotations

from typing import Any

from ...cells import a1, parse_a1, sheet_ref
from ...form.layout import LIST_TEXT_COL, ListPlace, SheetLayout
from ...rules.live import LiveSheet, blank, checks
from ..xlsx import SheetWriter
from .book import Book, ProjectPlan
from .live import CHECK_WIDTH, CheckSheet, check_column, write_list, write_table
from .meta_sheet import indicator_key
from .summary_sheet import code_cells

CHECK_HEADER_ROW = 1  # the unit line: the check column's header sits beside it


def _used(layout: SheetLayout, w: SheetWriter) -> tuple[str, bool]:
    """Is a sheet in use (anything typed in its fields, plan, lists or table)? As a formula and now."""
    cells = [a1(*fp.value) for fp in layout.fields()]
    cp = layout.checkpoints()
    if cp is not None:
        cells += [a1(*v) for _, _, v in cp.months()]
    areas = list(cells)
    for place in layout.of(ListPlace):
        top = place.top
        areas.append(f"{a1(top, LIST_TEXT_COL)}:{a1(top + place.height - 1, LIST_TEXT_COL)}")
        cells += [a1(top + i, LIST_TEXT_COL) for i in range(place.height)]
    table = layout.table()
    if table is not None:
        last = max(c for _, c in table.columns)
        areas.append(f"{a1(table.first, 0)}:{a1(table.last, last)}")
        cells += [a1(r, c) for r in range(table.first, table.last + 1) for _, c in table.columns]
    return f"COUNTA({','.join(areas)})>0", any(not blank(w.get(x)) for x in cells)


def _sentinel(layout: SheetLayout, place: Any) -> int:
    """The row after a block: the next block's first row, or the row under the sheet's last block."""
    i = layout.blocks.index(place)
    return layout.blocks[i + 1].top if i + 1 < len(layout.blocks) else layout.last_row + 1


def _unit_refs(book: Book) -> tuple[dict[str, str], dict[str, Any]]:
    refs, values = {}, {}
    for key in ("unit.region", "year"):
        cell = book.unit_cell(key)
        f = book.template.fields.get(key, "unit")
        if cell is not None and f is not None:
            refs[key] = sheet_ref(book.plan.unit, *cell)
            values[key] = f.get(book.doc)
    return refs, values


def _header(book: Book, w: SheetWriter, row: int, col: int) -> None:
    w.ws.set_column(col, col, CHECK_WIDTH)
    w.ws.write_string(row, col, book.text("workbook.check-header"), book.styles.cell("header"))


def project_checks(book: Book, w: SheetWriter, plan: ProjectPlan) -> tuple[int, int]:
    """The check column of a project sheet; returns the problems its checks find now (and the
    warnings among them)."""
    t, lay = book.template, plan.layout
    col = check_column(t)
    _header(book, w, CHECK_HEADER_ROW, col)
    used, used_now = (None, True) if plan.issued else _used(lay, w)
    cs = CheckSheet(book, w, plan.sheet, col, used, used_now)
    cp = lay.checkpoints()
    points = [(m, a1(*v), t.fields.checkpoint_label(m)) for m, _, v in cp.months()] if cp else []
    unit_refs, unit_values = _unit_refs(book)
    i = plan.index
    issued = {key: ref for (p, key), ref in book.meta_cells.items() if p == i and plan.issued}
    earlier = code_cells(book, i)
    sheet = LiveSheet(t, [(fp.field, a1(*fp.value)) for fp in lay.fields()], points, issued, plan.added,
                      unit_refs, earlier, tuple(p.project.code or "" for p in book.plan.projects[:i]), unit_values, used,
                      cs.let, cs.qualify)
    table = lay.table()
    if table is not None and plan.issued:
        sheet.issued_rows = _issued_rows(book, table, i)
    own = checks("sheet", sheet)
    in_table = {} if table is None else {r: [] for r in range(table.first, table.last + 1)}
    for c in own:
        if parse_a1(c.target)[0] in in_table:  # (an issued indicator row: shown in the row's own check cell)
            in_table[parse_a1(c.target)[0]].append(c)
    cs.fixed_rows([c for c in own if parse_a1(c.target)[0] not in in_table])
    for n, place in enumerate(lay.of(ListPlace)):
        write_list(cs, place, n, LIST_TEXT_COL, _sentinel(lay, place))
    if table is not None:
        write_table(cs, table, a1(table.top, 0), lay.value_cell("budget.total"), in_table)
    _hide_helpers(w, cs)
    return cs.problems, cs.warnings


def _issued_rows(book: Book, table: Any, i: int) -> list[tuple[Any, str, list[tuple[Any, str, str | None]]]]:
    """A later stage's indicator rows as issued: each issued field's cell and its parts' cells, with
    the cells on the metadata sheet holding what was issued (see meta_sheet)."""
    t, out = book.template, []
    col = {f.key: c for f, c in table.columns}
    fields = [f for f in t.fields.issued("indicator") if f.part_of is None and f.key in col]
    for k in range(table.last - table.first + 1):
        r = table.first + k
        for f in fields:
            parts = [p for p, c in table.columns if p.key == f.key or p.part_of == f.key]
            if not any((i, indicator_key(k, p.key)) in book.meta_cells for p in parts):
                continue  # (a row nothing was issued for)
            out.append((f, a1(r, col[f.key]), [(p, a1(r, col[p.key]), book.meta_cells.get((i, indicator_key(k, p.key))))
                                               for p in parts]))
    return out


def unit_checks(book: Book, w: SheetWriter) -> tuple[int, int]:
    """The check column of the unit sheet; returns the problems its checks find now (and warnings)."""
    t, lay = book.template, book.plan.unit_layout
    col = t.unit.width
    _header(book, w, 0, col)
    cs = CheckSheet(book, w, book.plan.unit, col)
    issued = {key: ref for (p, key), ref in book.meta_cells.items() if p is None}
    sheet = LiveSheet(t, [(fp.field, a1(*fp.value)) for fp in lay.fields()], issued=issued)
    sheet.let, sheet.qualify = cs.let, cs.qualify
    cs.fixed_rows(checks("unit", sheet))
    for n, place in enumerate(lay.of(ListPlace)):
        write_list(cs, place, n, LIST_TEXT_COL, _sentinel(lay, place))
    _hide_helpers(w, cs)
    return cs.problems, cs.warnings


def _hide_helpers(w: SheetWriter, cs: CheckSheet) -> None:
    """The hidden columns right of the check column: rows inserted in a block, long check texts."""
    w.ws.set_column(cs.col + 1, cs.col + cs.helpers, 8, None, {"hidden": True})

"""A project sheet: the title and unit line, the template's blocks, the check column, print set-up."""

from __future__ import annotations

from typing import Any

from ...cells import a1, sheet_ref
from ..xlsx import SheetWriter
from .blocks import write_block
from .book import Book, ProjectPlan
from .checks import project_checks

TITLE_ROW, UNIT_ROW = 0, 1
PAGE_ROWS = 45  # a sheet longer than this prints on several pages, one page wide


def write_project_sheet(book: Book, ws: Any, plan: ProjectPlan) -> tuple[int, int]:
    """Write the sheet; returns the problems its live checks find now, and the warnings among
    them (for the summary)."""
    t, st, lay = book.template, book.styles, plan.layout
    w = SheetWriter(ws, st)
    widths = list(t.project.widths)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    _title_rows(book, w, plan)
    for place in lay.blocks:
        write_block(book, w, place, plan.project, plan.issued, widths)
    problems = project_checks(book, w, plan)
    rows = t.project.insert_rows  # (a form whose every row is issued has none to insert)
    ws.protect("", {"insert_rows": rows, "delete_rows": rows, "format_rows": True, "format_columns": True,
                    "select_locked_cells": True, "select_unlocked_cells": True})
    ws.freeze_panes(lay.top + 1, 0)
    ws.set_paper(9)
    ws.set_landscape() if t.project.landscape else ws.set_portrait()
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.repeat_rows(TITLE_ROW, UNIT_ROW)
    ws.set_footer(book.text("workbook.footer"))
    ws.fit_to_pages(1, 1 if lay.last_row < PAGE_ROWS else 0)
    ws.print_area(0, 0, lay.last_row, lay.width - 1)
    return problems


def _title_rows(book: Book, w: SheetWriter, plan: ProjectPlan) -> None:
    """The title follows the project's name, the unit line the unit sheet (formulas, cached values)."""
    ws, st, t, doc = w.ws, book.styles, book.template, book.doc
    width = t.project.width
    suffix = t.project.title_suffix
    name_cell = plan.layout.value_cell("name")
    ws.merge_range(TITLE_ROW, 0, TITLE_ROW, width - 1, "", st.cell("title"))
    cached = f"{plan.project.name or ''}{suffix}"
    ws.write_formula(TITLE_ROW, 0, f'={a1(*name_cell)}&"{suffix}"', st.cell("title"), cached)
    ws.set_row(TITLE_ROW, 30)
    left, right = st.cell("plain", align="left"), st.cell("plain", align="right")
    split = width - 3
    mark = 2 if plan.added else 0  # a sheet for a project the unit adds says so, in print too
    ws.merge_range(UNIT_ROW, 0, UNIT_ROW, split - 1 - mark, "", left)
    code, name = book.unit_cell("unit.code"), book.unit_cell("unit.name")
    if code and name:
        unit = f'=TRIM({sheet_ref(book.plan.unit, *code)}&" "&{sheet_ref(book.plan.unit, *name)})'
        ws.write_formula(UNIT_ROW, 0, unit, left, f"{doc.unit.code or ''} {doc.unit.name or ''}".strip())
    if mark:
        ws.merge_range(UNIT_ROW, split - mark, UNIT_ROW, split - 1, "", st.get(bold=True, font_color="#C00000",
                                                                              align="center"))
        ws.write_string(UNIT_ROW, split - mark, book.text("workbook.added-mark"),
                        st.get(bold=True, font_color="#C00000", align="center"))
    ws.merge_range(UNIT_ROW, split, UNIT_ROW, width - 1, "", right)
    ws.write_string(UNIT_ROW, split, t.project.amount_unit_line, right)

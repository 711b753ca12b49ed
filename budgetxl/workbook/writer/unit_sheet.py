"""The unit sheet (单位信息): the title, then the template's blocks (the unit, the overview)."""

from __future__ import annotations

from typing import Any

from ..xlsx import SheetWriter
from .blocks import write_block
from .book import Book
from .checks import unit_checks


def write_unit_sheet(book: Book, ws: Any) -> tuple[int, int]:
    """Write the sheet; returns the problems its live checks find now (and the warnings among them)."""
    t, st = book.template, book.styles
    w = SheetWriter(ws, st)
    widths = list(t.unit.widths)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    w.text(0, 0, book.plan.title or t.template.title, st.cell("title"), span=len(widths))
    ws.set_row(0, 30)
    for place in book.plan.unit_layout.blocks:
        write_block(book, w, place, book.doc, True, widths)
    problems = unit_checks(book, w)
    ws.protect("", {"insert_rows": True, "delete_rows": True, "format_rows": True, "format_columns": True,
                    "select_locked_cells": True, "select_unlocked_cells": True})
    ws.freeze_panes(1, 0)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.print_area(0, 0, book.plan.unit_layout.last_row, len(widths) - 1)
    return problems

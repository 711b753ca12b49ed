"""The unit sheet (单位信息): the title, then the template's blocks (the unit, the overview)."""

from __future__ import annotations

from typing import Any

from ..xlsx import SheetWriter
from .blocks import write_block
from .book import Book


def write_unit_sheet(book: Book, ws: Any) -> None:
    t, st = book.template, book.styles
    w = SheetWriter(ws, st)
    widths = list(t.unit.widths)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    w.text(0, 0, book.plan.title or t.template.title, st.cell("title"), span=len(widths))
    ws.set_row(0, 30)
    for place in book.plan.unit_layout.blocks:
        write_block(book, w, place, book.doc, True, widths)
    ws.protect("", {"insert_rows": True, "delete_rows": True, "format_rows": True, "format_columns": True})
    ws.freeze_panes(1, 0)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)

"""The unit sheet (单位信息): the title, then the template's blocks (the unit, the overview)."""

from __future__ import annotations

from typing import Any

from ..printing import MIN_SCALE, fit_scale, setup_print
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
    w.text(0, 0, unit_heading(book), st.cell("title"), span=len(widths))
    ws.set_row(0, 30)
    for place in book.plan.unit_layout.blocks:
        write_block(book, w, place, book.doc, True, widths)
    problems = unit_checks(book, w)
    # The template a workbook is made with is for the program (the reader finds it here, and in
    # the hidden metadata): its row is hidden, and the page footer names the form in words.
    at = book.unit_cell("template")
    if at is not None:
        ws.set_row(at[0], None, None, {"hidden": True})
    ws.protect("", {"insert_rows": True, "delete_rows": True, "format_rows": True, "format_columns": True,
                    "select_locked_cells": True, "select_unlocked_cells": True})
    ws.freeze_panes(1, 0)
    landscape = fit_scale(widths, landscape=False) < MIN_SCALE
    setup_print(ws, widths, landscape=landscape, repeat_rows=(0, 0),
                footer="&L" + book.text("workbook.form-version", title=t.template.title, version=t.version)
                + "&R" + book.text("workbook.page"))
    # One page wide at a legible scale; an overview too long for one page at 8 pt goes on, under
    # the heading repeated (rows never break inside).
    ws.print_area(0, 0, book.plan.unit_layout.last_row, len(widths) - 1)
    return problems


def unit_heading(book: Book) -> str:
    """The unit sheet's heading: whose targets these are, for which year (a form whose unit sheet
    holds no overall targets, a later stage's, heads it with the form's title and 单位信息)."""
    doc = book.doc
    key = "workbook.unit-title" if doc.year else "workbook.unit-title-no-year"
    if not book.template.fields.lists["unit"]:
        key = "workbook.unit-info-title" if doc.year else "workbook.unit-info-title-no-year"
    return book.text(key, unit=doc.unit.name or "", year=doc.year, form=book.template.template.title)

"""The instructions sheet (填报说明): the template's text, then the colour legend."""

from __future__ import annotations

from typing import Any

from ..printing import setup_print
from ..xlsx import SheetWriter, row_height, text_lines
from .book import Book
from .stage_blocks import COMPUTED_COLOR


def instruction_lines(t: Any) -> list[str]:
    """The template's instructions with its sheet names, checkpoints and framework filled in."""
    months = "、".join(t.fields.checkpoint_label(m) for m in t.fields.checkpoints.months) if t.fields.checkpoints else ""
    framework = "；".join(f"{f.level1}：{'、'.join(f.level2)}" for f in t.framework)
    prefix = t.sheets.added_prefix or t.sheets.project_prefix
    added = "".join(f"“{prefix}{n}”" for n in range(1, t.project.added_sheets + 1))
    names = {"unit_sheet": t.sheets.unit, "summary_sheet": t.sheets.summary, "months": months, "framework": framework,
             "added": added}
    return [line.format(**names) for line in t.instructions.lines()]


WIDTHS = (3, 84)  # a margin column, then the text (A4 portrait at a legible scale)


def write_instructions(book: Book, ws: Any) -> None:
    """Each instruction line in its own row, as tall as its wrapped text (a heading bold); the
    colour legend; one page wide, A4 portrait."""
    st = book.styles
    for c, width in enumerate(WIDTHS):
        ws.set_column(c, c, width)
    title = book.text("workbook.instructions-title", title=book.plan.title)
    ws.set_row(0, 30)
    SheetWriter(ws, st, record=False).text(0, 0, title, st.cell("title"), span=2)
    lines = instruction_lines(book.template)
    for i, line in enumerate(lines, start=2):
        heading = not line.startswith(" ")
        ws.write_string(i, 1, line.strip(), st.get(bold=heading, text_wrap=True, valign="top"))
        ws.set_row(i, row_height(text_lines(line.strip(), WIDTHS[1])))
    r = len(lines) + 3
    ws.write_string(r, 1, book.text("workbook.legend"), st.get(bold=True))
    ws.write_string(r + 1, 1, book.text("workbook.legend-fill"), st.cell("fill"))
    ws.write_string(r + 2, 1, book.text("workbook.legend-issued"), st.cell("issued"))
    for row in (r, r + 1, r + 2):
        ws.set_row(row, row_height(1))
    t = book.template
    if any(not f.stored for s in ("project", "indicator") for f in t.fields.scope(s)):  # (a form that computes)
        ws.write_string(r + 3, 1, book.text("workbook.legend-computed"), st.cell("issued", bg_color=COMPUTED_COLOR))
        ws.set_row(r + 3, row_height(1))
        r += 1
    ws.protect("")
    setup_print(ws, WIDTHS, landscape=False, footer="&C" + book.text("workbook.page"))
    ws.print_area(0, 0, r + 2, len(WIDTHS) - 1)

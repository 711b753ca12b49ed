"""The instructions sheet (填报说明): the template's text, then the colour legend."""

from __future__ import annotations

from typing import Any

from ..xlsx import SheetWriter, text_width
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


def write_instructions(book: Book, ws: Any) -> None:
    st = book.styles
    ws.set_column(0, 0, 4)
    ws.set_column(1, 1, 100)
    title = book.text("workbook.instructions-title", title=book.plan.title)
    SheetWriter(ws, st, record=False).text(0, 0, title, st.cell("title"), span=2)
    lines = instruction_lines(book.template)
    for i, line in enumerate(lines, start=2):
        heading = not line.startswith(" ")
        ws.write_string(i, 1, line.strip(), st.get(bold=heading, text_wrap=True, valign="top"))
        ws.set_row(i, 18 if heading else 18 * (1 + int(text_width(line) // 190)))
    r = len(lines) + 3
    ws.write_string(r, 1, book.text("workbook.legend"), st.get(bold=True))
    ws.write_string(r + 1, 1, book.text("workbook.legend-fill"), st.cell("fill"))
    ws.write_string(r + 2, 1, book.text("workbook.legend-issued"), st.cell("issued"))
    t = book.template
    if any(not f.stored for s in ("project", "indicator") for f in t.fields.scope(s)):  # (a form that computes)
        ws.write_string(r + 3, 1, book.text("workbook.legend-computed"), st.cell("issued", bg_color=COMPUTED_COLOR))
    ws.protect("")
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)

"""Generate a unit's workbook (xlsxwriter), one writer per sheet over the field table.

Every position comes from the layout (form.layout), every label and hint from the template, every
sentence the program adds from the catalogue. Text from a user is written as text (never as a
formula) with Excel's quote prefix when it starts like one. Formula cells carry cached values
computed here, so a file reads right without being recalculated.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ...files.atomic import atomic_path
from ...form import Template, template_for
from ...form.scorecard import effective_points
from ...form.template import document_template
from ...messages import message
from ...model import Submission
from ...version import __version__
from ..xlsx import Styles, new_workbook
from .book import Book, plan_book
from .instructions import write_instructions
from .lists_sheet import define_lists, write_lists_sheet
from .meta_sheet import issued_cells, write_meta_sheet
from .project_sheet import write_project_sheet
from . import stage_blocks  # noqa: F401  (registers the later stages' block writers)
from .summary_sheet import write_summary
from .unit_sheet import write_unit_sheet

BAD = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}  # a cell a live check finds wrong
WARN = {"bg_color": "#FFEB9C", "font_color": "#9C5700"}  # … or worth a second look (a warning)


def generate_workbook(doc: Submission, path: str | os.PathLike[str], template: Template | None = None,
                      spare_projects: int | None = None, added_sheets: int | None = None) -> Path:
    """Write ``doc`` as a unit workbook at ``path`` (atomically) and return the path. Issued fields
    are locked. The workbook records the template it is made with (``template``, else the
    document's built-in template, else the default), whatever version the document named. A
    targets workbook with issued projects gets ``added_sheets`` spare sheets for projects the unit
    adds (default: the template's ``added_sheets``; a later stage's none); one without gets
    ``spare_projects`` empty ones."""
    t = (template or document_template(doc)).at_month(doc.month)
    doc = stage_document_for(doc, t)
    if spare_projects is None:
        spare_projects = 0 if doc.projects else t.project.spare_sheets
    if t.stage_kind != "targets":  # (a later stage reports on the projects issued: none to add)
        added_sheets = 0
    elif added_sheets is None:
        added_sheets = t.project.added_sheets if doc.projects else 0
    plan = plan_book(doc, t, spare_projects, added_sheets)
    with atomic_path(path) as tmp:
        wb = new_workbook(str(tmp))
        wb.set_properties({"title": plan.title, "author": "budgetxl", "comments": "budgetxl " + __version__})
        sheets = {name: wb.add_worksheet(name) for name in plan.sheets()}
        book = Book(doc, t, plan, wb, Styles(wb), define_lists(wb, t), wb.add_format(BAD), wb.add_format(WARN),
                    issued_cells(doc, t))
        problems = [write_project_sheet(book, sheets[p.sheet], p) for p in plan.projects]
        write_instructions(book, sheets[plan.instructions])
        unit_problems = write_unit_sheet(book, sheets[plan.unit])
        write_summary(book, sheets[plan.summary], problems, unit_problems)
        write_lists_sheet(wb, book.lists)
        write_meta_sheet(book)
        sheets[plan.projects[0].sheet if doc.projects else plan.unit].activate()
        wb.close()
    return Path(path)


def stage_document_for(doc: Submission, t: Template) -> Submission:
    """The document as the form holds it: its stage and month, and (self-evaluation) every
    indicator's 分值 as the form scores it, which the workbook issues."""
    updates = {}
    if doc.stage != t.stage_kind:
        updates["stage"] = t.stage_kind
    if t.month is not None and doc.month != t.month:
        updates["month"] = t.month
    if updates:
        doc = doc.model_copy(update=updates)
    return effective_points(doc, t)


def workbook_filename(code: str, name: str | None, year: int | None, template: Template | None = None) -> str:
    """File name for a unit's workbook; always contains the unit code."""
    t = template or template_for(None)
    safe = re.sub(r'[\\/:*?"<>|\s]+', "", name or "")[:40]
    year_part = message("workbook.file-year", t.language, year=year) if year else ""
    title = t.project.title_suffix
    return f"{code}_{safe}_{year_part}{title}.xlsx" if safe else f"{code}_{year_part}{title}.xlsx"


def blank_document(unit: Any, year: int, template: Template) -> Submission:
    """A unit's document with only what the roster says (a workbook to fill from scratch)."""
    return Submission(template={"id": template.id, "version": template.version}, year=year,
                      unit={"code": unit.code, "name": unit.name, "region": unit.region})


def _blank_workbook(unit: Any, year: int, outdir: str, template: Template) -> str:
    path = os.path.join(outdir, workbook_filename(unit.code, unit.name, year, template))
    generate_workbook(blank_document(unit, year, template), path, template)
    return path


def generate_for_roster(units: list, year: int, outdir: str | os.PathLike[str], template: Template | None = None,
                        jobs: int = 1) -> list[str]:
    """One blank workbook per roster unit in ``outdir`` (in ``jobs`` processes); the paths written."""
    from ...files.parallel import parallel_map

    template = template or template_for(None)
    return parallel_map(_blank_workbook, list(units), year, str(outdir), template, jobs=jobs)

"""A unit workbook being written: what every sheet writer needs, fixed before any sheet is written.

:func:`plan_book` decides the sheet names and every sheet's layout from the document and the
template (pure: nothing is written). :class:`Book` then holds that plan with the open workbook,
its formats and its dropdown lists; it is complete when made, so the sheet writers
(``instructions``, ``unit_sheet``, ``summary_sheet``, ``project_sheet``, ``lists_sheet``,
``meta_sheet``) can run in any order and share no state but what they return.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...form import Template
from ...form.layout import SheetLayout, project_layout, unit_layout
from ...messages import message
from ...model import Project, Submission, TemplateRef
from ..xlsx import Styles, sheet_name


@dataclass(frozen=True)
class ProjectPlan:
    sheet: str
    index: int
    project: Project
    issued: bool  # the city issued it: its issued fields are locked
    layout: SheetLayout
    added: bool = False  # a sheet for a project the unit adds (marked so; its issued fields are open)


@dataclass(frozen=True)
class BookPlan:
    title: str
    instructions: str
    unit: str
    summary: str
    unit_layout: SheetLayout
    projects: list[ProjectPlan]

    def sheets(self) -> list[str]:
        return [self.instructions, self.unit, self.summary, *(p.sheet for p in self.projects)]


def book_title(doc: Submission, template: Template) -> str:
    unit, title = doc.unit.name or "", template.template.title
    if doc.year:
        return message("workbook.doc-title", template.language, unit=unit, year=doc.year, title=title)
    return message("workbook.doc-title-no-year", template.language, unit=unit, title=title)


def plan_book(doc: Submission, template: Template, spare_projects: int, added_sheets: int = 0) -> BookPlan:
    """Sheets for the document's projects, ``spare_projects`` empty ones (a workbook to fill from
    scratch) and ``added_sheets`` spare ones for projects the unit adds (marked as added)."""
    used: set[str] = set()
    names = template.sheets
    instructions, unit, summary = (sheet_name(n, used) for n in (names.instructions, names.unit, names.summary))
    projects = []
    spares = [(Project(), False)] * spare_projects + [(Project(added=True), True)] * added_sheets
    for i, (p, spare_added) in enumerate([*((p, False) for p in doc.projects), *spares]):
        k = i + 1 - len(doc.projects) - spare_projects if spare_added else i + 1
        prefix = (names.added_prefix or names.project_prefix) if spare_added else names.project_prefix
        base = f"{i + 1}.{p.name}" if p.name else message("workbook.spare-project", template.language, prefix=prefix, n=k)
        added = spare_added or p.added
        issued = i < len(doc.projects) and not p.added
        projects.append(ProjectPlan(sheet_name(base, used), i, p, issued, project_layout(template, p), added))
    return BookPlan(book_title(doc, template), instructions, unit, summary, unit_layout(template, doc), projects)


@dataclass(frozen=True)
class Book:
    doc: Submission
    template: Template
    plan: BookPlan
    wb: Any  # the xlsxwriter Workbook
    styles: Styles
    lists: Any  # the dropdown lists (see lists_sheet.DropdownLists)
    bad: Any  # the format of a cell a live check finds wrong
    warn: Any = None  # … finds worth a second look (a warning)
    meta_cells: dict = field(default_factory=dict)  # (project index | None, key) -> its issued value's cell
    numbers: dict = field(default_factory=dict)  # k -> the format showing a list item's number k
    memo: dict = field(default_factory=dict)  # what every sheet of the same kind shares (live-check names)

    @property
    def lang(self) -> str:
        return self.template.language

    @property
    def template_ref(self) -> TemplateRef:
        """The template the workbook is made with (recorded whatever the document named)."""
        return TemplateRef(id=self.template.id, version=self.template.version)

    def unit_cell(self, key: str) -> tuple[int, int] | None:
        return self.plan.unit_layout.value_cell(key)

    def text(self, key: str, **args: Any) -> str:
        """A sentence of the catalogue in the workbook's language."""
        return message(key, self.lang, **args)

    def number_format(self, k: int) -> Any:
        """A list item's running number before its text (a conditional number format)."""
        if k not in self.numbers:
            self.numbers[k] = self.wb.add_format({"num_format": f'General;-General;General;"{k}. "@'})
        return self.numbers[k]

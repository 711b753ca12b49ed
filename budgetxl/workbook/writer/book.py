"""A unit workbook being written: what every sheet writer needs, fixed before any sheet is written.

:func:`plan_book` decides the sheet names and every sheet's layout from the document and the
template (pure: nothing is written). :class:`Book` then holds that plan with the open workbook,
its formats and its dropdown lists; it is complete when made, so the sheet writers
(``instructions``, ``unit_sheet``, ``summary_sheet``, ``project_sheet``, ``lists_sheet``,
``meta_sheet``) can run in any order and share no state but what they return.
"""

from __future__ import annotations

from dataclasses import dataclass
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


def plan_book(doc: Submission, template: Template, spare_projects: int) -> BookPlan:
    used: set[str] = set()
    names = template.sheets
    instructions, unit, summary = (sheet_name(n, used) for n in (names.instructions, names.unit, names.summary))
    projects = []
    for i, p in enumerate([*doc.projects, *(Project() for _ in range(spare_projects))]):
        base = f"{i + 1}.{p.name}" if p.name else message("workbook.spare-project", template.language,
                                                          prefix=names.project_prefix, n=i + 1)
        projects.append(ProjectPlan(sheet_name(base, used), i, p, i < len(doc.projects), project_layout(template, p)))
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

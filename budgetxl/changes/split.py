"""split: a consolidated workbook back into one pre-filled workbook per unit (the next cycle).

Every unit gets a workbook: those consolidated carry their projects, goals and indicators; those
that failed or never reported (from the consolidated summary, or a roster) start from the budget
list or blank. In a new year (``year`` differs from the document's) a project's code is last
year's: it is kept as 上年项目编码 (the template's ``extra.prev_code`` field) and this year's comes
from the budget list; without a row in it the code stays empty and is listed as still to supply.
A budget list replaces the issued data of the units it lists (of every unit with
``budget_complete``: then a unit without rows has all its projects withdrawn).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..consolidation.readback import consolidated_form, read_consolidated, read_consolidated_units
from ..errors import BudgetxlError
from ..files.tables import BudgetList, read_budget_list
from ..form import Template, template_for
from ..form.template import document_template
from ..model import Submission
from ..workbook.writer import generate_workbook, workbook_filename
from .change import Change
from .sync import sync_document

PREV_CODE = "extra.prev_code"  # the template field that keeps last year's code (templates/perf-targets.toml)


@dataclass
class UnitIssue:
    """What a unit's new workbook was made from, and what the staff must still supply for it."""

    code: str
    name: str | None
    source: str  # "data" (consolidated), "budget" (budget list only), "blank" (neither)
    status: str | None = None  # the unit's status in the consolidated summary (a status code: missing, invalid…)
    projects: int = 0
    missing_codes: list[str] = field(default_factory=list)  # projects (by name) without this year's code


@dataclass
class SplitResult:
    outputs: list[Path] = field(default_factory=list)
    changes: dict[str, list[Change]] = field(default_factory=dict)
    units: list[UnitIssue] = field(default_factory=list)

    @property
    def empty(self) -> list[UnitIssue]:
        """Units whose workbook has no project."""
        return [u for u in self.units if not u.projects]

    @property
    def to_supply(self) -> list[UnitIssue]:
        """Units with projects that have no code for the new year (the budget list gives them)."""
        return [u for u in self.units if u.missing_codes]

    @property
    def needs_attention(self) -> bool:
        return bool(self.empty or self.to_supply or any(u.source != "data" for u in self.units))


def split_consolidated(path: str | os.PathLike[str], outdir: str | os.PathLike[str], year: int | None = None,
                       budget: str | os.PathLike[str] | BudgetList | None = None, template: Template | None = None,
                       units: list[Any] | None = None, budget_complete: bool = False) -> SplitResult:
    """One pre-filled workbook per unit of a consolidated workbook: every unit of its summary (and
    of ``units``, a roster), those without data from ``budget`` or blank. ``budget`` (a budget
    list) replaces the issued projects and amounts, ``year`` the fiscal year."""
    if template is None and (form := consolidated_form(path)).stage is not None:
        raise BudgetxlError("split-later-stage", form=form.template.title)  # (checked before any output)
    listed = read_consolidated_units(path, template)
    if units is not None:
        known = {u.code for u in listed}
        listed += [_Listed(u.code, u.name, u.region, None) for u in units if u.code not in known]
    return split_documents(read_consolidated(path, template), outdir, year, budget, template, listed, budget_complete)


@dataclass
class _Listed:
    code: str
    name: str | None
    region: str | None
    status: str | None


def split_documents(docs: list[Submission], outdir: str | os.PathLike[str], year: int | None = None,
                    budget: str | os.PathLike[str] | BudgetList | None = None, template: Template | None = None,
                    units: list[Any] | None = None, budget_complete: bool = False) -> SplitResult:
    """One pre-filled workbook per document (and per unit of ``units`` without one) for the next
    cycle: what :func:`split_consolidated` does with the documents it reads back; ``budgetxl split
    --from-published`` gives imported ones."""
    _refuse_later_stage(docs, template)
    plan = budget if isinstance(budget, BudgetList) or budget is None else read_budget_list(budget)
    by_code = {d.unit.code or "": d for d in docs}
    order = [*(getattr(u, "code", "") for u in units or []), *(c for c in by_code if c not in {
        getattr(u, "code", "") for u in units or []})]
    info = {u.code: u for u in units or []}
    if plan is not None:
        plan.check_units(order)
    rows = plan.by_unit() if plan is not None else {}
    years = [d.year for d in docs if d.year]
    default_year = year if year is not None else (max(set(years), key=years.count) if years else None)
    result = SplitResult()
    for code in order:
        doc = by_code.get(code)
        listed = info.get(code)
        source = "data" if doc is not None else "budget" if code in rows else "blank"
        if doc is None:
            doc = _blank(listed, default_year)
        t = template or template_for(doc.template.id if doc.template else None)
        budget_rows = rows.get(code, []) if (code in rows or (plan is not None and budget_complete)) else None
        new, changes = _next_year(doc, t, year, budget_rows)
        out = Path(outdir) / workbook_filename(new.unit.code or "unit", new.unit.name, new.year, t)
        generate_workbook(new, out, t)
        result.outputs.append(out)
        result.changes[code] = changes
        result.units.append(UnitIssue(code, new.unit.name, source, getattr(listed, "status", None), len(new.projects),
                                      [p.name or "" for p in new.projects if not p.code]))
    return result


def _refuse_later_stage(docs: list[Submission], template: Template | None) -> None:
    """A monitoring or self-evaluation document has no next cycle (refused before any output)."""
    for doc in docs:
        t = template or template_for(doc.template.id if doc.template else None)
        if t.stage is not None or doc.stage != "targets":
            raise BudgetxlError("split-later-stage", form=(t if t.stage else document_template(doc)).template.title)


def _blank(unit: Any, year: int | None) -> Submission:
    return Submission.model_validate({"year": year, "unit": {"code": unit.code, "name": unit.name,
                                                             "region": unit.region}})


def _next_year(doc: Submission, t: Template, year: int | None, budget_rows: list[dict[str, Any]] | None
               ) -> tuple[Submission, list[Change]]:
    """The document of the next cycle: the template and year set, last year's codes kept as
    上年项目编码 in a new year, the budget list's issued data applied."""
    data = doc.model_dump(by_alias=True)
    data["template"] = {"id": t.id, "version": t.version}
    new_year = year is not None and doc.year is not None and year != doc.year
    keeps_prev = t.fields.get(PREV_CODE, "project") is not None
    if year is not None:
        data["year"] = year
    if new_year:
        for p in data["projects"]:
            if keeps_prev and p.get("code"):
                p.setdefault("extra", {})["prev_code"] = p["code"]
            if budget_rows is None:
                p["code"] = None  # last year's code is no code for this year: the budget list gives it
    current = Submission.model_validate(data)
    if budget_rows is None:
        return current, []
    issued = Submission.model_validate({"template": data["template"], "unit": data["unit"], "projects": budget_rows})
    # last year's projects were all issued: those missing from the new list are withdrawn
    previous = [p.code for p in doc.projects if p.code]
    synced = sync_document(current, issued, previous, t)
    return synced.doc, synced.changes

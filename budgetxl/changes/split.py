"""split: a consolidated workbook back into one pre-filled workbook per unit (the next cycle)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..consolidation.readback import read_consolidated
from ..errors import BudgetxlError
from ..files.tables import load_budget_list
from ..form import Template, template_for
from ..form.template import document_template
from ..model import Submission
from ..workbook.writer import generate_workbook, workbook_filename
from .change import Change
from .sync import sync_document


@dataclass
class SplitResult:
    outputs: list[Path] = field(default_factory=list)
    changes: dict[str, list[Change]] = field(default_factory=dict)


def split_consolidated(path: str | os.PathLike[str], outdir: str | os.PathLike[str], year: int | None = None,
                       budget: str | os.PathLike[str] | None = None, template: Template | None = None) -> SplitResult:
    """One pre-filled workbook per unit of a consolidated workbook; ``budget`` (a budget list)
    replaces the issued projects and amounts, ``year`` the fiscal year."""
    return split_documents(read_consolidated(path, template), outdir, year, budget, template)


def split_documents(docs: list[Submission], outdir: str | os.PathLike[str], year: int | None = None,
                    budget: str | os.PathLike[str] | None = None, template: Template | None = None) -> SplitResult:
    """One pre-filled workbook per document for the next cycle (what :func:`split_consolidated`
    does with the documents it reads back; ``budgetxl split --from-published`` gives imported ones)."""
    budgets = load_budget_list(budget) if budget else None
    forms = [template or template_for(doc.template.id if doc.template else None) for doc in docs]
    for doc, t in zip(docs, forms):  # a later stage's documents have no next cycle (checked before any output)
        if t.stage is not None or doc.stage != "targets":
            raise BudgetxlError("split-later-stage", form=(t if t.stage else document_template(doc)).template.title)
    result = SplitResult()
    for doc, t in zip(docs, forms):
        data = doc.model_dump(by_alias=True)
        data["template"] = {"id": t.id, "version": t.version}
        if year is not None:
            data["year"] = year
        changes: list[Change] = []
        if budgets is not None:
            issued = Submission.model_validate({"template": data["template"], "unit": data["unit"],
                                                "projects": budgets.get(doc.unit.code or "", [])})
            # last year's projects were all issued: those missing from the new list are withdrawn
            previous = [p.code for p in doc.projects if p.code]
            synced = sync_document(Submission.model_validate(data), issued, previous, t)
            data = synced.doc.model_dump(by_alias=True)
            changes = synced.changes
        new = Submission.model_validate(data)
        out = Path(outdir) / workbook_filename(new.unit.code or "unit", new.unit.name, new.year, t)
        generate_workbook(new, out, t)
        result.outputs.append(out)
        result.changes[new.unit.code or ""] = changes
    return result

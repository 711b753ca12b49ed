"""The one door from budgetxl.published to the rest of budgetxl.

Everything the importer needs from the core (the submission model, the value parser, templates,
validation, workbooks, diff, split, the message catalogue, atomic writes) is reached through this
module, so that a change of the core's layout is a change of this file only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..findings import BudgetxlError, Finding
from ..fileio import write_text_atomic
from ..i18n import MESSAGES, message
from ..model import Submission
from ..template import Template, TemplateError, builtin_templates, load_template
from ..values import QUALITATIVE_OP, parse_value, to_decimal
from .messages import MESSAGES as _OWN_MESSAGES

# One catalogue at run time: the importer's sentences join the core's (same keys, zh/en pairs).
MESSAGES.update(_OWN_MESSAGES)

__all__ = [
    "BudgetxlError", "Finding", "Submission", "Template", "TemplateError", "QUALITATIVE_OP",
    "builtin_templates", "check", "check_by_project", "current_lang", "diff", "generate", "load_submission", "load_template", "message",
    "parse_value", "render_diff", "split_documents", "to_decimal", "write_text_atomic", "all_templates",
]


def all_templates() -> list[Template]:
    """Every built-in template (their frameworks and lists are the importer's vocabulary)."""
    return [load_template(tid) for tid in sorted(builtin_templates())]


def check(doc: Submission, template: Template) -> list[Finding]:
    """The validation rules on a document (as ``budgetxl validate`` runs them on a workbook)."""
    from ..validate import check_document

    return check_document(doc, template)


def check_by_project(doc: Submission, template: Template) -> list[tuple[Finding, int | None]]:
    """The findings of :func:`check`, each with the index of the project it is about (None for the
    unit): a bare document's findings carry no location, so each project is checked alone too."""
    findings = check(doc, template)

    def key(f: Finding) -> tuple[str, str]:
        return f.rule, f.message("en")

    unit_keys = {key(f) for f in check(doc.model_copy(update={"projects": []}), template)}
    per_project = [[key(f) for f in check(doc.model_copy(update={"projects": [p]}), template)]
                   for p in doc.projects]
    out: list[tuple[Finding, int | None]] = []
    for f in findings:
        k = key(f)
        where = None
        if k not in unit_keys:
            where = next((i for i, keys in enumerate(per_project) if k in keys), None)
            if where is not None:
                per_project[where].remove(k)
        out.append((f, where))
    return out


def current_lang(lang: str | None) -> str:
    """The run's language: the command's --lang, else the app's --lang / BUDGETXL_LANG."""
    from .. import cli

    return cli._lang(cli.Lang(lang) if lang else None)


def load_submission(path: str | os.PathLike[str]) -> Submission:
    """A submission from a JSON document or a workbook (for --diff-against)."""
    from ..changes import load_any

    return load_any(path)


def diff(old: Submission, new: Submission) -> dict[str, Any]:
    from ..changes import diff_documents

    return diff_documents(old, new)


def render_diff(result: dict[str, Any], lang: str) -> None:
    from ..report import render_diff as _render

    _render(result, lang)


def generate(doc: Submission, path: str | os.PathLike[str], template: Template) -> None:
    from ..writer import generate_workbook

    generate_workbook(doc, path, template)


def split_documents(docs: list[Submission], outdir: Path, year: int | None, budget: Path | None,
                    template: Template | None) -> tuple[list[Path], dict[str, list[Any]]]:
    """Next cycle's pre-filled workbooks from documents, as ``budgetxl split`` makes them from a
    consolidated workbook (same steps: new year, new budget list synced in, one workbook per unit)."""
    from ..changes import load_budget_list, sync_document
    from ..writer import workbook_filename

    budgets = load_budget_list(budget) if budget else None
    outputs: list[Path] = []
    changes: dict[str, list[Any]] = {}
    for doc in docs:
        t = template or load_template(doc.template.id if doc.template.id in builtin_templates() else None)
        data = doc.model_dump(by_alias=True)
        data["template"] = {"id": t.id, "version": t.version}
        if year is not None:
            data["year"] = year
        found: list[Any] = []
        if budgets is not None:
            issued = Submission.model_validate({"template": data["template"], "unit": data["unit"],
                                                "projects": budgets.get(doc.unit.code or "", [])})
            synced = sync_document(Submission.model_validate(data), issued, [p.code for p in doc.projects if p.code])
            data = synced.doc.model_dump(by_alias=True)
            found = synced.changes
        new = Submission.model_validate(data)
        out = outdir / workbook_filename(new.unit.code or "unit", new.unit.name, new.year)
        generate(new, out, t)
        outputs.append(out)
        changes[new.unit.code or ""] = found
    return outputs, changes

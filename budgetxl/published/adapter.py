"""The one door from budgetxl.published to the rest of budgetxl.

The importer sits above the library API (docs/architecture.md): everything it needs from the core
(the submission model, templates, validation, the value parser) is reached through this module.
"""

from __future__ import annotations

from ..api import (BudgetxlError, Finding, Submission, Template, TemplateError, builtin_templates, load_template,
                   validate_document)
from ..values import QUALITATIVE_OP, parse_value, to_decimal

__all__ = [
    "BudgetxlError", "Finding", "QUALITATIVE_OP", "Submission", "Template", "TemplateError", "all_templates",
    "builtin_templates", "check", "check_by_project", "load_template", "parse_value", "to_decimal",
]


def all_templates() -> list[Template]:
    """Every built-in template (their frameworks and lists are the importer's vocabulary)."""
    return [load_template(tid) for tid in sorted(builtin_templates())]


def check(doc: Submission, template: Template) -> list[Finding]:
    """The validation rules on a document (as ``budgetxl validate`` runs them on a workbook)."""
    return validate_document(doc, template)


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

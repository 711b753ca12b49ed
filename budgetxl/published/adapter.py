"""The one door from budgetxl.published to the rest of budgetxl.

The importer sits above the library API (docs/architecture.md): everything it needs from the core
(the submission model, templates, validation, the value parser, the catalogue's
phrases) is reached through this module.
"""

from __future__ import annotations

from ..api import (BudgetxlError, Finding, Submission, Template, TemplateError, builtin_templates, load_template,
                   validate_document)
from ..findings import Label
from ..messages import Joined, Phrase
from ..values import QUALITATIVE_OP, parse_value, to_decimal

__all__ = [
    "BudgetxlError", "Finding", "Joined", "Label", "Phrase", "QUALITATIVE_OP", "Submission", "Template", "TemplateError", "all_templates",
    "builtin_templates", "check", "load_template", "parse_value", "to_decimal",
]


def all_templates() -> list[Template]:
    """Every built-in template (their frameworks and lists are the importer's vocabulary)."""
    return [load_template(tid) for tid in sorted(builtin_templates())]


def check(doc: Submission, template: Template) -> list[Finding]:
    """The validation rules on a document (as ``budgetxl validate`` runs them on a workbook)."""
    return validate_document(doc, template)


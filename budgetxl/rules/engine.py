"""Validation entry points: every registered check over a document, located or bare."""

from __future__ import annotations

from typing import Any

from ..cells import parse_a1
from ..findings import Finding
from . import registry
from .context import Context


def check_document(doc: Any, template: Any = None) -> list[Finding]:
    """Findings for a bare document (no workbook): the same rules, no cell locations."""
    from ..form.template import document_template

    template = template or document_template(doc)
    return registry.run(Context(doc, template))


def check_located(located: Any, template: Any = None) -> list[Finding]:
    """Findings for a document read from a workbook (``located`` is the reader's result),
    located at their cells and sorted by sheet, then cell."""
    template = template or located.template
    findings = registry.run(Context(located.doc, template, located))
    return sort_findings(findings, located)


def sort_findings(findings: list[Finding], located: Any) -> list[Finding]:
    order = {}
    if located is not None:
        order = {name: i for i, name in enumerate([located.unit_sheet, *located.project_sheets]) if name}

    def key(f: Finding) -> tuple:
        rc = parse_a1(f.cell) if f.cell else (-1, -1)
        return (order.get(f.sheet, len(order)) if f.sheet else -1, rc, f.rule)

    return sorted(findings, key=key)

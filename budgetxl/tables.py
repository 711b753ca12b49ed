"""Flat tables from submission documents: one row per project, one row per indicator."""

from __future__ import annotations

from typing import Any

from .model import Submission


def indicator_rows(doc: Submission) -> list[dict[str, Any]]:
    rows = []
    for p in doc.projects:
        for ind in p.indicators:
            v = ind.value
            rows.append({
                "unit_code": doc.unit.code,
                "unit_name": doc.unit.name,
                "project_code": p.code,
                "project_name": p.name,
                "level1": ind.level1,
                "level2": ind.level2,
                "name": ind.name,
                "description": ind.description,
                "value": v.text if v else None,
                "op": v.op if v else None,
                "number": v.number if v else None,
                "unit": v.unit if v else None,
                "kind": v.kind if v else None,
                "basis": ind.basis,
            })
    return rows

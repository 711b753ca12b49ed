"""The issued fields (what the city fills and locks) and their fingerprint.

The generator stores both in the metadata sheet; validation compares a returned workbook with
them (issued-field-changed), and sync replaces them while keeping what the county typed.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from .model import Submission
from .values import format_number


def _amount(d: Decimal | None) -> str | None:
    return None if d is None else format_number(d)


def issued_fields(doc: Submission) -> dict[str, Any]:
    return {
        "year": doc.year,
        "unit": doc.unit.model_dump(),
        "projects": [
            {
                "code": p.code,
                "name": p.name,
                "budget": {k: _amount(v) for k, v in p.budget.model_dump().items()},
            }
            for p in doc.projects
        ],
    }


def fingerprint(issued: dict[str, Any]) -> str:
    canon = json.dumps(issued, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()

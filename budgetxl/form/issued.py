"""The issued set (what the city fills and locks) and its fingerprint.

The generator records both in the workbook's metadata sheet; validation compares a returned
workbook with them (issued-field-changed), sync replaces them while keeping what the county
typed. The set holds every field the template marks ``owner = "issued"``, in its JSON form, at
its key: ``{"year", "unit": {...}, "projects": [{"code", "name", "budget": {...}}, ...]}``; a form
that issues indicators too (monitoring, self-evaluation) adds each project's ``"indicators"``.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any


def issued_fields(doc: Any, template: Any) -> dict[str, Any]:
    table = template.fields
    data: dict[str, Any] = {}
    for f in table.issued("unit"):
        f.set(data, f.kind.to_json(f.get(doc)))
    data["projects"] = []
    indicator = [f for f in table.issued("indicator") if f.part_of is None]  # (a later stage issues them)
    for p in doc.projects:
        if p.added:  # (the unit's own project: nothing of it is issued)
            continue
        entry: dict[str, Any] = {}
        for f in table.issued("project"):
            f.set(entry, f.kind.to_json(f.get(p)))
        if indicator:
            entry["indicators"] = []
            for ind in p.indicators:
                item: dict[str, Any] = {}
                for f in indicator:
                    f.set(item, f.kind.to_json(f.get(ind)))
                entry["indicators"].append(item)
        data["projects"].append(entry)
    return data


def lookup(data: dict[str, Any], key: str) -> Any:
    """The value at a field's key in issued data (None when absent)."""
    for part in key.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)  # type: ignore[assignment]
    return data


def fingerprint(issued: dict[str, Any]) -> str:
    canon = json.dumps(issued, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


_PROJECT_PATH = re.compile(r"^projects\[\d+\]\.")


def is_issued_path(path: str | None, template: Any) -> bool:
    """Whether a value's path (``unit.code``, ``projects[0].budget.total``; see rules.context) is
    an issued field: what the city gives and the clerk cannot change."""
    if not path:
        return False
    m = _PROJECT_PATH.match(path)
    key, scope = (path[m.end():], "project") if m else (path, "unit")
    return any(f.key == key for f in template.fields.issued(scope))

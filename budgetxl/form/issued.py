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
import math
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


# ---- what a returned workbook's metadata may hold --------------------------------------------------
# The issued set comes back from a workbook's hidden metadata sheet, as untrusted as any cell. Before
# anything compares with it, it must be what issued_fields writes for the template in use: every
# issued field at its key, in its kind's JSON form, and nothing nested deeper than a key can reach.

MAX_DEPTH = 8  # issued set > projects > project > a dotted key's dicts (selfeval.budget.total) ...
MAX_TEXT = 10_000  # characters in one issued text (a project's goals run to a few hundred)
_DECIMAL = re.compile(r"-?[0-9]{1,40}(\.[0-9]{1,40})?")
_NUMBERS = ("amount", "percent", "number")


def bounded(data: Any, depth: int = MAX_DEPTH) -> bool:
    """JSON data nested at most ``depth`` deep, with finite numbers only (JSON's NaN and Infinity
    are Python floats too)."""
    if isinstance(data, dict):
        return depth > 0 and all(bounded(v, depth - 1) for v in data.values())
    if isinstance(data, list):
        return depth > 0 and all(bounded(v, depth - 1) for v in data)
    return not isinstance(data, float) or math.isfinite(data)


def issued_fits(data: Any, table: Any, complete: bool = True) -> bool:
    """Is ``data`` shaped as :func:`issued_fields` writes it for ``table`` (see the module's
    docstring): every issued field in its kind's JSON form, and present when ``complete`` (the
    workbook was made with this very template; one made with another may lack a field it adds)?
    Extra keys (from a later version) are left alone: the checks only read the issued fields' keys."""
    def fit_all(fields: list[Any], entry: Any) -> bool:
        return isinstance(entry, dict) and all(
            (not complete or _present(entry, f.key)) and _fits(f, lookup(entry, f.key)) for f in fields)

    if not isinstance(data, dict) or not bounded(data) or not fit_all(table.issued("unit"), data):
        return False
    projects = data.get("projects", [])
    if not isinstance(projects, list):
        return False
    indicator = [f for f in table.issued("indicator") if f.part_of is None]
    for p in projects:
        if not fit_all(table.issued("project"), p):
            return False
        rows = p.get("indicators")
        if rows is not None and not (isinstance(rows, list) and all(fit_all(indicator, i) for i in rows)):
            return False
    return True


def _present(data: dict[str, Any], key: str) -> bool:
    """Is there a value (null included) at ``key``? issued_fields writes every issued field."""
    for part in key.split("."):
        if not isinstance(data, dict) or part not in data:
            return False
        data = data[part]
    return True


def _fits(f: Any, v: Any) -> bool:
    """One issued value in the JSON form of its field's kind (null: issued empty, never compared)."""
    if v is None:
        return True
    if isinstance(f.kind.to_json(None), list):  # several texts (a later stage's goals)
        return isinstance(v, list) and all(isinstance(x, str) and len(x) <= MAX_TEXT for x in v)
    if f.kind.column_type in _NUMBERS:
        return isinstance(v, str) and _DECIMAL.fullmatch(v) is not None
    if f.kind.column_type == "int":
        return type(v) is int and abs(v) < 10**9
    return isinstance(v, str) and len(v) <= MAX_TEXT

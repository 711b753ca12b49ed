"""diff: what changed between two submissions (two returns of a unit, or two years).

Compared are the fields the template marks ``compare`` (all by default): the unit's, the
overview's, each project's (paired by form.matching) and each indicator's (paired by the table's
``identity`` fields, in order among equals). Returned as data: {"unit", "overview", "projects":
{"added", "removed", "changed"}, "identical"}.
"""

from __future__ import annotations

from typing import Any

from ..form import Template
from ..form.template import document_template
from ..form.matching import keys, match_projects
from ..model import value_at
from .change import plain


def _value(v: Any, month_label: str = "{month}") -> Any:
    """A value as diff shows it: an indicator value by its text, a checkpoint as 3月底:25."""
    if isinstance(v, list):
        return [_value(x, month_label) for x in v]
    if isinstance(v, dict):
        return {k: _value(x, month_label) for k, x in v.items()}
    if hasattr(v, "model_dump"):
        if hasattr(v, "text") and hasattr(v, "kind"):
            return v.text
        if hasattr(v, "month"):
            return f"{month_label.format(month=v.month)}:{plain(v.percent)}"
        return v.model_dump()
    return plain(v)


def _compared(t: Template, scope: str) -> list[Any]:
    return [f for f in t.fields.scope(scope) if f.spec.compare and f.part_of is None and not f.computed]


def _changes(a: Any, b: Any, fields: list[Any], lists: list[str], month_label: str = "{month}") -> list[dict[str, Any]]:
    out = []
    for f in fields:
        va, vb = _value(f.get(a)), _value(f.get(b))
        if va != vb:
            out.append({"field": f.key, "old": va, "new": vb})
    for key in lists:
        va, vb = _value(value_at(a, key), month_label), _value(value_at(b, key), month_label)
        if va != vb:
            out.append({"field": key, "old": va, "new": vb})
    return out


def _indicators(t: Template, a: Any, b: Any) -> dict[str, list[Any]]:
    table = t.fields
    identity = [table.field(k, "indicator") for k in table.table.identity] if table.table else []
    compared = [f for f in _compared(t, "indicator") if f.key not in table.table.identity]
    out: dict[str, list[Any]] = {"added": [], "removed": [], "changed": []}
    before: dict[tuple, list[Any]] = {}
    for ind in a.indicators:
        before.setdefault(tuple(f.get(ind) for f in identity), []).append(ind)
    for ind in b.indicators:
        bucket = before.get(tuple(f.get(ind) for f in identity))
        if not bucket:
            out["added"].append(_ind_data(ind))
            continue
        fields = _changes(bucket.pop(0), ind, compared, [])
        if fields:
            out["changed"].append({**_ind_data(ind), "fields": fields})
    for bucket in before.values():
        out["removed"] += [_ind_data(i) for i in bucket]
    return out


def _ind_data(ind: Any) -> dict[str, Any]:
    return {"level1": ind.level1, "level2": ind.level2, "name": ind.name,
            "value": ind.value.text if ind.value else None}


def diff_documents(old: Any, new: Any, template: Template | None = None) -> dict[str, Any]:
    """Projects added/removed, fields changed, indicators added/removed/changed."""
    t = template or document_template(new)
    table = t.fields
    unit_fields = _compared(t, "unit")
    lists = {"unit": [b.key for b in table.lists["unit"]], "project": [b.key for b in table.lists["project"]]}
    out: dict[str, Any] = {
        "unit": _changes(old, new, [f for f in unit_fields if f.issued], []),
        "overview": _changes(old, new, [f for f in unit_fields if not f.issued], lists["unit"]),
        "projects": {"added": [], "removed": [], "changed": []},
    }
    project_fields = _compared(t, "project")
    plan = [table.checkpoints.key] if table.checkpoints else []
    for i, j in match_projects(keys(old.projects), keys(new.projects)):
        if i is None or j is None:
            p = new.projects[j] if i is None else old.projects[i]
            out["projects"]["added" if i is None else "removed"].append({"code": p.code, "name": p.name})
            continue
        a, b = old.projects[i], new.projects[j]
        month_label = table.checkpoints.month_label if table.checkpoints else "{month}"
        fields = _changes(a, b, project_fields, [*plan, *lists["project"]], month_label)
        inds = _indicators(t, a, b)
        if fields or any(inds.values()):
            out["projects"]["changed"].append({"code": b.code, "name": b.name, "fields": fields, "indicators": inds})
    out["identical"] = not (out["unit"] or out["overview"] or any(out["projects"].values()))
    return out

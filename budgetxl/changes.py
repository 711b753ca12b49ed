"""Mid-cycle and next-cycle changes: sync (new issued values into a county's workbook), split (a
consolidated workbook back into unit workbooks) and diff (what changed between two submissions).

All three work on the model: a workbook is read, changed as a document and generated again, so
every filled field survives by construction and the issued fingerprint is renewed.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from .model import Indicator, Project, Submission
from .reader import read_workbook
from .template import Template, builtin_templates, load_template
from .values import format_number
from .writer import generate_workbook, workbook_filename

ISSUED_PROJECT_FIELDS = ("code", "name", "budget.total", "budget.fiscal", "budget.other")


@dataclass
class Change:
    kind: str  # added | withdrawn | changed | removed | kept
    project: str | None  # project code (or name when it has no code)
    field: str | None = None
    old: Any = None
    new: Any = None
    note: str | None = None  # "filled": a withdrawn project whose typed content is not carried over

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.kind, "project": self.project, "field": self.field,
                "old": _plain(self.old), "new": _plain(self.new), "note": self.note}

    def text(self, lang: str = "zh") -> str:
        label = {"added": ("新增项目", "project added"), "withdrawn": ("撤回项目", "project withdrawn"),
                 "removed": ("删除项目", "project removed"), "kept": ("保留本单位自行增加的项目", "kept county-added project"),
                 "changed": ("修改", "changed")}[self.kind][1 if lang == "en" else 0]
        if self.kind == "changed":
            return f"{label} {self.project} {self.field}: {_plain(self.old)} → {_plain(self.new)}"
        if self.note == "filled":
            extra = ("（其已填写的内容不再保留在新工作簿中，原工作簿仍有）" if lang != "en"
                     else " (its filled content is not carried into the new workbook; the original keeps it)")
            return f"{label} {self.project}{extra}"
        return f"{label} {self.project}"


def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return format_number(v)
    return v


def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _key(p: Project) -> str:
    return p.code or p.name or ""


# ---- sync --------------------------------------------------------------------------------------

@dataclass
class SyncResult:
    doc: Submission
    changes: list[Change] = field(default_factory=list)
    output: Path | None = None
    backup: Path | None = None


def match_projects(old: list[Project], new: list[Project]) -> list[tuple[int | None, int | None]]:
    """Pair old and new projects: by code (duplicates one to one, in order), then by name among
    those left (a code the city changed). Unpaired ones come as (i, None) and (None, j)."""
    by_code: dict[str, list[int]] = {}
    for i, p in enumerate(old):
        if p.code:
            by_code.setdefault(p.code, []).append(i)
    used: set[int] = set()
    pairs: dict[int, int] = {}
    for j, p in enumerate(new):
        candidates = [i for i in by_code.get(p.code or "", []) if i not in used]
        if candidates:
            pairs[j] = candidates[0]
            used.add(candidates[0])
    new_codes = {p.code for p in new if p.code}
    for j, p in enumerate(new):
        if j in pairs or not p.name:
            continue
        i = next((i for i, q in enumerate(old)
                  if i not in used and q.name == p.name and q.code not in new_codes), None)
        if i is not None:
            pairs[j] = i
            used.add(i)
    out: list[tuple[int | None, int | None]] = [(pairs.get(j), j) for j in range(len(new))]
    out += [(i, None) for i in range(len(old)) if i not in used]
    return out


def _filled(p: Project) -> bool:
    return bool(p.purpose or p.goals or p.indicators or p.spending_plan)


def sync_document(current: Submission, issued: Submission, previously_issued: list[str] | None = None) -> SyncResult:
    """New issued values into ``current`` (projects paired by :func:`match_projects`).

    ``previously_issued`` lists the codes issued before. A project not paired with an issued
    one is withdrawn only when it was issued before and no other sheet of the same project was
    paired; one the county added itself, a second copy of a project, or any unpaired project when
    the earlier issue is unknown (no metadata) is kept, so typed content is never dropped by a
    guess."""
    changes: list[Change] = []
    projects: list[Project] = []
    pairs = match_projects(current.projects, issued.projects)
    paired_codes = {current.projects[i].code for i, j in pairs if i is not None and j is not None}
    previous = set(previously_issued) if previously_issued is not None else None
    for i, j in pairs:
        if j is None:
            continue
        new = issued.projects[j]
        if i is None:
            projects.append(Project(code=new.code, name=new.name, budget=new.budget.model_copy()))
            changes.append(Change("added", _key(new)))
            continue
        old = current.projects[i]
        merged = old.model_copy(deep=True)
        for path in ISSUED_PROJECT_FIELDS:
            before, after = _get(old, path), _get(new, path)
            if before != after:
                changes.append(Change("changed", _key(new), path, before, after))
        merged.code, merged.name, merged.budget = new.code, new.name, new.budget.model_copy()
        projects.append(merged)
    for i, j in pairs:
        if j is not None:
            continue
        p = current.projects[i]
        issued_before = previous is not None and p.code in previous
        if issued_before and p.code not in paired_codes:
            changes.append(Change("withdrawn", _key(p), note="filled" if _filled(p) else None))
        else:
            projects.append(p.model_copy(deep=True))
            changes.append(Change("kept", _key(p)))
    data = current.model_dump(by_alias=True)
    data["projects"] = [p.model_dump() for p in projects]
    for k in ("code", "name", "region"):
        new_v = getattr(issued.unit, k)
        if new_v is not None and new_v != getattr(current.unit, k):
            changes.append(Change("changed", None, f"unit.{k}", getattr(current.unit, k), new_v))
            data["unit"][k] = new_v
    if issued.year is not None and issued.year != current.year:
        changes.append(Change("changed", None, "year", current.year, issued.year))
        data["year"] = issued.year
    return SyncResult(Submission.model_validate(data), changes)


def sync_workbook(workbook: str | os.PathLike[str], issued: Submission, output: str | os.PathLike[str] | None,
                  in_place: bool = False, template: Template | None = None) -> SyncResult:
    """Read ``workbook``, apply the issued values, write the result (never over the input unless
    ``in_place``, which keeps a timestamped backup first)."""
    src = Path(workbook)
    result = read_workbook(src, template)
    meta = result.issued()
    previous = [p["code"] for p in meta["projects"]] if meta else None
    res = sync_document(result.doc, issued, previous)
    t = template or result.template or load_template()
    target = src if in_place else Path(output) if output else None
    if target is None:
        raise ValueError("an output path or in_place is required")
    if target.resolve() == src.resolve() and not in_place:
        raise ValueError("refusing to overwrite the input without --in-place")
    if in_place:
        stamp = datetime.now().strftime("%Y%m%d%H%M%S")
        res.backup = src.with_name(f"{src.stem}.bak-{stamp}{src.suffix}")
        shutil.copy2(src, res.backup)
    doc = res.doc.model_copy(update={"template": res.doc.template.model_copy(update={"id": t.id, "version": t.version})})
    generate_workbook(doc, target, t)
    res.output = target
    res.doc = doc
    return res


# ---- split -------------------------------------------------------------------------------------

@dataclass
class SplitResult:
    outputs: list[Path] = field(default_factory=list)
    changes: dict[str, list[Change]] = field(default_factory=dict)


def load_budget_list(path: str | os.PathLike[str]) -> dict[str, list[dict[str, Any]]]:
    """A new budget list (CSV/XLSX): unit_code, project_code, project_name, total, fiscal, other
    (or 单位编码, 项目编码, 项目名称, 预算数, 财政资金, 其他资金). Grouped by unit, in file order."""
    from .findings import BudgetxlError
    from .roster import read_table
    from .values import to_decimal

    aliases = {"unit_code": "unit_code", "单位编码": "unit_code", "project_code": "code", "项目编码": "code",
               "project_name": "name", "项目名称": "name", "total": "total", "预算数": "total",
               "fiscal": "fiscal", "财政资金": "fiscal", "其中：财政资金": "fiscal", "other": "other", "其他资金": "other"}
    p = Path(path)
    rows = read_table(p)
    if not rows:
        return {}
    header = [aliases.get(str(h).strip()) for h in rows[0]]
    if "unit_code" not in header or "code" not in header:
        raise BudgetxlError("bad-roster", path=str(p), detail="需要列 unit_code, project_code / columns unit_code, project_code required")
    out: dict[str, list[dict[str, Any]]] = {}
    from .reader import cell_text

    for row in rows[1:]:
        rec = {k: (row[i] if i < len(row) else None) for i, k in enumerate(header) if k}
        unit = cell_text(rec.get("unit_code") or None)
        if not unit:
            continue
        out.setdefault(unit, []).append({
            "code": cell_text(rec.get("code") or None), "name": cell_text(rec.get("name") or None),
            "budget": {k: to_decimal(rec.get(k) if rec.get(k) != "" else None) for k in ("total", "fiscal", "other")},
        })
    return out


def split_consolidated(path: str | os.PathLike[str], outdir: str | os.PathLike[str], year: int | None = None,
                       budget: str | os.PathLike[str] | None = None, template: Template | None = None) -> SplitResult:
    """One pre-filled workbook per unit of a consolidated workbook (for the next cycle)."""
    from .consolidated import read_consolidated

    docs = read_consolidated(path)
    budgets = load_budget_list(budget) if budget else None
    result = SplitResult()
    for doc in docs:
        t = template or load_template(doc.template.id if doc.template.id in builtin_templates() else None)
        data = doc.model_dump(by_alias=True)
        data["template"] = {"id": t.id, "version": t.version}
        if year is not None:
            data["year"] = year
        changes: list[Change] = []
        if budgets is not None:
            issued = Submission.model_validate({"template": data["template"], "unit": data["unit"],
                                                "projects": budgets.get(doc.unit.code or "", [])})
            # last year's projects were all issued: those missing from the new list are withdrawn
            synced = sync_document(Submission.model_validate(data), issued, [p.code for p in doc.projects if p.code])
            data = synced.doc.model_dump(by_alias=True)
            changes = synced.changes
        new = Submission.model_validate(data)
        out = Path(outdir) / workbook_filename(new.unit.code or "unit", new.unit.name, new.year)
        generate_workbook(new, out, t)
        result.outputs.append(out)
        result.changes[new.unit.code or ""] = changes
    return result


# ---- diff --------------------------------------------------------------------------------------

def load_any(path: str | os.PathLike[str]) -> Submission:
    """A submission from a workbook or from a JSON document."""
    p = Path(path)
    if p.suffix.lower() == ".json":
        from pydantic import ValidationError

        from .findings import BudgetxlError

        try:
            return Submission.from_json(p.read_bytes())
        except FileNotFoundError:
            raise BudgetxlError("file-not-found", path=str(p)) from None
        except (ValueError, ValidationError) as exc:
            raise BudgetxlError("bad-json", path=str(p), detail=str(exc).splitlines()[0][:200]) from None
    return read_workbook(p).doc


PROJECT_FIELDS = ("name", "budget.total", "budget.fiscal", "budget.other", "purpose", "spending_plan", "goals")
INDICATOR_FIELDS = ("description", "value", "basis")


def _value(v: Any) -> Any:
    if isinstance(v, list):
        return [_value(x) for x in v]
    if hasattr(v, "model_dump"):
        if hasattr(v, "text") and hasattr(v, "kind"):
            return v.text
        if hasattr(v, "month"):
            return f"{v.month}月:{_plain(v.percent)}"
        return v.model_dump()
    return _plain(v)


def _ind_key(ind: Indicator) -> tuple:
    return (ind.level1, ind.level2, ind.name)


def diff_documents(old: Submission, new: Submission) -> dict[str, Any]:
    """Projects added/removed, fields changed, indicators added/removed/changed."""
    out: dict[str, Any] = {"unit": [], "overview": [], "projects": {"added": [], "removed": [], "changed": []}}
    for k in ("code", "name", "region"):
        a, b = getattr(old.unit, k), getattr(new.unit, k)
        if a != b:
            out["unit"].append({"field": f"unit.{k}", "old": a, "new": b})
    if old.year != new.year:
        out["unit"].append({"field": "year", "old": old.year, "new": new.year})
    for k in ("overall", "items", "safeguards"):
        a, b = getattr(old.overview, k), getattr(new.overview, k)
        if a != b:
            out["overview"].append({"field": f"overview.{k}", "old": a, "new": b})
    for i, j in match_projects(old.projects, new.projects):
        if i is None:
            p = new.projects[j]
            out["projects"]["added"].append({"code": p.code, "name": p.name})
            continue
        if j is None:
            p = old.projects[i]
            out["projects"]["removed"].append({"code": p.code, "name": p.name})
            continue
        a, b = old.projects[i], new.projects[j]
        fields = []
        if a.code != b.code:
            fields.append({"field": "code", "old": a.code, "new": b.code})
        for f in PROJECT_FIELDS:
            va, vb = _value(_get(a, f)), _value(_get(b, f))
            if va != vb:
                fields.append({"field": f, "old": va, "new": vb})
        inds = {"added": [], "removed": [], "changed": []}
        a_inds: dict[tuple, list[Indicator]] = {}
        for ind in a.indicators:
            a_inds.setdefault(_ind_key(ind), []).append(ind)
        for ind in b.indicators:
            bucket = a_inds.get(_ind_key(ind))
            if not bucket:
                inds["added"].append(_ind_data(ind))
                continue
            prev = bucket.pop(0)
            changed = [{"field": f, "old": _value(getattr(prev, f)), "new": _value(getattr(ind, f))}
                       for f in INDICATOR_FIELDS if _value(getattr(prev, f)) != _value(getattr(ind, f))]
            if changed:
                inds["changed"].append({**_ind_data(ind), "fields": changed})
        for bucket in a_inds.values():
            inds["removed"] += [_ind_data(i) for i in bucket]
        if fields or any(inds.values()):
            out["projects"]["changed"].append({"code": b.code, "name": b.name, "fields": fields, "indicators": inds})
    out["identical"] = not (out["unit"] or out["overview"] or any(out["projects"].values()))
    return out


def _ind_data(ind: Indicator) -> dict[str, Any]:
    return {"level1": ind.level1, "level2": ind.level2, "name": ind.name,
            "value": ind.value.text if ind.value else None}

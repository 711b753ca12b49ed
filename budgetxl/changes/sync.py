"""sync: new issued values into a county's workbook, keeping everything the county typed."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import usage_error
from ..form import Template, template_for
from ..form.matching import keys, match_projects
from ..model import Project, Submission, TemplateRef
from ..workbook.reader import read_workbook
from ..workbook.writer import generate_workbook
from .change import Change


@dataclass
class SyncResult:
    doc: Submission
    changes: list[Change] = field(default_factory=list)
    output: Path | None = None
    backup: Path | None = None


def _key(p: Project) -> str:
    return p.code or p.name or ""


def _filled(p: Project, t: Template) -> bool:
    """Has the county typed anything into this project (anything not issued)?"""
    table = t.fields
    return (any(f.get(p) is not None for f in table.project if not f.issued) or bool(p.spending_plan)
            or bool(p.indicators) or any(getattr(p, b.key) for b in table.lists["project"]))


def _issued_project(new: Project, t: Template) -> Project:
    data: dict[str, Any] = {}
    for f in t.fields.issued("project"):
        f.set(data, f.get(new))
    return Project.model_validate(data)


def sync_document(current: Submission, issued: Submission, previously_issued: list[str] | None = None,
                  template: Template | None = None) -> SyncResult:
    """New issued values into ``current`` (projects paired by form.matching).

    ``previously_issued`` lists the codes issued before. A project not paired with an issued
    one is withdrawn only when it was issued before and no other sheet of the same project was
    paired; one the county added itself, a second copy of a project, or any unpaired project when
    the earlier issue is unknown (no metadata) is kept, so typed content is never dropped by a
    guess."""
    t = template or template_for(current.template.id if current.template else None)
    fields = t.fields.issued("project")
    changes: list[Change] = []
    projects: list[Project] = []
    pairs = match_projects(keys(current.projects), keys(issued.projects))
    paired_codes = {current.projects[i].code for i, j in pairs if i is not None and j is not None}
    previous = set(previously_issued) if previously_issued is not None else None
    for i, j in pairs:
        if j is None:
            continue
        new = issued.projects[j]
        if i is None:
            projects.append(_issued_project(new, t))
            changes.append(Change("added", _key(new)))
            continue
        old = current.projects[i]
        data = old.model_dump()
        for f in fields:
            before, after = f.get(old), f.get(new)
            if before != after:
                changes.append(Change("changed", _key(new), f.key, before, after))
            f.set(data, after)
        projects.append(Project.model_validate(data))
    for i, j in pairs:
        if j is not None:
            continue
        p = current.projects[i]
        if previous is not None and p.code in previous and p.code not in paired_codes:
            changes.append(Change("withdrawn", _key(p), note="filled" if _filled(p, t) else None))
        else:
            projects.append(p.model_copy(deep=True))
            changes.append(Change("kept", _key(p)))
    data = current.model_dump(by_alias=True)
    data["projects"] = [p.model_dump() for p in projects]
    for f in t.fields.issued("unit"):
        new_v, old_v = f.get(issued), f.get(current)
        if new_v is not None and new_v != old_v:
            changes.append(Change("changed", None, f.key, old_v, new_v))
            f.set(data, new_v)
    return SyncResult(Submission.model_validate(data), changes)


def sync_workbook(workbook: str | os.PathLike[str], issued: Submission, output: str | os.PathLike[str] | None,
                  in_place: bool = False, template: Template | None = None) -> SyncResult:
    """Read ``workbook``, apply the issued values, write the result (never over the input unless
    ``in_place``, which keeps a timestamped backup first)."""
    src = Path(workbook)
    target = src if in_place else Path(output) if output else None
    if target is None:
        raise usage_error("usage.sync-output")
    if not in_place and target.exists() and target.resolve() == src.resolve():
        raise usage_error("usage.overwrite-input")
    result = read_workbook(src, template)
    t = template or result.template or template_for(None)
    meta = result.issued()
    previous = [p.get("code") for p in meta.get("projects", [])] if meta else None
    res = sync_document(result.doc, issued, previous, t)
    if in_place:
        stamp = datetime.now().strftime("%Y%m%d%H%M%S")
        res.backup = src.with_name(f"{src.stem}.bak-{stamp}{src.suffix}")
        shutil.copy2(src, res.backup)
    doc = res.doc.model_copy(update={"template": TemplateRef(id=t.id, version=t.version)})
    res.output = generate_workbook(doc, target, t)
    res.doc = doc
    return res

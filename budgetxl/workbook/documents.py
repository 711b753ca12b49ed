"""The one document loader: a submission from a JSON document or from a workbook."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import BudgetxlError, invalid_value
from ..form import Template
from ..messages import Phrase
from ..model import Submission
from .reader import read_workbook

JSON_SUFFIXES = (".json",)


def load_document(path: str | os.PathLike[str], template: Template | None = None) -> Submission:
    """A submission from ``path``: a JSON document (the contract in docs/submission.md; without a
    ``template`` block its stage's built-in form applies) or any workbook budgetxl reads."""
    p = Path(path)
    if p.suffix.lower() not in JSON_SUFFIXES:
        return read_workbook(p, template).doc
    from pydantic import ValidationError

    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise BudgetxlError("file-not-found", path=str(p)) from None
    except IsADirectoryError:
        raise BudgetxlError("input-is-folder", path=str(p)) from None
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise BudgetxlError("json-is-workbook", path=str(p))
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BudgetxlError("bad-json", path=str(p), detail=BudgetxlError("json-not-utf8")) from None
    try:
        return Submission.from_json(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = document_place(err.get("loc", ()), template)
        raise BudgetxlError("bad-json", path=str(p), detail=invalid_value(err, where)) from None
    except json.JSONDecodeError as exc:
        raise BudgetxlError("bad-json", path=str(p),
                            detail=BudgetxlError("invalid.json", line=exc.lineno, column=exc.colno)) from None
    except ValueError:  # (a check of the model's own, outside pydantic's errors)
        raise BudgetxlError("bad-json", path=str(p), detail=Phrase("where.document")) from None


def document_place(loc: tuple, template: Template | None = None) -> Any:
    """Where in a document a value is, as people name it: 第 2 个项目的预算数 for
    ("projects", 1, "budget", "total"); the JSON path itself for what the form does not name."""
    from ..form import template_for

    keys = [x for x in loc if not (isinstance(x, str) and ("[" in x or x.startswith(("function-", "tagged-"))))]
    t = template or template_for(None)
    table = t.fields
    project = indicator = None
    rest = list(keys)
    if len(rest) >= 2 and rest[0] == "projects" and isinstance(rest[1], int):
        project, rest = rest[1] + 1, rest[2:]
        if len(rest) >= 2 and rest[0] == "indicators" and isinstance(rest[1], int):
            indicator, rest = rest[1] + 1, rest[2:]
    scope = "indicator" if indicator else "project" if project else "unit"
    key = ".".join(str(x) for x in rest if not isinstance(x, int))
    label: Any = None
    if key:
        f = table.get(key, scope)
        label = f.display if f is not None else table.display(key) or table.display(key.split(".")[0])
    name = label if label is not None else ".".join(str(x) for x in keys)
    if indicator:
        return Phrase("where.indicator", {"project": project, "indicator": indicator, "field": name or ""})
    if project:
        return Phrase("where.project", {"project": project, "field": name or ""})
    return name or Phrase("where.document")

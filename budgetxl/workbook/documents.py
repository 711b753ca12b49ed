"""The one document loader: a submission from a JSON document or from a workbook."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import BudgetxlError
from ..form import Template
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
        raise BudgetxlError("io-error", path=str(p), detail=os.strerror(21)) from None
    try:
        return Submission.from_json(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        detail = f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}"
        raise BudgetxlError("bad-json", path=str(p), detail=detail) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BudgetxlError("bad-json", path=str(p), detail=str(exc).splitlines()[0][:200]) from None

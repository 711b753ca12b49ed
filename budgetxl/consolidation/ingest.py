"""Reading one input of a merge: hash it, read and validate it, spool its table rows to disk.

What merge keeps of a file in memory is small and picklable (worker processes return it); the
file's data (its table rows and its document) goes to a spool file as soon as it is read, so a
batch of thousands of workbooks never sits in memory at once.
"""

from __future__ import annotations

import json
import os
import pickle
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..files.inputs import InputFile, saved_time, sha256_of
from ..findings import Finding
from ..form import Template
from ..form import consolidated as C
from ..form.template import document_template
from ..messages import Phrase, message
from ..model import Submission
from ..workbook.validate import validate_file
from .stage import unit_stage
from .status import STATUS_OTHER_FORM


@dataclass
class Ingested:
    display: str
    sha256: str
    saved: datetime | None
    mtime: datetime
    findings: list[Finding] = field(default_factory=list)
    error: tuple[str, dict[str, Any]] | None = None  # message key and args of an unreadable file
    status: str = ""
    note: str = ""  # the file this one is a duplicate of / was superseded by
    unit: dict[str, str | None] | None = None  # code, name, region as read
    year: int | None = None
    project_codes: list[str | None] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)  # projects, indicators, amount totals, list lengths
    payload: str | None = None  # spool file: see write_payload

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error") + (1 if self.error else 0)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    @property
    def readable(self) -> bool:
        return self.error is None and self.payload is not None

    @property
    def valid(self) -> bool:
        return self.readable and self.errors == 0

    @property
    def unit_code(self) -> str | None:
        return self.unit.get("code") if self.unit else None

    @property
    def unit_name(self) -> str | None:
        return self.unit.get("name") if self.unit else None

    def load(self) -> dict[str, Any]:
        """The spooled data: {"projects": rows, "indicators": rows, "overview": row, "doc": JSON text}."""
        path, _, offset = self.payload.rpartition("@")
        with open(path, "rb") as fh:
            fh.seek(int(offset))
            return pickle.load(fh)

    @property
    def doc(self) -> Submission | None:
        """The submission read (materialised from the spool; for callers of the library)."""
        return Submission.model_validate(json.loads(self.load()["doc"])) if self.payload else None

    def error_message(self, lang: str) -> str:
        return message(self.error[0], lang, **self.error[1]) if self.error else ""


def stats(doc: Submission, t: Template) -> dict[str, Any]:
    out: dict[str, Any] = {
        "unit": C.unit_values(doc, t),  # the unit's identifying columns, as read
        "projects": len(doc.projects),
        "indicators": sum(len(p.indicators) for p in doc.projects),
        "lists": C.list_counts(doc, t),
        "max_goals": max((len(p.goals) for p in doc.projects), default=0),
        "level1": dict(Counter((i.level1 or "") for p in doc.projects for i in p.indicators)),
    }
    for f in C.amount_fields(t):
        out[f.column_key] = sum((f.get(p) or Decimal(0) for p in doc.projects), Decimal(0))
    if t.stage is not None:
        out["stage"] = unit_stage(doc, t)  # 执行率, lights, 总分 (consolidation.stage)
    return out


def ingest(inp: InputFile, template: Template | None, tables: Template, spool: str | None = None) -> Ingested:
    """Hash, read and validate one file (with ``template``, else its own), spooling its rows in the
    columns of ``tables`` (runs in a worker process for large batches)."""
    if inp.error is not None:
        return Ingested(inp.display, "", None, inp.mtime, error=inp.error)
    entry = Ingested(inp.display, sha256_of(inp.path), saved_time(inp.path), inp.mtime)
    report = validate_file(inp.path, template, name=inp.display)
    if report.error is not None:
        entry.error = (report.error.key, dict(report.error.args_))
        return entry
    doc = report.result.doc
    entry.unit = doc.unit.model_dump(exclude={"extra"})
    entry.year = doc.year
    if (doc.stage, doc.month) != (tables.stage_kind, tables.month):
        # a targets workbook among monitoring returns (or July's among August's): its figures do
        # not fit the batch's columns, so it is listed, never counted
        entry.status, entry.stats = STATUS_OTHER_FORM, {"unit": C.unit_values(doc, tables)}
        entry.error = ("merge.other-form", {"path": inp.display, "form": form_name(document_template(doc)),
                                            "batch": form_name(tables)})
        return entry
    entry.findings = report.findings
    entry.project_codes = [p.code for p in doc.projects]
    entry.stats = stats(doc, tables)
    entry.payload = write_payload(doc, tables, Path(spool) if spool else None)
    return entry


def crashed(inp: InputFile, reason: str) -> Ingested:
    """The entry of a file whose reading killed (or hung) its worker process."""
    from ..files.safeparse import crash_error

    err = crash_error(inp.display, reason)
    return Ingested(inp.display, sha256_of(inp.path), None, inp.mtime, error=(err.key, dict(err.args_)))


def form_name(t: Template) -> Phrase:
    """A form as a consolidation names it: its stage (in the run's language), its title, and a
    monitoring form's month."""
    kind = Phrase(f"form.kind.{t.stage_kind}")
    if t.month is not None:
        return Phrase("merge.form-month", {"title": t.template.title, "kind": kind, "month": t.month})
    return Phrase("merge.form", {"title": t.template.title, "kind": kind})


def write_payload(doc: Submission, t: Template, spool: Path | None) -> str:
    """Spool a document's table rows (flattened once, here) and its contract data."""
    data = {
        "projects": C.project_rows(doc, t),
        "indicators": C.indicator_rows(doc, t),
        "overview": C.overview_row(doc, t),
        # (as the JSON text submissions.json holds: made here, in a worker process, not by the writer)
        "doc": json.dumps(doc.to_data(), ensure_ascii=False, separators=(",", ":")),
    }
    if spool is None:
        fd, path = tempfile.mkstemp(suffix=".pkl")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
        return f"{path}@0"
    fh, path = _spool_file(spool)
    offset = fh.tell()
    pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
    fh.flush()  # (read by the parent as soon as this entry is returned)
    return f"{path}@{offset}"


# Each process appends its payloads to one file of the spool folder (a file per payload costs more
# than the rest of spooling): spool folder -> (pid, open file, its path).
_SPOOL_FILES: dict[str, tuple[int, Any, str]] = {}


def _spool_file(spool: Path) -> tuple[Any, str]:
    pid, fh, path = _SPOOL_FILES.get(str(spool), (None, None, ""))
    if pid != os.getpid() or fh.closed:  # (a forked worker opens its own)
        for key, (_, old, _) in list(_SPOOL_FILES.items()):  # (spools of earlier merges, removed since)
            if not os.path.isdir(key):
                old.close()
                del _SPOOL_FILES[key]
        fd, path = tempfile.mkstemp(prefix=f"payloads-{os.getpid()}-", suffix=".pkl", dir=spool)
        fh = os.fdopen(fd, "ab")
        _SPOOL_FILES[str(spool)] = (os.getpid(), fh, path)
    return fh, path

"""Validate workbooks: read each file and run the rules over it; a report per file, one for a batch.

A file that cannot be read is a report with its error, never an exception: one bad file in a
batch is reported and the rest go on. Nothing here prints or takes a language: reports render
themselves (``to_data(lang)``) and the CLI renders them as text.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BudgetxlError, ReadError
from ..files.inputs import InputFile, collect_inputs
from ..findings import Finding
from ..form import Template
from ..rules import check_located
from .reader import ReadResult, read_workbook


@dataclass
class FileReport:
    path: str  # the file as the user knows it (archive.zip!member for a zip member)
    result: ReadResult | None = None  # None in a batch (see validate_paths): the unit is kept instead
    findings: list[Finding] = field(default_factory=list)
    error: BudgetxlError | None = None  # the file could not be read
    unit_data: dict[str, Any] | None = None
    source: str | None = None  # where the bytes are, when not at ``path`` (a zip member)
    language: str = "zh"  # the language of its template (the clerk's: an annotated copy is named in it)
    form: str | None = None  # its form's title (预算绩效目标表, 绩效运行监控表 …): the annotated copy's heading

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    @property
    def readable(self) -> bool:
        return self.error is None

    @property
    def valid(self) -> bool:
        return self.readable and self.errors == 0

    def unit(self) -> dict[str, Any] | None:
        if self.unit_data is not None:
            return self.unit_data
        return self.result.doc.unit.model_dump(exclude={"extra"}) if self.result else None

    def to_data(self, lang: str = "zh") -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "unit": self.unit(),
            "valid": self.valid,
            "errors": self.errors + (1 if self.error else 0),
            "warnings": self.warnings,
            "issues": [f.to_data(lang) for f in self.findings],
        }
        if self.error is not None:
            data["issues"].insert(0, {"rule": "unreadable", "severity": "error", "sheet": None, "cell": None,
                                      "message": self.error.message(lang)})
        return data


    def to_record(self) -> dict[str, Any]:
        """The report as plain data (JSON) that renders later in any language (from_record)."""
        from ..findings import record_args

        error = None if self.error is None else {"key": self.error.key, "args": record_args(self.error.args_)}
        return {"path": self.path, "unit": self.unit(), "language": self.language, "form": self.form, "error": error,
                "findings": [f.to_record() for f in self.findings]}

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> FileReport:
        from ..findings import args_from_record

        err = data.get("error")
        error = None if err is None else ReadError(err["key"], **args_from_record(err.get("args") or {}))
        return cls(data["path"], None, [Finding.from_record(f) for f in data.get("findings", [])], error,
                   data.get("unit"), language=data.get("language", "zh"), form=data.get("form"))


@dataclass
class Report:
    """The reports of a batch, in input order (like frictionless' Report: ``valid``, ``files``)."""

    files: list[FileReport] = field(default_factory=list)
    workdir: Any = None  # the Scratch folder holding extracted zip members (removed with the report)

    @property
    def valid(self) -> bool:
        return all(r.valid for r in self.files)

    @property
    def readable(self) -> bool:
        return all(r.readable for r in self.files)

    def __iter__(self):
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)

    def to_data(self, lang: str = "zh") -> dict[str, Any]:
        return {"files": [r.to_data(lang) for r in self.files]}

    def to_json(self, lang: str = "zh") -> str:
        return json.dumps(self.to_data(lang), ensure_ascii=False, indent=2)


def validate_result(result: ReadResult, template: Template | None = None) -> list[Finding]:
    return check_located(result, template or result.template)


def validate_file(path: str | os.PathLike[str], template: Template | None = None, *,
                  name: str | None = None) -> FileReport:
    """Read and validate one file; an unreadable file becomes a report with ``error`` set.

    ``name`` is what the user calls the file when that is not ``path`` (a zip member, the name an
    upload was sent under): the report and its messages say ``name``, and ``source`` keeps ``path``."""
    shown, source = (str(path), None) if name is None else (name, str(path))
    try:
        result = read_workbook(path, template)
    except BudgetxlError as exc:
        if name is not None and exc.args_.get("path") == str(path):
            exc.args_ = {**exc.args_, "path": name}
        return FileReport(shown, error=exc, source=source)
    return FileReport(shown, result, validate_result(result, template), source=source,
                      language=result.template.language, form=result.template.template.title)


def _validate_input(inp: InputFile, template: Template | None) -> FileReport:
    """validate_file for a batch: only the findings and the unit are kept (a batch of thousands
    must not hold every document, and worker processes send back only what is kept)."""
    if inp.error is not None:
        key, args = inp.error
        return FileReport(inp.display, error=ReadError(key, **args))
    report = validate_file(inp.path, template, name=inp.display)
    if report.result is not None:
        report.unit_data = report.result.doc.unit.model_dump(exclude={"extra"})
        report.result = None
    return report


def _crashed(inp: InputFile, reason: str) -> FileReport:
    """The report of a file whose reading killed (or hung) its worker process."""
    from ..files.safeparse import crash_error

    return FileReport(inp.display, error=crash_error(inp.display, reason), source=str(inp.path))


def validate_paths(paths: Iterable[str | os.PathLike[str]], template: Template | None = None, jobs: int = 1,
                   progress: Any = None) -> Report:
    """Validate every workbook under ``paths`` (files, folders searched recursively, zip archives)
    in ``jobs`` worker processes (same results, same order for any ``jobs``); a file whose reading
    kills or hangs its worker gets a one-line refusal, the others go on."""
    from ..files.parallel import parallel_map

    from ..files.lifetime import Scratch, sweep_scratch

    sweep_scratch()  # (what killed runs left in the temp dir)
    workdir = Scratch("validate")
    files = list(collect_inputs(paths, Path(workdir.name)))
    reports = parallel_map(_validate_input, files, template, jobs=jobs, progress=progress, label=lambda i: i.display,
                           on_crash=_crashed)
    if not any(r.source != r.path for r in reports):
        workdir.cleanup()
        workdir = None
    return Report(reports, workdir)

"""The portal's one door into the library (read, validate, annotate, generate, merge, diff).

Everything the portal knows about workbooks goes through budgetxl.api here; the portal duplicates
no form logic and reaches no internals.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import api
from ..messages import RULES, message, pick

#: The stages a ledger can hold. Only the targets form exists today; monitor and selfeval are
#: accepted by the schema and the CLI but refused until their forms are built (issues 10, 11).
STAGES = ("targets", "monitor", "selfeval")
AVAILABLE_STAGES = ("targets",)


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    region: str | None = None


@dataclass
class Verdict:
    """What the checks say about one received file, ready for the ledger."""

    readable: bool
    errors: int
    warnings: int
    report: dict[str, Any]  # one entry of `validate --format json`'s "files"
    refusal: str | None = None  # one line, when the file cannot be read at all
    unit_code: str | None = None
    year: int | None = None
    document: str | None = None  # the submission document as JSON

    @property
    def valid(self) -> bool:
        return self.readable and self.errors == 0


@dataclass
class Received:
    """A file found on disk for `portal import` (folders are walked, zip archives opened)."""

    path: Path
    display: str
    mtime: datetime
    refusal_key: tuple[str, dict[str, Any]] | None = None


class EngineError(Exception):
    """A problem the user must fix, with its message already rendered."""


def workbook_suffixes() -> tuple[str, ...]:
    return api.WORKBOOK_SUFFIXES


def intake_max_bytes() -> int:
    return api.max_file_bytes()


def error_text(exc: Exception, lang: str = "zh") -> str:
    return exc.message(lang) if isinstance(exc, api.BudgetxlError) else str(exc)


# ---- issuing ---------------------------------------------------------------------------------

def load_units(path: str | os.PathLike[str]) -> list[Unit]:
    try:
        return [Unit(u.code, u.name, u.region) for u in api.load_roster(path)]
    except api.BudgetxlError as exc:
        raise EngineError(exc.message("zh")) from None


def load_budget(path: str | os.PathLike[str]) -> dict[str, list[dict[str, Any]]]:
    """The budget list grouped by unit code (projects with code, name and amounts)."""
    try:
        return api.load_budget_list(path)
    except api.BudgetxlError as exc:
        raise EngineError(exc.message("zh")) from None


def workbook_filename(unit: Unit, year: int) -> str:
    return api.workbook_filename(unit.code, unit.name, year)


def issue_workbook(unit: Unit, year: int, stage: str, out: Path, projects: list[dict[str, Any]] | None = None) -> None:
    """Write the unit's workbook for ``stage``: blank, or pre-filled with its budget-list projects."""
    if stage not in AVAILABLE_STAGES:
        raise EngineError(stage_refusal(stage))
    t = api.load_template()
    doc = api.Submission.model_validate({
        "template": {"id": t.id, "version": t.version}, "year": year,
        "unit": {"code": unit.code, "name": unit.name, "region": unit.region},
        "projects": projects or [],
    })
    api.generate_workbook(doc, out, t)


def stage_refusal(stage: str) -> str:
    name = {"monitor": "绩效运行监控表", "selfeval": "项目支出绩效自评表"}.get(stage, stage)
    return f"{name}（--stage {stage}）尚未实现，目前只能收集绩效目标表（--stage targets）。"


# ---- checking --------------------------------------------------------------------------------

def check_file(path: Path, display: str, lang: str = "zh") -> Verdict:
    """Read and validate a stored copy through the same intake limits as the CLI. ``display`` (the
    name the sender gave the file) is the file's name in every message and report."""
    report = api.validate_file(path, name=display)
    if report.error is not None:
        return Verdict(False, 1, 0, report.to_data(lang), refusal=report.error.message(lang))
    doc = report.result.doc
    return Verdict(True, report.errors, report.warnings, report.to_data(lang), None,
                   doc.unit.code, doc.year, doc.to_json(indent=None))


def report_json(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """`validate --format json`'s document for these reports."""
    return {**api.Report().to_data(), "files": entries}


def annotated_copy(path: Path, display: str, outdir: Path, lang: str = "zh") -> Path:
    """The county's workbook with every finding marked (退回修改), written into ``outdir``."""
    report = api.validate_file(path, name=display)
    if report.error is not None:
        raise EngineError(report.error.message(lang))
    return api.annotate_copy(report, outdir, lang)


# ---- history and consolidation ---------------------------------------------------------------

def diff(old_document: str, new_document: str) -> dict[str, Any]:
    return api.diff_documents(api.Submission.from_json(old_document), api.Submission.from_json(new_document))


def collect(inputs: list[Path], workdir: Path) -> list[Received]:
    """Workbook files under ``inputs`` (files, folders, zip archives with UTF-8 or GBK names)."""
    return [Received(i.path, i.display, i.mtime, i.error) for i in api.collect_inputs(inputs, workdir)]


def refusal_text(key: tuple[str, dict[str, Any]], lang: str = "zh") -> str:
    return message(key[0], lang, **key[1])


@dataclass
class Consolidated:
    workbook: Path | None
    data_files: list[Path] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    consolidation: Any = None  # the library's Consolidation (units, statuses: what merge prints)
    written: list[Path] = field(default_factory=list)


def consolidate(files: list[tuple[Path, str, datetime]], units: list[Unit], output: Path | None,
                data_dir: Path | None, lang: str = "zh") -> Consolidated:
    """The consolidated workbook and data files of the given current files (one per unit), with
    every roster unit listed (missing ones as 未报送). ``files`` are (path, name as sent, time
    received): the consolidated workbook shows the names and times, never the stored copies' paths."""
    roster = [api.RosterUnit(u.code, u.name, u.region) for u in units]
    cons = api.merge_files([api.InputFile(p, name, when) for p, name, when in files], roster)
    written = cons.write(output, data_dir, lang) if (output or data_dir) else []
    data = [p for p in written if output is None or Path(p) != Path(output)]
    return Consolidated(output, data, cons.summary(), cons, written)


def rule_help(lang: str = "zh") -> dict[str, tuple[str, str]]:
    """Each rule id's title and what the clerk should do about it, from the rule catalogue."""
    return {rid: (pick(r.title, lang), pick(r.explain, lang)) for rid, r in RULES.items()}


def field_label(key: str, lang: str = "zh") -> str:
    """A changed field's name as the form calls it (预算数 for budget.total)."""
    shown = api.load_template().fields.display(key)
    return shown.render(lang) if shown is not None else key

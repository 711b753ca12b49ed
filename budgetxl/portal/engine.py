"""The portal's one door into the form logic (read, validate, annotate, generate, merge, diff).

Everything the portal knows about workbooks goes through this module; the portal duplicates no
form logic. When the library API of issue 9 lands, only this file changes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

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
    from ..validate import WORKBOOK_SUFFIXES

    return WORKBOOK_SUFFIXES


def intake_max_bytes() -> int:
    from ..intake import LIMITS

    return LIMITS.max_file_bytes


def error_text(exc: Exception, lang: str = "zh") -> str:
    from ..findings import BudgetxlError

    return exc.message(lang) if isinstance(exc, BudgetxlError) else str(exc)


# ---- issuing ---------------------------------------------------------------------------------

def load_units(path: str | os.PathLike[str]) -> list[Unit]:
    from ..findings import BudgetxlError
    from ..roster import load_roster

    try:
        return [Unit(u.code, u.name, u.region) for u in load_roster(path)]
    except BudgetxlError as exc:
        raise EngineError(exc.message("zh")) from None


def load_budget(path: str | os.PathLike[str]) -> dict[str, list[dict[str, Any]]]:
    """The budget list grouped by unit code (projects with code, name and amounts)."""
    from ..changes import load_budget_list
    from ..findings import BudgetxlError

    try:
        return load_budget_list(path)
    except BudgetxlError as exc:
        raise EngineError(exc.message("zh")) from None


def workbook_filename(unit: Unit, year: int) -> str:
    from ..writer import workbook_filename as name

    return name(unit.code, unit.name, year)


def issue_workbook(unit: Unit, year: int, stage: str, out: Path, projects: list[dict[str, Any]] | None = None) -> None:
    """Write the unit's workbook for ``stage``: blank, or pre-filled with its budget-list projects."""
    if stage not in AVAILABLE_STAGES:
        raise EngineError(stage_refusal(stage))
    from ..model import Submission
    from ..template import load_template
    from ..writer import generate_workbook

    t = load_template()
    doc = Submission.model_validate({
        "template": {"id": t.id, "version": t.version}, "year": year,
        "unit": {"code": unit.code, "name": unit.name, "region": unit.region},
        "projects": projects or [],
    })
    generate_workbook(doc, out, t)


def stage_refusal(stage: str) -> str:
    name = {"monitor": "绩效运行监控表", "selfeval": "项目支出绩效自评表"}.get(stage, stage)
    return f"{name}（--stage {stage}）尚未实现，目前只能收集绩效目标表（--stage targets）。"


# ---- checking --------------------------------------------------------------------------------

def check_file(path: Path, display: str, lang: str = "zh") -> Verdict:
    """Read and validate a stored copy through the same intake limits as the CLI. ``display`` (the
    name the sender gave the file) replaces the server-side path in every message and report."""
    from ..validate import validate_file

    report = validate_file(path)
    report.path = display
    if report.error is not None:
        err = report.error
        if getattr(err, "args_", None) and "path" in err.args_:
            err.args_["path"] = display
        return Verdict(False, 1, 0, report.to_data(lang), refusal=error_text(err, lang))
    doc = report.result.doc
    return Verdict(True, report.errors, report.warnings, report.to_data(lang), None,
                   doc.unit.code, doc.year, doc.to_json(indent=None))


def report_json(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """`validate --format json`'s document for these reports."""
    from ..validate import reports_json

    shape = json.loads(reports_json([]))
    shape["files"] = entries
    return shape


def annotated_copy(path: Path, display: str, outdir: Path, lang: str = "zh") -> Path:
    """The county's workbook with every finding marked (退回修改), written into ``outdir``."""
    from ..annotate import annotate
    from ..validate import validate_file

    report = validate_file(path)
    if report.error is not None:
        raise EngineError(error_text(report.error, lang).replace(str(path), display))
    return annotate(report, outdir, lang)


# ---- history and consolidation ---------------------------------------------------------------

def diff(old_document: str, new_document: str) -> dict[str, Any]:
    from ..changes import diff_documents
    from ..model import Submission

    return diff_documents(Submission.from_json(old_document), Submission.from_json(new_document))


def collect(inputs: list[Path], workdir: Path) -> list[Received]:
    """Workbook files under ``inputs`` (files, folders, zip archives with UTF-8 or GBK names)."""
    from ..merge import collect_inputs

    return [Received(i.path, i.display, i.mtime, i.error) for i in collect_inputs(inputs, workdir)]


def refusal_text(key: tuple[str, dict[str, Any]], lang: str = "zh") -> str:
    from ..i18n import message

    return message(key[0], lang, **key[1])


@dataclass
class Consolidated:
    workbook: Path | None
    data_files: list[Path] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def consolidate(files: list[tuple[Path, str, datetime]], units: list[Unit], output: Path | None,
                data_dir: Path | None, lang: str = "zh") -> Consolidated:
    """The consolidated workbook and data files of the given current files (one per unit), with
    every roster unit listed (missing ones as 未报送). ``files`` are (path, display name, time)."""
    import tempfile

    from ..consolidated_writer import write_outputs
    from ..merge import InputFile, decide, run_ingest
    from ..roster import RosterUnit
    from ..template import load_template

    roster = [RosterUnit(u.code, u.name, u.region) for u in units]
    with tempfile.TemporaryDirectory(prefix="budgetxl-portal-spool-") as spool:
        entries = run_ingest([InputFile(p, d, t) for p, d, t in files], None, 1, None, spool)
        cons = decide(entries, roster, (), False, load_template().spending_plan.months)
        written = write_outputs(cons, output, data_dir, lang) if (output or data_dir) else []
        summary = cons.summary()
    data = [p for p in written if output is None or Path(p) != Path(output)]
    return Consolidated(output, data, summary)


def rule_help(lang: str = "zh") -> dict[str, tuple[str, str]]:
    """Each rule id's title and what the clerk should do about it, from the rule catalogue."""
    from ..rules import RULES

    i = 1 if lang == "en" else 0
    return {rid: (r.title[i], r.explain[i]) for rid, r in RULES.items()}


_DIFF_FIELDS = {"spending_plan": "spending", "goals": "goal", "overview.overall": "overall",
                "overview.items": "item", "overview.safeguards": "safeguard", "year": "year"}


def field_label(key: str, lang: str = "zh") -> str:
    """A changed field's name as the form calls it (预算数 for budget.total)."""
    from ..validate import FIELD_NAMES

    names = FIELD_NAMES.get(_DIFF_FIELDS.get(key, key))
    return (names[1] if lang == "en" else names[0]) if names else key

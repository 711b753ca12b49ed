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
from ..messages import RULES, Phrase, message, pick  # noqa: F401 (Phrase, message: the portal's own sentences)

#: The stages of the year a ledger holds: the targets (绩效目标) are issued blank or from a budget
#: list; monitoring (运行监控) and self-evaluation (绩效自评) are issued from each unit's targets.
STAGES = ("targets", "monitor", "selfeval")
LATER_STAGES = ("monitor", "selfeval")


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
    record: dict[str, Any]  # the file's report as data (FileReport.to_record): rendered per language
    refusal: api.BudgetxlError | None = None  # why the file cannot be read at all
    unit_code: str | None = None
    year: int | None = None
    document: str | None = None  # the submission document as JSON
    stage: str | None = None  # the form's stage: targets, monitor or selfeval
    month: int | None = None  # a monitoring form's month N

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


EngineError = api.BudgetxlError  # a problem the user must fix: key + args, rendered in the reader's language


def workbook_suffixes() -> tuple[str, ...]:
    return api.WORKBOOK_SUFFIXES


def intake_max_bytes() -> int:
    return api.max_file_bytes()


def text(what: Any, lang: str = "zh") -> str:
    """A message kept as data (an error, a phrase) in ``lang``; plain text as it is."""
    return what.render(lang) if hasattr(what, "render") else str(what)


# ---- issuing ---------------------------------------------------------------------------------

def load_units(path: str | os.PathLike[str]) -> list[Unit]:
    return [Unit(u.code, u.name, u.region) for u in api.load_roster(path)]


def load_budget(path: str | os.PathLike[str], units: list[Unit] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The budget list grouped by unit code (projects with code, name and amounts); with ``units``,
    rows for a unit outside them refuse the list, saying which lines (as generate does)."""
    plan = api.read_budget_list(path)
    if units is not None:
        plan.check_units(u.code for u in units)
    return plan.by_unit()


def workbook_filename(unit: Unit, year: int) -> str:
    return api.workbook_filename(unit.code, unit.name, year)


def issue_workbook(unit: Unit, year: int, out: Path, projects: list[dict[str, Any]] | None = None) -> None:
    """Write the unit's targets workbook: blank, or pre-filled with its budget-list projects."""
    t = api.load_template()
    doc = api.Submission.model_validate({
        "template": {"id": t.id, "version": t.version}, "year": year,
        "unit": {"code": unit.code, "name": unit.name, "region": unit.region},
        "projects": projects or [],
    })
    api.generate_workbook(doc, out, t)


def form(stage: str, month: int | None = None) -> api.Template:
    """The built-in form of ``stage`` (a monitoring form at ``month``)."""
    return api.stage_form(stage, month)


@dataclass
class StageIssue:
    """A later stage's workbooks, by unit code, and the roster units the source has no targets for."""

    files: dict[str, Path] = field(default_factory=dict)
    years: dict[str, int | None] = field(default_factory=dict)
    missing: list[Unit] = field(default_factory=list)
    month: int | None = None


def issue_stage(stage: str, month: int | None, units: list[Unit], outdir: Path, source: Path | None = None,
                documents: list[str] | None = None, budget: Path | None = None) -> StageIssue:
    """Each unit's workbook of a later stage, written into ``outdir`` by the library's
    ``generate_stage`` from ``source`` (a consolidated targets workbook, a unit's workbook or JSON)
    or from ``documents`` (the ledger's current submissions of an earlier stage, as JSON)."""
    if documents is not None:
        source = outdir.parent / "earlier-stage.json"
        source.write_text("[" + ",".join(documents) + "]", encoding="utf-8")
    roster = [api.RosterUnit(u.code, u.name, u.region) for u in units]
    res = api.generate_stage(source, stage, outdir, roster, month, budget, jobs=min(4, os.cpu_count() or 1))
    out = StageIssue(missing=[Unit(u.code, u.name, u.region) for u in res.missing], month=form(stage, month).month)
    for doc, path in zip(res.documents, res.outputs):
        out.files[doc.unit.code] = Path(path)
        out.years[doc.unit.code] = doc.year
    return out


# ---- checking --------------------------------------------------------------------------------

def check_file(path: Path, display: str) -> Verdict:
    """Read and validate a stored copy through the same intake limits as the CLI. ``display`` (the
    name the sender gave the file) is the file's name in every message and report."""
    report = _validated(path, display)
    if report.error is not None:
        return Verdict(False, 1, 0, report.to_record(), refusal=report.error)
    doc = report.result.doc
    return Verdict(True, report.errors, report.warnings, report.to_record(), None,
                   doc.unit.code, doc.year, doc.to_json(indent=None), doc.stage, doc.month)


def _validated(path: Path, display: str) -> api.FileReport:
    """api.validate_file in a child process: a file that kills its reader (a parser abort, the
    memory cap) or hangs costs that upload a one-line refusal, never the server's worker."""
    from functools import partial

    from ..files.safeparse import run_isolated

    try:
        return run_isolated(partial(api.validate_file, name=display), path, path=display)
    except api.BudgetxlError as exc:
        return api.FileReport(display, error=exc, source=str(path))


def report_data(record: dict[str, Any], lang: str = "zh") -> dict[str, Any]:
    """A stored report as one entry of `validate --format json`'s "files", in ``lang``."""
    return api.FileReport.from_record(record).to_data(lang)


def report_json(records: list[dict[str, Any]], lang: str = "zh") -> dict[str, Any]:
    """`validate --format json`'s document for these stored reports."""
    return api.Report([api.FileReport.from_record(r) for r in records]).to_data(lang)


def annotated_copy(path: Path, display: str, outdir: Path, lang: str = "zh") -> Path:
    """The county's workbook with every finding marked (退回修改), written into ``outdir``."""
    report = _validated(path, display)
    if report.error is not None:
        raise report.error
    return api.annotate_copy(report, outdir, lang)


# ---- history and consolidation ---------------------------------------------------------------

def diff(old_document: str, new_document: str) -> dict[str, Any]:
    return api.diff_documents(api.Submission.from_json(old_document), api.Submission.from_json(new_document))


def collect(inputs: list[Path], workdir: Path) -> list[Received]:
    """Workbook files under ``inputs`` (files, folders, zip archives with UTF-8 or GBK names)."""
    return [Received(i.path, i.display, i.mtime, i.error) for i in api.collect_inputs(inputs, workdir)]


def refusal(key: tuple[str, dict[str, Any]]) -> api.BudgetxlError:
    """Why the input walker refused a file (an oversized zip member), as an error."""
    return api.BudgetxlError(key[0], **key[1])


@dataclass
class Consolidated:
    workbook: Path | None
    data_files: list[Path] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    consolidation: Any = None  # the library's Consolidation (units, statuses: what merge prints)
    written: list[Path] = field(default_factory=list)


def consolidate(files: list[tuple[Path, str, datetime]], units: list[Unit], output: Path | None,
                data_dir: Path | None, lang: str = "zh", stage: str = "targets",
                month: int | None = None, city: str | None = None) -> Consolidated:
    """The consolidated workbook and data files of the given current files (one per unit) in the
    stage's form, with every roster unit listed (missing ones as 未报送). ``files`` are (path, name
    as sent, time received): the consolidated workbook shows the names and times, never the stored
    copies' paths."""
    roster = [api.RosterUnit(u.code, u.name, u.region) for u in units]
    template = form(stage, month) if stage in LATER_STAGES else None  # (targets: each file's own form)
    with api.reserve_outputs(output, data_dir):  # (a busy or unwritable output is refused before any work)
        cons = api.merge_files([api.InputFile(p, name, when) for p, name, when in files], roster, template=template)
        written = cons.write(output, data_dir, lang, city=city) if (output or data_dir) else []
    data = [p for p in written if output is None or Path(p) != Path(output)]
    return Consolidated(output, data, cons.summary(), cons, written)


def rule_help(lang: str = "zh") -> dict[str, tuple[str, str]]:
    """Each rule id's title and what the clerk should do about it, from the rule catalogue."""
    return {rid: (pick(r.title, lang), pick(r.explain, lang)) for rid, r in RULES.items()}


def field_label(key: str, lang: str = "zh") -> str:
    """A changed field's name as the form calls it (预算数 for budget.total)."""
    shown = api.load_template().fields.display(key)
    return shown.render(lang) if shown is not None else key

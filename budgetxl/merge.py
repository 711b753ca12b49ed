"""Consolidation (汇总): collect every county's workbook, decide which file counts for each unit,
and write the consolidated workbook and data files.

Inputs are files, folders (recursive) and .zip archives. Identical files (same SHA-256) count
once; several different files for one unit are resubmissions: the newest wins (the workbook's
own saved time, then the file time) unless ``prefer`` names one. Invalid submissions are left
out of the totals (``include_invalid`` counts them, flagged).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import shutil
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import consolidated as C
from .findings import BudgetxlError, Finding
from .model import Submission
from .roster import RosterUnit
from .template import Template, load_template
from .validate import WORKBOOK_SUFFIXES, validate_file

Progress = Callable[[int, int, str], None]


@dataclass
class InputFile:
    path: Path  # where the bytes are (a temp file for zip members)
    display: str  # what the user calls it: the path, or archive.zip!member
    mtime: datetime
    error: tuple[str, dict[str, Any]] | None = None  # refused before reading (an oversized zip member)


@dataclass
class Ingested:
    """What merge keeps of one file in memory: small and picklable (worker processes return it).

    The file's data itself (its table rows and its document) is spooled to ``payload`` on disk as
    soon as it is read, so a batch of thousands of workbooks never sits in memory at once."""

    display: str
    sha256: str
    saved: datetime | None
    mtime: datetime
    findings: list[Finding] = field(default_factory=list)
    error: tuple[str, dict[str, Any]] | None = None  # message key and args of an unreadable file
    status: str = ""
    note: str = ""
    unit: dict[str, str | None] | None = None  # code, name, region as read
    year: int | None = None
    project_codes: list[str | None] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)  # projects, indicators, total, fiscal, other, max_*
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
        """The spooled data: {"projects": rows, "indicators": rows, "overview": row, "doc": data}."""
        with open(self.payload, "rb") as fh:
            return pickle.load(fh)

    @property
    def doc(self) -> Submission | None:
        """The submission read (materialised from the spool; for callers of the library)."""
        return Submission.model_validate(self.load()["doc"]) if self.payload else None

    def error_message(self, lang: str) -> str:
        from .i18n import message

        return message(self.error[0], lang, **self.error[1]) if self.error else ""


# ---- inputs ----------------------------------------------------------------------------------

def _member_name(info: zipfile.ZipInfo) -> str:
    """Zip member names: UTF-8 when flagged, else the bytes Windows tools write (GBK)."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", errors="replace")
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return info.filename


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)


def collect_inputs(inputs: Iterable[str | os.PathLike[str]], workdir: Path) -> Iterator[InputFile]:
    """Workbook files from files, folders (recursive) and .zip archives (extracted to workdir)."""
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and not f.name.startswith(("~$", ".~lock")):
                    if f.suffix.lower() == ".zip":
                        yield from _zip_members(f, workdir)
                    elif f.suffix.lower() in WORKBOOK_SUFFIXES:
                        yield InputFile(f, str(f), _mtime(f))
        elif p.suffix.lower() == ".zip" and p.is_file():
            yield from _zip_members(p, workdir)
        else:
            yield InputFile(p, str(p), _mtime(p) if p.exists() else datetime.now(timezone.utc))


def _zip_members(archive: Path, workdir: Path) -> Iterator[InputFile]:
    """The workbooks inside a zip archive, extracted one by one into ``workdir``. A member larger
    than any workbook may be is reported, not extracted; an archive with more members or more
    bytes than a batch may hold is refused as a whole (a zip bomb of attachments)."""
    from .intake import LIMITS, human_size

    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        yield InputFile(archive, str(archive), _mtime(archive))  # reported as unreadable
        return
    with zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        if len(infos) > MAX_ARCHIVE_MEMBERS or total > MAX_ARCHIVE_BYTES:
            detail = f"{len(infos)} members, {human_size(total)}"
            yield InputFile(archive, str(archive), _mtime(archive), ("intake-bomb", {"path": str(archive), "detail": detail}))
            return
        for n, info in enumerate(infos):
            name = _member_name(info)
            base = name.rsplit("/", 1)[-1]
            if info.is_dir() or Path(base).suffix.lower() not in WORKBOOK_SUFFIXES or base.startswith("~$"):
                continue
            target = workdir / f"{n:05d}{Path(base).suffix.lower()}"
            display = f"{archive}!{name}"
            when = datetime(*info.date_time, tzinfo=timezone.utc) if info.date_time[0] >= 1980 else _mtime(archive)
            if info.file_size > LIMITS.max_file_bytes:
                yield InputFile(target, display, when, ("intake-too-large", {
                    "path": display, "size": human_size(info.file_size), "limit": human_size(LIMITS.max_file_bytes)}))
                continue
            try:
                with zf.open(info) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
                target.write_bytes(b"")  # damaged or encrypted member: the reader reports it
            yield InputFile(target, display, when)


# A batch archive may hold many workbooks, but not more than this.
MAX_ARCHIVE_MEMBERS = 20_000
MAX_ARCHIVE_BYTES = 8 * 2**30


_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>")


def saved_time(path: Path) -> datetime | None:
    """The workbook's own last-saved time (docProps/core.xml), if it has one."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("docProps/core.xml")
            if info.file_size > 1 << 20:
                return None
            m = _MODIFIED.search(zf.read(info))
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    if not m:
        return None
    try:
        return datetime.fromisoformat(m[1].decode().strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return ""
    return h.hexdigest()


def ingest(inp: InputFile, template: Template | None = None, spool: str | None = None) -> Ingested:
    """Hash, read and validate one file, spooling its data under ``spool`` (runs in a worker
    process for large batches)."""
    if inp.error is not None:
        return Ingested(inp.display, "", None, inp.mtime, error=inp.error)
    entry = Ingested(inp.display, sha256_of(inp.path), saved_time(inp.path), inp.mtime)
    report = validate_file(inp.path, template)
    if report.error is not None:
        err = report.error
        key = getattr(err, "key", "not-a-workbook")
        args = dict(getattr(err, "args_", {}))
        if "path" in args:
            args["path"] = inp.display
        entry.error = (key, args)
        return entry
    doc = report.result.doc
    entry.findings = report.findings
    entry.unit = doc.unit.model_dump()
    entry.year = doc.year
    entry.project_codes = [p.code for p in doc.projects]
    entry.stats = {
        "projects": len(doc.projects),
        "indicators": sum(len(p.indicators) for p in doc.projects),
        **{k: sum((getattr(p.budget, k) or Decimal(0) for p in doc.projects), Decimal(0))
           for k in ("total", "fiscal", "other")},
        "max_goals": max((len(p.goals) for p in doc.projects), default=0),
        "max_items": len(doc.overview.items),
        "max_safeguards": len(doc.overview.safeguards),
        "level1": dict(Counter((i.level1 or "（空）") for p in doc.projects for i in p.indicators)),
    }
    entry.payload = write_payload(doc, template, Path(spool) if spool else None)
    return entry


def write_payload(doc: Submission, template: Template | None, spool: Path | None) -> str:
    """Spool a document's table rows (flattened once, here) and its contract data."""
    months = (template or load_template()).spending_plan.months
    data = {
        "projects": list(C.project_rows(doc, months)),
        "indicators": list(C.indicator_rows(doc)),
        "overview": C.overview_row(doc),
        "doc": doc.to_data(),
    }
    fd, path = tempfile.mkstemp(suffix=".pkl", dir=spool)
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path


# ---- deciding what counts ----------------------------------------------------------------------

@dataclass
class UnitRow:
    code: str
    name: str | None
    region: str | None
    status: str
    entry: Ingested | None = None
    counted: bool = False


@dataclass
class Consolidation:
    entries: list[Ingested]
    units: list[UnitRow]
    roster: list[RosterUnit] | None
    months: list[int]
    include_invalid: bool = False
    extra_findings: list[tuple[Ingested, Finding]] = field(default_factory=list)
    spool: Any = None  # the TemporaryDirectory holding the entries' payloads (removed with this object)

    def __getstate__(self) -> dict[str, Any]:
        # A worker process that writes outputs reads the payloads; the spool stays the parent's.
        return {**self.__dict__, "spool": None}

    @property
    def counted(self) -> list[UnitRow]:
        return [u for u in self.units if u.counted]

    def counted_entries(self) -> list[Ingested]:
        return [u.entry for u in self.counted if u.entry is not None and u.entry.payload]

    def payloads(self) -> Iterator[dict[str, Any]]:
        """The counted units' spooled data, one at a time, in unit order."""
        for e in self.counted_entries():
            yield e.load()

    def docs(self) -> list[Submission]:
        return [Submission.model_validate(p["doc"]) for p in self.payloads()]

    def totals(self) -> dict[str, Decimal | int]:
        total: dict[str, Any] = {"total": Decimal(0), "fiscal": Decimal(0), "other": Decimal(0), "projects": 0,
                                 "indicators": 0}
        for e in self.counted_entries():
            for k in total:
                total[k] += e.stats[k]
        return total

    def most(self, key: str) -> int:
        return max((e.stats[key] for e in self.counted_entries()), default=0)

    def summary(self) -> dict[str, Any]:
        expected = len(self.roster) if self.roster is not None else None
        received = {u.code for u in self.units if u.entry is not None}
        valid = {u.code for u in self.units if u.entry is not None and u.entry.valid}
        return {"expected": expected, "received": len(received), "valid": len(valid),
                "counted": len(self.counted), "missing": [u.code for u in self.units if u.status == C.STATUS_MISSING],
                "files": len(self.entries), **self.totals()}


def decide(entries: list[Ingested], roster: list[RosterUnit] | None, prefer: Iterable[str] = (),
           include_invalid: bool = False, months: list[int] | None = None) -> Consolidation:
    prefer_set = {str(Path(p)) for p in prefer} | {Path(p).name for p in prefer}
    by_hash: dict[str, Ingested] = {}
    by_unit: dict[str, list[Ingested]] = {}
    for e in sorted(entries, key=lambda e: e.display):
        if e.sha256 and e.sha256 in by_hash:
            e.status, e.note = C.STATUS_DUPLICATE, by_hash[e.sha256].display
            continue
        if e.sha256:
            by_hash[e.sha256] = e
        if e.error is not None:
            e.status = C.STATUS_UNREADABLE
        elif not e.unit_code:
            e.status = C.STATUS_UNKNOWN_UNIT
        else:
            by_unit.setdefault(e.unit_code, []).append(e)

    def preferred(e: Ingested) -> bool:
        return e.display in prefer_set or Path(e.display.split("!")[-1]).name in prefer_set

    roster_codes = {u.code: u for u in roster} if roster is not None else None
    units: list[UnitRow] = []
    chosen: dict[str, Ingested] = {}
    for code, group in by_unit.items():
        win = next((e for e in group if preferred(e)), None) or max(
            group, key=lambda e: (e.saved or e.mtime, e.mtime, e.display))
        chosen[code] = win
        for e in group:
            if e is not win:
                e.status, e.note = C.STATUS_SUPERSEDED, win.display
    order = list(roster_codes) if roster_codes is not None else []
    order += sorted(c for c in chosen if roster_codes is None or c not in roster_codes)
    for code in order:
        e = chosen.get(code)
        r = roster_codes.get(code) if roster_codes is not None else None
        name = r.name if r else (e.unit_name if e else None)
        region = r.region if r else (e.unit.get("region") if e and e.unit else None)
        if e is None:
            units.append(UnitRow(code, name, region, C.STATUS_MISSING))
            continue
        if roster_codes is not None and r is None:
            e.status = C.STATUS_NOT_IN_ROSTER
            units.append(UnitRow(code, name, region, e.status, e))
            continue
        if e.valid:
            e.status = C.STATUS_SUBMITTED
        elif include_invalid:
            e.status = C.STATUS_INCLUDED_INVALID
        else:
            e.status = C.STATUS_INVALID
        units.append(UnitRow(code, name, region, e.status, e, counted=e.valid or include_invalid))
    cons = Consolidation(entries, units, roster, months or load_template().spending_plan.months, include_invalid)
    _cross_unit_duplicates(cons)
    return cons


def _cross_unit_duplicates(cons: Consolidation) -> None:
    """duplicate-project-code across workbooks: a code counted for two units."""
    seen: dict[str, UnitRow] = {}
    for u in cons.counted:
        for code in u.entry.project_codes:
            if not code:
                continue
            if code in seen and seen[code] is not u:
                f = Finding("duplicate-project-code", "error", None, None,
                            {"code": code, "other": seen[code].code}, "duplicate-project-code")
                cons.extra_findings.append((u.entry, f))
            seen.setdefault(code, u)


# ---- the whole job -----------------------------------------------------------------------------

@dataclass
class MergeResult:
    consolidation: Consolidation
    output: Path | None
    data_files: list[Path] = field(default_factory=list)
    strict_failed: bool = False


def run_ingest(inputs: list[InputFile], template: Template | None, jobs: int = 1,
               progress: Progress | None = None, spool: str | None = None) -> list[Ingested]:
    """Ingest files, in a process pool when jobs > 1; results in input order either way."""
    from .parallel import parallel_map

    return parallel_map(ingest, inputs, template, spool, jobs=jobs, progress=progress, label=lambda i: i.display,
                        on_crash=_crashed)


def _crashed(inp: InputFile, reason: str) -> Ingested:
    """The entry of a file whose reading killed (or hung) its worker process."""
    from .safeparse import crash_error

    err = crash_error(inp.display, reason)
    return Ingested(inp.display, sha256_of(inp.path), None, inp.mtime, error=(err.key, err.args_))


def merge(
    inputs: Iterable[str | os.PathLike[str]],
    output: str | os.PathLike[str] | None,
    roster: list[RosterUnit] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    strict: bool = False,
    include_invalid: bool = False,
    prefer: list[str] | tuple[str, ...] = (),
    template: Template | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
    lang: str = "zh",
) -> MergeResult:
    inputs = list(inputs)
    missing = [p for p in [*inputs, *prefer] if not Path(p).exists()]
    if missing:
        raise BudgetxlError("file-not-found", path=str(missing[0]))
    if output is not None and Path(output).exists() and any(
            Path(p).is_file() and Path(p).resolve() == Path(output).resolve() for p in inputs):
        raise BudgetxlError("output-is-input", path=str(output))
    t = template or load_template()
    spool = tempfile.TemporaryDirectory(prefix="budgetxl-spool-")
    workdir = Path(tempfile.mkdtemp(prefix="budgetxl-merge-"))
    try:
        files = list(collect_inputs(inputs, workdir))
        if not files:
            raise BudgetxlError("usage", detail="没有找到工作簿 / no workbook found")
        entries = run_ingest(files, template, jobs, progress, spool.name)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    cons = decide(entries, roster, prefer, include_invalid, t.spending_plan.months)
    cons.spool = spool
    result = MergeResult(cons, None)
    if strict and (any(u.status != C.STATUS_SUBMITTED for u in cons.units) or any(
            e.status in (C.STATUS_UNREADABLE, C.STATUS_UNKNOWN_UNIT) for e in entries)):
        result.strict_failed = True
        return result
    if output is not None or data_dir is not None:
        from .consolidated_writer import write_outputs

        result.data_files = write_outputs(cons, output, data_dir, lang, jobs)
        result.output = Path(output) if output is not None else None
    return result

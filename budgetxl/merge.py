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
import re
import shutil
import tempfile
import zipfile
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
    """What merge keeps of one file: small and picklable (worker processes return it)."""

    display: str
    sha256: str
    saved: datetime | None
    mtime: datetime
    doc: Submission | None = None
    findings: list[Finding] = field(default_factory=list)
    error: tuple[str, dict[str, Any]] | None = None  # message key and args of an unreadable file
    status: str = ""
    note: str = ""

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error") + (1 if self.error else 0)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    @property
    def valid(self) -> bool:
        return self.error is None and self.doc is not None and self.errors == 0

    @property
    def unit_code(self) -> str | None:
        return self.doc.unit.code if self.doc else None

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


def ingest(inp: InputFile, template: Template | None = None) -> Ingested:
    """Hash, read and validate one file (runs in a worker process for large batches)."""
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
    entry.doc = report.result.doc if report.result else None
    entry.findings = report.findings
    return entry


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

    @property
    def counted(self) -> list[UnitRow]:
        return [u for u in self.units if u.counted]

    def docs(self) -> list[Submission]:
        return [u.entry.doc for u in self.counted if u.entry and u.entry.doc]

    def totals(self) -> dict[str, Decimal | int]:
        total = {"total": Decimal(0), "fiscal": Decimal(0), "other": Decimal(0), "projects": 0, "indicators": 0}
        for doc in self.docs():
            for p in doc.projects:
                for k in ("total", "fiscal", "other"):
                    total[k] += getattr(p.budget, k) or 0
                total["projects"] += 1
                total["indicators"] += len(p.indicators)
        return total

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
        name = r.name if r else (e.doc.unit.name if e and e.doc else None)
        region = r.region if r else (e.doc.unit.region if e and e.doc else None)
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
        for p in u.entry.doc.projects:
            if not p.code:
                continue
            if p.code in seen and seen[p.code] is not u:
                f = Finding("duplicate-project-code", "error", None, None,
                            {"code": p.code, "other": seen[p.code].code}, "duplicate-project-code")
                cons.extra_findings.append((u.entry, f))
            seen.setdefault(p.code, u)


# ---- the whole job -----------------------------------------------------------------------------

@dataclass
class MergeResult:
    consolidation: Consolidation
    output: Path | None
    data_files: list[Path] = field(default_factory=list)
    strict_failed: bool = False


def run_ingest(inputs: list[InputFile], template: Template | None, jobs: int = 1,
               progress: Progress | None = None) -> list[Ingested]:
    """Ingest files, in a process pool when jobs > 1; results in input order either way."""
    from .parallel import parallel_map

    return parallel_map(ingest, inputs, template, jobs=jobs, progress=progress, label=lambda i: i.display)


def merge(
    inputs: Iterable[str | os.PathLike[str]],
    output: str | os.PathLike[str] | None,
    roster: list[RosterUnit] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    strict: bool = False,
    include_invalid: bool = False,
    prefer: Iterable[str] = (),
    template: Template | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
    lang: str = "zh",
) -> MergeResult:
    inputs = list(inputs)
    missing = [p for p in inputs if not Path(p).exists()]
    if missing:
        raise BudgetxlError("file-not-found", path=str(missing[0]))
    t = template or load_template()
    workdir = Path(tempfile.mkdtemp(prefix="budgetxl-merge-"))
    try:
        files = list(collect_inputs(inputs, workdir))
        if not files:
            raise BudgetxlError("usage", detail="没有找到工作簿 / no workbook found")
        entries = run_ingest(files, template, jobs, progress)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    cons = decide(entries, roster, prefer, include_invalid, t.spending_plan.months)
    result = MergeResult(cons, None)
    if strict and (any(u.status != C.STATUS_SUBMITTED for u in cons.units) or any(
            e.status in (C.STATUS_UNREADABLE, C.STATUS_UNKNOWN_UNIT) for e in entries)):
        result.strict_failed = True
        return result
    if output is not None:
        from .consolidated_writer import write_consolidated

        write_consolidated(cons, output, lang)
        result.output = Path(output)
    if data_dir is not None:
        from .consolidated_writer import write_data_files

        result.data_files = write_data_files(cons, data_dir)
    return result

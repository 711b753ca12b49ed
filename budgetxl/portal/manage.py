"""Setting a portal up and the city's outputs: init (ledger, workbooks, links), consolidation,
annotated copies, re-issuing a workbook, importing files received by e-mail."""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import db, engine as E
from .ledger import Ledger, Refused, now, utc
from .models import Annotated, Current, Setting, Stage, Unit
from .security import hash_password, new_token
from .stages import ISSUED_DIR, issue_later, open_stage, place_issued, reissue_later  # noqa: F401 (open_stage)

CONFIG = "portal.json"
LINKS = "links.csv"
UPLOAD_SPOOL = ".uploads"  # uploads while they are checked (cleared when the portal starts)


class SetupError(E.EngineError):
    """One line for the user (a catalogue key and its arguments); nothing was changed."""


def config_path(folder: Path) -> Path:
    return Path(folder) / CONFIG


def db_url_for(folder: Path, given: str | None = None) -> str:
    """--db when given, else what init recorded, else the SQLite file in the folder."""
    if given:
        return given
    cfg = config_path(folder)
    if cfg.is_file():
        url = json.loads(cfg.read_text(encoding="utf-8")).get("db")
        if url:
            return url
    return db.default_url(folder)


def open_ledger(folder: Path, url: str | None = None, migrate: bool = False) -> Ledger:
    folder = Path(folder)
    if not folder.is_dir():
        raise SetupError("portal.not-a-portal", dir=str(folder))
    url = db_url_for(folder, url)
    missing = SetupError("portal.no-ledger", dir=str(folder))
    if db.sqlite_file(url) is not None and not db.sqlite_file(url).is_file():
        raise missing  # (connecting would create an empty database file)
    engine = db.make_engine(url)
    if not db.has_ledger(engine):
        raise missing
    if migrate:  # a ledger made by an older budgetxl gets the newer schema
        db.upgrade(engine)
    return Ledger(engine, folder / UPLOAD_SPOOL)


def clear_upload_spool(folder: Path) -> None:
    """An empty upload spool in the portal folder: what uploads being checked left when a portal
    was killed is removed (called by init, and as the portal starts, before it takes uploads)."""
    shutil.rmtree(Path(folder) / UPLOAD_SPOOL, ignore_errors=True)
    try:
        (Path(folder) / UPLOAD_SPOOL).mkdir()
    except OSError:  # (a read-only folder: uploads are checked in the temp dir)
        pass


# ---- init -------------------------------------------------------------------------------------

@dataclass
class InitResult:
    admin_token: str
    links: Path
    issued: list[Path] = field(default_factory=list)
    warnings: list[E.Phrase] = field(default_factory=list)
    missing: list[E.Unit] = field(default_factory=list)  # (a later stage) units without targets in the source


def has_ledger(folder: Path, url: str | None = None) -> bool:
    """Whether ``folder`` (or the database --db names) already holds a ledger."""
    folder = Path(folder)
    url = db_url_for(folder, url) if folder.is_dir() else (url or db.default_url(folder))
    if db.sqlite_file(url) is not None and not db.sqlite_file(url).is_file():
        return False
    engine = db.make_engine(url)
    try:
        return db.has_ledger(engine)
    finally:
        engine.dispose()


def init_portal(folder: Path, roster: Path, year: int, stage: str = "targets", budget: Path | None = None,
                url: str | None = None, base_url: str = "http://127.0.0.1:8000", month: int | None = None,
                source: Path | None = None) -> InitResult:
    """A new portal: the ledger, each unit's workbook of ``stage`` (a later stage's from ``source``,
    a consolidated targets workbook), the links and tokens, the admin token."""
    if stage in E.LATER_STAGES and source is None:
        raise SetupError("portal.stage-from", stage=stage)
    folder = Path(folder)
    units = _load_inputs(roster)
    # (a budget list naming a unit outside the roster is refused, with its lines, before anything is written)
    budgets = E.load_budget(budget, units) if budget and stage == "targets" else {}
    result = InitResult("", folder / LINKS)
    folder.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(url or db.default_url(folder))
    if db.has_ledger(engine):
        raise SetupError("portal.has-ledger", dir=str(folder))
    clear_upload_spool(folder)
    with tempfile.TemporaryDirectory(prefix=".budgetxl-issue-", dir=folder) as tmp:
        # workbooks first: a failure here leaves no ledger behind
        if stage == "targets":
            files, month = _issue_targets(units, year, budgets, Path(tmp)), None
        else:
            issued = issue_later(stage, month, units, year, Path(tmp), source, None, budget)
            files, month, result.missing = issued.files, issued.month, issued.missing
        db.upgrade(engine)
        ledger = Ledger(engine)
        result.admin_token = new_token()
        links = []
        with db.writing(engine) as s:
            for key, value in (("year", str(year)), ("secret", secrets.token_hex(32)), ("base_url", base_url),
                               ("admin_hash", hash_password(result.admin_token))):
                s.add(Setting(key=key, value=value))
            s.add(Stage(stage=stage, year=year, opened_at=now(), month=month))
            for i, u in enumerate(units):
                s.add(Unit(code=u.code, name=u.name, region=u.region, position=i))
            s.flush()
            for u in units:
                # the unit's "current" row exists from the start, so that concurrent first uploads
                # only ever UPDATE it (row-locked), never race to INSERT it
                s.add(Current(unit_code=u.code, stage=stage))
                if u.code in files:
                    ledger.add_issued(s, u, stage, files[u.code].name, files[u.code].read_bytes(), "portal init")
                link, api = ledger.add_token(s, "link", u.code), ledger.add_token(s, "api", u.code)
                links.append((u.code, u.name, f"{base_url.rstrip('/')}/u/{link}", api))
        result.issued = place_issued(folder, [files[u.code] for u in units if u.code in files])
    _write_private(result.links, _links_csv(links))
    if url:
        _write_private(config_path(folder), json.dumps({"db": url}, ensure_ascii=False) + "\n")
    return result


def _issue_targets(units: list[E.Unit], year: int, budgets: dict[str, list], outdir: Path) -> dict[str, Path]:
    files = {}
    for u in units:
        out = outdir / E.workbook_filename(u, year)
        E.issue_workbook(u, year, out, budgets.get(u.code))
        files[u.code] = out
    return files


def same_roster(ledger: Ledger, roster: Path) -> None:
    """A later stage keeps the portal's units: ``roster``, when given again, must list the same codes."""
    if {u.code for u in E.load_units(roster)} != {u.code for u in ledger.units()}:
        raise SetupError("portal.roster-fixed", path=str(roster))


def _load_inputs(roster: Path) -> list[E.Unit]:
    units = E.load_units(roster)
    if not units:
        raise SetupError("portal.empty-roster", path=str(roster))
    return units


def _links_csv(rows: list[tuple[str, str, str, str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["unit_code", "unit_name", "link", "token"])
    w.writerows(rows)
    return "\ufeff" + buf.getvalue()  # BOM: Excel opens the Chinese names correctly


def _write_private(path: Path, text: str) -> None:
    """Secrets: written atomically, readable by the owner only."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def require_open(ledger: Ledger, stage: str | None) -> dict[str, int | None]:
    """The ledger's open stages (with their months); refused in one line when ``stage`` is not one."""
    months = ledger.stage_months()
    if stage is not None and stage not in months:
        raise SetupError("portal.stage-not-open", name=E.Phrase(f"page.stage.{stage}"), stage=stage)
    return months


# ---- outputs ------------------------------------------------------------------------------------

def consolidate(ledger: Ledger, stage: str, output: Path | None, data_dir: Path | None, actor: str,
                lang: str = "zh", city: str | None = None) -> E.Consolidated:
    """The consolidated workbook and/or data files of the stage's current submissions, in the
    stage's form (a monitoring stage's columns at its month)."""
    months = require_open(ledger, stage)
    units = [E.Unit(u.code, u.name, u.region) for u in ledger.units()]
    with tempfile.TemporaryDirectory(prefix="budgetxl-ledger-") as tmp:
        files = []
        for sub in ledger.current_submissions(stage):
            suffix = Path(sub.filename).suffix.lower()
            path = Path(tmp) / f"{sub.id}{suffix if suffix in E.workbook_suffixes() else '.xlsx'}"
            path.write_bytes(ledger.blob(sub.sha256) or b"")
            files.append((path, sub.filename, utc(sub.received_at)))
        result = E.consolidate(files, units, output, data_dir, lang, stage, months[stage], city)
    with db.writing(ledger.engine) as s:
        ledger.audit(s, actor, "consolidated", None, stage, units=len(files),
                     output=output.name if output else None)
    return result


def consolidated_bytes(ledger: Ledger, stage: str, actor: str, data: bool = False) -> bytes:
    """The consolidated workbook (or a zip of the data files) as bytes, for a download."""
    with tempfile.TemporaryDirectory(prefix="budgetxl-out-") as tmp:
        if not data:
            out = Path(tmp) / "汇总.xlsx"
            consolidate(ledger, stage, out, None, actor)
            return out.read_bytes()
        res = consolidate(ledger, stage, None, Path(tmp) / "data", actor)
        archive = shutil.make_archive(str(Path(tmp) / "data"), "zip", Path(tmp) / "data")
        del res
        return Path(archive).read_bytes()


def annotated(ledger: Ledger, sid: int, lang: str = "zh") -> tuple[str, bytes]:
    """The annotated copy of a submission (made once, then kept in the ledger)."""
    sub = ledger.submission(sid)
    stem = Path(sub.filename).stem if Path(sub.filename).suffix.lower() in (".xlsx", ".xlsm") else sub.filename
    name = f"{stem}_退回修改.xlsx"
    with db.reading(ledger.engine) as s:
        row = s.get(Annotated, sid)
    if row is not None:
        return name, ledger.blob(row.sha256) or b""
    with tempfile.TemporaryDirectory(prefix="budgetxl-annotate-") as tmp:
        suffix = Path(sub.filename).suffix.lower()
        src = Path(tmp) / f"in{suffix if suffix in E.workbook_suffixes() else '.xlsx'}"
        src.write_bytes(ledger.blob(sub.sha256) or b"")
        outdir = Path(tmp) / "out"
        outdir.mkdir()
        data = E.annotated_copy(src, sub.filename, outdir, lang).read_bytes()
    with db.writing(ledger.engine) as s:
        if s.get(Annotated, sid) is None:
            s.add(Annotated(submission_id=sid, sha256=ledger.put_blob(s, data)))
    return name, data


def reissue_workbook(ledger: Ledger, code: str, stage: str, supersede: bool, actor: str,
                     budget: Path | None = None) -> int:
    """A new version of the unit's workbook. Targets: from a new budget list when given, else with
    the projects of the version before. A later stage: from the unit's current targets (as when
    the stage was opened; ``budget``: 全年预算数). ``supersede``: the submissions so far stop counting."""
    unit = ledger.unit(code)
    prev = ledger.issued(code, stage)
    eu = E.Unit(unit.code, unit.name, unit.region)
    with tempfile.TemporaryDirectory(prefix="budgetxl-reissue-") as tmp:
        if stage in E.LATER_STAGES:
            out = reissue_later(ledger, eu, stage, prev, budget, Path(tmp))
        else:
            if budget is not None:
                projects = E.load_budget(budget).get(code, [])
            else:
                projects = _issued_projects(ledger, prev, Path(tmp)) if prev is not None else []
            out = Path(tmp) / E.workbook_filename(eu, ledger.year)
            E.issue_workbook(eu, ledger.year, out, projects)
        data = out.read_bytes()
    with db.writing(ledger.engine) as s:
        row = ledger.add_issued(s, unit, stage, out.name, data, actor)
        if supersede:
            ledger.supersede(s, code, stage)
            ledger.audit(s, actor, "superseded", code, stage, version=row.version)
        return row.version


def _issued_projects(ledger: Ledger, prev, tmp: Path) -> list[dict]:
    path = tmp / "previous.xlsx"
    path.write_bytes(ledger.blob(prev.sha256) or b"")
    doc = json.loads(E.check_file(path, prev.filename).document or "{}")
    return [{"code": p.get("code"), "name": p.get("name"), "budget": p.get("budget") or {}}
            for p in doc.get("projects", [])]


# ---- import -------------------------------------------------------------------------------------

@dataclass
class ImportLine:
    display: str
    unit: str | None
    outcome: str  # valid | invalid | refused
    detail: Any = ""  # an error or a phrase of the catalogue (engine.text renders it)
    submission_id: int | None = None


def import_files(ledger: Ledger, inputs: list[Path], stage: str | None, actor: str) -> list[ImportLine]:
    """Files received by e-mail enter the ledger with the same checks as an upload, oldest first
    (so that the newest file of a unit ends up current). ``stage`` None: each file goes to the
    open stage its form belongs to."""
    require_open(ledger, stage)
    lines = []
    codes = [u.code for u in ledger.units()]
    with tempfile.TemporaryDirectory(prefix="budgetxl-import-") as tmp:
        found = sorted(E.collect(inputs, Path(tmp)), key=lambda r: (r.mtime, r.display))
        for r in found:
            name = r.display.replace("\\", "/").split("!")[-1].split("/")[-1]
            if r.refusal_key is not None:
                lines.append(ImportLine(r.display, None, "refused", E.refusal(r.refusal_key)))
                continue
            # a file named after exactly one unit (as issued workbooks are) is that unit's, so that
            # an unreadable one still shows in its history; the workbook's own code must agree
            named = [c for c in codes if c in name]
            try:
                rec = ledger.receive(named[0] if len(named) == 1 else None, stage, name, r.path.read_bytes(),
                                     "import", actor)
            except Refused as exc:
                lines.append(ImportLine(r.display, None, "refused", exc.reason, exc.submission_id))
                continue
            except OSError as exc:
                lines.append(ImportLine(r.display, None, "refused", exc.strerror or str(exc)))
                continue
            counts = E.report_data(rec.record)
            lines.append(ImportLine(r.display, rec.unit_code, rec.verdict, E.Phrase("portal.counts", {
                "errors": counts["errors"], "warnings": counts["warnings"]}), rec.submission_id))
    return lines

"""The ledger's services: set up a portal, receive files, say who stands where, and keep the
audit log. Callers (web pages, API, CLI) render; this module returns data.

A received file is checked first (outside any transaction, so a slow workbook never holds a
database lock); then its bytes, its submission row, the unit's current submission and the audit
entries are written in ONE transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, update

from . import db, engine as E
from .models import Audit, Blob, Current, Issued, Setting, Stage, Submission, Token, Unit
from .security import PasswordCheck, new_token, token_hash

# A unit's status for a stage: codes (rendered per language: page.status.*); the API shows them in
# Chinese as the issue spells them (未报送 / 已报送 / 校验未通过 / 已被替代).
STATUS_MISSING = "missing"
STATUS_SUBMITTED = "submitted"
STATUS_INVALID = "invalid"
STATUS_SUPERSEDED = "superseded"
STATUSES = (STATUS_MISSING, STATUS_SUBMITTED, STATUS_INVALID, STATUS_SUPERSEDED)
DEFAULT_MAX_UPLOAD = 20 * 2**20


def status_text(status: str, lang: str = "zh") -> str:
    return E.Phrase(f"page.status.{status}").render(lang)


def stage_name(stage: str) -> E.Phrase:
    """A stage as its form is called (绩效运行监控表), in the reader's language."""
    return E.Phrase(f"page.stage.{stage}")


class Refused(Exception):
    """A file the ledger does not take for this unit: ``reason`` renders as one line for the
    sender in any language (an error or a phrase of the catalogue)."""

    def __init__(self, reason: Any, submission_id: int | None = None, record: dict[str, Any] | None = None):
        super().__init__(E.text(reason))
        self.reason, self.submission_id, self.record = reason, submission_id, record

    def message(self, lang: str = "zh") -> str:
        return E.text(self.reason, lang)


def now() -> datetime:
    return datetime.now(timezone.utc)


def utc(t: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes (all stored in UTC); make them aware again."""
    return t.replace(tzinfo=timezone.utc) if t is not None and t.tzinfo is None else t


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_filename(name: str | None) -> str:
    """The sender's file name, kept as data only (never a path here): last path part, no control
    characters, at most 200 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _CONTROL.sub("", base).strip() or "upload.xlsx"
    return base[-200:]


@dataclass
class Receipt:
    submission_id: int
    unit_code: str
    verdict: str  # valid | invalid | refused
    record: dict[str, Any]  # the file's report as data (engine.report_data renders it)


@dataclass
class UnitStatus:
    code: str
    name: str
    status: str
    submitted_at: datetime | None
    errors: int | None
    warnings: int | None
    submissions: int

    def to_api(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "status": status_text(self.status, "zh"),
                "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None,
                "errors": self.errors, "warnings": self.warnings}


class Ledger:
    def __init__(self, engine: Engine, spool: Path | None = None):
        self.engine = engine
        self.spool = spool  # where uploads are checked (the portal folder's UPLOAD_SPOOL; None: the temp dir)
        self.check_password = PasswordCheck()
        self._settings: dict[str, str] = {}

    # ---- settings and audit ------------------------------------------------------------------
    def setting(self, key: str) -> str | None:
        if key not in self._settings:
            with db.reading(self.engine) as s:
                row = s.get(Setting, key)
            if row is None:
                return None
            self._settings[key] = row.value
        return self._settings[key]

    @property
    def year(self) -> int:
        return int(self.setting("year") or 0)

    def stages(self) -> list[str]:
        """The open stages, in the order they were opened."""
        return list(self.stage_months())

    def stage_months(self) -> dict[str, int | None]:
        """The open stages, in the order they were opened, each with its form's month (monitoring)."""
        with db.reading(self.engine) as s:
            return {r.stage: r.month for r in s.scalars(select(Stage).order_by(Stage.opened_at, Stage.stage))}

    @staticmethod
    def audit(s, actor: str, action: str, unit: str | None = None, stage: str | None = None,
              submission: int | None = None, **detail: Any) -> None:
        s.add(Audit(at=now(), actor=actor[:200], action=action, unit_code=unit, stage=stage, submission_id=submission,
                    detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None))

    def audit_log(self, unit: str | None = None, limit: int = 200) -> list[Audit]:
        with db.reading(self.engine) as s:
            q = select(Audit).order_by(Audit.id.desc()).limit(limit)
            if unit is not None:
                q = q.where(Audit.unit_code == unit)
            return list(s.scalars(q))

    # ---- units and tokens ----------------------------------------------------------------------
    def units(self) -> list[Unit]:
        with db.reading(self.engine) as s:
            return list(s.scalars(select(Unit).order_by(Unit.position)))

    def unit(self, code: str) -> Unit | None:
        with db.reading(self.engine) as s:
            return s.get(Unit, code)

    def unit_for(self, kind: str, token: str | None) -> Unit | None:
        """The unit a live link or API token belongs to (None for anything else)."""
        if not token or len(token) > 200:
            return None
        with db.reading(self.engine) as s:
            row = s.scalars(select(Token).where(Token.token_hash == token_hash(token), Token.kind == kind,
                                                Token.revoked_at.is_(None))).first()
            return s.get(Unit, row.unit_code) if row is not None and row.unit_code else None

    @staticmethod
    def add_token(s, kind: str, unit: str | None, expires: datetime | None = None) -> str:
        token = new_token()
        s.add(Token(kind=kind, unit_code=unit, token_hash=token_hash(token), created_at=now(), expires_at=expires))
        return token

    def new_unit_tokens(self, code: str, actor: str) -> tuple[str, str]:
        """Revoke the unit's link and API token and issue new ones (a lost or leaked link)."""
        with db.writing(self.engine) as s:
            s.execute(update(Token).where(Token.unit_code == code, Token.kind.in_(("link", "api")),
                                          Token.revoked_at.is_(None)).values(revoked_at=now()))
            link, api = self.add_token(s, "link", code), self.add_token(s, "api", code)
            self.audit(s, actor, "reissued-link", code)
        return link, api

    def admin_ok(self, password: str | None) -> bool:
        return self.check_password(self.setting("admin_hash") or "", password or "")

    def new_session(self, hours: int = 12) -> str:
        from datetime import timedelta

        with db.writing(self.engine) as s:
            token = self.add_token(s, "session", None, now() + timedelta(hours=hours))
            self.audit(s, "admin", "login")
        return token

    def session_ok(self, token: str | None) -> bool:
        if not token or len(token) > 200:
            return False
        with db.reading(self.engine) as s:
            row = s.scalars(select(Token).where(Token.token_hash == token_hash(token), Token.kind == "session",
                                                Token.revoked_at.is_(None))).first()
        return row is not None and (row.expires_at is None or utc(row.expires_at) > now())

    def end_session(self, token: str | None) -> None:
        if token:
            with db.writing(self.engine) as s:
                s.execute(update(Token).where(Token.token_hash == token_hash(token), Token.kind == "session")
                          .values(revoked_at=now()))

    # ---- files -----------------------------------------------------------------------------------
    @staticmethod
    def put_blob(s, data: bytes) -> str:
        """Store bytes once per SHA-256; two transactions storing the same bytes at once both
        succeed (INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL)."""
        sha = hashlib.sha256(data).hexdigest()
        if s.get(Blob, sha) is None:
            name = s.get_bind().dialect.name
            if name == "postgresql":
                from sqlalchemy.dialects.postgresql import insert
            elif name == "sqlite":
                from sqlalchemy.dialects.sqlite import insert
            else:  # pragma: no cover - other databases are not supported targets
                s.add(Blob(sha256=sha, size=len(data), content=data))
                s.flush()
                return sha
            s.execute(insert(Blob).values(sha256=sha, size=len(data), content=data)
                      .on_conflict_do_nothing(index_elements=["sha256"]))
        return sha

    def blob(self, sha: str) -> bytes | None:
        with db.reading(self.engine) as s:
            row = s.get(Blob, sha)
            return bytes(row.content) if row is not None else None

    def issued(self, code: str, stage: str) -> Issued | None:
        with db.reading(self.engine) as s:
            return s.scalars(select(Issued).where(Issued.unit_code == code, Issued.stage == stage)
                             .order_by(Issued.version.desc())).first()

    def add_issued(self, s, unit: Unit, stage: str, filename: str, data: bytes, actor: str) -> Issued:
        version = (s.scalar(select(func.max(Issued.version)).where(
            Issued.unit_code == unit.code, Issued.stage == stage)) or 0) + 1
        row = Issued(unit_code=unit.code, stage=stage, version=version, filename=filename,
                     sha256=self.put_blob(s, data), created_at=now())
        s.add(row)
        self.audit(s, actor, "issued", unit.code, stage, filename=filename, version=version)
        return row

    # ---- receiving ---------------------------------------------------------------------------------
    def receive(self, unit_code: str | None, stage: str | None, filename: str, data: bytes, source: str,
                uploader: str, fallback: str | None = None) -> Receipt:
        """Check a file and record it. ``unit_code`` is the sender's unit (a link or token); None
        for an import, where the workbook says whose it is. ``stage`` None: the file goes to the
        stage its form belongs to (an unreadable one to ``fallback``, else the newest open stage).
        Raises Refused for a file that is not this unit's, not of an open stage, or cannot be read
        (a readable unit's unreadable file is still recorded)."""
        stages = self.stage_months()
        if stage is not None and stage not in stages:
            raise Refused(E.Phrase("portal.stage-not-open", {"name": stage_name(stage), "stage": stage}))
        filename = clean_filename(filename)
        verdict = self._check(filename, data)
        code = unit_code or verdict.unit_code
        if code is None:
            raise Refused(E.Phrase("portal.refused.no-unit", {"file": filename}))
        if self.unit(code) is None:
            raise Refused(E.Phrase("portal.refused.not-in-roster", {"file": filename, "code": code}))
        if unit_code is not None and verdict.unit_code and verdict.unit_code != unit_code:
            self._note_refusal(unit_code, stage, uploader, filename, "other-unit", verdict.unit_code)
            raise Refused(E.Phrase("portal.refused.other-unit", {"file": filename, "found": verdict.unit_code,
                                                               "unit": unit_code}))
        if verdict.year is not None and verdict.year != self.year:
            self._note_refusal(code, stage, uploader, filename, "other-year", verdict.year)
            raise Refused(E.Phrase("portal.refused.other-year", {"file": filename, "found": verdict.year,
                                                               "year": self.year}))
        stage = self._stage_for(code, stage, verdict, stages, filename, uploader,
                                fallback if fallback in stages else list(stages)[-1])
        kind = "valid" if verdict.valid else ("refused" if not verdict.readable else "invalid")
        sid = self._record(code, stage, filename, data, source, uploader, kind, verdict)
        if kind == "refused":
            raise Refused(verdict.refusal, sid, verdict.record)
        return Receipt(sid, code, kind, verdict.record)

    def _stage_for(self, code: str, stage: str | None, verdict: E.Verdict, stages: dict[str, int | None],
                   filename: str, uploader: str, fallback: str) -> str:
        """The open stage a file goes to: the one asked for (its form must be that stage's), else
        its form's; refused when that stage is not open or the monitoring month is another."""
        found = verdict.stage
        if stage is not None and found is not None and found != stage:  # a monitoring workbook in the targets round
            self._note_refusal(code, stage, uploader, filename, "other-stage", found)
            raise Refused(E.Phrase("portal.refused.other-stage", {"file": filename, "found": stage_name(found),
                                                                "stage": stage_name(stage)}))
        if found is not None and found not in stages:
            self._note_refusal(code, None, uploader, filename, "stage-not-open", found)
            raise Refused(E.Phrase("portal.refused.stage-not-open", {"file": filename, "found": stage_name(found)}))
        target = stage or found or fallback
        month = stages.get(target)
        if found == target and month is not None and verdict.month is not None and verdict.month != month:
            self._note_refusal(code, target, uploader, filename, "other-month", verdict.month)
            raise Refused(E.Phrase("portal.refused.other-month", {"file": filename, "found": verdict.month,
                                                                "month": month}))
        return target

    def _check(self, filename: str, data: bytes) -> E.Verdict:
        suffix = Path(filename).suffix.lower()
        suffix = suffix if suffix in E.workbook_suffixes() else ".xlsx"
        spool = None
        if self.spool is not None:
            try:
                self.spool.mkdir(exist_ok=True)
                spool = str(self.spool)
            except OSError:  # (a read-only portal folder: the temp dir it is)
                pass
        with tempfile.TemporaryDirectory(prefix="budgetxl-upload-", dir=spool) as tmp:
            path = Path(tmp) / f"upload{suffix}"  # the sender's name never reaches the file system
            path.write_bytes(data)
            return E.check_file(path, filename)

    def _note_refusal(self, unit: str, stage: str | None, actor: str, filename: str, why: str,
                      other: Any) -> None:
        with db.writing(self.engine) as s:
            self.audit(s, actor, "refused", unit, stage, filename=filename, reason=why, found=other)

    def _record(self, code: str, stage: str, filename: str, data: bytes, source: str, uploader: str,
                kind: str, verdict: E.Verdict) -> int:
        with db.writing(self.engine) as s:
            sha = self.put_blob(s, data)
            sub = Submission(unit_code=code, stage=stage, year=self.year, filename=filename, sha256=sha,
                             size=len(data), received_at=now(), source=source, uploader=uploader[:200],
                             verdict=kind, errors=verdict.errors, warnings=verdict.warnings,
                             report=json.dumps(verdict.record, ensure_ascii=False), document=verdict.document)
            s.add(sub)
            s.flush()
            if s.get(Current, (code, stage)) is None:
                s.add(Current(unit_code=code, stage=stage))
                s.flush()
            if kind == "valid":
                # newest valid wins, also when two uploads of one unit commit in either order
                s.execute(update(Current).where(
                    Current.unit_code == code, Current.stage == stage,
                    (Current.submission_id.is_(None)) | (Current.submission_id < sub.id)).values(submission_id=sub.id))
            self.audit(s, uploader, "uploaded" if source == "upload" else "imported", code, stage, sub.id,
                       filename=filename, sha256=sha, size=len(data))
            self.audit(s, "budgetxl", "accepted" if kind == "valid" else "returned", code, stage, sub.id,
                       errors=verdict.errors, warnings=verdict.warnings)
            return sub.id

    # ---- where everyone stands -------------------------------------------------------------------
    def board(self, stage: str) -> list[UnitStatus]:
        with db.reading(self.engine) as s:
            units = list(s.scalars(select(Unit).order_by(Unit.position)))
            current = {c.unit_code: c for c in s.scalars(select(Current).where(Current.stage == stage))}
            subs: dict[str, list] = {}
            for row in s.execute(select(Submission.id, Submission.unit_code, Submission.verdict, Submission.errors,
                                        Submission.warnings, Submission.received_at)
                                 .where(Submission.stage == stage).order_by(Submission.id)):
                subs.setdefault(row.unit_code, []).append(row)
        return [self._status(u, current.get(u.code), subs.get(u.code, [])) for u in units]

    @staticmethod
    def _status(u: Unit, cur: Current | None, subs: list) -> UnitStatus:
        if not subs:
            return UnitStatus(u.code, u.name, STATUS_MISSING, None, None, None, 0)
        latest = subs[-1]
        if cur is not None and cur.submission_id is not None:
            chosen = next(r for r in subs if r.id == cur.submission_id)
            status = STATUS_SUBMITTED
        else:
            chosen = latest
            upto = cur.superseded_upto if cur is not None else None
            status = STATUS_SUPERSEDED if upto is not None and latest.id <= upto else STATUS_INVALID
        return UnitStatus(u.code, u.name, status, utc(chosen.received_at), chosen.errors, chosen.warnings, len(subs))

    def history(self, code: str, stage: str) -> list[dict[str, Any]]:
        """The unit's submissions, newest first, each with its own state."""
        with db.reading(self.engine) as s:
            cur = s.get(Current, (code, stage))
            rows = list(s.scalars(select(Submission).where(Submission.unit_code == code, Submission.stage == stage)
                                  .order_by(Submission.id.desc())))
        out = []
        for r in rows:
            if cur is not None and r.id == cur.submission_id:
                state = STATUS_SUBMITTED
            elif r.verdict == "valid":
                state = STATUS_SUPERSEDED
            else:
                state = STATUS_INVALID
            out.append({"row": r, "state": state, "received_at": utc(r.received_at),
                        "record": json.loads(r.report)})
        return out

    def submission(self, sid: int) -> Submission | None:
        with db.reading(self.engine) as s:
            return s.get(Submission, sid)

    def current_submissions(self, stage: str) -> list[Submission]:
        with db.reading(self.engine) as s:
            return list(s.scalars(select(Submission).join(Current, Current.submission_id == Submission.id)
                                  .where(Current.stage == stage).order_by(Submission.unit_code)))

    def supersede(self, s, code: str, stage: str) -> None:
        """A re-issued workbook: the unit's submissions so far no longer count."""
        last = s.scalar(select(func.max(Submission.id)).where(Submission.unit_code == code, Submission.stage == stage))
        cur = s.get(Current, (code, stage))
        if cur is None:
            cur = Current(unit_code=code, stage=stage)
            s.add(cur)
        cur.submission_id, cur.superseded_upto = None, last

    def csrf_secret(self) -> str:
        return self.setting("secret") or secrets.token_hex(32)

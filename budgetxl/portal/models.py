"""The ledger's tables (SQLAlchemy 2). The schema itself is created and changed by the Alembic
migrations in ``migrations/``; these classes must match them (a test compares the two).

File bytes live in the database (``blobs``, one row per distinct SHA-256), so a received file and
its ledger row are written in one transaction: after a crash either both exist or neither.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (CheckConstraint, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

STAGE_CHECK = "stage IN ('targets', 'monitor', 'selfeval')"


class Base(DeclarativeBase):
    pass


class Setting(Base):
    """Portal-wide values: the year, the CSRF secret, the admin password hash, the base URL."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Unit(Base):
    __tablename__ = "units"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer)  # order of the roster


class Stage(Base):
    __tablename__ = "stages"
    __table_args__ = (CheckConstraint(STAGE_CHECK, name="ck_stages_stage"),)
    stage: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    month: Mapped[int | None] = mapped_column(Integer)  # a monitoring form's month N (data to the end of N)


class Blob(Base):
    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Issued(Base):
    """A workbook issued to a unit for a stage; re-issuing adds a version, the newest is active."""

    __tablename__ = "issued"
    __table_args__ = (CheckConstraint(STAGE_CHECK, name="ck_issued_stage"),
                      UniqueConstraint("unit_code", "stage", "version", name="uq_issued_version"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    stage: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Token(Base):
    """A secret (stored only as a hash): a unit's personal link, a unit's API token, or an admin
    session. Revoked tokens stay for the audit trail."""

    __tablename__ = "tokens"
    __table_args__ = (CheckConstraint("kind IN ('link', 'api', 'session')", name="ck_tokens_kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Submission(Base):
    """One received file: its bytes (by hash), who sent it how and when, and its verdict."""

    __tablename__ = "submissions"
    __table_args__ = (
        CheckConstraint(STAGE_CHECK, name="ck_submissions_stage"),
        CheckConstraint("source IN ('upload', 'import')", name="ck_submissions_source"),
        CheckConstraint("verdict IN ('valid', 'invalid', 'refused')", name="ck_submissions_verdict"),
        Index("ix_submissions_unit_stage", "unit_code", "stage", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    stage: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    size: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(16))
    uploader: Mapped[str] = mapped_column(String(200))
    verdict: Mapped[str] = mapped_column(String(16))
    errors: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[int] = mapped_column(Integer)
    report: Mapped[str] = mapped_column(Text)  # JSON: the file's report as data (FileReport.to_record)
    document: Mapped[str | None] = mapped_column(Text)  # JSON: the submission document read


class Current(Base):
    """Which submission counts for a unit and stage: the newest valid one. A re-issued workbook
    clears it (the unit must submit again) and remembers the last submission it superseded."""

    __tablename__ = "current"
    __table_args__ = (CheckConstraint(STAGE_CHECK, name="ck_current_stage"),)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(16), primary_key=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    superseded_upto: Mapped[int | None] = mapped_column(Integer)  # submissions ≤ this id were superseded by a re-issue


class Annotated(Base):
    """The annotated copy (退回修改) of a submission, made on first download and kept."""

    __tablename__ = "annotated"
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))


class Audit(Base):
    """Every action: issued, uploaded, imported, returned, accepted, consolidated, reissued, …"""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    unit_code: Mapped[str | None] = mapped_column(String(64))
    stage: Mapped[str | None] = mapped_column(String(16))
    submission_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)

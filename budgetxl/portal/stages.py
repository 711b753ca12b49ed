"""The year goes on in the same ledger: opening the monitoring (运行监控) and self-evaluation
(绩效自评) stages, each unit's workbook issued from its current targets submission (or from a
consolidated targets workbook), and re-issuing one unit's later-stage workbook.

The units, their links and API tokens stay those of the portal's first stage; the library's
``generate_stage`` makes the workbooks (engine.issue_stage), the portal only picks the sources.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import db, engine as E
from .ledger import Ledger, now
from .models import Current, Issued, Stage


ISSUED_DIR = "下发"  # DIR/下发/: every issued workbook, also for the city's own use


def _setup_error(key: str, **args) -> E.EngineError:
    return E.EngineError(key, **args)


def place_issued(folder: Path, files: list[Path]) -> list[Path]:
    """The issued workbooks (stored in the ledger) also in DIR/下发/."""
    outdir = Path(folder) / ISSUED_DIR
    outdir.mkdir(parents=True, exist_ok=True)
    placed = []
    for f in files:
        os.replace(f, outdir / f.name)
        placed.append(outdir / f.name)
    return placed


def earlier_stages(stage: str) -> tuple[str, ...]:
    """The stages a later stage is issued from, in order of preference: the targets, and for the
    self-evaluation the monitoring (which carries the same issued targets) when no targets are held."""
    return E.STAGES[:E.STAGES.index(stage)]


def earlier_documents(ledger: Ledger, stage: str, code: str | None = None) -> dict[str, str]:
    """Each unit's current submission (as its JSON document) of the first earlier stage it has one of."""
    docs: dict[str, str] = {}
    for earlier in earlier_stages(stage):
        for sub in ledger.current_submissions(earlier):
            if sub.document and (code is None or sub.unit_code == code):
                docs.setdefault(sub.unit_code, sub.document)
    return docs


def issue_later(stage: str, month: int | None, units: list[E.Unit], year: int, tmp: Path,
                source: Path | None, documents: dict[str, str] | None, budget: Path | None) -> E.StageIssue:
    """The stage's workbooks in ``tmp``/out, refused when the source holds another year's targets."""
    out = tmp / "out"
    issued = E.issue_stage(stage, month, units, out, source, list(documents.values()) if documents is not None
                           else None, budget)
    other = sorted({y for y in issued.years.values() if y is not None and y != year})
    if other:
        raise _setup_error("portal.stage-other-year", found=other[0], year=year)
    return issued


@dataclass
class Opened:
    stage: str
    month: int | None
    issued: list[Path] = field(default_factory=list)
    missing: list[E.Unit] = field(default_factory=list)


def open_stage(ledger: Ledger, folder: Path, stage: str, month: int | None = None, source: Path | None = None,
               budget: Path | None = None, actor: str = "portal init") -> Opened:
    """Open a later stage in an existing ledger: each unit's workbook issued from ``source`` when
    given, else from its current targets submission; units without one come back as ``missing``
    (they get theirs by a re-issue once their targets are in). Links and tokens do not change."""
    stages = ledger.stage_months()
    if stage in stages:
        raise _setup_error("portal.stage-open", name=E.Phrase(f"page.stage.{stage}"))
    if stage not in E.LATER_STAGES:
        raise _setup_error("portal.has-ledger", dir=str(folder))
    units = [E.Unit(u.code, u.name, u.region) for u in ledger.units()]
    documents = None if source is not None else earlier_documents(ledger, stage)
    if documents == {}:
        raise _setup_error("portal.stage-no-targets", name=E.Phrase(f"page.stage.{stage}"), stage=stage)
    with tempfile.TemporaryDirectory(prefix=".budgetxl-issue-", dir=folder) as tmp:
        issued = issue_later(stage, month, units, ledger.year, Path(tmp), source, documents, budget)
        with db.writing(ledger.engine) as s:
            s.add(Stage(stage=stage, year=ledger.year, opened_at=now(), month=issued.month))
            ledger.audit(s, actor, "opened", None, stage, month=issued.month,
                         source=source.name if source is not None else "ledger", units=len(issued.files))
            for u in units:
                if s.get(Current, (u.code, stage)) is None:
                    s.add(Current(unit_code=u.code, stage=stage))
                if u.code in issued.files:
                    path = issued.files[u.code]
                    ledger.add_issued(s, u, stage, path.name, path.read_bytes(), actor)
        placed = place_issued(folder, [issued.files[u.code] for u in units if u.code in issued.files])
    return Opened(stage, issued.month, placed, issued.missing)


def reissue_later(ledger: Ledger, unit: E.Unit, stage: str, prev: Issued | None, budget: Path | None,
                  tmp: Path) -> Path:
    """A new version of the unit's later-stage workbook: from its current targets, else from the
    version issued before (``budget``: 全年预算数). Refused when there is neither."""
    docs = earlier_documents(ledger, stage, unit.code)
    if not docs and prev is not None:
        previous = tmp / "previous.xlsx"
        previous.write_bytes(ledger.blob(prev.sha256) or b"")
        document = E.check_file(previous, prev.filename).document
        docs = {unit.code: document} if document else {}
    if not docs:
        raise _setup_error("portal.stage-no-targets-unit", code=unit.code, name=E.Phrase(f"page.stage.{stage}"))
    issued = issue_later(stage, ledger.stage_months().get(stage), [unit], ledger.year, tmp, None, docs, budget)
    return issued.files[unit.code]

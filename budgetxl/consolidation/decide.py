"""Deciding what counts: one file per unit, and the status of every unit and every file.

Identical files (same SHA-256) count once; several different files for one unit are
resubmissions: the newest wins (the workbook's own saved time, then the file time) unless
``prefer`` names one. Invalid submissions are left out of the totals (``include_invalid`` counts
them, flagged).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..files.tables import RosterUnit
from ..findings import Finding
from ..form import Template
from ..form import consolidated as C
from ..model import Submission
from .ingest import Ingested
from .stage import stage_values
from .status import (STATUS_DUPLICATE, STATUS_INCLUDED_INVALID, STATUS_INVALID, STATUS_MISSING, STATUS_NOT_IN_ROSTER,
                     STATUS_OTHER_FORM, STATUS_SUBMITTED, STATUS_SUPERSEDED, STATUS_UNKNOWN_UNIT,
                     STATUS_UNREADABLE)

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
    """Every input read once, and what counts. ``write()`` makes the consolidated workbook and
    the data files from it (see consolidation.sheets and consolidation.datafiles)."""

    entries: list[Ingested]
    units: list[UnitRow]
    roster: list[RosterUnit] | None
    template: Template
    include_invalid: bool = False
    extra_findings: list[tuple[Ingested, Finding]] = field(default_factory=list)
    spool: Any = None  # the Scratch folder holding the entries' payloads (removed with this object)

    def __getstate__(self) -> dict[str, Any]:
        # A worker process that writes outputs reads the payloads; the spool stays the parent's.
        return {**self.__dict__, "spool": None}

    @property
    def counted(self) -> list[UnitRow]:
        return [u for u in self.units if u.counted]

    def counted_entries(self) -> list[Ingested]:
        return [u.entry for u in self.counted if u.entry is not None and u.entry.payload]

    @property
    def complete(self) -> bool:
        """Every unit submitted a valid file and every file was read (what --strict asks)."""
        return all(u.status == STATUS_SUBMITTED for u in self.units) and not any(
            e.status in (STATUS_UNREADABLE, STATUS_UNKNOWN_UNIT, STATUS_OTHER_FORM) for e in self.entries)

    @property
    def needs_attention(self) -> bool:
        """A roster unit is missing, or a file was not counted for a reason someone must look at
        (unreadable, unit unknown, invalid, superseded, outside the roster); an identical copy of
        a counted file is no such reason."""
        return any(u.status == STATUS_MISSING for u in self.units) or any(
            e.status not in (STATUS_SUBMITTED, STATUS_DUPLICATE) for e in self.entries)

    def uncounted(self) -> list[Ingested]:
        """Every file that is not in the totals, in input order (each has its status and note)."""
        counted = {id(u.entry) for u in self.counted}
        return [e for e in self.entries if id(e) not in counted]

    def payloads(self) -> Iterator[dict[str, Any]]:
        """The counted units' spooled data, one at a time, in unit order."""
        for e in self.counted_entries():
            yield e.load()

    def docs(self) -> list[Submission]:
        return [Submission.model_validate(json.loads(p["doc"])) for p in self.payloads()]

    def totals(self) -> dict[str, Any]:
        keys = ["projects", "indicators", *(f.column_key for f in C.amount_fields(self.template))]
        total: dict[str, Any] = {k: Decimal(0) if k not in ("projects", "indicators") else 0 for k in keys}
        for e in self.counted_entries():
            for k in total:
                total[k] += e.stats.get(k, 0)
        return total

    def most(self, key: str) -> Any:
        """The largest of a count over the counted units (``lists``: per list block)."""
        if key == "lists":
            out: dict[str, int] = {}
            for e in self.counted_entries():
                for k, n in e.stats["lists"].items():
                    out[k] = max(out.get(k, 0), n)
            return out
        return max((e.stats[key] for e in self.counted_entries()), default=0)

    def summary(self) -> dict[str, Any]:
        expected = len(self.roster) if self.roster is not None else None
        received = {u.code for u in self.units if u.entry is not None}
        valid = {u.code for u in self.units if u.entry is not None and u.entry.valid}
        return {"expected": expected, "received": len(received), "valid": len(valid),
                "counted": len(self.counted), "missing": [u.code for u in self.units if u.status == STATUS_MISSING],
                "files": len(self.entries), **self.totals(),
                **stage_values([e.stats.get("stage", {}) for e in self.counted_entries()], self.template)}

    def write(self, path: str | os.PathLike[str] | None = None, data_dir: str | os.PathLike[str] | None = None,
              lang: str = "zh", jobs: int = 1, city: str | None = None) -> list[Path]:
        """Write the consolidated workbook (``path``) and/or the data files (``data_dir``), each
        atomically; returns what was written. People's text in it (statuses, messages) is in ``lang``;
        ``city`` (the issuing bureau's city) goes into the summary's title."""
        from .write import write_outputs

        return write_outputs(self, path, data_dir, lang, jobs, city)


def _by_file(entries: list[Ingested]) -> dict[str, list[Ingested]]:
    by_hash: dict[str, Ingested] = {}
    by_unit: dict[str, list[Ingested]] = {}
    for e in sorted(entries, key=lambda e: e.display):
        if e.sha256 and e.sha256 in by_hash:
            e.status, e.note = STATUS_DUPLICATE, by_hash[e.sha256].display
            continue
        if e.sha256:
            by_hash[e.sha256] = e
        if e.error is not None:
            e.status = e.status or STATUS_UNREADABLE  # (other-form, set by ingest, stays)
        elif not e.unit_code:
            e.status = STATUS_UNKNOWN_UNIT
        else:
            by_unit.setdefault(e.unit_code, []).append(e)
    return by_unit


def decide(entries: list[Ingested], roster: list[RosterUnit] | None, template: Template, prefer: Iterable[str] = (),
           include_invalid: bool = False) -> Consolidation:
    prefer_set = {str(Path(p)) for p in prefer} | {Path(p).name for p in prefer}

    def preferred(e: Ingested) -> bool:
        return e.display in prefer_set or Path(e.display.split("!")[-1]).name in prefer_set

    chosen: dict[str, Ingested] = {}
    for code, group in _by_file(entries).items():
        win = next((e for e in group if preferred(e)), None) or max(
            group, key=lambda e: (e.saved or e.mtime, e.mtime, e.display))
        chosen[code] = win
        for e in group:
            if e is not win:
                e.status, e.note = STATUS_SUPERSEDED, win.display
    listed = {u.code: u for u in roster} if roster is not None else None
    order = list(listed) if listed is not None else []
    order += sorted(c for c in chosen if listed is None or c not in listed)
    units: list[UnitRow] = []
    for code in order:
        e = chosen.get(code)
        r = listed.get(code) if listed is not None else None
        name = r.name if r else (e.unit_name if e else None)
        region = r.region if r else (e.unit.get("region") if e and e.unit else None)
        if e is None:
            units.append(UnitRow(code, name, region, STATUS_MISSING))
        elif listed is not None and r is None:
            e.status = STATUS_NOT_IN_ROSTER
            units.append(UnitRow(code, name, region, e.status, e))
        else:
            e.status = STATUS_SUBMITTED if e.valid else STATUS_INCLUDED_INVALID if include_invalid else STATUS_INVALID
            units.append(UnitRow(code, name, region, e.status, e, counted=e.valid or include_invalid))
    cons = Consolidation(entries, units, roster, template, include_invalid)
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
                f = Finding("duplicate-project-code", "error", None, None, {"code": code, "other": seen[code].code})
                cons.extra_findings.append((u.entry, f))
            seen.setdefault(code, u)

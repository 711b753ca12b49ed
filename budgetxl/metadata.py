"""The hidden metadata sheet (``_meta``), checked against a bounded schema before any use.

The generator writes it: template id and version, year and unit, the issued fields as JSON
(split over several cells) and their fingerprint. In a returned workbook it is as untrusted as
any cell: hidden is not locked against a determined user or a broken program. Every value is
checked here, with its size and nesting bounded; one that does not fit is dropped and reported
as a finding (``issued-field-changed``, "metadata" message), never raised.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .findings import Finding

MAX_VALUE_CHARS = 200  # template id/version, year, unit fields
MAX_ISSUED_CHARS = 2 * 2**20  # the issued fields as JSON (a few hundred bytes per project)
MAX_ROWS = 10_000  # rows of the metadata sheet looked at

_FORMS = {
    "template_id": re.compile(r"[A-Za-z0-9_.\-]{1,64}"),
    "template_version": re.compile(r"[0-9A-Za-z_.\-]{1,32}"),
    "year": re.compile(r"[0-9]{4}"),
    "issued_fingerprint": re.compile(r"[0-9a-f]{64}"),
}
_AMOUNT = re.compile(r"-?[0-9]{1,40}(\.[0-9]{1,40})?")


def read_meta(grid: Any, text: Any) -> tuple[dict[str, str], list[Finding]]:
    """The metadata sheet's key/value pairs, each checked; ``text`` turns a cell into a string
    (the reader's cell_text). Returns the values kept and a finding for each value dropped."""
    meta: dict[str, str] = {}
    pieces: list[str] = []
    size = 0
    bad: list[str] = []
    for row in grid.rows[:MAX_ROWS]:
        if not row or not isinstance(row[0], str):
            continue
        key = row[0]
        value = text(row[1] if len(row) > 1 else None) or ""
        if key == "issued_json":
            size += len(value)
            if size <= MAX_ISSUED_CHARS:
                pieces.append(value)
            continue
        meta[key] = value
    for key, value in list(meta.items()):
        form = _FORMS.get(key)
        too_long = len(value) > MAX_VALUE_CHARS
        if value and (too_long or (form is not None and not form.fullmatch(value))):
            del meta[key]
            bad.append(key)
    if pieces:
        if size > MAX_ISSUED_CHARS:
            bad.append("issued_json")
        else:
            meta["issued_json"] = "".join(pieces)
            if parse_issued(meta["issued_json"]) is None:
                del meta["issued_json"]
                bad.append("issued_json")
    # (about the workbook as a whole, like metadata-missing: the clerk never sees this sheet)
    findings = [Finding("issued-field-changed", "error", None, None, {"detail": key}, "issued-field-changed.metadata")
                for key in bad]
    return meta, findings


def parse_issued(text: str | None) -> dict[str, Any] | None:
    """The issued fields from their JSON, or None when they are not what the generator writes:
    ``{"year": int|null, "unit": {code, name, region}, "projects": [{code, name, budget:
    {total, fiscal, other}}]}`` with texts, amounts as decimal text, nothing nested deeper."""
    if not text or len(text) > MAX_ISSUED_CHARS:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if _issued_ok(data) else None


def _issued_ok(data: Any) -> bool:
    if not isinstance(data, dict) or not _flat_extras(data, {"year", "unit", "projects"}):
        return False
    year, unit, projects = data.get("year"), data.get("unit"), data.get("projects")
    if not (year is None or (type(year) is int and 0 <= year <= 9999)):
        return False
    if not isinstance(unit, dict) or not _flat_extras(unit, {"code", "name", "region"}):
        return False
    if not all(_text(unit.get(k)) for k in ("code", "name", "region")):
        return False
    if not isinstance(projects, list):
        return False
    for p in projects:
        if not isinstance(p, dict) or not _flat_extras(p, {"code", "name", "budget"}):
            return False
        if not (_text(p.get("code")) and _text(p.get("name"))) or "code" not in p or "name" not in p:
            return False
        budget = p.get("budget")
        if not isinstance(budget, dict) or not _flat_extras(budget, {"total", "fiscal", "other"}):
            return False
        for k in ("total", "fiscal", "other"):
            v = budget.get(k)
            if v is not None and not (isinstance(v, str) and _AMOUNT.fullmatch(v)):
                return False
    return True


def _text(v: Any) -> bool:
    return v is None or (isinstance(v, str) and len(v) <= MAX_VALUE_CHARS)


def _flat_extras(d: dict, known: set[str]) -> bool:
    """Keys other than ``known`` (from a later version) may hold plain values only: nothing
    deeper than the schema, so nothing that can make the fingerprint's JSON recurse."""
    return all(k in known or v is None or isinstance(v, (str, int, float, bool)) for k, v in d.items())

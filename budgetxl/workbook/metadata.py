"""The hidden metadata sheet (``_meta``), checked against a bounded schema before any use.

The generator writes it (:mod:`budgetxl.workbook.writer.meta_sheet`): template id and version,
year and unit, the issued fields as JSON (split over several cells) and their fingerprint. In a
returned workbook it is as untrusted as any cell: hidden is not locked against a determined user
or a broken program. Every value is checked here, with its size and nesting bounded, and the
issued set against the template's issued fields (:func:`budgetxl.form.issued.issued_fits`); a
value that does not fit is dropped and reported as a finding (``issued-field-changed``, its
"metadata" message), never raised.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..files.grids import Grid, cell_text
from ..findings import Finding
from ..form.issued import bounded, issued_fits

MAX_VALUE_CHARS = 200  # template id/version, year, unit fields
MAX_ISSUED_CHARS = 2 * 2**20  # the issued fields as JSON (a few hundred bytes per project)
MAX_ROWS = 10_000  # rows of the metadata sheet looked at

_FORMS = {
    "template_id": re.compile(r"[A-Za-z0-9_.\-]{1,64}"),
    "template_version": re.compile(r"[0-9A-Za-z_.\-]{1,32}"),
    "year": re.compile(r"[0-9]{4}"),
    "issued_fingerprint": re.compile(r"[0-9a-f]{64}"),
}


def read_meta(grid: Grid) -> tuple[dict[str, str], list[Finding]]:
    """The metadata sheet's key/value pairs, each checked. Returns the values kept and a finding
    for each value dropped."""
    meta: dict[str, str] = {}
    pieces: list[str] = []
    size = 0
    bad: list[str] = []
    for row in grid.rows[:MAX_ROWS]:
        if not row or not isinstance(row[0], str):
            continue
        key = row[0]
        value = cell_text(row[1] if len(row) > 1 else None) or ""
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
    return meta, [_altered(key) for key in bad]


def check_issued(meta: dict[str, str] | None, template: Any) -> list[Finding]:
    """Drop the issued set when it is not shaped as the template issues it (a finding for it).
    Every issued field must be there when the metadata names this very template; a workbook made
    with another one (template-version says so) may lack a field this one adds."""
    if not meta or "issued_json" not in meta:
        return []
    same = (meta.get("template_id"), meta.get("template_version")) == (template.id, str(template.version))
    if issued_fits(parse_issued(meta["issued_json"]), template.fields, complete=same):
        return []
    del meta["issued_json"]
    return [_altered("issued_json")]


def parse_issued(text: str | None) -> dict[str, Any] | None:
    """The issued fields from their JSON: an object, nested no deeper than the issued set can be,
    or None."""
    if not text or len(text) > MAX_ISSUED_CHARS:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) and bounded(data) else None


def _altered(key: str) -> Finding:
    # (about the workbook as a whole, like metadata-missing: the clerk never sees this sheet)
    return Finding("issued-field-changed", "error", None, None, {"detail": key}, "issued-field-changed.metadata")

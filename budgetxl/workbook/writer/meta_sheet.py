"""The hidden metadata sheet: the template used, the unit, and the issued set with its fingerprint.

Columns A:B hold key and value (what the reader reads). Columns D:E hold every issued value in a
cell of its own (key, value), which the live checks compare the sheets with; their places are
fixed by :func:`issued_cells` before any sheet is written."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from ...form.issued import fingerprint, issued_fields
from ...cells import sheet_ref
from ...form.layout import META_MARK, META_SHEET
from ...version import __version__
from ..xlsx import SheetWriter

CHUNK = 30000  # a cell holds 32,767 characters


def write_meta_sheet(book: Any) -> None:
    doc, t = book.doc, book.template
    ws = book.wb.add_worksheet(META_SHEET)
    ws.very_hidden()
    issued = issued_fields(doc, t)
    issued_json = json.dumps(issued, ensure_ascii=False, separators=(",", ":"))
    rows: list[tuple[str, Any]] = [
        ("mark", META_MARK),
        ("schema", doc.schema_),
        ("template_id", t.id),  # the template actually used, whatever the document named
        ("template_version", t.version),
        ("year", doc.year),
        ("unit_code", doc.unit.code),
        ("unit_name", doc.unit.name),
        ("unit_region", doc.unit.region),
        ("generated_at", datetime.now(timezone.utc).isoformat(timespec="seconds")),
        ("generator", f"budgetxl {__version__}"),
        ("issued_fingerprint", fingerprint(issued)),
    ]
    for i in range(0, max(len(issued_json), 1), CHUNK):
        rows.append(("issued_json", issued_json[i: i + CHUNK]))
    w = SheetWriter(ws, book.styles, record=False)
    plain = book.styles.get()
    for r, (k, v) in enumerate(rows):
        ws.write_string(r, 0, k)
        w.text(r, 1, None if v is None else str(v), plain)
    for (project, key), (r, value) in _issued_values(doc, t).items():
        ws.write_string(r, ISSUED_COL - 1, key if project is None else f"projects[{project}].{key}")
        w.value(r, ISSUED_COL, value, plain)
    ws.protect("")


ISSUED_COL = 4  # column E: an issued value (D: its key)


def _issued_values(doc: Any, t: Any) -> dict[tuple[int | None, str], tuple[int, Any]]:
    """(project index or None for the unit, field key) -> (row, cell value) of every issued value."""
    out: dict[tuple[int | None, str], tuple[int, Any]] = {}
    table = t.fields
    owners = [(None, doc, table.issued("unit"))]
    owners += [(i, p, table.issued("project")) for i, p in enumerate(doc.projects) if not p.added]
    for i, obj, fields in owners:
        for f in fields:
            value = f.kind.cell(f.get(obj))
            if value is not None:
                out[(i, f.key)] = (len(out), value)
    rows = [f for f in table.issued("indicator") if f.part_of is None]  # (a later stage issues the indicators)
    for i, p in enumerate(doc.projects if rows else []):
        for k, ind in enumerate([] if p.added else p.indicators):
            for f in rows:
                for part, value in f.kind.cells(f.get(ind)).items():
                    if value is not None:
                        out[(i, indicator_key(k, f"{f.key}.{part}" if part else f.key))] = (len(out), value)
    return out


def indicator_key(k: int, key: str) -> str:
    """The metadata key of an issued indicator cell: ``indicators[2].value.op``."""
    return f"indicators[{k}].{key}"


def issued_cells(doc: Any, t: Any) -> dict[tuple[int | None, str], str]:
    """Where each issued value is on the metadata sheet, as a reference for formulas elsewhere."""
    return {k: sheet_ref(META_SHEET, r, ISSUED_COL) for k, (r, _) in _issued_values(doc, t).items()}

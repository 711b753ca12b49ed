"""The hidden metadata sheet: the template used, the unit, and the issued set with its fingerprint."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from ...form.issued import fingerprint, issued_fields
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
    ws.protect("")

"""CSV that Excel opens correctly (UTF-8 with BOM) and never takes for formulas."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from .cells import needs_quote
from .values import format_number


def safe_csv_value(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return format_number(v)
    if isinstance(v, str) and needs_quote(v):
        return "'" + v
    return v


def rows_to_csv(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    columns = columns or (list(rows[0]) if rows else [])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([safe_csv_value(r.get(c)) for c in columns])
    return "\ufeff" + buf.getvalue()

"""What the reader builds from a workbook, bounded.

Intake bounds the grid (cells, rows, text); this bounds the document built from it, whose cost
is per indicator row (a model object, a parsed value, a source cell for each field, the checks
and their findings): about 5 KB and 80 microseconds each. A unit's projects hold tens of
indicators each; a workbook with more than ``MAX_INDICATOR_ROWS`` of them is refused in one line
before any is built, so that reading and validating stay within 2 s and 200 MB.
"""

from __future__ import annotations

from typing import Any

from ..errors import ReadError

MAX_INDICATOR_ROWS = 10_000


def check_indicator_rows(path: str, project_grids: list[Any], header_label: str) -> None:
    """Refuse a workbook whose project sheets hold more than MAX_INDICATOR_ROWS rows with content
    below their indicator header (``header_label``, the 一级指标 label)."""
    total, biggest = 0, ("", 0)
    for g in project_grids:
        at = g.find(header_label)
        if at is None:
            continue
        n = sum(1 for row in g.rows[at[0] + 1:] if any(v is not None for v in row))
        total += n
        biggest = max(biggest, (g.name, n), key=lambda x: x[1])
        if total > MAX_INDICATOR_ROWS:
            raise ReadError("too-many-rows", path=path, n=f"> {total}", sheet=biggest[0][:60], limit=MAX_INDICATOR_ROWS)

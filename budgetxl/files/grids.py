"""Spreadsheet values as grids: every sheet's cells as rows of Python values.

python-calamine reads the values (fast, no styles); merged ranges are filled from their top-left
cell; labels are found by their normalised text. Every spreadsheet a user hands over (a unit
workbook, a roster, a budget list, a consolidated file) comes in through :func:`load_checked`,
after intake has refused what is not a workbook or would not read within bounds, and is parsed in
a child process, so that a parser abort or hang refuses that one file in one line.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import ReadError
from ..values import format_number


# Characters that make a cell's text differ from its normalised label: whitespace, full-width
# and compatibility forms. Text without any of them is its own label (most cells), so the label
# index normalises only the few cells that need it.
_NEEDS_NORM = re.compile(r"[\s\u2000-\u206f\u3000\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
_WS = re.compile(r"\s+")


@lru_cache(maxsize=20_000)  # (the same short texts recur on every sheet of every workbook)
def norm_label(v: Any) -> str:
    """Labels compare without spaces, line breaks or full/half-width differences."""
    if not isinstance(v, str):
        return ""
    if not _NEEDS_NORM.search(v):
        return v
    return _WS.sub("", unicodedata.normalize("NFKC", v))


LABEL_COLUMNS = 16
LABEL_LENGTH = 24


@dataclass
class Grid:
    """The values of one sheet as rows of Python values (None for empty cells)."""

    name: str
    rows: list[list[Any]]
    visible: str = "visible"
    _index: dict[str, tuple[int, int]] | None = field(default=None, repr=False)
    _scanned: int = field(default=0, repr=False)  # rows indexed so far

    @property
    def nrows(self) -> int:
        return len(self.rows)

    def get(self, r: int, c: int) -> Any:
        if 0 <= r < len(self.rows):
            row = self.rows[r]
            if 0 <= c < len(row):
                return row[c]
        return None

    def find(self, label: str) -> tuple[int, int] | None:
        """The first cell (row by row) whose text is ``label``.

        The label index grows row by row only as far as a lookup needs: the form's labels sit
        above its indicator rows, so those (the bulk of a sheet) are seldom indexed at all."""
        key = norm_label(label)
        index = self._index
        if index is None:
            index = self._index = {}
        hit = index.get(key)
        if hit is not None:
            return hit
        rows = self.rows
        while self._scanned < len(rows):
            r = self._scanned
            self._scanned += 1
            # Labels are short and sit in the form's first columns (a few inserted columns still
            # fit); long texts and far columns are never labels.
            for c, v in enumerate(rows[r][:LABEL_COLUMNS]):
                if v.__class__ is str and len(v) <= LABEL_LENGTH:
                    k = norm_label(v)
                    if k not in index:
                        index[k] = (r, c)
            if key in index:
                return index[key]
        return None

    def find_in_row(self, r: int, label: str) -> int | None:
        target = norm_label(label)
        for c, v in enumerate(self.rows[r] if 0 <= r < len(self.rows) else ()):
            if v.__class__ is str and len(v) <= 40 and norm_label(v) == target:
                return c
        return None


def load_grids(path: str | os.PathLike[str],
               merges: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] | None = None,
               repacked: bytes | None = None) -> list[Grid]:
    """Every sheet's values, with merged ranges filled from their top-left cell.

    ``merges`` gives merged ranges by sheet for containers whose merges the value reader does not
    report (ODS: :func:`budgetxl.files.intake.inspect_file` collects them). A merged range is filled
    only within the sheet's used area, so a range such as A1:XFD1048576 costs nothing.
    ``repacked``: intake's copy of an xlsx for the value reader (``FileKind.repacked``), read
    instead of the file. Call :func:`budgetxl.files.intake.inspect_file` first: it bounds what
    this may allocate.
    """
    from .safeparse import calamine_sheets

    grids = []
    for name, rows, merged, visible in calamine_sheets(path, repacked):
        merged = merged or (merges or {}).get(name) or []
        width = max((len(row) for row in rows), default=0)
        for (r0, c0), (r1, c1) in merged:
            top = rows[r0][c0] if r0 < len(rows) and c0 < len(rows[r0]) else None
            if top is None:
                continue
            c1 = min(c1, width - 1)
            for r in range(r0, min(r1, len(rows) - 1) + 1):
                row = rows[r]
                if len(row) <= c1:
                    row.extend([None] * (c1 + 1 - len(row)))
                for c in range(c0, c1 + 1):
                    if row[c] is None:
                        row[c] = top
        grids.append(Grid(name, rows, visible))
    return grids


# ---- cell value conversion ---------------------------------------------------------------------

def cell_text(v: Any) -> str | None:
    """A text field from a cell: numbers typed into text fields become their plain spelling."""
    if v is None or v.__class__ is str:  # (the common cases first: this runs for every field)
        return v
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):  # (an infinity or NaN, from a damaged file, shows as #NUM!)
        return format_number(Decimal(repr(v))) if v == v else None
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    return str(v)


def load_checked(path: str | os.PathLike[str], limits: Any = None) -> tuple[list[Grid], list[Any]]:
    """The grids of any spreadsheet a user hands us (workbook, roster, budget list, consolidated
    file), after intake has refused what is not one or would not read within ``limits``
    (default: those of a unit workbook).

    Intake and the value reader run in a child process (one fork; the grids come back pickled)
    unless this process already is one (:func:`budgetxl.files.safeparse.isolated`): if the reader
    aborts or hangs, the file is refused (``intake-crash``, ``intake-timeout``), the caller lives."""
    from .safeparse import isolated

    path = Path(path)
    if not path.is_file():
        raise ReadError("file-not-found", path=str(path))
    return isolated(_load_checked, path, limits, path=str(path))


def _load_checked(path: Path, limits: Any) -> tuple[list[Grid], list[Any]]:
    from .intake import LIMITS, inspect_file

    kind = inspect_file(path, limits or LIMITS, repack=True)
    return load_grids(path, kind.merges, kind.repacked), kind.notes

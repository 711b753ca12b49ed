"""What a workbook may ask of the reader, and the tally that enforces it while intake scans.

The limits are chosen so that reading and validating any file within them stays under 2 s of
CPU and 200 MB of memory on a 2-core machine (``benchmarks/`` and the fuzz suite measure it),
with a wide margin over a real unit workbook (well under 1 MB, ~20 sheets, a few thousand cells,
a few hundred indicator rows). What costs memory in the reader is known, so each has a limit:
the used area of each sheet (the value reader fills it from A1, so a cell at XFD1048576 costs 17
billion cells), its rows (a Python list each), the cells stored (one record each in the reader),
and the text the cells expand to (a shared string or an ODS repeat makes one stored text into
many cells' texts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

EXCEL_ROWS, EXCEL_COLS = 1_048_576, 16_384


@dataclass(frozen=True)
class Limits:
    """What a unit workbook may need, with a wide margin."""

    max_file_bytes: int = 32 * 2**20
    max_members: int = 5_000  # parts in a zip container
    max_member_bytes: int = 32 * 2**20  # declared uncompressed size of one part
    max_total_bytes: int = 48 * 2**20  # declared uncompressed size of all parts
    max_ratio: int = 200  # compression ratio of one part larger than ratio_floor
    ratio_floor: int = 2**20
    max_sheets: int = 255
    max_sheet_cells: int = 500_000  # rows x columns of a sheet's used area, as the reader fills it
    max_total_cells: int = 500_000  # the same, summed over the sheets
    max_total_rows: int = 100_000  # rows of the used areas, summed over the sheets
    max_cell_records: int = 500_000  # cells stored (a cell written twice counts twice)
    max_text_bytes: int = 24 * 2**20  # the text of every cell, as the reader expands it
    max_merges: int = 100_000
    max_xml_elements: int = 500_000  # elements scanned in one ODS content part (about 1 s)
    max_biff_bytes: int = 16 * 2**20  # the record stream of an .xls
    max_dimension_cells: int = 16 * 2**20  # what an .xls DIMENSIONS record may announce


LIMITS = Limits()


class Refuse(Exception):
    """Internal: stop inspecting and refuse with message ``key`` (see messages.files ``intake-*``)."""

    def __init__(self, key: str, **args: Any):
        super().__init__(key)
        self.key, self.args_ = key, args


def human_size(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n / 1024:.0f} KB"


class Area:
    """The cells of one workbook: used area, rows, stored cells and text, against the limits."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.total = 0
        self.rows = 0
        self.sheets = 0
        self.merges = 0
        self.records = 0
        self.text = 0

    def sheet(self, name: str, rows: int, cols: int) -> None:
        self.sheets += 1
        if self.sheets > self.limits.max_sheets:
            raise Refuse("intake-too-many-sheets", n=self.sheets, limit=self.limits.max_sheets)
        self.check_open(name, rows, cols)
        self.total += rows * cols
        self.rows += rows
        if self.total > self.limits.max_total_cells:
            raise Refuse("intake-too-many-cells", cells=self.total, limit=self.limits.max_total_cells)
        if self.rows > self.limits.max_total_rows:
            raise Refuse("intake-too-many-cells", cells=f"{self.rows} rows", limit=f"{self.limits.max_total_rows} rows")

    def check_open(self, name: str, rows: int, cols: int) -> None:
        """Refuse early, while a sheet is still being scanned."""
        if rows * cols > self.limits.max_sheet_cells or self.rows + rows > self.limits.max_total_rows:
            raise Refuse("intake-sheet-too-big", sheet=name[:60], rows=rows, cols=cols)

    def cells(self, n: int) -> None:
        """``n`` more cells stored."""
        self.records += n
        if self.records > self.limits.max_cell_records:
            raise Refuse("intake-too-many-cells", cells=f"{self.records} cells", limit=self.limits.max_cell_records)

    def add_text(self, n: int) -> None:
        """``n`` more bytes of cell text, as the reader will hold them."""
        self.text += n
        if self.text > self.limits.max_text_bytes:
            raise Refuse("intake-too-much-text", size=human_size(self.text), limit=human_size(self.limits.max_text_bytes))

    def merge(self) -> None:
        self.merges += 1
        if self.merges > self.limits.max_merges:
            raise Refuse("intake-too-many-cells", cells=f"{self.merges} merged ranges", limit=self.limits.max_merges)

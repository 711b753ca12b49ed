"""Large tables streamed straight into an xlsxwriter package.

xlsxwriter costs about 10 µs a cell; the consolidated workbook of a thousand counties has two
million cells. A :class:`StreamedTable` lets xlsxwriter write everything about a sheet except its
data rows (header, widths, frozen pane, filter, print set-up, the cell formats), streams the rows
as SpreadsheetML to a spool file, and :func:`splice` puts them into the sheet after xlsxwriter
has closed the package. Memory holds one row at a time; text is escaped, and text that starts
like a formula gets the quote-prefix style, exactly as SheetWriter does.
"""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..cells import col_letter, needs_quote
from ..values import format_number
from .xlsx import row_height, text_lines

_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_LITERAL_ESCAPE = re.compile(r"(_x[0-9A-Fa-f]{4}_)")
MAX_CELL_TEXT = 32767


def _number(v: Any) -> str:
    if isinstance(v, Decimal):
        return format_number(v)
    if isinstance(v, float):
        return repr(v)
    return str(int(v))


class StreamedTable:
    """One data sheet: ``cols`` have header, type and width; type text | amount | int | percent."""

    def __init__(self, wb, styles, name: str, cols: list, spool: Path, formats: dict[str, Any],
                 title: str | None = None, footer: str | None = None, repeat_cols: int = 0):
        from .xlsx import table_sheet

        self.ws = table_sheet(wb, styles, name, cols, None, title, footer, repeat_cols)
        self.sheet_index = len(wb.worksheets())  # xlsxwriter names the part sheet<N>.xml
        self.cols = cols
        # Style ids of the data cells, fixed now so that rows can be written before the package is.
        self.style = {kind: fmt._get_xf_index() for kind, fmt in formats.items()}
        # Text in a wide column wraps (formats "wrap", "wrap-quoted"), and its row is made tall enough.
        wraps = [bool(getattr(col, "wraps", False)) and "wrap" in formats for col in cols]
        # (one tuple per column, fixed now: add() is the hot loop of a large consolidation)
        self.plan = [(f'<c r="{col_letter(c)}', col.key, col.type == "text", wraps[c], col.width,
                      f'" s="{self.style[col.type]}"><v>' if col.type != "text" else "")
                     for c, col in enumerate(cols)]
        self.path = spool / f"sheet{self.sheet_index}.rows.xml"
        self.fh = open(self.path, "w", encoding="utf-8", newline="")
        self.rows = 1
        self.cells: dict[tuple[str, float, bool], tuple[str, int]] = {}

    def add(self, values: dict[str, Any]) -> None:
        rs = str(self.rows + 1)
        out = []
        lines = 1
        cache = self.cells
        for ref, key, is_text, wraps, width, number in self.plan:
            v = values.get(key)
            if v is None or v == "":
                continue
            if is_text:
                # (a unit's and a project's names repeat on every row of theirs: each text is
                # escaped and measured once)
                cell = cache.get((v, width, wraps)) if v.__class__ is str else None
                if cell is None:
                    cell = self._text_cell(v if v.__class__ is str else str(v), wraps, width)
                    if v.__class__ is str:
                        if len(cache) > 100_000:
                            cache.clear()
                        cache[(v, width, wraps)] = cell
                out.append(ref + rs + cell[0])
                if cell[1] > lines:
                    lines = cell[1]
            else:
                out.append(f"{ref}{rs}{number}{_number(v)}</v></c>")
        height = f' ht="{min(row_height(lines), 409):g}" customHeight="1"' if lines > 1 else ""
        self.fh.write(f'<row r="{rs}"{height}>' + "".join(out) + "</row>")
        self.rows += 1

    def _text_cell(self, s: str, wraps: bool, width: float) -> tuple[str, int]:
        """A text cell after its reference (style, inline string) and the lines it wraps to."""
        if len(s) > MAX_CELL_TEXT:  # Excel's limit; the data files keep the whole text
            s = s[:MAX_CELL_TEXT]
        if "_x" in s:  # literal _xHHHH_ would be read back as an escaped character
            s = _LITERAL_ESCAPE.sub(r"_x005F\1", s)
        lines = 1
        if wraps:
            sid = self.style["wrap-quoted"] if needs_quote(s) else self.style["wrap"]
            lines = text_lines(s, width)
        else:
            sid = self.style["quoted"] if needs_quote(s) else self.style["text"]
        space = ' xml:space="preserve"' if s != s.strip() else ""
        return f'" s="{sid}" t="inlineStr"><is><t{space}>{s.translate(_ESCAPE)}</t></is></c>', lines

    def close(self) -> None:
        """Call before the workbook closes: the filter range must know the row count."""
        self.fh.close()
        self.ws.autofilter(0, 0, max(self.rows - 1, 1), len(self.cols) - 1)


_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')


def splice(package: str | os.PathLike[str], tables: list[StreamedTable]) -> None:
    """Put each table's spooled rows into its sheet part of the closed xlsx ``package``."""
    by_part = {f"xl/worksheets/sheet{t.sheet_index}.xml": t for t in tables}
    package = Path(package)
    tmp = package.with_name(package.name + ".splice")
    try:
        _splice(package, tmp, by_part)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, package)


def _splice(package: Path, tmp: Path, by_part: dict[str, StreamedTable]) -> None:
    with zipfile.ZipFile(package) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for info in zin.infolist():
            table = by_part.get(info.filename)
            if table is None:
                zout.writestr(info, zin.read(info))
                continue
            xml = zin.read(info).decode("utf-8")
            last = f"{col_letter(len(table.cols) - 1)}{max(table.rows, 1)}"
            xml = _DIMENSION.sub(f'<dimension ref="A1:{last}"/>', xml, count=1)
            if "<sheetData/>" in xml:
                xml = xml.replace("<sheetData/>", "<sheetData></sheetData>", 1)
            head, _, tail = xml.partition("</sheetData>")
            with zout.open(info.filename, "w", force_zip64=True) as dst:
                dst.write(head.encode("utf-8"))
                with open(table.path, "rb") as src:
                    shutil.copyfileobj(src, dst, 1 << 20)
                dst.write(b"</sheetData>" + tail.encode("utf-8"))

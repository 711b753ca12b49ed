"""The indicator table of one project: from ruled-table rows (cell by cell) or from flattened lines
(see flat_table), then into indicators."""

from __future__ import annotations

import re
from typing import Any

from .flat_table import FlatTable
from .layout import Layout
from .regions import Region, header_regex, match_header_row
from .text import BREAK, Line, Row, canon, join_inline
from .vocab import Vocab


class Table:
    """Where a project's indicator table is, and its rows as {column field: text}."""

    def __init__(self, header_line: int, rows: list[dict[str, str]] | None, ignored: list[str],
                 columns: list[str], raw: str = ""):
        self.header_line = header_line  # index (in the block's lines) where the header starts
        self.rows = rows  # None: the rows could not be divided into cells
        self.ignored = ignored  # text inside the table that is not part of it
        self.columns = columns
        self.raw = raw


def find_table(lines: list[Line], items: list[Line | Row], layout: Layout, vocab: Vocab) -> tuple[list[Line], Table | None]:
    """(the lines outside the table: before it and from an end label on, the table) for one
    project's lines."""
    columns = layout.indicators.columns
    for k, ln in enumerate(lines):
        if ln.row >= 0 and (mapping := match_header_row(items[ln.row], columns)):  # type: ignore[arg-type]
            e = _end_line(lines, k + 1, layout)
            return lines[:k] + lines[e:], _ruled(lines[k:e], items, mapping, ln.row, layout)
    region = Region(lines)
    rx = header_regex(columns)
    m = rx.search(region.text)
    if m is None:
        return lines, None
    ends = [e.start() for p in layout.indicators.end_regexes if (e := p.search(region.text, m.end()))]
    stop = min(ends, default=len(region.text))
    before = region.slice(0, m.start()) + region.slice(stop, len(region.text))
    body = _drop_repeats(region.slice(m.end(), stop), rx, layout)
    fields = [c.field for c in columns]
    table = FlatTable([ln.text.replace(BREAK, " ") for ln in body], columns, vocab)
    rows = table.solve()
    raw = "\n".join(ln.text for ln in body)
    return before, Table(region.line_at(m.start()), rows, [], fields, raw)


def _end_line(lines: list[Line], start: int, layout: Layout) -> int:
    """Where the table ends: at the first line (the whole row it is a cell of) that starts with one of
    the layout's end labels (a field printed below the table), else at the end."""
    for e in range(start, len(lines)):
        if any(p.match(lines[e].text.strip()) for p in layout.indicators.end_regexes):
            while e > start and lines[e].row >= 0 and lines[e - 1].row == lines[e].row:
                e -= 1
            return e
    return len(lines)


def _ruled(lines: list[Line], items: list[Line | Row], mapping: dict[int, str], header_row: int,
           layout: Layout) -> Table:
    """Rows of a ruled table, each cell under the header column it lies below (a table continued on
    the next page may have other column lines). A row broken by a page break, whose second part has
    no 三级指标 or no value, is joined to its first part."""
    header: Row = items[header_row]  # type: ignore[assignment]
    columns = [(header.cells[ci].x0, header.cells[ci].x1, field) for ci, field in mapping.items()]  # type: ignore[union-attr]
    rows: list[dict[str, str]] = []
    ignored: list[str] = []
    seen: set[int] = {header_row}
    page = header.page
    units = [re.compile(p) for p in layout.document.unit_line]
    titles = [re.compile(p) for p in layout.project.title]
    for ln in lines:
        if ln.row < 0 and (any(p.search(ln.text.strip()) for p in units)
                           or any(p.search(join_inline([ln.text])) for p in titles)):
            continue  # the project's title or unit line printed again over a continued table
        if ln.row < 0:
            ignored.append(ln.text)
            continue
        if ln.row in seen:
            continue
        seen.add(ln.row)
        row: Row = items[ln.row]  # type: ignore[assignment]
        if match_header_row(row, layout.indicators.columns) is not None:
            continue  # the header again, on a continuation page
        rec = _under_columns(row, columns)
        new_page = row.page != page
        page = row.page
        if new_page and rows and rec and not (rec.get("name") and (rec.get("value") or rec.get("number"))):
            for field, text in rec.items():
                rows[-1][field] = rows[-1].get(field, "") + text
            continue
        rows.append(rec)
    return Table(0, rows, ignored, list(mapping.values()))


def _under_columns(row: Row, columns: list[tuple[float, float, str]]) -> dict[str, str]:
    rec: dict[str, str] = {}
    for cell in row.cells:
        if cell is None or not cell.text.strip():
            continue
        overlap = [(min(cell.x1, x1) - max(cell.x0, x0), field) for x0, x1, field in columns]
        best, field = max(overlap)
        if best > 0:
            rec[field] = rec.get(field, "") + join_inline(cell.text.split(BREAK))
    return rec


def _drop_repeats(lines: list[Line], rx: re.Pattern[str], layout: Layout) -> list[Line]:
    """A table header printed again after a page break, and a project title or unit line repeated
    at the top of a continuation page, are not rows."""
    region = Region(lines)
    keep: list[Line] = []
    cut = [(m.start(), m.end()) for m in rx.finditer(region.text)]
    pos = 0
    for a, b in cut:
        keep += region.slice(pos, a)
        pos = b
    keep += region.slice(pos, len(region.text))
    patterns = [re.compile(p) for p in [*layout.document.unit_line]]
    return [ln for ln in keep if not any(p.search(ln.text.strip()) for p in patterns)]


# ---- rows to indicators ----------------------------------------------------------------------------

def to_indicators(rows: list[dict[str, str]], vocab: Vocab) -> tuple[list[dict[str, Any]], int]:
    """Indicators (一级/二级 carried down where the table merged them) and the count of empty rows."""
    out: list[dict[str, Any]] = []
    level1 = level2 = None
    empty = 0
    for r in rows:
        if r.get("level1"):
            level1, level2 = _level(r["level1"], vocab), None
        if r.get("level2"):
            level2 = _level(r["level2"], vocab)
        value = assemble_value(r, vocab)
        if not r.get("name") and value is None:
            empty += 1
            continue
        out.append({"level1": level1, "level2": level2, "name": r.get("name"),
                    "description": r.get("description"), "value": value, "basis": r.get("basis")})
    return out, empty


def _level(text: str, vocab: Vocab) -> str:
    return vocab.level(text)[1] or text


_HAS_OP = re.compile(r"^\s*(?:[≥≤><＝=＞＜]|大于|小于|不低于|不少于|不高于|不超过|等于)")


def assemble_value(r: dict[str, str], vocab: Vocab) -> dict[str, str] | str | None:
    """指标值 from one column, or from 计算符号 + 指标值 + 度量单位 columns."""
    core = r.get("value") or r.get("number") or ""
    unit = r.get("unit") or ""
    op = vocab.ops.get(canon(r.get("op") or ""), r.get("op") or "")
    if not core and not unit:
        return None
    if op == "定性":
        return {"text": core + unit, "op": "定性"}
    if op and op != "＝" and not _HAS_OP.match(core):
        core = op + core
    return core + unit

"""Read a unit workbook back into the submission model.

Content is found by its labels (see :mod:`budgetxl.layout`), never by fixed coordinates, so a
workbook still reads after a clerk inserts or deletes rows, renames, reorders or copies sheets.
Values come from python-calamine (fast, no styles needed); merged cells are filled from their
top-left value. Alongside the document the reader returns where every field came from, so a
finding can name its cell.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from .findings import CellRef, Finding, ReadError
from .layout import (
    GOALS,
    INDICATOR_COLUMNS,
    META_MARK,
    MONTH_OFFSET,
    OVERVIEW_LISTS,
    PROJECT_SCALARS,
    UNIT_SCALARS,
    ListBlock,
    parse_template_ref,
)
from .formsize import check_indicator_rows
from .metadata import read_meta
from .model import SCHEMA, Submission
from .template import Template, TemplateError, builtin_templates, load_template
from .values import QUALITATIVE_OP, format_number, normalize_text, to_decimal


# Characters that make a cell's text differ from its normalised label: whitespace, full-width
# and compatibility forms. Text without any of them is its own label (most cells), so the label
# index normalises only the few cells that need it.
_NEEDS_NORM = re.compile(r"[\s\u2000-\u206f\u3000\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
_WS = re.compile(r"\s+")


@lru_cache(maxsize=512)
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
        needs = _NEEDS_NORM.search
        rows = self.rows
        while self._scanned < len(rows):
            r = self._scanned
            self._scanned += 1
            # Labels are short and sit in the form's first columns (a few inserted columns still
            # fit); long texts and far columns are never labels.
            for c, v in enumerate(rows[r][:LABEL_COLUMNS]):
                if v.__class__ is str and len(v) <= LABEL_LENGTH:
                    k = _WS.sub("", unicodedata.normalize("NFKC", v)) if needs(v) else v
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
               merges: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] | None = None) -> list[Grid]:
    """Every sheet's values, with merged ranges filled from their top-left cell.

    ``merges`` gives merged ranges by sheet for containers whose merges the value reader does not
    report (ODS: :func:`budgetxl.intake.inspect_file` collects them). A merged range is filled
    only within the sheet's used area, so a range such as A1:XFD1048576 costs nothing.
    Call :func:`budgetxl.intake.inspect_file` first: it bounds what this may allocate.
    """
    from .safeparse import calamine_sheets

    grids = []
    for name, rows, merged, visible in calamine_sheets(path):
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


@dataclass
class ReadResult:
    """A workbook read into the model, plus where each field came from."""

    path: str
    doc: Submission
    sources: dict[str, CellRef] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    project_sheets: list[str] = field(default_factory=list)
    summary: list[dict[str, tuple[Any, CellRef]]] = field(default_factory=list)
    unit_sheet: str | None = None
    meta: dict[str, str] | None = None
    notes: list[Finding] = field(default_factory=list)
    template: Template | None = None

    def issued(self) -> dict[str, Any] | None:
        """The issued fields recorded in the metadata sheet when the workbook was generated."""
        from .metadata import parse_issued

        return parse_issued(self.meta.get("issued_json")) if self.meta else None


class _Collector:
    """Builds plain data for the model while recording each value's source cell and raw value."""

    def __init__(self, result: ReadResult):
        self.result = result

    def take(self, path: str, grid: Grid, r: int, c: int) -> Any:
        v = grid.get(r, c)
        self.result.sources[path] = CellRef(grid.name, r, c)
        if v is not None:
            self.result.raw[path] = v
        return v


def _is_meta(grid: Grid) -> bool:
    return grid.get(0, 0) == "mark" and grid.get(0, 1) == META_MARK


def _read_list(col: _Collector, grid: Grid, t: Template, block: ListBlock, path: str) -> list[str | None]:
    start = grid.find(t.label(block.label))
    if start is None:
        return []
    end = grid.nrows
    if block.until:
        stop = grid.find(t.label(block.until))
        if stop is not None and stop[0] > start[0]:
            end = stop[0]
    items: list[str | None] = []
    c = start[1] + block.text_col
    for r in range(start[0], end):
        v = cell_text(grid.get(r, c))
        if v is None:
            continue
        col.take(f"{path}[{len(items)}]", grid, r, c)
        items.append(v)
    return items


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for p in parts[:-1]:
        data = data.setdefault(p, {})
    data[parts[-1]] = value


def _read_project(col: _Collector, grid: Grid, t: Template, prefix: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for scalar in PROJECT_SCALARS:
        at = grid.find(t.label(scalar.label))
        if at is None:
            continue
        path = f"{prefix}.{scalar.path}"
        v = col.take(path, grid, at[0] + scalar.offset[0], at[1] + scalar.offset[1])
        if scalar.path.startswith("budget."):
            _set(data, scalar.path, to_decimal(v))
        else:
            _set(data, scalar.path, cell_text(v))
    plan = []
    for m in t.spending_plan.months:
        at = grid.find(t.label("month", month=m))
        if at is None:
            continue
        v = col.take(f"{prefix}.spending_plan[{m}]", grid, at[0] + MONTH_OFFSET[0], at[1] + MONTH_OFFSET[1])
        plan.append({"month": m, "percent": _percent(v), "text": isinstance(v, str)})
    data["spending_plan"] = [{"month": p["month"], "percent": p["percent"]} for p in _percent_scale(plan)]
    data["goals"] = _read_list(col, grid, t, GOALS, f"{prefix}.goals")
    data["indicators"] = _read_indicators(col, grid, t, prefix)
    # Block-level locations, for findings about a block as a whole (no goal, no indicator).
    for key, path, dc in (("goals", "goals", GOALS.text_col), ("level1", "indicators", 0)):
        at = grid.find(t.label(key))
        if at is not None:
            col.result.sources[f"{prefix}.{path}"] = CellRef(grid.name, at[0], at[1] + dc)
    return data


def _percent(v: Any) -> Decimal | None:
    """A spending-plan cell: a number, or text such as "70", "７０", "25%", "２５％" (a percent sign
    typed as text already means 0-100)."""
    if isinstance(v, str):
        s = normalize_text(v)
        if s.endswith("%"):
            return to_decimal(s[:-1])
    return to_decimal(v)


def _percent_scale(plan: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Percentages typed as 25% in a general cell arrive as 0.25 (the cell holds the fraction and
    shows it with a % format): scale the numeric cells of a plan made only of fractions back to
    0-100. A plan of fractions is one whose numbers are all <= 1 and either end at 1 (100%) or are
    not all whole (read as 0-100 such a plan could not be valid anyway)."""
    numbers = [p["percent"] for p in plan if p["percent"] is not None and not p.get("text")]
    last = next((p for p in reversed(plan) if p["percent"] is not None), None)
    if not numbers or max(numbers) > 1 or min(numbers) < 0:
        return plan
    ends_at_one = last is not None and not last.get("text") and last["percent"] == 1
    if ends_at_one or any(v != v.to_integral_value() for v in numbers):
        for p in plan:
            if p["percent"] is not None and not p.get("text"):
                p["percent"] = p["percent"] * 100
    return plan


def _read_indicators(col: _Collector, grid: Grid, t: Template, prefix: str) -> list[dict[str, Any]]:
    at = grid.find(t.label("level1"))
    if at is None:
        return []
    hr = at[0]
    cols = {key: grid.find_in_row(hr, t.label(key)) for key in INDICATOR_COLUMNS}
    present = [(k, c) for k, c in cols.items() if c is not None]
    sources, raw, sheet = col.result.sources, col.result.raw, grid.name
    out: list[dict[str, Any]] = []
    for r in range(hr + 1, grid.nrows):
        row = grid.rows[r]
        width = len(row)
        cells = dict.fromkeys(INDICATOR_COLUMNS)
        for k, c in present:
            if c < width:
                cells[k] = row[c]
        if all(v is None for v in cells.values()):
            continue
        base = f"{prefix}.indicators[{len(out)}]"
        for k, c in present:  # (inlined _Collector.take: this loop runs for every indicator cell)
            path = f"{base}.{k}"
            sources[path] = CellRef(sheet, r, c)
            if cells[k] is not None:
                raw[path] = cells[k]
        ind = {
            "level1": cell_text(cells["level1"]),
            "level2": cell_text(cells["level2"]),
            "name": cell_text(cells["indicator_name"]),
            "description": cell_text(cells["description"]),
            "basis": cell_text(cells["basis"]),
            "value": _assemble_value(cells["op"], cells["value"], cells["value_unit"]),
        }
        vc = cols["value"]
        if vc is not None:
            col.result.sources[f"{base}.value"] = CellRef(grid.name, r, vc)
        out.append(ind)
    return out


def _assemble_value(op: Any, value: Any, unit: Any) -> dict[str, Any] | str | None:
    """计算符号 + 指标值 + 计量单位 -> one parsed value. A clerk may also type the whole value
    (``≤40人``) into 指标值 and leave the other two empty."""
    op_s = (cell_text(op) or "").strip()
    val_s = cell_text(value)
    unit_s = cell_text(unit) or ""
    if val_s is None:
        return None if not op_s and not unit_s else (op_s + unit_s) or None
    if op_s == QUALITATIVE_OP:
        return {"text": val_s + unit_s, "op": QUALITATIVE_OP}
    return op_s + val_s + unit_s


def _resolve_template(meta: dict[str, str] | None, ref_text: str | None, given: Template | None) -> Template:
    if given is not None:
        return given
    candidates = []
    if meta and meta.get("template_id"):
        candidates.append(meta["template_id"])
    if ref_text and parse_template_ref(ref_text):
        candidates.append(parse_template_ref(ref_text)[0])
    known = builtin_templates()
    for tid in candidates:
        if tid in known:
            try:
                return load_template(tid)
            except TemplateError:
                pass
    return load_template()


def load_checked(path: str | os.PathLike[str], limits: Any = None) -> tuple[list[Grid], list[Finding]]:
    """The grids of any spreadsheet a user hands us (workbook, roster, budget list, consolidated
    file), after intake has refused what is not one or would not read within ``limits``
    (default: those of a unit workbook)."""
    from .intake import LIMITS, inspect_file

    path = Path(path)
    if not path.is_file():
        raise ReadError("file-not-found", path=str(path))
    kind = inspect_file(path, limits or LIMITS)
    return load_grids(path, kind.merges), kind.notes


def read_workbook(path: str | os.PathLike[str], template: Template | None = None) -> ReadResult:
    """Read a unit workbook (xlsx, xlsm, xls, ods) into a :class:`ReadResult`."""
    grids, notes = load_checked(path)
    result = read_grids(str(path), grids, template)
    result.notes[:0] = notes
    return result


def read_grids(path: str, grids: list[Grid], template: Template | None = None) -> ReadResult:
    from .consolidated import INDICATORS, PROJECTS, UNITS

    if {PROJECTS, INDICATORS, UNITS} <= {g.name for g in grids}:
        raise ReadError("is-consolidated", path=path)  # (merge's own output, e.g. left in the inbox)
    meta_grid = next((g for g in grids if _is_meta(g)), None)
    meta, meta_notes = read_meta(meta_grid, cell_text) if meta_grid else (None, [])
    # A first look with the default labels is enough to find the template reference.
    probe = template or load_template()
    unit_grid = next((g for g in grids if g is not meta_grid and g.find(probe.label("unit_code"))), None)
    ref_text = None
    if unit_grid is not None:
        at = unit_grid.find(probe.label("template_ref"))
        ref_text = cell_text(unit_grid.get(at[0], at[1] + 1)) if at else None
    t = _resolve_template(meta, ref_text, template)

    result = ReadResult(path=path, doc=Submission(template={"id": t.id, "version": t.version}), meta=meta, template=t,
                        notes=meta_notes)
    col = _Collector(result)
    data: dict[str, Any] = {"schema": SCHEMA}
    unit_grid = next((g for g in grids if g is not meta_grid and g.find(t.label("unit_code"))), None)
    project_grids = [
        g for g in grids
        if g is not meta_grid and g is not unit_grid and g.find(t.label("code")) and g.find(t.label("level1"))
    ]
    if unit_grid is None and not project_grids:
        raise ReadError("no-form", path=path)
    check_indicator_rows(path, project_grids, t.label("level1"))

    template_ref = {"id": t.id, "version": t.version}
    if meta and meta.get("template_id") and meta.get("template_version"):
        template_ref = {"id": meta["template_id"], "version": meta["template_version"]}
    if unit_grid is not None:
        result.unit_sheet = unit_grid.name
        for scalar in UNIT_SCALARS:
            at = unit_grid.find(t.label(scalar.label))
            if at is None:
                continue
            v = col.take(scalar.path, unit_grid, at[0] + scalar.offset[0], at[1] + scalar.offset[1])
            if scalar.path == "template":
                ref = parse_template_ref(cell_text(v) or "")
                if ref and not meta:
                    template_ref = {"id": ref[0], "version": ref[1]}
            elif scalar.path == "year":
                year = to_decimal(v)
                data["year"] = int(year) if year is not None and year == year.to_integral_value() else None
            else:
                _set(data, scalar.path, cell_text(v))
        for block in OVERVIEW_LISTS:
            _set(data, block.path, _read_list(col, unit_grid, t, block, block.path))
    elif meta:
        data["unit"] = {"code": meta.get("unit_code") or None, "name": meta.get("unit_name") or None,
                        "region": meta.get("unit_region") or None}
        data["year"] = int(meta["year"]) if meta.get("year", "").isdigit() else None
    if meta is None:
        result.notes.append(Finding("metadata-missing", "warning", key="meta-missing"))
    data["template"] = template_ref

    projects = []
    for g in project_grids:
        i = len(projects)
        p = _read_project(col, g, t, f"projects[{i}]")
        if _project_is_blank(p):
            _forget(result, f"projects[{i}]")
            continue
        projects.append(p)
        result.project_sheets.append(g.name)
    data["projects"] = projects
    result.doc = Submission.model_validate(data)
    summary_grid = next((g for g in grids if g is not meta_grid and _is_summary(g, t)), None)
    if summary_grid is not None:
        result.summary = _read_summary(summary_grid, t)
    return result


SUMMARY_COLUMNS = {"code": "code", "name": "name", "total": "total", "fiscal": None, "other": "other"}


def _summary_header(g: Grid, t: Template) -> tuple[int, dict[str, int]] | None:
    at = g.find(t.label("code"))
    if at is None or g.find_in_row(at[0], "指标数") is None:
        return None
    r = at[0]
    cols = {
        "code": at[1],
        "name": g.find_in_row(r, t.label("name")),
        "total": g.find_in_row(r, t.label("total")),
        "fiscal": g.find_in_row(r, "财政资金"),
        "other": g.find_in_row(r, t.label("other")),
        "count": g.find_in_row(r, "指标数"),
    }
    return r, {k: c for k, c in cols.items() if c is not None}


def _is_summary(g: Grid, t: Template) -> bool:
    return g.find(t.label("level1")) is None and _summary_header(g, t) is not None


def _read_summary(g: Grid, t: Template) -> list[dict[str, tuple[Any, CellRef]]]:
    header = _summary_header(g, t)
    if header is None:
        return []
    hr, cols = header
    rows = []
    for r in range(hr + 1, g.nrows):
        first = g.get(r, 0)
        if isinstance(first, str) and norm_label(first) == "合计":
            break
        row = {k: (g.get(r, c), CellRef(g.name, r, c)) for k, c in cols.items()}
        if all(v is None for v, _ in row.values()):
            continue
        rows.append(row)
    # The summary is derived (formulas into the project sheets) and only ever compared, never read
    # into the document. Its cached text results can be missing (a file saved by a program that does
    # not calculate) or unreadable (string results of formulas in .xls read as 0): when no row has a
    # textual project code, the summary cannot be matched to the projects and is not compared.
    if not any(isinstance(row.get("code", (None,))[0], str) for row in rows):
        return []
    return rows


def _project_is_blank(p: dict[str, Any]) -> bool:
    budget = p.get("budget", {})
    return (
        not p.get("code") and not p.get("name") and not p.get("purpose")
        and all(v is None for v in budget.values())
        and not p["goals"] and not p["indicators"]
        and all(sp["percent"] is None for sp in p["spending_plan"])
    )


def _forget(result: ReadResult, prefix: str) -> None:
    for d in (result.sources, result.raw):
        for k in [k for k in d if k.startswith(prefix + ".") or k.startswith(prefix + "[")]:
            del d[k]

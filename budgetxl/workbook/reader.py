"""Read a unit workbook back into the submission model.

Content is found by its labels (the template's field table), never by fixed coordinates, so a
workbook still reads after a clerk inserts or deletes rows, renames, reorders or copies sheets.
Each block kind has its reader here; each field's kind converts its cell. Alongside the document
the reader returns where every field came from and what its cell held, so a finding can name its
cell and a check can tell "empty" from "not a number".
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ..errors import ReadError
from ..files.grids import Grid, cell_text, load_checked, norm_label
from ..findings import CellRef, Finding
from ..form import Template, builtin_templates, load_template
from ..form.consolidated import sheet_name
from ..form.kinds import KINDS
from ..form.layout import LIST_TEXT_COL, META_MARK
from ..form.matching import keys, match_projects
from ..form.spec import ListBlock
from ..files.formats import PercentCells
from ..messages import message
from ..model import SCHEMA, Submission
from ..values import format_number, to_decimal
from .formsize import check_indicator_rows
from .metadata import check_issued, parse_issued, read_meta


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
    # The paths of numbers in percent places that their cells show as percentages (0.95 as 95%),
    # read as the percent shown.
    percents: set[str] = field(default_factory=set)
    percent_cells: Callable[[str, int, int], bool | None] | None = field(default=None, repr=False)

    def percent(self, path: str, grid: Grid, r: int, c: int, v: Any) -> Decimal | None:
        """A number in a percent place as the clerk meant it: shown as 95% (0.95 in the cell) is 95.
        None when it is no number; the stored number when its format is not a percent (or cannot
        be known: the checks then judge the number as it stands)."""
        if v.__class__ not in (int, float):
            return None
        d = to_decimal(v)
        if self.percent_cells is not None and self.percent_cells(grid.name, r, c):
            self.percents.add(path)
            return d * 100
        return d

    def issued(self) -> dict[str, Any] | None:
        """The issued fields recorded in the metadata sheet when the workbook was generated."""
        return parse_issued(self.meta.get("issued_json")) if self.meta else None

    def take(self, path: str, grid: Grid, r: int, c: int) -> Any:
        """A cell's value, recording where it came from and what it held."""
        v = grid.get(r, c)
        self.sources[path] = CellRef(grid.name, r, c)
        if v is not None:
            self.raw[path] = v
        return v

    def forget(self, prefix: str, since: tuple[int, int] = (0, 0)) -> None:
        """Drop what was recorded under ``prefix`` (a spare sheet nobody filled); ``since`` is
        :meth:`mark` taken before reading it (entries keep their order: only the newer are looked at)."""
        for d, start in ((self.sources, since[0]), (self.raw, since[1])):
            for k in [k for k in list(d)[start:] if k.startswith(prefix + ".") or k.startswith(prefix + "[")]:
                del d[k]

    def mark(self) -> tuple[int, int]:
        return len(self.sources), len(self.raw)


def read_workbook(path: str | os.PathLike[str], template: Template | None = None) -> ReadResult:
    """Read a unit workbook (xlsx, xlsm, xls, ods) into a :class:`ReadResult`."""
    grids, notes = load_checked(path)
    result = read_grids(str(path), grids, template, PercentCells(path))
    result.notes[:0] = notes
    return result


# ---- the blocks of a sheet ---------------------------------------------------------------------

def _read_fields(res: ReadResult, grid: Grid, fields: list, prefix: str, data: dict[str, Any]) -> None:
    for f in fields:
        at = grid.find(f.label)
        if at is not None:
            f.set(data, f.kind.read(res.take(prefix + f.key, grid, at[0], at[1] + 1)))


def _read_list(res: ReadResult, grid: Grid, block: ListBlock, path: str, until: str | None) -> list[str]:
    start = grid.find(block.label)
    if start is None:
        return []
    end = grid.nrows
    if until:
        stop = grid.find(until)
        if stop is not None and stop[0] > start[0]:
            end = stop[0]
    items: list[str] = []
    c = start[1] + LIST_TEXT_COL
    res.sources[path] = CellRef(grid.name, start[0], c)  # the block as a whole (no item at all)
    for r in range(start[0], end):
        v = cell_text(grid.get(r, c))
        if v is not None:
            res.take(f"{path}[{len(items)}]", grid, r, c)
            items.append(v)
    return items


def _read_checkpoints(res: ReadResult, grid: Grid, t: Template, prefix: str) -> list[dict[str, Any]]:
    table = t.fields
    cp = table.checkpoints
    percent = KINDS["percent"]
    plan = []
    for m in cp.months:
        at = grid.find(table.checkpoint_label(m))
        if at is None:
            continue
        path, r, c = f"{prefix}{cp.key}[{m}]", at[0] + 1, at[1]
        v = res.take(path, grid, r, c)
        shown = res.percent(path, grid, r, c, v)  # (typed 25% is 25)
        plan.append({"month": m, "percent": shown if shown is not None else percent.read(v)})
    return [p for p in plan if p["percent"] is not None]


def _read_table(res: ReadResult, grid: Grid, t: Template, prefix: str, until: str | None = None) -> list[dict[str, Any]]:
    table = t.fields
    at = grid.find(table.indicator[0].label)
    if at is None:
        return []
    hr = at[0]
    end = grid.nrows  # the table runs down to the block below it, if any (as a list does)
    if until:
        stop = grid.find(until)
        if stop is not None and stop[0] > hr:
            end = stop[0]
    res.sources[f"{prefix}{table.table.key}"] = CellRef(grid.name, at[0], at[1])
    present = [(f, c) for f in table.indicator if (c := grid.find_in_row(hr, f.label)) is not None]
    keys = [f.key for f, _ in present]
    cols = [c for _, c in present]
    index = {f.key: n for n, (f, _) in enumerate(present)}
    # How each field becomes a value: plain fields by their kind, compound ones from their parts;
    # a one-part key is set directly (this runs for every cell of every indicator row).
    plain = [(f.key, n, f.kind.read) for n, (f, _) in enumerate(present)
             if f.part_of is None and not f.kind.parts and "." not in f.key]
    dotted = [(f, n, f.kind.read) for n, (f, _) in enumerate(present)
              if f.part_of is None and not f.kind.parts and "." in f.key]
    compound = [(f, n, [(p.part, index.get(p.key)) for p in table.parts_of(f).values()])
                for n, (f, _) in enumerate(present) if f.kind.parts]
    typed = [(f, n) for n, (f, _) in enumerate(present) if f.kind.typed_percent]
    sources, raw, sheet, rows = res.sources, res.raw, grid.name, grid.rows
    out: list[dict[str, Any]] = []
    for r in range(hr + 1, end):
        row = rows[r]
        width = len(row)
        vals = [row[c] if c < width else None for c in cols]
        if all(v is None for v in vals):
            continue
        base = f"{prefix}{table.table.key}[{len(out)}]."
        for key, c, v in zip(keys, cols, vals):
            sources[base + key] = CellRef(sheet, r, c)
            if v is not None:
                raw[base + key] = v
        for f, n, _ in compound:  # a number shown as a percentage is the percent shown (95%), with its sign
            if vals[n].__class__ in (int, float):
                _percent_value(res, base + f.key, grid, r, cols[n], vals, n)
        for f, n in typed:  # (the same for a later stage's 完成值, as the number it holds)
            if vals[n].__class__ in (int, float):
                shown = res.percent(base + f.key, grid, r, cols[n], vals[n])
                vals[n] = shown if base + f.key in res.percents else vals[n]
        ind: dict[str, Any] = {key: read(vals[n]) for key, n, read in plain}
        for f, n, read in dotted:
            f.set(ind, read(vals[n]))
        for f, n, parts in compound:
            f.set(ind, f.kind.read_parts(vals[n], {p: (vals[j] if j is not None else None) for p, j in parts}))
        out.append(ind)
    return out


def _percent_value(res: ReadResult, path: str, grid: Grid, r: int, c: int, vals: list[Any], n: int) -> None:
    """A 指标值 shown as a percentage becomes its text (0.95 -> 95%)."""
    shown = res.percent(path, grid, r, c, vals[n])
    if path in res.percents:
        vals[n] = format_number(shown) + "%"


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value


# The reader of each block kind: (result, grid, template, sheet spec, block name, block, path prefix, data).
READERS: dict[str, Callable[..., None]] = {
    "fields": lambda res, grid, t, sheet, name, block, prefix, data: _read_fields(
        res, grid, t.fields.block_fields(_scope(t, sheet), name), prefix, data),
    "checkpoints": lambda res, grid, t, sheet, name, block, prefix, data: _set(
        data, block.key, _read_checkpoints(res, grid, t, prefix)),
    "list": lambda res, grid, t, sheet, name, block, prefix, data: _set(
        data, block.key, _read_list(res, grid, block, prefix + block.key, t.fields.next_anchor(sheet, name))),
    "table": lambda res, grid, t, sheet, name, block, prefix, data: _set(
        data, block.key, _read_table(res, grid, t, prefix, t.fields.next_anchor(sheet, name))),
}


def _scope(t: Template, sheet: Any) -> str:
    return "unit" if sheet is t.unit else "project"


def _read_sheet(res: ReadResult, grid: Grid, t: Template, sheet: Any, prefix: str, data: dict[str, Any]) -> None:
    for name, block in sheet.ordered():
        READERS[block.kind](res, grid, t, sheet, name, block, prefix, data)


def _read_project(res: ReadResult, grid: Grid, t: Template, prefix: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    _read_sheet(res, grid, t, t.project, prefix + ".", data)
    return data


def _blank(v: Any) -> bool:
    if isinstance(v, dict):
        return all(_blank(x) for x in v.values())
    if isinstance(v, list):
        return all(_blank(x) for x in v)
    return v is None


# ---- the workbook ----------------------------------------------------------------------------------

def _is_meta(grid: Grid) -> bool:
    return grid.get(0, 0) == "mark" and grid.get(0, 1) == META_MARK


def _resolve_template(meta: dict[str, str] | None, visible: dict[str, str] | None,
                      given: Template | None) -> Template:
    if given is not None:
        return given
    known = builtin_templates()
    for ref in ({"id": meta.get("template_id")} if meta else None, visible):
        if ref and ref.get("id") in known:
            try:
                return load_template(ref["id"])
            except ReadError:
                pass
    return load_template()


def read_grids(path: str, grids: list[Grid], template: Template | None = None,
               percent_cells: Callable[[str, int, int], bool | None] | None = None) -> ReadResult:
    """Read a workbook's grids; ``percent_cells(sheet, row, col)`` says whether a cell shows its
    number as a percentage (without it, or where it cannot tell, a number reads as it stands)."""
    probe = template or load_template()
    if {sheet_name(probe, s) for s in ("projects", "indicators", "units")} <= {g.name for g in grids}:
        raise ReadError("is-consolidated", path=path)  # (merge's own output, e.g. left in the inbox)
    meta_grid = next((g for g in grids if _is_meta(g)), None)
    meta, meta_notes = read_meta(meta_grid) if meta_grid else (None, [])
    # A first look with the default labels is enough to find the template reference.
    ref_field = probe.fields.get("template", "unit")
    visible = None
    unit_grid = next((g for g in grids if g is not meta_grid and g.find(probe.fields.unit[0].label)), None)
    if unit_grid is not None and ref_field is not None and (at := unit_grid.find(ref_field.label)) is not None:
        visible = ref_field.kind.read(unit_grid.get(at[0], at[1] + 1))
    t = _resolve_template(meta, visible, template)

    res = ReadResult(path=path, doc=Submission(), meta=meta, template=t, percent_cells=percent_cells,
                     notes=meta_notes)
    res.notes += check_issued(meta, t)
    data: dict[str, Any] = {"schema": SCHEMA}
    unit_grid = next((g for g in grids if g is not meta_grid and g.find(t.fields.unit[0].label)), None)
    table_anchor = t.fields.indicator[0].label
    code_label = t.fields.field("code").label
    project_grids = [g for g in grids if g is not meta_grid and g is not unit_grid
                     and g.find(code_label) and g.find(table_anchor)]
    if unit_grid is None and not project_grids:
        raise ReadError("no-form", path=path)
    check_indicator_rows(path, project_grids, table_anchor)
    if unit_grid is not None:
        _read_unit(res, unit_grid, t, data)
    t = res.template = _at_month(t, data, res)
    data["stage"] = t.stage_kind
    if unit_grid is None and meta:
        data["unit"] = {"code": meta.get("unit_code") or None, "name": meta.get("unit_name") or None,
                        "region": meta.get("unit_region") or None}
        data["year"] = int(meta["year"]) if meta.get("year", "").isdigit() else None
    if meta is None:
        res.notes.append(Finding("metadata-missing", "warning"))
    # The template a workbook was made with: the metadata says, else the visible cell, else the one used.
    if meta and meta.get("template_id") and meta.get("template_version"):
        data["template"] = {"id": meta["template_id"], "version": meta["template_version"]}
    elif not data.get("template"):
        data["template"] = {"id": t.id, "version": t.version}
    data["projects"] = []
    mark = message("workbook.added-mark", t.language)
    for g in project_grids:
        prefix = f"projects[{len(data['projects'])}]"
        since = res.mark()
        p = _read_project(res, g, t, prefix)
        if _blank(p):
            res.forget(prefix, since)  # a spare sheet nobody filled
            continue
        if g.find(mark) is not None:
            p["added"] = True  # a sheet for a project the unit adds
        data["projects"].append(p)
        res.project_sheets.append(g.name)
    _mark_added(data["projects"], res.issued())
    res.doc = Submission.model_validate(data)
    summary_grid = next((g for g in grids if g is not meta_grid and _is_summary(g, t)), None)
    if summary_grid is not None:
        res.summary = _read_summary(summary_grid, t)
    return res


def _at_month(t: Template, data: dict[str, Any], res: ReadResult) -> Template:
    """A monitoring form's labels say its month (1–7月执行数): the month on the unit sheet, else
    the one issued in the metadata."""
    if t.stage_kind != "monitor":
        return t
    month = data.get("month")
    if not isinstance(month, int):
        month = data["month"] = (res.issued() or {}).get("month")
    return t.at_month(month if isinstance(month, int) and 1 <= month <= 12 else None)


def _mark_added(projects: list[dict[str, Any]], issued: dict[str, Any] | None) -> None:
    """A project no issued project pairs with (a copied sheet given a new code and name) was added
    by the unit too, when the workbook records what was issued."""
    if not issued or not issued.get("projects"):
        return
    for i, j in match_projects(keys(projects), keys(issued["projects"])):
        if i is not None and j is None and (projects[i].get("code") or projects[i].get("name")):
            projects[i]["added"] = True  # (one without code and name cannot be told from an issued one)


def _read_unit(res: ReadResult, grid: Grid, t: Template, data: dict[str, Any]) -> None:
    res.unit_sheet = grid.name
    _read_sheet(res, grid, t, t.unit, "", data)


# ---- the summary sheet (汇总) ----------------------------------------------------------------------

def _summary_header(g: Grid, t: Template) -> tuple[int, dict[str, int]] | None:
    code = t.fields.field("code")
    at = g.find(code.header)
    count = message("workbook.summary-indicators", t.language)
    if at is None or g.find_in_row(at[0], count) is None:
        return None
    r = at[0]
    cols = {f.key: g.find_in_row(r, f.header) for f in t.fields.project if f.spec.summary}
    cols["count"] = g.find_in_row(r, count)
    return r, {k: c for k, c in cols.items() if c is not None}


def _is_summary(g: Grid, t: Template) -> bool:
    return g.find(t.fields.indicator[0].label) is None and _summary_header(g, t) is not None


def _read_summary(g: Grid, t: Template) -> list[dict[str, tuple[Any, CellRef]]]:
    header = _summary_header(g, t)
    if header is None:
        return []
    hr, cols = header
    total = norm_label(message("workbook.total", t.language))
    rows = []
    for r in range(hr + 1, g.nrows):
        first = g.get(r, 0)
        if isinstance(first, str) and norm_label(first) == total:
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

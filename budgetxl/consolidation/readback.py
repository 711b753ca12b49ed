"""Reading a consolidated workbook back (split): every unit as a submission document.

The columns are found by their headings, as form.consolidated makes them for the template; a
field's kind turns its column(s) back into its value. 单位概况 gives the units and their overview,
项目明细 the projects, 绩效指标明细 the indicators.
"""

from __future__ import annotations

import os
import re
from typing import Any

from ..errors import ReadError
from ..files.grids import cell_text, load_checked
from ..files.intake import Limits
from ..form import DEFAULT_TEMPLATE, Template, builtin_templates, load_template
from ..form import consolidated as C
from ..messages import message
from ..model import Submission
from ..values import to_decimal
from .status import status_code


def consolidated_limits() -> Limits:
    # A province's consolidated file: thousands of units, millions of cells; still bounded.
    return Limits(max_file_bytes=1 << 30, max_member_bytes=4 << 30, max_total_bytes=8 << 30, max_ratio=1000,
                  max_sheet_cells=60_000_000, max_total_cells=120_000_000, max_total_rows=20_000_000,
                  max_cell_records=120_000_000, max_text_bytes=8 << 30, max_xml_elements=500_000_000,
                  max_biff_bytes=1 << 30, max_dimension_cells=120_000_000)


class _Sheet:
    """One detail sheet: its rows, with cells found by their headings."""

    def __init__(self, rows: list[list[Any]]):
        # (a heading's second line is the unit of its amounts, 预算数 / （万元）: the first line names it)
        self.header = {str(h).split("\n")[0].strip(): i for i, h in enumerate(rows[0] if rows else [])
                       if h not in (None, "")}
        self.rows = [r for r in rows[1:] if any(v not in (None, "") for v in r)]

    def get(self, row: list[Any], header: str) -> Any:
        i = self.header.get(header)
        if i is None or i >= len(row):
            return None
        return None if row[i] == "" else row[i]

    def numbered(self, pattern: str) -> list[tuple[int, int]]:
        """The columns whose heading is ``pattern`` with a number ({n}), in number order."""
        regex = re.compile(re.escape(pattern).replace(re.escape("{n}"), r"(\d+)"))
        return sorted((int(m[1]), c) for h, c in self.header.items() if (m := regex.fullmatch(h)))


def _fields(sheet: _Sheet, row: list[Any], fields: list[Any], template: Template, data: dict[str, Any]) -> None:
    for f in fields:
        if not f.stored:
            continue  # (a computed column: shown, never data)
        cols = C.field_columns(f, template)
        if cols and any(c.header in sheet.header for c in cols):
            f.set(data, f.kind.from_columns([sheet.get(row, c.header) for c in cols]))


def _items(sheet: _Sheet, row: list[Any], template: Template, block: Any) -> list[str]:
    return [t for _, c in sheet.numbered(_pattern(template, block)) if c < len(row) and (t := cell_text(row[c] or None)) is not None]


def _pattern(template: Template, block: Any) -> str:
    spec = block.column
    if spec.header:
        return spec.header
    return message("col.numbered", template.language, name=block.name or block.label, n="{n}")


def _number(v: Any) -> int | None:
    d = to_decimal(None if v == "" else v)
    return int(d) if d is not None else None


def read_consolidated(path: str | os.PathLike[str], template: Template | None = None) -> list[Submission]:
    """Every unit of a consolidated workbook as a submission document, in 单位概况 order, read in
    ``template`` or else in the form it was consolidated in (its 模板 column: the targets, or a
    later stage's at its month)."""
    grids, _ = load_checked(path, consolidated_limits())
    if template is not None:
        return _read(grids, template, path)
    docs = _read(grids, load_template(), path)
    ref = docs[0].template.id if docs and docs[0].template else None
    if ref not in builtin_templates() or ref == DEFAULT_TEMPLATE:
        return docs
    t = load_template(ref)
    docs = _read(grids, t, path)
    month = docs[0].month if docs else None
    return _read(grids, t.at_month(month), path) if month and month != t.month else docs


def consolidated_form(path: str | os.PathLike[str]) -> Template:
    """The built-in form a consolidated workbook was consolidated in, told by the headings of its
    项目明细 and 绩效指标明细 (which hold them even when no unit was counted): the form most of
    whose headings it has."""
    from ..form.template import STAGE_TEMPLATES

    grids, _ = load_checked(path, consolidated_limits())
    t0 = load_template()
    names = {C.sheet_name(t0, w) for w in ("projects", "indicators")}
    found = {str(h).split("\n")[0].strip() for g in grids if g.name in names for h in (g.rows[0] if g.rows else [])}

    def share(t: Template) -> float:
        heads = {c.header.split("\n")[0] for c in [*C.project_columns(t, 1), *C.indicator_columns(t)]}
        return len(heads & found) / len(heads)

    return max((load_template(ref) for ref in dict.fromkeys(STAGE_TEMPLATES.values())), key=share)


def _read(grids: list[Any], t: Template, path: str | os.PathLike[str]) -> list[Submission]:
    names = {w: C.sheet_name(t, w) for w in ("units", "projects", "indicators")}
    sheets = {g.name: _Sheet([["" if v is None else v for v in row] for row in g.rows])
              for g in grids if g.name in names.values()}
    if set(sheets) != set(names.values()):
        raise ReadError("not-consolidated", path=str(path))
    table = t.fields
    units, projects, indicators = (sheets[names[w]] for w in ("units", "projects", "indicators"))
    code_header = table.field("unit.code", "unit").header
    docs: dict[str, dict[str, Any]] = {}
    for r in units.rows:
        data: dict[str, Any] = {}
        _fields(units, r, table.unit, t, data)
        for block in table.lists["unit"]:
            _set(data, block.key, _items(units, r, t, block))
        if not data.get("template"):
            data.pop("template", None)  # (no template columns: the default template applies)
        data["projects"] = {}
        data["stage"] = t.stage_kind
        docs[cell_text(units.get(r, code_header)) or ""] = data
    project_no = message("col.project_no", t.language)
    cp = table.checkpoints
    plan = [(m, (cp.column.header or cp.month_label).format(month=m)) for m in cp.months] if cp else []
    for r in projects.rows:
        unit = docs.get(cell_text(projects.get(r, code_header)) or "")
        if unit is None:
            continue
        p: dict[str, Any] = {}
        _fields(projects, r, table.project, t, p)
        if table.checkpoints is not None:
            p[table.checkpoints.key] = [{"month": m, "percent": to_decimal(projects.get(r, h))} for m, h in plan]
        for block in table.lists["project"]:
            p[block.key] = _items(projects, r, t, block)
        p["indicators"] = []
        unit["projects"][_number(projects.get(r, project_no))] = p
    for r in indicators.rows:
        unit = docs.get(cell_text(indicators.get(r, code_header)) or "")
        project = unit["projects"].get(_number(indicators.get(r, project_no))) if unit else None
        if project is not None:
            ind: dict[str, Any] = {}
            _fields(indicators, r, [f for f in table.indicator if f.part_of is None], t, ind)
            project["indicators"].append(ind)
    out = []
    for data in docs.values():
        data["projects"] = [data["projects"][k] for k in sorted(data["projects"], key=lambda x: x or 0)]
        out.append(Submission.model_validate(data))
    return out


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    for p in parts[:-1]:
        data = data.setdefault(p, {})
    data[parts[-1]] = value



def read_consolidated_units(path: str | os.PathLike[str], template: Template | None = None) -> list[Any]:
    """Every unit the summary sheet (汇总) lists, in its order, with its status (a status code such
    as ``missing``, whatever language the sheet was written in): those that failed or never
    reported too (split issues them a workbook as well). Objects with ``code``, ``name``,
    ``region`` and ``status``."""
    from types import SimpleNamespace

    t = template or load_template()
    grids, _ = load_checked(path, consolidated_limits())
    summary = next((g for g in grids if g.name == C.sheet_name(t, "summary")), None)
    if summary is None:
        return []
    table = t.fields
    headers = {k: table.field(k, "unit").header for k in ("unit.code", "unit.name", "unit.region")
               if table.get(k, "unit") is not None}
    status_header = message("col.status", t.language)
    rows = [["" if v is None else v for v in row] for row in summary.rows]
    top = next((i for i, r in enumerate(rows) if headers.get("unit.code") in [str(v).split("\n")[0] for v in r]), None)
    if top is None:
        return []
    sheet = _Sheet(rows[top:])
    out = []
    for r in sheet.rows:
        code = cell_text(sheet.get(r, headers["unit.code"]))
        if not code or code == message("col.total-row", t.language):
            continue
        out.append(SimpleNamespace(code=code, name=cell_text(sheet.get(r, headers.get("unit.name", ""))),
                                   region=cell_text(sheet.get(r, headers.get("unit.region", ""))),
                                   status=status_code(cell_text(sheet.get(r, status_header)))))
    return out

"""Small tables a user gives: the roster (which units a city issues workbooks to) and a budget
list (this year's projects and amounts per unit), as CSV (UTF-8 or GBK) or a spreadsheet."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BudgetxlError
from ..values import to_decimal
from .grids import cell_text

HEADERS = {
    "code": "code", "单位编码": "code", "单位代码": "code",
    "name": "name", "单位名称": "name",
    "region": "region", "行政区划代码": "region", "区划代码": "region",
}
BUDGET_HEADERS = {
    "unit_code": "unit_code", "单位编码": "unit_code", "project_code": "code", "项目编码": "code",
    "project_name": "name", "项目名称": "name", "total": "total", "预算数": "total",
    "fiscal": "fiscal", "财政资金": "fiscal", "其中：财政资金": "fiscal", "other": "other", "其他资金": "other",
}


@dataclass(frozen=True)
class RosterUnit:
    code: str
    name: str
    region: str | None = None


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("utf-8", data[:1], 0, 1, "neither UTF-8 nor GBK")


def _cell(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return "" if v is None else str(v).strip()


def read_table(path: str | os.PathLike[str], error: str = "bad-roster") -> list[list[Any]]:
    """The rows of a small table a user gives us: the first sheet of a spreadsheet (through
    intake) or a CSV in UTF-8 or GBK. Empty cells are ""."""
    return [row for _, row in read_table_lines(path, error)]


def read_table_lines(path: str | os.PathLike[str], error: str = "bad-roster") -> list[tuple[int, list[Any]]]:
    """:func:`read_table` with each row's line number (the CSV line, or the spreadsheet row) as
    the user sees it in the file, for messages that point at a row."""
    path = Path(path)
    try:
        if path.is_dir():
            raise BudgetxlError("input-is-folder", path=str(path))
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
            from .grids import load_checked

            grids, _ = load_checked(path)
            rows = grids[0].rows if grids else []
            return [(i, [("" if v is None else v) for v in row]) for i, row in enumerate(rows, start=1)]
        reader = csv.reader(io.StringIO(_decode(path.read_bytes())))
        out, line = [], 1
        try:
            for row in reader:
                out.append((line, row))
                line = reader.line_num + 1
        except csv.Error:
            raise BudgetxlError(error, path=str(path), detail=BudgetxlError("table-csv", line=line)) from None
        return out
    except FileNotFoundError:
        raise BudgetxlError("file-not-found", path=str(path)) from None
    except BudgetxlError:
        raise
    except UnicodeDecodeError:
        raise BudgetxlError(error, path=str(path), detail=BudgetxlError("table-encoding")) from None
    except OSError as exc:
        raise BudgetxlError(error, path=str(path), detail=BudgetxlError("table-unreadable", code=exc.errno or "")) from None


def load_roster(path: str | os.PathLike[str]) -> list[RosterUnit]:
    """Units from a CSV or XLSX with headers code,name,region or 单位编码,单位名称,行政区划代码."""
    path = Path(path)
    rows = [[_cell(v) for v in row] for row in read_table(path)]
    rows = [r for r in rows if any(r)]
    if not rows:
        raise BudgetxlError("bad-roster", path=str(path), detail=BudgetxlError("roster-empty"))
    header = [HEADERS.get(h.strip().lower(), HEADERS.get(h.strip())) for h in rows[0]]
    if "code" not in header or "name" not in header:
        raise BudgetxlError("bad-roster", path=str(path), detail=BudgetxlError("roster-headers"))
    units, seen = [], set()
    for row in rows[1:]:
        rec = {k: row[i] if i < len(row) else "" for i, k in enumerate(header) if k}
        if not rec.get("code"):
            continue
        if rec["code"] in seen:
            raise BudgetxlError("bad-roster", path=str(path), detail=BudgetxlError("roster-duplicate", code=rec["code"]))
        seen.add(rec["code"])
        units.append(RosterUnit(rec["code"], rec.get("name", ""), rec.get("region") or None))
    return units


@dataclass
class BudgetList:
    """A budget list: each project row with its unit and the line it is on, in file order."""

    path: str
    rows: list[tuple[int, str, dict[str, Any]]]  # (line, unit code, the project's issued part)

    def by_unit(self) -> dict[str, list[dict[str, Any]]]:
        """Projects grouped by unit, in file order, as the issued part of a submission's projects."""
        out: dict[str, list[dict[str, Any]]] = {}
        for _, unit, project in self.rows:
            out.setdefault(unit, []).append(project)
        return out

    def check_units(self, known: Iterable[str]) -> None:
        """Refuse the list when a row names a unit that is not in ``known`` (the roster), saying
        which lines: a row for a unit nobody issues to would be lost without a word."""
        known = set(known)
        stray = [(line, unit) for line, unit, _ in self.rows if unit not in known]
        if stray:
            from ..messages import Joined, Phrase

            parts = [Phrase("budget-line", {"line": line, "unit": unit}) for line, unit in stray[:20]]
            shown = Joined((*parts, *(["…"] if len(stray) > 20 else [])), "sep.comma")
            raise BudgetxlError("budget-unknown-units", path=self.path, n=len(stray), lines=shown)


def read_budget_list(path: str | os.PathLike[str]) -> BudgetList:
    """A budget list (CSV/XLSX): unit_code, project_code, project_name, total, fiscal, other (or
    单位编码, 项目编码, 项目名称, 预算数, 财政资金, 其他资金)."""
    p = Path(path)
    rows = read_table_lines(p, "bad-budget")
    if not rows:
        return BudgetList(str(p), [])
    header = [BUDGET_HEADERS.get(str(h).strip()) for h in rows[0][1]]
    if "unit_code" not in header or "code" not in header:
        raise BudgetxlError("bad-budget", path=str(p), detail=BudgetxlError("budget-headers"))
    out = []
    for line, row in rows[1:]:
        rec = {k: (row[i] if i < len(row) else None) for i, k in enumerate(header) if k}
        unit = cell_text(rec.get("unit_code") or None)
        if not unit:
            continue
        amounts = {}
        for k in ("total", "fiscal", "other"):
            raw = rec.get(k) if rec.get(k) != "" else None
            amounts[k] = to_decimal(raw)
            if raw is not None and amounts[k] is None:
                raise BudgetxlError("bad-budget", path=str(p), detail=BudgetxlError("budget-amount", line=line, value=raw))
        out.append((line, unit, {"code": cell_text(rec.get("code") or None), "name": cell_text(rec.get("name") or None),
                                 "budget": amounts}))
    return BudgetList(str(p), out)


def load_budget_list(path: str | os.PathLike[str]) -> dict[str, list[dict[str, Any]]]:
    """A budget list's projects grouped by unit, in file order (see :func:`read_budget_list`)."""
    return read_budget_list(path).by_unit()

"""Small tables a user gives: the roster (which units a city issues workbooks to) and a budget
list (this year's projects and amounts per unit), as CSV (UTF-8 or GBK) or a spreadsheet."""

from __future__ import annotations

import csv
import io
import os
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
    raise ValueError("unknown text encoding")


def _cell(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return "" if v is None else str(v).strip()


def read_table(path: str | os.PathLike[str], error: str = "bad-roster") -> list[list[Any]]:
    """The rows of a small table a user gives us: the first sheet of a spreadsheet (through
    intake) or a CSV in UTF-8 or GBK. Empty cells are ""."""
    path = Path(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
            from .grids import load_checked

            grids, _ = load_checked(path)
            return [[("" if v is None else v) for v in row] for row in (grids[0].rows if grids else [])]
        return list(csv.reader(io.StringIO(_decode(path.read_bytes()))))
    except FileNotFoundError:
        raise BudgetxlError("file-not-found", path=str(path)) from None
    except BudgetxlError:
        raise
    except Exception as exc:
        raise BudgetxlError(error, path=str(path), detail=str(exc)[:200]) from None


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


def load_budget_list(path: str | os.PathLike[str]) -> dict[str, list[dict[str, Any]]]:
    """A budget list (CSV/XLSX): unit_code, project_code, project_name, total, fiscal, other (or
    单位编码, 项目编码, 项目名称, 预算数, 财政资金, 其他资金). Projects grouped by unit, in file order,
    as the issued part of a submission's projects."""
    p = Path(path)
    rows = read_table(p, "bad-budget")
    if not rows:
        return {}
    header = [BUDGET_HEADERS.get(str(h).strip()) for h in rows[0]]
    if "unit_code" not in header or "code" not in header:
        raise BudgetxlError("bad-budget", path=str(p), detail=BudgetxlError("budget-headers"))
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows[1:]:
        rec = {k: (row[i] if i < len(row) else None) for i, k in enumerate(header) if k}
        unit = cell_text(rec.get("unit_code") or None)
        if not unit:
            continue
        out.setdefault(unit, []).append({
            "code": cell_text(rec.get("code") or None), "name": cell_text(rec.get("name") or None),
            "budget": {k: to_decimal(rec.get(k) if rec.get(k) != "" else None) for k in ("total", "fiscal", "other")},
        })
    return out

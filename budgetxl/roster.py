"""The roster: which units a city issues workbooks to (CSV or XLSX)."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .findings import BudgetxlError

HEADERS = {
    "code": "code", "单位编码": "code", "单位代码": "code",
    "name": "name", "单位名称": "name",
    "region": "region", "行政区划代码": "region", "区划代码": "region",
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


def read_table(path: str | os.PathLike[str]) -> list[list[Any]]:
    """The rows of a small table a user gives us (roster, budget list): the first sheet of a
    spreadsheet (through intake) or a CSV in UTF-8 or GBK. Empty cells are ""."""
    path = Path(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
            from .reader import load_checked

            grids, _ = load_checked(path)
            return [[("" if v is None else v) for v in row] for row in (grids[0].rows if grids else [])]
        return list(csv.reader(io.StringIO(_decode(path.read_bytes()))))
    except FileNotFoundError:
        raise BudgetxlError("file-not-found", path=str(path)) from None
    except BudgetxlError:
        raise
    except Exception as exc:
        raise BudgetxlError("bad-roster", path=str(path), detail=str(exc)[:200]) from None


def load_roster(path: str | os.PathLike[str]) -> list[RosterUnit]:
    """Units from a CSV or XLSX with headers code,name,region or 单位编码,单位名称,行政区划代码."""
    path = Path(path)
    rows = [[_cell(v) for v in row] for row in read_table(path)]
    rows = [r for r in rows if any(r)]
    if not rows:
        raise BudgetxlError("bad-roster", path=str(path), detail="empty")
    header = [HEADERS.get(h.strip().lower(), HEADERS.get(h.strip())) for h in rows[0]]
    if "code" not in header or "name" not in header:
        raise BudgetxlError("bad-roster", path=str(path), detail="headers must be code,name,region or 单位编码,单位名称,行政区划代码")
    units, seen = [], set()
    for row in rows[1:]:
        rec = {k: row[i] if i < len(row) else "" for i, k in enumerate(header) if k}
        if not rec.get("code"):
            continue
        if rec["code"] in seen:
            raise BudgetxlError("bad-roster", path=str(path), detail=f"unit code {rec['code']} appears twice")
        seen.add(rec["code"])
        units.append(RosterUnit(rec["code"], rec.get("name", ""), rec.get("region") or None))
    return units

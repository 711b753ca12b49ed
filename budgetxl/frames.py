"""A submission as pandas DataFrames, for analysts (``Submission.projects_frame()`` and
``Submission.indicators_frame()``).

Columns follow the JSON contract's keys, not a template: amounts (万元) and indicator numbers are
floats, codes and text are pandas strings (a code such as 414001 never turns into a number), the
year is a nullable integer. Fields a template adds appear as ``extra.<key>`` columns.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

AMOUNTS = ("total", "fiscal", "other")


def _unit(doc: Any) -> dict[str, Any]:
    return {"unit_code": doc.unit.code, "unit_name": doc.unit.name, "year": doc.year}


def _extras(row: dict[str, Any], extra: dict[str, Any], numeric: set[str]) -> None:
    for key, value in extra.items():
        col = f"extra.{key}"
        row[col] = value
        if isinstance(value, (int, Decimal)):
            numeric.add(col)


def _frame(rows: list[dict[str, Any]], columns: list[str], numeric: set[str], integer: set[str]):
    import pandas as pd

    for r in rows:
        for c in r:
            if c not in columns:
                columns.append(c)
    frame = pd.DataFrame.from_records(rows, columns=columns)
    types = {}
    for c in columns:
        if c in integer:
            types[c] = "Int64"
        elif c in numeric:
            frame[c] = [None if v is None else float(v) for v in frame[c]]
            types[c] = "float64"
        elif c != "goals":
            types[c] = "string"
    return frame.astype(types)


def projects_frame(doc: Any):
    months = sorted({sp.month for p in doc.projects for sp in p.spending_plan})
    numeric = {*AMOUNTS, *(f"plan_m{m}" for m in months)}
    rows = []
    for p in doc.projects:
        row = {**_unit(doc), "code": p.code, "name": p.name,
               **{k: getattr(p.budget, k) for k in AMOUNTS}, "purpose": p.purpose}
        plan = {sp.month: sp.percent for sp in p.spending_plan}
        row.update({f"plan_m{m}": plan.get(m) for m in months})
        row["goals"] = list(p.goals)
        row["indicators"] = len(p.indicators)
        _extras(row, p.extra, numeric)
        rows.append(row)
    columns = ["unit_code", "unit_name", "year", "code", "name", *AMOUNTS, "purpose",
               *(f"plan_m{m}" for m in months), "goals", "indicators"]
    return _frame(rows, columns, numeric, {"year", "indicators"})


def indicators_frame(doc: Any):
    numeric = {"number"}
    rows = []
    for p in doc.projects:
        for ind in p.indicators:
            v = ind.value
            row = {**_unit(doc), "project_code": p.code, "project_name": p.name, "level1": ind.level1,
                   "level2": ind.level2, "name": ind.name, "description": ind.description,
                   "value": v.text if v else None, "op": v.op if v else None, "number": v.number if v else None,
                   "unit": v.unit if v else None, "kind": v.kind if v else None, "basis": ind.basis}
            _extras(row, ind.extra, numeric)
            rows.append(row)
    columns = ["unit_code", "unit_name", "year", "project_code", "project_name", "level1", "level2", "name",
               "description", "value", "op", "number", "unit", "kind", "basis"]
    return _frame(rows, columns, numeric, {"year"})

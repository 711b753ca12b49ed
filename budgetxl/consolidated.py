"""The consolidated workbook: its sheets and columns, written by merge and read back by split.

Sheet names are a contract (汇总, 项目明细, 绩效指标明细, 报送情况, 校验问题, 图表); 单位概况 is
added so that the consolidated file alone can rebuild every unit's workbook. Both directions use
the column tables below.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .model import Submission
from .values import QUALITATIVE_OP, to_decimal

SUMMARY = "汇总"
UNITS = "单位概况"
PROJECTS = "项目明细"
INDICATORS = "绩效指标明细"
STATUS = "报送情况"
FINDINGS = "校验问题"
CHARTS = "图表"

STATUS_SUBMITTED = "已报送"
STATUS_MISSING = "未报送"
STATUS_INVALID = "校验未通过"
STATUS_SUPERSEDED = "已被替代"
STATUS_DUPLICATE = "重复文件"
STATUS_UNREADABLE = "无法读取"
STATUS_UNKNOWN_UNIT = "无法识别单位"
STATUS_NOT_IN_ROSTER = "名单外"
STATUS_INCLUDED_INVALID = "校验未通过（已计入）"


@dataclass(frozen=True)
class Col:
    key: str  # data-file column name (English)
    header: str  # workbook header (Chinese)
    kind: str = "text"  # text | amount | int | percent
    width: int = 14


UNIT_COLS = [
    Col("unit_code", "单位编码", width=10), Col("unit_name", "单位名称", width=30),
    Col("region", "行政区划代码", width=12), Col("year", "预算年度", "int", 9),
]
PROJECT_COLS = [
    *UNIT_COLS, Col("project_no", "项目序号", "int", 8), Col("project_code", "项目编码", width=24),
    Col("project_name", "项目名称", width=36), Col("total", "预算数", "amount", 12),
    Col("fiscal", "财政资金", "amount", 12), Col("other", "其他资金", "amount", 12),
    Col("purpose", "资金用途", width=40), Col("indicator_count", "指标数", "int", 8),
]
INDICATOR_COLS = [
    Col("unit_code", "单位编码", width=10), Col("unit_name", "单位名称", width=24),
    Col("project_no", "项目序号", "int", 8), Col("project_code", "项目编码", width=24),
    Col("project_name", "项目名称", width=30), Col("indicator_no", "指标序号", "int", 8),
    Col("level1", "一级指标", width=12), Col("level2", "二级指标", width=16), Col("name", "三级指标", width=24),
    Col("description", "绩效指标描述", width=30), Col("value", "指标值", width=16), Col("op", "计算符号", width=8),
    Col("number", "数值", "amount", 10), Col("unit", "计量单位", width=8), Col("kind", "类型", width=12),
    Col("basis", "指标值确定依据", width=20),
]
OVERVIEW_COLS = [*UNIT_COLS, Col("template_id", "模板", width=16), Col("template_version", "模板版本", width=12),
                 Col("overall", "总体绩效目标", width=60)]
SUMMARY_COLS = [
    *UNIT_COLS, Col("projects", "项目数", "int", 8), Col("total", "预算数", "amount", 14),
    Col("fiscal", "财政资金", "amount", 14), Col("other", "其他资金", "amount", 14),
    Col("indicators", "指标数", "int", 8), Col("status", "状态", width=18), Col("file", "文件", width=40),
]
STATUS_COLS = [
    Col("unit_code", "单位编码", width=10), Col("unit_name", "单位名称", width=30), Col("status", "状态", width=16),
    Col("file", "文件", width=44), Col("sha256", "SHA-256", width=20), Col("saved", "保存时间", width=20),
    Col("errors", "错误数", "int", 8), Col("warnings", "警告数", "int", 8), Col("note", "说明", width=40),
]
FINDING_COLS = [
    Col("file", "文件", width=40), Col("unit_code", "单位编码", width=10), Col("unit_name", "单位名称", width=24),
    Col("rule", "规则", width=22), Col("severity", "级别", width=8), Col("sheet", "工作表", width=24),
    Col("cell", "单元格", width=8), Col("message", "说明", width=60),
]

PLAN_HEADER = "{month}月底(%)"
GOAL_HEADER = "绩效目标{n}"
ITEM_HEADER = "分项绩效目标{n}"
SAFEGUARD_HEADER = "工作保障措施{n}"


def unit_values(doc: Submission) -> dict[str, Any]:
    return {"unit_code": doc.unit.code, "unit_name": doc.unit.name, "region": doc.unit.region, "year": doc.year}


def project_rows(doc: Submission, months: list[int]) -> Iterable[dict[str, Any]]:
    base = unit_values(doc)
    for i, p in enumerate(doc.projects, start=1):
        plan = {sp.month: sp.percent for sp in p.spending_plan}
        row = {
            **base, "project_no": i, "project_code": p.code, "project_name": p.name,
            "total": p.budget.total, "fiscal": p.budget.fiscal, "other": p.budget.other, "purpose": p.purpose,
            "indicator_count": len(p.indicators),
        }
        for m in months:
            row[f"plan_m{m}"] = plan.get(m)
        for n, g in enumerate(p.goals, start=1):
            row[f"goal_{n}"] = g
        yield row


def indicator_rows(doc: Submission) -> Iterable[dict[str, Any]]:
    for i, p in enumerate(doc.projects, start=1):
        for k, ind in enumerate(p.indicators, start=1):
            v = ind.value
            yield {
                "unit_code": doc.unit.code, "unit_name": doc.unit.name, "project_no": i,
                "project_code": p.code, "project_name": p.name, "indicator_no": k,
                "level1": ind.level1, "level2": ind.level2, "name": ind.name, "description": ind.description,
                "value": v.text if v else None, "op": v.op if v else None,
                "number": v.number if v else None, "unit": v.unit if v else None,
                "kind": v.kind if v else None, "basis": ind.basis,
            }


def overview_row(doc: Submission) -> dict[str, Any]:
    row = {**unit_values(doc), "template_id": doc.template.id, "template_version": doc.template.version,
           "overall": doc.overview.overall}
    for n, item in enumerate(doc.overview.items, start=1):
        row[f"item_{n}"] = item
    for n, item in enumerate(doc.overview.safeguards, start=1):
        row[f"safeguard_{n}"] = item
    return row


def project_columns(months: list[int], max_goals: int) -> list[Col]:
    return [
        *PROJECT_COLS,
        *(Col(f"plan_m{m}", PLAN_HEADER.format(month=m), "percent", 9) for m in months),
        *(Col(f"goal_{n}", GOAL_HEADER.format(n=n), width=36) for n in range(1, max_goals + 1)),
    ]


def overview_columns(max_items: int, max_safeguards: int) -> list[Col]:
    return [
        *OVERVIEW_COLS,
        *(Col(f"item_{n}", ITEM_HEADER.format(n=n), width=40) for n in range(1, max_items + 1)),
        *(Col(f"safeguard_{n}", SAFEGUARD_HEADER.format(n=n), width=40) for n in range(1, max_safeguards + 1)),
    ]


# ---- reading a consolidated workbook back (split) -------------------------------------------

def _header_map(header: list[Any]) -> dict[str, int]:
    return {str(h).strip(): i for i, h in enumerate(header) if h not in (None, "")}


def _rows(sheet_rows: list[list[Any]]) -> tuple[dict[str, int], list[list[Any]]]:
    if not sheet_rows:
        return {}, []
    return _header_map(sheet_rows[0]), [r for r in sheet_rows[1:] if any(v not in (None, "") for v in r)]


def _text(v: Any) -> str | None:
    from .reader import cell_text

    return cell_text(None if v == "" else v)


def _get(row: list[Any], cols: dict[str, int], header: str) -> Any:
    i = cols.get(header)
    if i is None or i >= len(row):
        return None
    v = row[i]
    return None if v == "" else v


def _consolidated_limits():
    from .intake import Limits

    # A province's consolidated file: thousands of units, millions of cells; still bounded.
    return Limits(max_file_bytes=1 << 30, max_member_bytes=4 << 30, max_total_bytes=8 << 30, max_ratio=1000,
                  max_sheet_cells=60_000_000, max_total_cells=120_000_000, max_total_rows=20_000_000,
                  max_cell_records=120_000_000, max_text_bytes=8 << 30, max_xml_elements=500_000_000,
                  max_biff_bytes=1 << 30, max_dimension_cells=120_000_000)


def read_consolidated(path: str | os.PathLike[str]) -> list[Submission]:
    """Every unit of a consolidated workbook as a submission document, in 单位概况 order."""
    from .findings import ReadError
    from .reader import load_checked

    grids, _ = load_checked(path, _consolidated_limits())
    sheets = {g.name: [["" if v is None else v for v in row] for row in g.rows]
              for g in grids if g.name in (UNITS, PROJECTS, INDICATORS)}
    if set(sheets) != {UNITS, PROJECTS, INDICATORS}:
        raise ReadError("not-consolidated", path=str(path))

    def num(v: Any) -> Decimal | None:
        return to_decimal(None if v == "" else v)

    def year(v: Any) -> int | None:
        d = num(v)
        return int(d) if d is not None else None

    docs: dict[str, dict[str, Any]] = {}
    cols, rows = _rows(sheets[UNITS])
    item_cols = sorted((int(m[1]), c) for h, c in cols.items() if (m := re.fullmatch(r"分项绩效目标(\d+)", h)))
    safe_cols = sorted((int(m[1]), c) for h, c in cols.items() if (m := re.fullmatch(r"工作保障措施(\d+)", h)))
    for r in rows:
        code = _text(_get(r, cols, "单位编码"))
        docs[code or ""] = {
            "template": {"id": _text(_get(r, cols, "模板")) or "perf-targets",
                         "version": _text(_get(r, cols, "模板版本")) or "0000000000"},
            "year": year(_get(r, cols, "预算年度")),
            "unit": {"code": code, "name": _text(_get(r, cols, "单位名称")), "region": _text(_get(r, cols, "行政区划代码"))},
            "overview": {
                "overall": _text(_get(r, cols, "总体绩效目标")),
                "items": [_text(r[c]) for _, c in item_cols if c < len(r) and _text(r[c]) is not None],
                "safeguards": [_text(r[c]) for _, c in safe_cols if c < len(r) and _text(r[c]) is not None],
            },
            "projects": {},
        }
    cols, rows = _rows(sheets[PROJECTS])
    plan_cols = sorted((int(m[1]), c) for h, c in cols.items() if (m := re.fullmatch(r"(\d+)月底\(%\)", h)))
    goal_cols = sorted((int(m[1]), c) for h, c in cols.items() if (m := re.fullmatch(r"绩效目标(\d+)", h)))
    for r in rows:
        unit = docs.get(_text(_get(r, cols, "单位编码")) or "")
        if unit is None:
            continue
        no = year(_get(r, cols, "项目序号"))
        unit["projects"][no] = {
            "code": _text(_get(r, cols, "项目编码")), "name": _text(_get(r, cols, "项目名称")),
            "budget": {"total": num(_get(r, cols, "预算数")), "fiscal": num(_get(r, cols, "财政资金")),
                       "other": num(_get(r, cols, "其他资金"))},
            "purpose": _text(_get(r, cols, "资金用途")),
            "spending_plan": [{"month": m, "percent": num(r[c] if c < len(r) else None)} for m, c in plan_cols],
            "goals": [_text(r[c]) for _, c in goal_cols if c < len(r) and _text(r[c]) is not None],
            "indicators": [],
        }
    cols, rows = _rows(sheets[INDICATORS])
    for r in rows:
        unit = docs.get(_text(_get(r, cols, "单位编码")) or "")
        project = unit["projects"].get(year(_get(r, cols, "项目序号"))) if unit else None
        if project is None:
            continue
        text = _text(_get(r, cols, "指标值"))
        op = _text(_get(r, cols, "计算符号"))
        project["indicators"].append({
            "level1": _text(_get(r, cols, "一级指标")), "level2": _text(_get(r, cols, "二级指标")),
            "name": _text(_get(r, cols, "三级指标")), "description": _text(_get(r, cols, "绩效指标描述")),
            "value": None if text is None else {"text": text, "op": op if op == QUALITATIVE_OP else None},
            "basis": _text(_get(r, cols, "指标值确定依据")),
        })
    out = []
    for data in docs.values():
        data["projects"] = [data["projects"][k] for k in sorted(data["projects"], key=lambda x: x or 0)]
        out.append(Submission.model_validate(data))
    return out


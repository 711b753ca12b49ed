"""The year goes on: the monitoring (绩效运行监控) and self-evaluation (绩效自评) workbooks, issued
from each unit's targets.

A later stage's document holds what its form issues, taken from the targets: the unit, the year,
each project's code, name, amounts and goals, each indicator's 一级/二级/三级, 计算符号, 指标值 and
计量单位 (and, for the self-evaluation, 全年预算数 and the 分值 it scores with). Everything the clerk
fills starts empty. The source is a consolidated targets workbook (every unit in it), a unit's own
targets workbook, a submission JSON, or the data files' ``submissions.json`` (a list).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..consolidation.readback import read_consolidated
from ..errors import BudgetxlError, ReadError, usage_error
from ..files.tables import RosterUnit, load_budget_list
from ..form import Template, load_template
from ..form.scorecard import effective_points
from ..form.template import STAGE_TEMPLATES
from ..model import Submission
from ..workbook.documents import load_document
from ..workbook.reader import read_workbook
from ..workbook.writer import generate_workbook, workbook_filename

LATER_STAGES = ("monitor", "selfeval")
YEAR_BUDGET = "selfeval.budget"  # 全年预算数: the budget after the year's adjustments (default: 年初预算数)


@dataclass
class StageResult:
    """What ``generate_stage`` wrote, for which documents, and which roster units had no targets."""

    outputs: list[Path] = field(default_factory=list)
    documents: list[Submission] = field(default_factory=list)
    missing: list[RosterUnit] = field(default_factory=list)


def load_sources(path: str | os.PathLike[str], template: Template | None = None) -> list[Submission]:
    """Every unit's document in ``path``: a consolidated workbook, a unit workbook, a submission
    JSON or a JSON list of them (the data files' submissions.json)."""
    p = Path(path)
    if p.suffix.lower() == ".json":
        try:
            data = json.loads(p.read_bytes(), parse_float=Decimal)
        except FileNotFoundError:
            raise BudgetxlError("file-not-found", path=str(p)) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise BudgetxlError("bad-json", path=str(p), detail=str(exc).splitlines()[0][:200]) from None
        if isinstance(data, list):
            from pydantic import ValidationError

            try:
                return [Submission.model_validate(d) for d in data]
            except ValidationError as exc:
                raise BudgetxlError("bad-json", path=str(p), detail=str(exc.errors()[0]["msg"])) from None
        return [load_document(p)]
    try:
        return [read_workbook(p).doc]
    except ReadError as exc:
        if exc.key != "is-consolidated":
            raise
    return read_consolidated(p, template)  # (in the form it was consolidated in)


def _lines(goals: list[str]) -> list[str]:
    """The goals as the lines of one cell (a goal written over two lines is two lines)."""
    return [line for g in goals for line in g.split("\n") if line.strip()]


def _copy(fields: list[Any], src: Any, out: dict[str, Any]) -> None:
    for f in fields:
        if f.part_of is None and f.key != "month":
            value = f.get(src)
            if value is not None:
                f.set(out, _lines(value) if f.kind.name == "lines" else value)


def stage_document(doc: Submission, template: Template, budget: dict[str, Any] | None = None) -> Submission:
    """The document of ``template``'s stage issued from ``doc`` (the targets, or any earlier
    stage). ``budget``: 全年预算数 by project code (default: each project's 年初预算数)."""
    t, table = template, template.fields
    data: dict[str, Any] = {"template": {"id": t.id, "version": t.version}, "stage": t.stage_kind, "month": t.month}
    _copy(table.issued("unit"), doc, data)
    data["projects"] = []
    year_budget = any(f.key.startswith(YEAR_BUDGET + ".") for f in table.issued("project"))
    for p in doc.projects:
        entry: dict[str, Any] = {}
        _copy(table.issued("project"), p, entry)
        if year_budget and p.code:
            given = (budget or {}).get(p.code)
            entry.setdefault("selfeval", {})["budget"] = given if given is not None else p.budget
        entry["indicators"] = []
        for ind in p.indicators:
            item: dict[str, Any] = {}
            _copy(table.issued("indicator"), ind, item)
            entry["indicators"].append(item)
        data["projects"].append(entry)
    return effective_points(Submission.model_validate(data), t)


def stage_template(stage: str, template: Template | None = None, month: int | None = None) -> Template:
    """The form of ``stage`` (monitor or selfeval): ``template`` if given, else the built-in one;
    a monitoring form at ``month``."""
    if stage not in LATER_STAGES:
        raise usage_error("usage.stage", stage=stage)
    t = template or load_template(STAGE_TEMPLATES[stage])
    if t.stage_kind != stage:
        raise usage_error("usage.stage-template", template=t.id, stage=stage)
    return t.at_month(month)


def _budgets(path: str | os.PathLike[str] | None) -> dict[str, dict[str, dict[str, Any]]]:
    """全年预算数 from a budget list: by unit, then by project code."""
    if path is None:
        return {}
    return {unit: {p["code"]: p["budget"] for p in projects if p.get("code")}
            for unit, projects in load_budget_list(path).items()}


def _write_one(doc: Submission, outdir: str, t: Template) -> str:
    out = Path(outdir) / workbook_filename(doc.unit.code or "unit", doc.unit.name, doc.year, t)
    generate_workbook(doc, out, t)
    return str(out)


def generate_stage(source: str | os.PathLike[str], stage: str, outdir: str | os.PathLike[str],
                   roster: list[RosterUnit] | None = None, month: int | None = None,
                   budget: str | os.PathLike[str] | None = None, template: Template | None = None,
                   jobs: int = 1) -> StageResult:
    """One workbook per unit of ``source`` for ``stage`` in ``outdir`` (only the ``roster``'s units
    when given: those without targets in the source come back as ``missing``)."""
    from ..files.parallel import parallel_map

    t = stage_template(stage, template, month)
    docs = load_sources(source)
    if roster is not None:
        codes = {u.code for u in roster}
        found = {d.unit.code for d in docs}
        docs = [d for d in docs if d.unit.code in codes]
        missing = [u for u in roster if u.code not in found]
    else:
        missing = []
    if not docs:
        raise BudgetxlError("stage.empty-source", path=str(source))
    budgets = _budgets(budget)
    result = StageResult(missing=missing)
    result.documents = [stage_document(d, t, budgets.get(d.unit.code or "")) for d in docs]
    Path(outdir).mkdir(parents=True, exist_ok=True)
    result.outputs = [Path(p) for p in parallel_map(_write_one, result.documents, str(outdir), t, jobs=jobs)]
    return result

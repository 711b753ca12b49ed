"""Every computed cell of a document, by field key: what the workbook's formulas show.

``scorecard(doc, template)`` gives, per project, the values of the template's computed fields
(``calc.rate.total``, ``calc.budget_score.total``, ``calc.total``, ``calc.grade`` …) and, per
indicator, its ``calc.light``, its 得分 (``selfeval.score``: computed, or the clerk's for a
qualitative one) and its effective 分值 (``points``). The workbook writer uses them as cached
values, the consolidation as columns, the checks to judge; each kind's computation is in
form.scoring. A form without a stage has an empty scorecard.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..values import QUALITATIVE_OP
from . import scoring as S

SCORE_KIND, POINTS_KEY = "score", "points"


@dataclass
class ProjectCard:
    values: dict[str, Any] = field(default_factory=dict)  # project-scope computed fields by key
    indicators: list[dict[str, Any]] = field(default_factory=list)  # per indicator, by key
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # message key and args

    def value(self, key: str, indicator: int | None = None) -> Any:
        if indicator is None:
            return self.values.get(key)
        return self.indicators[indicator].get(key) if indicator < len(self.indicators) else None


def scorecard(doc: Any, template: Any) -> list[ProjectCard]:
    if template.stage is None:
        return []
    return [project_card(p, template) for p in doc.projects]


def _get(table: Any, key: str, obj: Any, scope: str = "project") -> Any:
    f = table.get(key, scope)
    return f.get(obj) if f is not None else None


def project_card(p: Any, t: Any) -> ProjectCard:
    table, stage = t.fields, t.stage
    scoring = stage.scoring
    card = ProjectCard()
    points: list[Any] = [None] * len(p.indicators)
    if scoring:
        split = S.split_points(p.indicators, scoring)
        points, card.notes = split.points, split.notes
    for k, ind in enumerate(p.indicators):
        card.indicators.append(_indicator_values(ind, table, t, points[k]))
    budget_scores: list[Decimal] = []
    for f in table.project:
        if f.stored:
            continue
        name, of = f.kind.name, [_get(table, k, p) for k in f.spec.of]
        if name == "rate":
            card.values[f.key] = S.rate(*of)
        elif name == "budget-points":
            card.values[f.key] = scoring.budget_points
        elif name == "full-marks":
            card.values[f.key] = S.HUNDRED
        elif name == "budget-score":
            card.values[f.key] = v = S.budget_score(*of, scoring.budget_points)
            budget_scores.append(v or Decimal(0))
    if scoring:
        scores = [v.get(f.key) for v in card.indicators for f in table.indicator if f.kind.name == SCORE_KIND]
        total = S.round2(sum(budget_scores, Decimal(0)) + sum((s for s in scores if isinstance(s, Decimal)), Decimal(0)))
        for f in table.project:
            if f.kind.name == "total-score":
                card.values[f.key] = total
            elif f.kind.name == "grade":
                card.values[f.key] = S.grade(total, scoring)
    return card


def _indicator_values(ind: Any, table: Any, t: Any, points: Decimal | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    value = ind.value
    op = value.op if value else None
    target = value.number if value else None
    for f in table.indicator:
        name = f.kind.name
        if f.key == POINTS_KEY:
            out[f.key] = points
        elif name == "light":
            actual = _get(table, f.spec.of[0], ind, "indicator")
            out[f.key] = S.light(op, target, actual, t.month or 12, t.stage.monitor)
        elif name == SCORE_KIND:
            actual = _get(table, f.spec.of[0], ind, "indicator") if f.spec.of else None
            if op == QUALITATIVE_OP:
                out[f.key] = f.get(ind)
            else:
                out[f.key] = S.indicator_score(op, target, actual, points)
    return out


def effective_points(doc: Any, template: Any) -> Any:
    """``doc`` with every indicator's 分值 as the form scores it (the issued 分值 a self-evaluation
    workbook shows); the same document when they already are."""
    scoring = template.stage.scoring if template.stage else None
    if scoring is None or template.fields.get(POINTS_KEY, "indicator") is None:
        return doc
    changed = None
    for i, p in enumerate(doc.projects):
        pts = S.split_points(p.indicators, scoring).points
        if any(ind.points != v for ind, v in zip(p.indicators, pts)):
            if changed is None:
                changed = doc.model_copy(deep=True)
            for ind, v in zip(changed.projects[i].indicators, pts):
                ind.points = v
    return changed or doc

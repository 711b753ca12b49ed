"""A later stage in the consolidated workbook: each unit's 执行率, lights or mean 总分 and grade,
the total row over the counted units, a chart of them by unit, coloured lights.

Per unit: 执行率 = Σ spent / Σ budget over its projects (the first rate cell of the form: the
年度资金总额 row), the lights counted over its indicators (monitoring), the mean of its projects'
总分 and the grade of that mean (self-evaluation). The total row does the same over every counted
project. The columns are form.consolidated.stage_columns.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from ..form import consolidated as C
from ..form import scoring as S
from ..form.scorecard import scorecard
from ..messages import message


def _rate_field(t: Any) -> Any:
    return next((f for f in t.fields.project if f.kind.name == "rate" and len(f.spec.of) == 2), None)


def unit_stage(doc: Any, t: Any) -> dict[str, Any]:
    """What a unit adds to the stage's summary figures (picklable: it crosses process boundaries)."""
    if t.stage is None:
        return {}
    rate, table = _rate_field(t), t.fields
    light_keys = [f.key for f in table.indicator if f.kind.name == "light"]
    spent = budget = Decimal(0)
    scores: list[Decimal] = []
    lights: Counter = Counter()
    for p, card in zip(doc.projects, scorecard(doc, t)):
        if rate is not None:
            s, b = (table.field(k).get(p) if table.get(k) else None for k in rate.spec.of)
            if s is not None and b is not None:
                spent, budget = spent + s, budget + b
        scores += [v for f in table.project if f.kind.name == "total-score" and (v := card.value(f.key)) is not None]
        lights.update(ind[k] for ind in card.indicators for k in light_keys if ind.get(k))
    return {"spent": spent, "budget": budget, "scores": scores, "lights": dict(lights)}


def stage_values(parts: list[dict[str, Any]], t: Any) -> dict[str, Any]:
    """The stage columns' values over ``parts`` (one unit's, or every counted unit's)."""
    if t.stage is None:
        return {}
    spent = sum((p.get("spent", 0) for p in parts), Decimal(0))
    budget = sum((p.get("budget", 0) for p in parts), Decimal(0))
    out: dict[str, Any] = {"rate": S.rate(spent, budget)}
    if t.stage.monitor is not None:
        for i, name in enumerate(t.stage.monitor.light_names()):
            out[f"light_{i}"] = sum(p.get("lights", {}).get(name, 0) for p in parts)
    if t.stage.scoring is not None:
        scores = [s for p in parts for s in p.get("scores", [])]
        mean = S.round2(sum(scores, Decimal(0)) / len(scores)) if scores else None
        out["total_score"], out["grade"] = mean, S.grade(mean, t.stage.scoring)
    return out


def write_stage_chart(wb: Any, ws: Any, t: Any, summary_rows: int, at_row: int) -> None:
    """A bar chart by unit of the mean 总分 (self-evaluation) or the 执行率 (monitoring)."""
    if t.stage is None or not summary_rows:
        return
    cols = [c.key for c in C.summary_columns(t)]
    key, title = ("total_score", "chart.score-title") if t.stage.scoring is not None else ("rate", "chart.rate-title")
    col, summary = cols.index(key), C.sheet_name(t, "summary")
    bar = wb.add_chart({"type": "bar"})
    bar.add_series({"name": message(title, t.language), "categories": [summary, 1, 1, summary_rows, 1],
                    "values": [summary, 1, col, summary_rows, col], "data_labels": {"value": True, "num_format": "0.00"}})
    bar.set_title({"name": message(title, t.language)})
    bar.set_legend({"none": True})
    bar.set_y_axis({"reverse": True})
    bar.set_x_axis({"min": 0, "max": 100} if key == "total_score" else {"min": 0})
    bar.set_size({"width": 720, "height": max(320, 22 * summary_rows + 80)})
    ws.insert_chart(at_row, 3, bar)


def colour_lights(wb: Any, table: Any, t: Any) -> None:
    """The 序时进度 column of the indicator sheet in its lights' colours."""
    monitor = t.stage.monitor if t.stage else None
    col = next((i for i, c in enumerate(table.cols) if c.key == "light"), None)
    if monitor is None or col is None:
        return
    for name, colour in monitor.colors.items():
        table.ws.conditional_format(1, col, 1048575, col, {"type": "cell", "criteria": "==", "value": f'"{name}"',
                                                           "format": wb.add_format({"bg_color": colour})})

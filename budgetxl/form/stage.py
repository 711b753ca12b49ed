"""The stage of the year a form belongs to, and its settings (template data, ``[stage]``).

A targets form (绩效目标表) has no ``[stage]`` section. The monitoring form (绩效运行监控表, kind
``monitor``) and the self-evaluation form (项目支出绩效自评表, kind ``selfeval``) are issued from the
targets and carry their rules here as data: the 15% deviation rule, the time-elapsed tolerance and
the 序时进度 light bands; the scoring weights, the qualitative bands, the grades and the 执行率
threshold below which a reason is asked.

Monitoring data run to the end of a month N chosen when the workbooks are generated: the spec's
texts may say ``{N}`` (``1–{N}月执行数``), and a template is specialised to a month with
:func:`specialise` (``Template.at_month``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MONTH_MARK = "{N}"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LightBand(_Spec):
    """序时进度: 当前完成值 below ``below`` percent of the standard (年度指标值 × N/12) gets ``light``;
    the last band has no ``below``."""

    below: Decimal | None = None
    light: str


class MonitorSettings(_Spec):
    over_target: Decimal = Decimal(15)  # percent above a target that needs 偏差原因 and 说明
    over_ops: list[str] = Field(default_factory=lambda: ["≥"])  # the 计算符号 the over-target rule applies to
    doubtful: list[str] = Field(default_factory=list)  # 完成目标可能性 answers that need 偏差原因 and 说明
    rate_tolerance: Decimal = Decimal(10)  # percentage points 执行率 may lag N/12 before 偏差原因 is needed
    lights: list[LightBand] = Field(min_length=1)
    inside: str  # a reverse (≤ <) indicator within its target
    outside: str  # … beyond it
    qualitative: dict[str, str] = Field(default_factory=dict)  # 当前完成值 of a qualitative indicator -> light
    colors: dict[str, str] = Field(default_factory=dict)  # light -> fill colour in the workbook

    @field_validator("lights")
    @classmethod
    def _bands(cls, v: list[LightBand]) -> list[LightBand]:
        bounds = [b.below for b in v[:-1]]
        if any(b is None for b in bounds) or v[-1].below is not None or bounds != sorted(bounds):
            raise ValueError("lights: increasing `below` bounds, the last band without one")
        return v

    def light_names(self) -> list[str]:
        names: list[str] = []
        for n in [b.light for b in self.lights] + [self.inside, self.outside, *self.qualitative.values()]:
            if n not in names:
                names.append(n)
        return names


class QualitativeBand(_Spec):
    """A qualitative indicator's band: its score lies in [from, to) percent of its points (the top
    band includes ``to`` = 100)."""

    name: str
    from_: Decimal = Field(alias="from")
    to: Decimal

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Grade(_Spec):
    min: Decimal  # 总分 at or above this
    grade: str


class ScoringSettings(_Spec):
    budget_points: Decimal  # 预算执行率's points
    weights: dict[str, Decimal]  # 一级指标 -> points
    moves: dict[str, str] = Field(default_factory=dict)  # a project without the first gives its points to the second
    reason_below: Decimal = Decimal(90)  # 执行率 (%) below which a reason is needed
    reason_max: int = 100  # characters
    bands: list[QualitativeBand] = Field(min_length=1)
    grades: list[Grade] = Field(min_length=1)  # highest first; below the last: the last but one's next
    lowest: str  # the grade below every ``min``

    @model_validator(mode="after")
    def _totals(self) -> "ScoringSettings":
        total = self.budget_points + sum(self.weights.values(), Decimal(0))
        if total != 100:
            raise ValueError(f"scoring weights total {total}, not 100")
        mins = [g.min for g in self.grades]
        if mins != sorted(mins, reverse=True):
            raise ValueError("grades: highest `min` first")
        return self

    def band(self, name: str) -> QualitativeBand | None:
        return next((b for b in self.bands if b.name == name), None)


class StageSpec(_Spec):
    kind: Literal["monitor", "selfeval"]
    month: int | None = Field(None, ge=1, le=12)  # monitor: the default N
    monitor: MonitorSettings | None = None
    scoring: ScoringSettings | None = None

    @model_validator(mode="after")
    def _settings(self) -> "StageSpec":
        if self.kind == "monitor" and (self.monitor is None or self.month is None):
            raise ValueError("a monitor stage needs month and [stage.monitor]")
        if self.kind == "selfeval" and self.scoring is None:
            raise ValueError("a selfeval stage needs [stage.scoring]")
        return self


def check_stage(template: Any) -> None:
    """What the stage settings say must agree with the framework (called when a spec loads)."""
    stage = template.stage
    if stage is None or stage.scoring is None:
        return
    known = set(template.level1_names)
    unknown = sorted((set(stage.scoring.weights) | set(stage.scoring.moves) | set(stage.scoring.moves.values()))
                     - known)
    if unknown:
        raise ValueError(f"stage.scoring names 一级指标 outside the framework: {unknown}")


def specialise(data: dict[str, Any], month: int | None) -> dict[str, Any]:
    """Spec data for monitoring month ``month`` (default: the spec's own): ``{N}`` in every text
    becomes the month. A spec without a monitor stage is returned as it is."""
    stage = data.get("stage")
    if not isinstance(stage, dict) or stage.get("kind") != "monitor":
        return data
    n = month or stage.get("month")
    if not isinstance(n, int):
        return data
    out = _replace(data, str(n))
    out["stage"] = {**out["stage"], "month": n}
    return out


def _replace(v: Any, n: str) -> Any:
    if isinstance(v, str):
        return v.replace(MONTH_MARK, n)
    if isinstance(v, dict):
        return {k: _replace(x, n) for k, x in v.items()}
    if isinstance(v, list):
        return [_replace(x, n) for x in v]
    return v

"""Field kinds of the monitoring and self-evaluation forms (registered with form.kinds.kind).

``lines`` (the targets' goals shown in one cell), ``actual`` (a value reported against a target:
a number or a word), ``number`` (分值), ``score`` (得分: typed for a qualitative indicator, computed
for a quantitative one). The computed kinds (``rate``, ``budget-points``, ``budget-score``,
``light``, ``total-score``, ``grade``) belong to fields under ``calc.<name>``: cells the workbook
computes with a formula (the computations are in form.scoring, their formulas in form.formulas).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from ..files.grids import cell_text
from ..values import format_number, to_decimal
from .kinds import Kind, kind

PERCENT_SHOWN = '0.00"%"'  # a rate kept as 0-100, shown with a percent sign


@kind
class LinesKind(Kind):
    """Several texts in one cell, one a line (年度总体目标 in a later stage: the targets' goals)."""

    name = "lines"

    def read(self, v: Any) -> Any:
        text = cell_text(v)
        return [] if text is None else text.split("\n")

    def cell(self, value: Any) -> Any:
        return "\n".join(value) if value else None

    def to_json(self, value: Any) -> Any:
        return list(value or [])

    def same(self, got: Any, want: Any) -> bool:
        return list(got or []) == list(want or [])

    def display(self, value: Any) -> str:
        return "\n".join(value or [])

    def missing(self, value: Any, raw: Any) -> bool:
        return not value and raw is None

    def flatten(self, value: Any) -> list[Any]:
        return [self.cell(value)]

    def from_columns(self, values: list[Any]) -> Any:
        return self.read(values[0])


@kind
class ActualKind(Kind):
    """完成值: a number for a quantitative indicator, a word (达成, a band) for a qualitative one."""

    name = "actual"
    align = "center"
    typed_percent = True  # (a clerk's 95% in an indicator in % is 95, as the cells written hold it)

    def read(self, v: Any) -> Any:
        return v  # the model keeps numbers exact and a number typed as text as that number

    def to_json(self, value: Any) -> Any:
        return format_number(value) if isinstance(value, Decimal) else value

    def display(self, value: Any) -> str:
        return "" if value is None else str(self.to_json(value))

    def flatten(self, value: Any) -> list[Any]:
        return [None if value is None else self.display(value)]


@kind
class NumberKind(Kind):
    """A plain number shown with two decimals (分值)."""

    name = "number"
    column_type = "number"
    num_format = "0.00"
    align = "center"
    text = False

    def read(self, v: Any) -> Any:
        return to_decimal(v)

    def to_json(self, value: Any) -> Any:
        return None if value is None else format_number(value)

    def same(self, got: Any, want: Any) -> bool:
        return (got is None and want is None) or (got is not None and want is not None and got == Decimal(want))

    def display(self, value: Any) -> str:
        return "" if value is None else format_number(value)


@kind
class ScoreKind(NumberKind):
    """得分: what the clerk gives a qualitative indicator (within its band); a quantitative
    indicator's is computed (its cell holds the formula)."""

    name = "score"


class ComputedKind(Kind):
    """A cell the workbook computes (a formula with its cached value): never read into data."""

    computed: ClassVar[bool] = True
    text = False


@kind
class RateKind(ComputedKind):
    """执行率: spent / budget as a percentage (``of`` = [spent, budget])."""

    name = "rate"
    column_type = "percent"
    num_format = PERCENT_SHOWN
    align = "center"


@kind
class BudgetPointsKind(ComputedKind):
    """预算执行率's points (the template's ``budget_points``)."""

    name = "budget-points"
    column_type = "number"
    num_format = "0.00"
    align = "center"


@kind
class FullMarksKind(BudgetPointsKind):
    """The points of the whole form (100)."""

    name = "full-marks"


@kind
class BudgetScoreKind(ComputedKind):
    """预算执行率 得分 = points × min(spent / budget, 1) (``of`` = [spent, budget])."""

    name = "budget-score"
    column_type = "number"
    num_format = "0.00"
    align = "center"


@kind
class LightKind(ComputedKind):
    """序时进度 light of a monitored indicator (``of`` = [当前完成值])."""

    name = "light"
    align = "center"


@kind
class TotalScoreKind(ComputedKind):
    """总分: 预算执行率's score and every indicator's."""

    name = "total-score"
    column_type = "number"
    num_format = "0.00"
    align = "center"


@kind
class GradeKind(ComputedKind):
    """评价等级 from 总分."""

    name = "grade"
    align = "center"

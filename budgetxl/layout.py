"""Where every field lives: the one description that both the writer and the reader use.

Each scalar field is anchored on a label (a key into the template's ``labels``) and sits at a
fixed offset from it. The writer puts the label at its place in a fresh sheet and the value at
label + offset; the reader finds the label wherever a clerk's edits moved it and reads label +
offset. Lists (goals, overview items) run down from their label to the next anchor; the indicator
table is found by its header labels. Because both directions use these same tables, a round trip
holds by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

from .template import Template

# Column letters, for humans reading this file: A=0 … H=7.
NCOLS = 8


@dataclass(frozen=True)
class Scalar:
    path: str  # dotted path in the model, relative to the project or the submission
    label: str  # template label key
    offset: tuple[int, int] = (0, 1)  # value cell relative to the label cell
    span: int = 1  # columns the value cell is merged over (writer only)
    issued: bool = False  # locked, filled by the city


@dataclass(frozen=True)
class ListBlock:
    path: str
    label: str
    until: str | None  # label key of the anchor that ends the block (None: end of sheet)
    number_col: int = 1  # offset of the running number from the label column
    text_col: int = 2  # offset of the text from the label column


# ---- project sheet --------------------------------------------------------------------------
PROJECT_SCALARS = (
    Scalar("code", "code", span=3, issued=True),
    Scalar("name", "name", span=3, issued=True),
    Scalar("budget.total", "total", issued=True),
    Scalar("budget.fiscal", "fiscal", issued=True),
    Scalar("budget.other", "other", span=2, issued=True),
    Scalar("purpose", "purpose", span=6),
)
MONTH_OFFSET = (1, 0)  # a spending-plan percentage sits under its "3月底" label
GOALS = ListBlock("goals", "goals", until="level1")
INDICATOR_COLUMNS = ("level1", "level2", "indicator_name", "description", "op", "value", "value_unit", "basis")


@dataclass(frozen=True)
class ProjectLayout:
    """Row numbers (0-based) of a freshly generated project sheet."""

    goal_rows: int
    indicator_rows: int
    title: int = 0
    unit_line: int = 1
    code: int = 2
    budget: int = 3
    purpose: int = 4
    plan_labels: int = 5
    plan_values: int = 6
    goals_start: int = 7

    @property
    def header(self) -> int:
        return self.goals_start + self.goal_rows

    @property
    def first_indicator(self) -> int:
        return self.header + 1

    @property
    def last_row(self) -> int:
        return self.first_indicator + self.indicator_rows - 1

    def label_cells(self) -> dict[str, tuple[int, int]]:
        """Where each scalar label is written (the reader finds them wherever they moved)."""
        return {
            "code": (self.code, 0),
            "name": (self.code, 4),
            "budget_block": (self.budget, 0),
            "total": (self.budget, 1),
            "fiscal": (self.budget, 3),
            "other": (self.budget, 5),
            "purpose": (self.purpose, 1),
            "spending_plan": (self.plan_labels, 0),
            "goals": (self.goals_start, 0),
        }

    def month_cells(self, months: list[int]) -> list[tuple[int, int]]:
        return [(self.plan_labels, 1 + i) for i in range(len(months))]


def project_layout(template: Template, n_goals: int, n_indicators: int) -> ProjectLayout:
    blank = template.blank
    goal_rows = max(blank.min_goal_rows, n_goals + blank.spare_goal_rows)
    indicator_rows = n_indicators + blank.spare_indicator_rows
    return ProjectLayout(goal_rows=goal_rows, indicator_rows=max(indicator_rows, 1))


# ---- unit sheet ------------------------------------------------------------------------------
UNIT_SCALARS = (
    Scalar("unit.code", "unit_code", span=3, issued=True),
    Scalar("unit.name", "unit_name", span=3, issued=True),
    Scalar("unit.region", "unit_region", span=3, issued=True),
    Scalar("year", "year", span=3, issued=True),
    Scalar("template", "template_ref", span=3, issued=True),
    Scalar("overview.overall", "overall", span=7),
)
OVERVIEW_LISTS = (
    ListBlock("overview.items", "items", until="safeguards"),
    ListBlock("overview.safeguards", "safeguards", until=None),
)


@dataclass(frozen=True)
class UnitLayout:
    item_rows: int
    safeguard_rows: int
    title: int = 0
    first_scalar: int = 1  # unit_code, unit_name, unit_region, year, template_ref: one row each
    overall: int = 6

    @property
    def items_start(self) -> int:
        return self.overall + 1

    @property
    def safeguards_start(self) -> int:
        return self.items_start + self.item_rows

    def label_cells(self) -> dict[str, tuple[int, int]]:
        cells = {s.label: (self.first_scalar + i, 0) for i, s in enumerate(UNIT_SCALARS[:5])}
        cells["overall"] = (self.overall, 0)
        cells["items"] = (self.items_start, 0)
        cells["safeguards"] = (self.safeguards_start, 0)
        return cells


def unit_layout(template: Template, n_items: int, n_safeguards: int) -> UnitLayout:
    spare = template.blank.spare_overview_rows
    return UnitLayout(item_rows=n_items + spare, safeguard_rows=n_safeguards + spare)


# ---- hidden sheets ---------------------------------------------------------------------------
META_SHEET = "_meta"
LISTS_SHEET = "_lists"
META_MARK = "budgetxl-meta"  # A1 of the metadata sheet, so it is found even when renamed


def template_ref_text(template_id: str, version: str) -> str:
    return f"{template_id}@{version}"


def parse_template_ref(text: str) -> tuple[str, str] | None:
    if "@" not in text:
        return None
    tid, _, version = text.strip().rpartition("@")
    return (tid, version) if tid and version else None

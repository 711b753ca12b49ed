"""The submission document (DOMAIN.md section 3) as pydantic models.

The model is lenient on purpose: a half-filled workbook must still read, so fields a clerk fills
may be empty; the validation rules (not the model) judge completeness. What the model does fix is
spelling: one blank is ``None``, line breaks are ``\\n``, an indicator value is always parsed, so
that every document has exactly one representation and a round trip can compare with ``==``.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from .values import QUALITATIVE_OP, format_number, parse_value

if TYPE_CHECKING:  # (pandas loads only when a frame is asked for)
    import pandas as pd

SCHEMA = "budgetxl/submission@1"
EXTRA = "extra"  # fields a template adds are kept under this key (see _clean_extra)
STAGES = ("targets", "monitor", "selfeval")  # 绩效目标, 绩效运行监控, 绩效自评
# Keys left out of the JSON when empty: a targets document has no stage blocks at all.
OPTIONAL_KEYS = frozenset({"month", "points", "monitor", "selfeval"})
ADDED = "added"  # a project the unit added (not issued by the city)

# Characters XML 1.0 (and so xlsx) cannot hold.
_ILLEGAL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF])


def _drop_blank_items(v: Any) -> Any:
    """A list of texts without its blank items (runs before type checks, so "" and None go)."""
    if isinstance(v, list):
        return [x for x in (clean_text(x) for x in v) if x is not None]
    return v


_DIRTY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\r\ufffe\uffff]")


def clean_text(v: Any) -> Any:
    """"" -> None, CR LF -> LF, characters a workbook cannot store removed; other text as typed."""
    if v is None:
        return None
    if not isinstance(v, str):
        return v
    if _DIRTY.search(v):  # (most text is clean: one C-level scan instead of three passes)
        v = v.replace("\r\n", "\n").replace("\r", "\n").translate(_ILLEGAL)
    return v or None


# Free text typed by a person: cleaned (see clean_text) before it is checked as a string.
Text = Annotated[str | None, BeforeValidator(clean_text)]
TextList = Annotated[list[str], BeforeValidator(_drop_blank_items)]


def _clean_extra(v: Any) -> Any:
    """Fields a template adds (``extra.<key>``): text cleaned like any text, numbers exact, blanks
    dropped (one spelling: a field left empty is absent)."""
    if v is None:
        return {}
    if not isinstance(v, dict):
        return v
    out: dict[str, Any] = {}
    for key, x in v.items():
        if isinstance(x, bool):
            x = "TRUE" if x else "FALSE"
        elif isinstance(x, float):
            x = Decimal(repr(x)) if x == x and x not in (float("inf"), float("-inf")) else None
        elif isinstance(x, str):
            x = clean_text(x)
        if x is not None:
            out[str(key)] = x
    return out


# Values of template-added fields: text, whole numbers or exact decimals.
Extra = Annotated[dict[str, str | int | Decimal], BeforeValidator(_clean_extra)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=True)


class TemplateRef(_Model):
    id: str = Field(description="template id, e.g. perf-targets")
    version: str = Field(description="template version, yyyymmddrr")


class Unit(_Model):
    code: Text = Field(None, description="budget unit code (单位编码)")
    name: Text = Field(None, description="unit name (单位名称)")
    region: Text = Field(None, description="6-digit administrative division code (行政区划代码)")

    @field_validator("code", "region", mode="before")
    @classmethod
    def _code_text(cls, v: Any) -> Any:
        # A code typed as a number (414001 or 414001.0) is still a code.
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


class Overview(_Model):
    overall: Text = None
    items: TextList = Field(default_factory=list)
    safeguards: TextList = Field(default_factory=list)


class Budget(_Model):
    """Amounts in 万元, exact decimals."""

    total: Decimal | None = Field(None, description="预算数, 万元")
    fiscal: Decimal | None = Field(None, description="其中：财政资金, 万元")
    other: Decimal | None = Field(None, description="其他资金, 万元")


class SpendingPoint(_Model):
    month: int = Field(description="month-end of the checkpoint (1-12)")
    percent: Decimal | None = Field(None, description="cumulative percentage spent by then (0-100)")


class IndicatorValue(_Model):
    text: str
    op: str | None = None
    number: Decimal | None = None
    unit: str | None = None
    kind: Literal["quantitative", "deadline", "qualitative"] = "qualitative"

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any) -> Any:
        # The text is the truth: a plain string or an object is parsed again, so op/number/unit
        # always agree with text.
        if isinstance(data, str):
            return parse_value(data)
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            return parse_value(data["text"], qualitative=data.get("op") == QUALITATIVE_OP)
        return data


def _actual(v: Any) -> Any:
    """完成值: a number (exact) or a text (达成, a band); a text that is a plain number is the number."""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return Decimal(repr(v)) if v == v and v not in (float("inf"), float("-inf")) else None
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, str):
        v = clean_text(v)
        if v is not None and _PLAIN_NUMBER.fullmatch(v.strip()):
            return Decimal(v.strip())
    return v


_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)")
# A value reported against a target: a number for a quantitative indicator, a word or band for a
# qualitative one. A number typed as text ("70", " 70 ") is that number, as a spreadsheet takes it.
Actual = Annotated[Decimal | str | None, BeforeValidator(_actual)]


class _Block(_Model):
    """A stage block: absent (None) when nothing in it is filled (one spelling for "empty")."""

    def is_empty(self) -> bool:
        return _blank(self)


def _blank(v: Any) -> bool:
    if isinstance(v, BaseModel):
        return all(_blank(getattr(v, f)) for f in type(v).model_fields)
    if isinstance(v, (list, dict)):
        return not v
    return v is None


def _none_if_blank(v: Any) -> Any:
    return None if isinstance(v, _Block) and v.is_empty() else v


class IndicatorMonitor(_Block):
    """An indicator in the monitoring form (绩效运行监控表)."""

    actual: Actual = Field(None, description="当前完成值: a number, or 达成/部分达成/未达成 for a qualitative indicator")
    forecast: Text = Field(None, description="全年预计完成情况")
    likelihood: Text = Field(None, description="完成目标可能性: 确定能/有可能/完全不可能")
    cause: Text = Field(None, description="偏差原因: 经费保障/制度保障/人员保障/硬件条件保障/其他")
    explain: Text = Field(None, description="偏差原因说明")


class IndicatorSelfEval(_Block):
    """An indicator in the self-evaluation form (项目支出绩效自评表)."""

    actual: Actual = Field(None, description="实际完成值: a number, or the band of a qualitative indicator")
    score: Decimal | None = Field(None, description="得分 a qualitative indicator was given (a quantitative one's is computed)")
    analysis: Text = Field(None, description="偏差原因分析及改进措施")


class Indicator(_Model):
    level1: Text = None
    level2: Text = None
    name: Text = None
    description: Text = None
    value: IndicatorValue | None = None
    basis: Text = None
    points: Decimal | None = Field(None, description="分值: the indicator's weight in the self-evaluation")
    monitor: IndicatorMonitor | None = None
    selfeval: IndicatorSelfEval | None = None
    extra: Extra = Field(default_factory=dict)

    @field_validator("monitor", "selfeval", mode="after")
    @classmethod
    def _blank_block(cls, v: Any) -> Any:
        return _none_if_blank(v)

    @model_validator(mode="after")
    def _computed_score(self) -> "Indicator":
        # One spelling: only a qualitative indicator's 得分 is given; a quantitative one's is
        # computed from its values (a workbook's formula result is not data).
        s = self.selfeval
        if s is not None and s.score is not None and self.value is not None and self.value.op != QUALITATIVE_OP:
            object.__setattr__(self, "selfeval", _none_if_blank(s.model_copy(update={"score": None})))
        return self

    @field_validator("value", mode="before")
    @classmethod
    def _empty_value(cls, v: Any) -> Any:
        # A value with no text ("", "  ", "\n", {"text": " "}) is no value: None, like any blank.
        if isinstance(v, IndicatorValue):
            text = v.text
        elif isinstance(v, dict):
            text = v.get("text")
        else:
            text = v
        if isinstance(text, str) and not text.strip():  # (what normalize_text would leave empty)
            return None
        return v

    def is_empty(self) -> bool:
        return not self.extra and all(getattr(self, f) is None for f in type(self).model_fields if f != EXTRA)


class ProjectMonitor(_Block):
    """A project in the monitoring form: money spent to the end of month N, the forecast, progress."""

    spent: Budget = Field(default_factory=Budget, description="1–N月执行数, 万元")
    forecast: Budget = Field(default_factory=Budget, description="全年预计执行数, 万元")
    progress: Text = Field(None, description="1–N月 年度总体目标执行情况")
    cause: Text = Field(None, description="执行进度偏差原因")
    explain: Text = Field(None, description="执行进度偏差原因说明")


class ProjectSelfEval(_Block):
    """A project in the self-evaluation form: the year's budget and spending, the result."""

    budget: Budget = Field(default_factory=Budget, description="全年预算数 (issued; the adjusted budget), 万元")
    spent: Budget = Field(default_factory=Budget, description="全年执行数, 万元")
    result: Text = Field(None, description="年度总体目标 实际完成情况")
    reason: Text = Field(None, description="执行率偏差原因 (执行率 below the template's threshold)")


class Project(_Model):
    code: Text = None
    name: Text = None
    budget: Budget = Field(default_factory=Budget)
    purpose: Text = None
    spending_plan: list[SpendingPoint] = Field(default_factory=list)
    goals: TextList = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    monitor: ProjectMonitor | None = None
    selfeval: ProjectSelfEval | None = None
    extra: Extra = Field(default_factory=dict)
    added: bool = Field(False, description="the unit added this project itself: the city did not issue it "
                                           "(written only when true)")

    @field_validator("monitor", "selfeval", mode="after")
    @classmethod
    def _blank_block(cls, v: Any) -> Any:
        return _none_if_blank(v)

    @field_validator("spending_plan", mode="after")
    @classmethod
    def _drop_blank_points(cls, v: list[SpendingPoint]) -> list[SpendingPoint]:
        # One spelling: blank checkpoints dropped, the rest in month order.
        return sorted((p for p in v if p.percent is not None), key=lambda p: p.month)

    @field_validator("indicators", mode="after")
    @classmethod
    def _drop_blank_rows(cls, v: list[Indicator]) -> list[Indicator]:
        return [i for i in v if not i.is_empty()]

    def is_empty(self) -> bool:
        if self.code is not None or self.name is not None or self.indicators:
            return False  # (the common case, without building a blank project to compare with)
        return self == Project(added=self.added)


class Submission(_Model):
    """One unit's submission (DOMAIN.md section 3). ``template`` may be left out: the default
    template then applies. ``extra`` holds the unit-sheet fields a template adds."""

    schema_: str = Field(default=SCHEMA, alias="schema", description="always " + SCHEMA)
    template: TemplateRef | None = Field(None, description="the template; absent: the default template")
    stage: Literal["targets", "monitor", "selfeval"] = Field(
        "targets", description="targets (绩效目标), monitor (绩效运行监控) or selfeval (绩效自评)")
    year: int | None = None
    month: int | None = Field(None, ge=1, le=12, description="monitor: the data run to the end of this month (N)")
    unit: Unit = Field(default_factory=Unit)
    overview: Overview = Field(default_factory=Overview)
    projects: list[Project] = Field(default_factory=list)
    extra: Extra = Field(default_factory=dict)

    @field_validator("projects", mode="after")
    @classmethod
    def _drop_blank_projects(cls, v: list[Project]) -> list[Project]:
        # A project with nothing in it is a blank list item (a spare sheet), like a blank goal.
        return [p for p in v if not p.is_empty()]

    # -- JSON in and out ---------------------------------------------------------------------
    @classmethod
    def from_json(cls, text: str | bytes) -> "Submission":
        """Parse the JSON contract; numbers become exact Decimals (never via float)."""
        data = json.loads(text, parse_float=Decimal)
        return cls.model_validate(data)

    def to_data(self) -> dict[str, Any]:
        """Plain JSON-ready data: Decimal amounts become numbers, keys as in the contract."""
        return _jsonable(self.model_dump(by_alias=True))

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_data(), ensure_ascii=False, indent=indent)

    # -- tables for analysts -------------------------------------------------------------------
    def projects_frame(self) -> "pd.DataFrame":
        """One row per project: amounts as floats, codes and text as strings, the spending plan
        as ``plan_m<month>`` columns, template-added fields as ``extra.<key>`` columns."""
        from .frames import projects_frame

        return projects_frame(self)

    def indicators_frame(self) -> "pd.DataFrame":
        """One row per indicator with its project's code and name; ``number`` is a float."""
        from .frames import indicators_frame

        return indicators_frame(self)


def value_at(obj: Any, key: str) -> Any:
    """The value at a dotted key of a model object (``overview.items``, ``budget.total``)."""
    for part in key.split("."):
        obj = getattr(obj, part)
    return obj


_LEAVES = (str, int, float, bool, type(None))  # (as they are: most values of a document)


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        # (no template-added field: no "extra" key, rather than an empty one on every indicator)
        # (and "added" only on a project the unit added)
        return {k: v if v.__class__ in _LEAVES else _jsonable(v) for k, v in obj.items()
                if not (k == EXTRA and v == {}) and not (v is None and k in OPTIONAL_KEYS)
                and not (k == ADDED and v is False)}
    if isinstance(obj, list):
        return [v if v.__class__ in _LEAVES else _jsonable(v) for v in obj]
    if isinstance(obj, Decimal):
        return decimal_to_number(obj)
    return obj


def decimal_to_number(d: Decimal) -> int | float:
    """An exact JSON number for an amount: an int when whole, else the float whose shortest repr
    is the decimal's own digits (true for the <= 15 significant digits amounts have)."""
    if d == d.to_integral_value():
        return int(d)
    return float(format_number(d))


def submission_schema() -> dict[str, Any]:
    """The JSON Schema of the submission document, generated from the model (docs/submission.schema.json;
    ``python -m budgetxl.model > docs/submission.schema.json``, checked by a test)."""
    schema = Submission.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://budgetxl.invalid/" + SCHEMA.replace("@", "-") + ".schema.json"
    schema["title"] = "budgetxl submission"
    # On input an indicator value may also be its plain text ("≤40 人"), which is parsed.
    value = schema["$defs"]["Indicator"]["properties"]["value"]
    value["anyOf"].insert(1, {"type": "string", "description": "the value as typed, parsed on input"})
    return schema


if __name__ == "__main__":
    import sys

    sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
    sys.stdout.write(json.dumps(submission_schema(), ensure_ascii=False, indent=2) + "\n")

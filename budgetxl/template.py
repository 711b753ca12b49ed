"""Template specs: the form, framework, lists and rule settings, read from ``templates/*.toml``.

Nothing about a particular form is hard-coded elsewhere: labels, checkpoints, the indicator
framework and the dropdown lists all come from here.
"""

from __future__ import annotations

import re
import tomllib
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_TEMPLATE = "perf-targets"


class TemplateError(ValueError):
    """A template spec that cannot be used."""


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TemplateInfo(_Spec):
    id: str
    version: str
    title: str
    amount_unit: str = "万元"
    code_pattern: str

    @field_validator("version")
    @classmethod
    def _version(cls, v: str) -> str:
        if not re.fullmatch(r"\d{10}", v):
            raise ValueError("version must be yyyymmddrr (10 digits)")
        return v

    @field_validator("code_pattern")
    @classmethod
    def _pattern(cls, v: str) -> str:
        re.compile(v)
        return v


class BlankSettings(_Spec):
    spare_project_sheets: int = 3
    spare_indicator_rows: int = 6
    spare_goal_rows: int = 2
    min_goal_rows: int = 3
    spare_overview_rows: int = 3


class SpendingPlanSpec(_Spec):
    months: list[int]

    @field_validator("months")
    @classmethod
    def _months(cls, v: list[int]) -> list[int]:
        if not v or sorted(set(v)) != v or not all(1 <= m <= 12 for m in v):
            raise ValueError("months must be increasing month numbers 1-12")
        return v


class Level1(_Spec):
    level1: str
    level2: list[str]


class Lists(_Spec):
    ops: list[str]
    units: list[str]
    bases: list[str]


class CoverageSettings(_Spec):
    required_level1: list[str] = Field(default_factory=list)
    expected_level1: list[str] = Field(default_factory=list)
    expected_level2: dict[str, list[str]] = Field(default_factory=dict)
    numeric_level2: list[str] = Field(default_factory=list)
    cost_level2: list[str] = Field(default_factory=list)
    satisfaction_level2: list[str] = Field(default_factory=list)


class RuleSettings(_Spec):
    model_config = ConfigDict(extra="allow", frozen=True)
    placeholders: list[str] = Field(default_factory=list)
    max_amount_decimals: int = 6
    coverage: CoverageSettings = Field(default_factory=CoverageSettings)
    severity: dict[str, str] = Field(default_factory=dict)

    @field_validator("severity")
    @classmethod
    def _severity(cls, v: dict[str, str]) -> dict[str, str]:
        from .rules import RULES

        bad = {k: s for k, s in v.items() if s not in ("error", "warning", "off")}
        if bad:
            raise ValueError(f"severity must be error, warning or off: {bad}")
        unknown = sorted(set(v) - set(RULES))
        if unknown:
            raise ValueError(f"unknown rule ids {unknown}; see docs/rules.md")
        return v


class Template(_Spec):
    template: TemplateInfo
    blank: BlankSettings = Field(default_factory=BlankSettings)
    spending_plan: SpendingPlanSpec
    labels: dict[str, str]
    framework: list[Level1]
    lists: Lists
    rules: RuleSettings = Field(default_factory=RuleSettings)

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    @property
    def id(self) -> str:
        return self.template.id

    @property
    def version(self) -> str:
        return self.template.version

    def label(self, key: str, **fmt: Any) -> str:
        try:
            text = self.labels[key]
        except KeyError:
            raise TemplateError(f"template {self.id} has no label {key!r}") from None
        return text.format(**fmt) if fmt else text

    @cached_property
    def level1_names(self) -> list[str]:
        return [f.level1 for f in self.framework]

    @cached_property
    def level2_of(self) -> dict[str, list[str]]:
        return {f.level1: list(f.level2) for f in self.framework}

    @cached_property
    def code_regex(self) -> re.Pattern[str]:
        return re.compile(self.template.code_pattern)


REQUIRED_LABELS = (
    "instructions_sheet unit_sheet summary_sheet project_sheet_prefix title_suffix amount_unit_line "
    "code name budget_block total fiscal other purpose spending_plan month goals level1 level2 "
    "indicator_name description op value value_unit basis unit_code unit_name unit_region year "
    "template_ref overall items safeguards"
).split()


def parse_template(text: str, source: str = "<template>") -> Template:
    try:
        data = tomllib.loads(text)
        spec = Template.model_validate(data)
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise TemplateError(f"{source}: {exc}") from exc
    missing = [k for k in REQUIRED_LABELS if k not in spec.labels]
    if missing:
        raise TemplateError(f"{source}: missing labels {', '.join(missing)}")
    return spec


def builtin_templates() -> dict[str, Path]:
    """Template specs shipped with budgetxl, by id (file stem)."""
    root = resources.files("budgetxl.templates")
    return {
        Path(p.name).stem: Path(str(p))
        for p in root.iterdir()
        if p.name.endswith(".toml")
    }


def load_template(ref: str | Path | None = None) -> Template:
    """A template by built-in id (``perf-targets``) or by path to a ``.toml`` spec."""
    ref = ref or DEFAULT_TEMPLATE
    path = Path(ref)
    if not path.suffix:
        found = builtin_templates().get(str(ref))
        if found is None:
            raise TemplateError(f"unknown template {ref!r}; built in: {', '.join(sorted(builtin_templates()))}")
        path = found
    try:
        stat = path.stat()
    except OSError as exc:
        raise TemplateError(f"{path}: {exc.strerror or exc}") from exc
    return _load_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _load_cached(path: str, mtime_ns: int, size: int) -> Template:
    # Every workbook read resolves its template: parse each spec file once (a Template is frozen,
    # so sharing it is safe); a changed file (new mtime or size) is parsed again.
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateError(f"{path}: {exc.strerror or exc}") from exc
    return parse_template(text, path)

"""Layout specs: how one publisher's targets document is laid out, as data (``layouts/*.toml``).

A spec names the labels to look for, the order of the indicator table's columns, the patterns of
titles and unit lines and the vocabulary particular to the layout. The parser has no branch per
layout; a new layout is a new spec (format: docs/published-import.md).
"""

from __future__ import annotations

import re
import tomllib
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from .adapter import Label
from .text import label_regex


def _as_list(v: object) -> object:
    return [v] if isinstance(v, str) else v


Labels = Annotated[list[str], BeforeValidator(_as_list)]
Patterns = Annotated[list[str], BeforeValidator(_as_list)]

FieldKind = Literal["code", "name", "text", "paragraphs", "amount", "spending_plan", "list", "year",
                    "template_ref", "unit", "section"]
ColumnField = Literal["level1", "level2", "name", "description", "value", "op", "number", "unit", "basis",
                      "weight", "direction"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))


class LabelledField(_Spec):
    """A value found after its label, up to the next label of the same region."""

    label: Labels
    field: str | None = None  # dotted path in the document or the project; None for a section marker
    kind: FieldKind = "text"
    rest: str | None = None  # an amount field: where the text after the amount goes (e.g. purpose)

    @field_validator("label")
    @classmethod
    def _labels(cls, v: list[str]) -> list[str]:
        if not v or not all(s.strip() for s in v):
            raise ValueError("a field needs at least one non-empty label")
        return v

    @cached_property
    def regexes(self) -> list[re.Pattern[str]]:
        return [label_regex(s) for s in self.label]


class Column(_Spec):
    label: Labels
    field: ColumnField
    optional: bool = False  # the column may be missing from a table (the field then stays empty)

    @cached_property
    def regexes(self) -> list[re.Pattern[str]]:
        return [label_regex(s) for s in self.label]


class Detect(_Spec):
    labels: Labels  # every one must be found for the layout to apply


class DocumentPart(_Spec):
    unit_line: Patterns = Field(default_factory=list)  # regexes with groups code, name, amount_unit
    year: Patterns = Field(default_factory=list)  # regexes with a group year (first match wins)
    fields: list[LabelledField] = Field(default_factory=list)


class ProjectPart(_Spec):
    title: Patterns  # regex on the (joined) title line(s) of a project table; group "name" optional
    anchor: str  # the first label of a project table; a title counts only when it follows closely
    anchor_within: int = 4  # lines
    code_in_name: str | None = None  # regex with groups code and name, for 编码-名称 written together
    fields: list[LabelledField]


class Indicators(_Spec):
    columns: list[Column]
    level1_aliases: dict[str, str] = Field(default_factory=dict)
    level2_aliases: dict[str, str] = Field(default_factory=dict)
    bases: list[str] = Field(default_factory=list)  # 指标值确定依据 usual in this layout
    qualitative: list[str] = Field(default_factory=list)  # text values usual in this layout
    directions: list[str] = Field(default_factory=lambda: ["正向指标", "反向指标", "正向", "反向"])
    # labels of fields printed below the table (上年项目编码): the table ends there, never a row
    end: Labels = Field(default_factory=list)

    @cached_property
    def end_regexes(self) -> list[re.Pattern[str]]:
        return [label_regex(s) for s in self.end]

    @field_validator("columns")
    @classmethod
    def _required(cls, v: list[Column]) -> list[Column]:
        fields = [c.field for c in v]
        if "name" not in fields or not {"value", "number"} & set(fields):
            raise ValueError("the indicator columns need a name (三级指标) and a value (指标值) column")
        if len(set(fields)) != len(fields):
            raise ValueError("each column field may appear once")
        return v


class LayoutInfo(_Spec):
    id: str
    name: str
    name_en: str
    template: str  # the budgetxl template the imported document follows
    amount_unit: Literal["万元", "元"] = "万元"  # when the document does not say (单位：…)


class Layout(_Spec):
    layout: LayoutInfo
    detect: Detect
    furniture: Patterns = Field(default_factory=list)  # extra page header/footer regexes
    document: DocumentPart = Field(default_factory=DocumentPart)
    project: ProjectPart
    indicators: Indicators

    @property
    def id(self) -> str:
        return self.layout.id

    @property
    def display(self) -> Label:
        """The layout's name in a message, in the message's language."""
        return Label(self.layout.name, self.layout.name_en)

    @field_validator("furniture")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        for p in v:
            re.compile(p)
        return v

    @cached_property
    def detect_regexes(self) -> list[tuple[str, re.Pattern[str]]]:
        return [(s, label_regex(s)) for s in self.detect.labels]


class LayoutError(ValueError):
    pass


def parse_layout(text: str, source: str = "<layout>") -> Layout:
    try:
        spec = Layout.model_validate(tomllib.loads(text))
        for pattern in [*spec.project.title, *spec.document.unit_line, *spec.document.year,
                        *([spec.project.code_in_name] if spec.project.code_in_name else [])]:
            re.compile(pattern)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise LayoutError(f"{source}: {where}: {err['msg']}") from exc
    except (tomllib.TOMLDecodeError, ValueError, re.error) as exc:
        raise LayoutError(f"{source}: {str(exc).splitlines()[0]}") from exc
    return spec


def builtin_layouts() -> dict[str, Path]:
    root = resources.files("budgetxl.published.layouts")
    return {Path(p.name).stem: Path(str(p)) for p in root.iterdir() if p.name.endswith(".toml")}


def load_layout(ref: str | Path) -> Layout:
    """A layout by built-in id or by path to a ``.toml`` spec."""
    path = Path(ref)
    if not path.suffix:
        found = builtin_layouts().get(str(ref))
        if found is None:
            raise LayoutError(f"unknown layout {ref!r}; built in: {', '.join(sorted(builtin_layouts()))}")
        path = found
    try:
        return _load(str(path.resolve()), path.stat().st_mtime_ns)
    except OSError as exc:
        raise LayoutError(f"{path}: {exc.strerror or exc}") from exc


@lru_cache(maxsize=16)
def _load(path: str, mtime_ns: int) -> Layout:
    return parse_layout(Path(path).read_text(encoding="utf-8"), path)


def all_layouts() -> list[Layout]:
    return [load_layout(i) for i in sorted(builtin_layouts())]

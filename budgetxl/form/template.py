"""Template specs: the form, its framework, lists and rule settings, read from ``templates/*.toml``.

Nothing about a particular form is written in the program: labels, fields, checkpoints, the
indicator framework, dropdown lists, hints and instructions all come from here. A spec may build
on another (``base = "perf-targets"``): tables are merged key by key, anything else in the new
spec (a value, a list, an array of tables) replaces the base's.
"""

from __future__ import annotations

import re
import tomllib
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from ..errors import TemplateError
from ..messages import RULES
from . import stage_blocks, stage_kinds  # noqa: F401  (register the stage forms' block and field kinds)
from .spec import CheckpointsBlock, Instructions, ProjectSheetSpec, SheetNames, UnitSheetSpec
from .stage import StageSpec, check_stage, specialise

DEFAULT_TEMPLATE = "perf-targets"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TemplateInfo(_Spec):
    id: str
    version: str
    title: str
    amount_unit: str
    language: str = "zh"  # the language of what budgetxl itself writes into the workbook
    code_pattern: str
    base: str | None = None  # the spec this one builds on

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

    @field_validator("language")
    @classmethod
    def _language(cls, v: str) -> str:
        if v not in ("zh", "en"):
            raise ValueError("language must be zh or en")
        return v


class Level1(_Spec):
    level1: str
    level2: list[str]


class Lists(_Spec):
    """Dropdown lists by name; ``ops``, ``units`` and ``bases`` are the form's, a spec may add more."""

    model_config = ConfigDict(extra="allow", frozen=True)
    ops: list[str]
    units: list[str] = Field(default_factory=list)
    bases: list[str] = Field(default_factory=list)

    def get(self, name: str) -> list[str] | None:
        value = getattr(self, name, None)
        return value if isinstance(value, list) else None

    def names(self) -> list[str]:
        return [*type(self).model_fields, *(self.model_extra or {})]


class CoverageSettings(_Spec):
    required_level1: list[str] = Field(default_factory=list)
    expected_level1: list[str] = Field(default_factory=list)
    expected_level2: dict[str, list[str]] = Field(default_factory=dict)
    numeric_level2: list[str] = Field(default_factory=list)
    cost_level2: list[str] = Field(default_factory=list)
    satisfaction_level2: list[str] = Field(default_factory=list)


class RuleSettings(_Spec):
    placeholders: list[str] = Field(default_factory=list)  # a cell holding exactly one of these: not filled in
    instructions: list[str] = Field(default_factory=list)  # a cell containing one of these: instruction text left in
    max_amount_decimals: int = 6
    # amounts in other units, as multiples of the form's amount unit (成本指标 against 预算数)
    amount_units: dict[str, Decimal] = Field(default_factory=dict)
    coverage: CoverageSettings = Field(default_factory=CoverageSettings)
    severity: dict[str, str] = Field(default_factory=dict)

    @field_validator("severity")
    @classmethod
    def _severity(cls, v: dict[str, str]) -> dict[str, str]:
        bad = {k: s for k, s in v.items() if s not in ("error", "warning", "off")}
        if bad:
            raise ValueError(f"severity must be error, warning or off: {bad}")
        unknown = sorted(set(v) - set(RULES))
        if unknown:
            raise ValueError(f"unknown rule ids {unknown}; see docs/rules.md")
        return v


class Template(_Spec):
    template: TemplateInfo
    sheets: SheetNames
    unit: UnitSheetSpec
    project: ProjectSheetSpec
    instructions: Instructions = Field(default_factory=Instructions)
    framework: list[Level1]
    lists: Lists
    rules: RuleSettings = Field(default_factory=RuleSettings)
    stage: StageSpec | None = None  # the monitoring or self-evaluation form (see form.stage)

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))
    _text: str = PrivateAttr("")  # the spec's TOML and where it came from (to specialise it to a month)
    _source: str = PrivateAttr("<template>")
    _months: dict = PrivateAttr(default_factory=dict)

    @property
    def id(self) -> str:
        return self.template.id

    @property
    def version(self) -> str:
        return self.template.version

    @property
    def language(self) -> str:
        return self.template.language

    @property
    def stage_kind(self) -> str:
        """targets, monitor or selfeval (the ``stage`` of the documents this form holds)."""
        return self.stage.kind if self.stage else "targets"

    @property
    def month(self) -> int | None:
        """Monitoring: the month N the data run to (``{N}`` in the spec's texts)."""
        return self.stage.month if self.stage else None

    def at_month(self, month: int | None) -> "Template":
        """This monitoring form for data to the end of ``month`` (itself for any other form)."""
        if month is None or self.stage is None or self.stage.kind != "monitor" or month == self.month:
            return self
        if month not in self._months:
            self._months[month] = parse_template(self._text, self._source, month)
        return self._months[month]

    @cached_property
    def fields(self):
        """The field table (see :mod:`budgetxl.form.fields`)."""
        from .fields import FieldTable

        return FieldTable(self)

    @property
    def spending_plan(self) -> CheckpointsBlock | None:
        return self.fields.checkpoints

    def label(self, key: str, scope: str = "project", **fmt: Any) -> str:
        """The label of the field or block ``key`` (a checkpoint label takes ``month=``)."""
        return self.fields.label(key, scope, **fmt)

    @cached_property
    def labels(self) -> dict[str, str]:
        """Every text the form writes as a label (the reader anchors on them), by scope:key."""
        return self.fields.all_labels()

    @cached_property
    def level1_names(self) -> list[str]:
        return [f.level1 for f in self.framework]

    @cached_property
    def level2_of(self) -> dict[str, list[str]]:
        return {f.level1: list(f.level2) for f in self.framework}

    @cached_property
    def level2_names(self) -> frozenset[str]:
        return frozenset(l2 for f in self.framework for l2 in f.level2)

    @cached_property
    def framework_pairs(self) -> frozenset[tuple[str, str]]:
        """Every allowed (一级指标, 二级指标)."""
        return frozenset((f.level1, l2) for f in self.framework for l2 in f.level2)

    @cached_property
    def code_regex(self) -> re.Pattern[str]:
        return re.compile(self.template.code_pattern)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _spec_data(text: str, source: str, depth: int = 0) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"{source}: {exc}") from None
    base = (data.get("template") or {}).get("base")
    if base is None:
        return data
    if depth > 4:
        raise TemplateError(f"{source}: base specs nest too deep")
    path = _find(str(base), Path(source).parent)
    return _merge(_spec_data(_read(path), str(path), depth + 1), data)


def _error_text(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(x) for x in err["loc"] if not str(x).startswith(("function-", "tagged-union")))
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def parse_template(text: str, source: str = "<template>", month: int | None = None) -> Template:
    """A spec from its TOML text; a spec that cannot be used raises TemplateError saying where.
    ``month``: a monitoring form's month N (default: the spec's own)."""
    data = specialise(_spec_data(text, source), month)
    try:
        spec = Template.model_validate(data)
    except ValidationError as exc:
        raise TemplateError(f"{source}: {_error_text(exc)}") from None
    try:
        spec.fields  # builds and checks the field table
        check_stage(spec)
    except ValueError as exc:
        raise TemplateError(f"{source}: {exc}") from None
    spec._text, spec._source = text, source
    return spec


def builtin_templates() -> dict[str, Path]:
    """Template specs shipped with budgetxl, by id (file stem)."""
    return dict(_builtin())


@lru_cache(maxsize=1)
def _builtin() -> tuple[tuple[str, Path], ...]:
    # (installed with the package: looked up once per process; every workbook read asks)
    root = resources.files("budgetxl.templates")
    return tuple((Path(p.name).stem, Path(str(p))) for p in root.iterdir() if p.name.endswith(".toml"))


def _find(ref: str, near: Path | None = None) -> Path:
    path = Path(ref)
    if not path.suffix:
        found = dict(_builtin()).get(ref)
        if found is None:
            raise TemplateError(f"unknown template {ref!r}; built in: {', '.join(sorted(builtin_templates()))}")
        return found
    if near is not None and not path.is_absolute() and not path.exists():
        path = near / path
    return path


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateError(f"{path}: {exc.strerror or exc}") from None


def load_template(ref: str | Path | None = None, month: int | None = None) -> Template:
    """A template by built-in id (``perf-targets``) or by path to a ``.toml`` spec; ``month``
    specialises a monitoring form to its month N."""
    path = _find(str(ref or DEFAULT_TEMPLATE))
    try:
        stat = path.stat()
    except OSError as exc:
        raise TemplateError(f"{path}: {exc.strerror or exc}") from None
    return _load_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size).at_month(month)


def template_for(template_id: str | None) -> Template:
    """The built-in template of that id, or the default one (a document naming no template, or
    one that is not built in)."""
    return load_template(template_id if template_id in builtin_templates() else None)


# The built-in form of each stage, for a document that names its stage but no template.
STAGE_TEMPLATES = {"targets": DEFAULT_TEMPLATE, "monitor": "perf-monitor", "selfeval": "perf-selfeval"}


def document_template(doc: Any) -> Template:
    """The template a document is held in: the built-in one it names, else its stage's; a
    monitoring document's month specialises it."""
    ref = doc.template.id if doc.template else None
    if ref not in builtin_templates():
        ref = STAGE_TEMPLATES.get(getattr(doc, "stage", None) or "targets", DEFAULT_TEMPLATE)
    return load_template(ref, getattr(doc, "month", None))


@lru_cache(maxsize=32)
def _load_cached(path: str, mtime_ns: int, size: int) -> Template:
    # Every workbook read resolves its template: parse each spec file once (a Template is frozen,
    # so sharing it is safe); a changed file (new mtime or size) is parsed again.
    return parse_template(_read(Path(path)), path)

"""Field kinds: how a value of each kind goes from a cell into the document and back.

A template gives every field a ``kind`` (text, code, amount, int, percent, choice, level1, level2,
op, indicator-value, template). The kind decides the conversion of a cell's value, the cell's
number format and alignment, the type of its column in the consolidated tables, its JSON form in
the issued set, and which dropdown list it offers. A new kind is a class registered with
:func:`kind`; nothing else in the program lists them (live checks are keyed by kind name in
:mod:`budgetxl.rules.live`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from ..files.grids import cell_text
from ..values import QUALITATIVE_OP, format_number, normalize_text, to_decimal, value_unit

# Number formats by column type (the consolidated tables use them too).
AMOUNT_FORMAT = "#,##0.00####"
NUMBER_FORMATS = {"amount": AMOUNT_FORMAT, "int": "0", "percent": "0.##", "number": "0.00"}

KINDS: dict[str, "Kind"] = {}


def kind(cls: type["Kind"]) -> type["Kind"]:
    """Register a kind under its ``name`` (a class decorator)."""
    if cls.name in KINDS:
        raise RuntimeError(f"field kind {cls.name!r} registered twice")
    KINDS[cls.name] = cls()
    return cls


class Kind:
    name: ClassVar[str] = ""
    column_type: ClassVar[str] = "text"  # text | amount | int | percent (consolidated tables, data files)
    num_format: ClassVar[str | None] = None  # of the value cell
    align: ClassVar[str | None] = None
    text: ClassVar[bool] = True  # text values: placeholders and stray whitespace are checked
    list_name: ClassVar[str | None] = None  # the dropdown it offers (a [lists] entry), if any
    strict_list: ClassVar[bool] = True  # refuse values outside the list (else: allow, with a note)
    parts: ClassVar[tuple[str, ...]] = ()  # sibling fields this one is made of (key.part)
    typed_percent: ClassVar[bool] = False  # a number shown as a percentage is the percent shown (95% is 95)
    # Its columns in the consolidated tables, in the order of flatten(): "" its own, a part's name
    # that part's, "=key[:type]" one the program adds (heading from the catalogue, col.<key>).
    columns: ClassVar[tuple[str, ...]] = ("",)

    # -- cells ---------------------------------------------------------------------------------
    # read(v): a cell's value (as python-calamine gives it) -> the document's value. Text by
    # default: cell_text itself, not a wrapper (the reader calls it for every cell).
    read = staticmethod(cell_text)

    def cell(self, value: Any) -> Any:
        """The document's value -> what the cell holds (text or a number)."""
        return value

    def read_parts(self, v: Any, parts: dict[str, Any]) -> Any:
        """A compound value from its own cell and its parts' cells (see ``parts``)."""
        return self.read(v)

    def cells(self, value: Any) -> dict[str, Any]:
        """Cell values by part ("" for the field's own cell)."""
        return {"": self.cell(value)}

    # -- data ----------------------------------------------------------------------------------
    def to_json(self, value: Any) -> Any:
        """The value as the issued set and comparisons keep it (JSON-ready)."""
        return value

    def same(self, got: Any, want: Any) -> bool:
        """Does the document's value ``got`` equal the recorded JSON value ``want``?"""
        return self.to_json(got) == want

    def display(self, value: Any) -> str:
        return "" if value is None else str(value)

    def missing(self, value: Any, raw: Any) -> bool:
        """Is a required field left empty? (``raw``: what the cell held; a value that did not read,
        such as an amount typed as words, is another rule's finding.)"""
        return value is None and raw is None

    raw_decides: ClassVar[bool] = False  # missing() can be true although the value is not None

    def flatten(self, value: Any) -> list[Any]:
        """Values of the field's columns in the consolidated tables (see form.consolidated)."""
        return [value]

    def from_columns(self, values: list[Any]) -> Any:
        """Inverse of flatten, from what a consolidated sheet holds."""
        return self.read(values[0])


@kind
class TextKind(Kind):
    name = "text"


@kind
class CodeKind(Kind):
    """A code (unit, region, project): always text, so 414001 never becomes a number."""

    name = "code"
    num_format = "@"


@kind
class AmountKind(Kind):
    """万元 as an exact decimal."""

    name = "amount"
    column_type = "amount"
    num_format = AMOUNT_FORMAT
    text = False

    def read(self, v: Any) -> Any:
        return to_decimal(v)

    def to_json(self, value: Any) -> Any:
        return None if value is None else format_number(value)

    def same(self, got: Any, want: Any) -> bool:
        return got is not None and got == Decimal(want)

    def display(self, value: Any) -> str:
        return "" if value is None else format_number(value)


@kind
class IntKind(Kind):
    """A whole number (the fiscal year)."""

    name = "int"
    column_type = "int"
    align = "left"
    text = False

    def read(self, v: Any) -> Any:
        d = to_decimal(v)
        return int(d) if d is not None and d == d.to_integral_value() else None

    def same(self, got: Any, want: Any) -> bool:
        return str(got) == str(want)

    def missing(self, value: Any, raw: Any) -> bool:
        return value is None  # (a year that does not read as one is missing: no other rule says so)


@kind
class PercentKind(Kind):
    """0-100 (a spending-plan checkpoint). Text such as "25%" or "２５％" already means 0-100."""

    name = "percent"
    column_type = "percent"
    align = "center"
    text = False

    def read(self, v: Any) -> Any:
        if isinstance(v, str):
            s = normalize_text(v)
            if s.endswith("%"):
                return to_decimal(s[:-1])
        return to_decimal(v)

    def to_json(self, value: Any) -> Any:
        return None if value is None else format_number(value)


@kind
class ChoiceKind(Kind):
    """Text offered from a dropdown; the field names the list (``list = "units"``)."""

    name = "choice"


@kind
class Level1Kind(Kind):
    """一级指标, from the template's framework."""

    name = "level1"
    list_name = "level1"


@kind
class Level2Kind(Kind):
    """二级指标, from the framework, offered under the row's 一级指标."""

    name = "level2"
    list_name = "level2"


@kind
class OpKind(Kind):
    """计算符号 (＝ ≥ ≤ > < or 定性): a part of the indicator value."""

    name = "op"
    align = "center"
    list_name = "ops"
    typed = (">=", "<=", "=")  # what a clerk types for ≥ ≤ ＝ (accepted in the cell, read as the symbol)


@kind
class IndicatorValueKind(Kind):
    """指标值 with its 计算符号 and 计量单位 (parts ``op`` and ``unit``): one parsed value.

    A clerk may also type the whole value (``≤40人``) into 指标值 and leave the parts empty."""

    name = "indicator-value"
    align = "center"
    parts = ("op", "unit")
    columns = ("", "op", "=number:amount", "unit", "=kind")

    def read_parts(self, v: Any, parts: dict[str, Any]) -> Any:
        op_s = (cell_text(parts.get("op")) or "").strip()
        val_s = cell_text(v)
        unit_s = cell_text(parts.get("unit")) or ""
        if val_s is None:
            return None if not op_s and not unit_s else (op_s + unit_s) or None
        if op_s == QUALITATIVE_OP:
            return {"text": val_s + unit_s, "op": QUALITATIVE_OP}
        return op_s + val_s + (unit_s if unit_s and not has_unit(val_s, unit_s) else "")

    def read(self, v: Any) -> Any:
        return self.read_parts(v, {})

    def cells(self, value: Any) -> dict[str, Any]:
        if value is None:
            return {"op": None, "": None, "unit": None}
        if value.kind == "quantitative":
            return {"op": value.op, "": value.number, "unit": value.unit}
        return {"op": QUALITATIVE_OP, "": value.text, "unit": None}

    def to_json(self, value: Any) -> Any:
        return None if value is None else value.text

    def display(self, value: Any) -> str:
        return "" if value is None else value.text

    def missing(self, value: Any, raw: Any) -> bool:
        # The 指标值 cell itself must hold something (a 计算符号 or 计量单位 alone is no value).
        return raw is None

    raw_decides = True

    def flatten(self, value: Any) -> list[Any]:
        # text, op, number, unit, kind (see form.consolidated)
        if value is None:
            return [None] * 5
        return [value.text, value.op, value.number, value.unit, value.kind]

    def from_columns(self, values: list[Any]) -> Any:
        text, op = cell_text(values[0]), cell_text(values[1]) if len(values) > 1 else None
        return None if text is None else {"text": text, "op": op if op == QUALITATIVE_OP else None}


@kind
class TemplateKind(Kind):
    """The template a workbook was made with, shown as ``id@version`` (computed, never typed)."""

    name = "template"
    num_format = "@"
    columns = ("=template_id", "")

    def read(self, v: Any) -> Any:
        return parse_template_ref(cell_text(v) or "")

    def cell(self, value: Any) -> Any:
        return None if value is None else template_ref_text(value.id, value.version)

    def to_json(self, value: Any) -> Any:
        return None if value is None else template_ref_text(value.id, value.version)

    def flatten(self, value: Any) -> list[Any]:
        return [None, None] if value is None else [value.id, value.version]

    def from_columns(self, values: list[Any]) -> Any:
        tid, version = (cell_text(v) for v in values)
        return {"id": tid, "version": version} if tid and version else None


def has_unit(value: str, unit: str) -> bool:
    """Was the value typed with a unit of its own (1万份, 95%)? Then the 计量单位 cell is not added
    again: the value's own unit is read (rules.indicators reports one that differs)."""
    text = normalize_text(value)
    return text.endswith(normalize_text(unit)) or value_unit(text) is not None


def template_ref_text(template_id: str, version: str) -> str:
    return f"{template_id}@{version}"


def parse_template_ref(text: str) -> dict[str, str] | None:
    if "@" not in text:
        return None
    tid, _, version = text.strip().rpartition("@")
    return {"id": tid, "version": version} if tid and version else None

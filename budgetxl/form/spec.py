"""The parts of a template spec that describe the form: fields, rows, blocks and sheets.

A sheet is a list of blocks stacked from top to bottom (``blocks = [...]`` names them in order).
Each block has a ``kind``:

- ``fields``: rows of fields; in a row each field is its label cell followed by its value cell
  (merged over ``span`` columns), left to right; rows with the same ``group`` get one label in
  column A over all of them.
- ``checkpoints``: a label over two rows, one labelled column per month, the values beneath.
- ``list``: a label merged down the block, a running number, one text per row.
- ``table``: a header row of field labels, one row per item (the indicator table).

The models are strict (an unknown key is an error with its place in the file), so a typo in a
spec fails when the spec is loaded, not when a workbook is read.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnSpec(_Spec):
    """A field's column in the consolidated workbook and the data files."""

    key: str | None = None  # data-file column name (default: the field key without "extra.")
    header: str | None = None  # heading in the consolidated workbook (default: the field's name)
    width: int | None = None


class FieldSpec(_Spec):
    key: str  # where the value goes in the document; fields a template adds: "extra.<name>"
    label: str  # the text in the form
    name: str | None = None  # how messages and column headings call it (default: label)
    en: str | None = None  # its English name in English messages (default: name)
    kind: str = "text"
    owner: Literal["issued", "filled", "computed"] = "filled"
    required: bool = False
    placeholder: bool = True  # check text for placeholders and stray whitespace
    live: bool = True  # check it in the workbook while the clerk types (where a sheet has checks)
    span: int = Field(1, ge=1)  # columns the value cell is merged over
    summary: bool = False  # a column of the workbook's 汇总 sheet
    compare: bool = True  # compared by diff
    hint: str | None = None  # the input message shown on the cell
    list: str | None = None  # dropdown: a [lists] entry
    open: bool = False  # other values than the list's allowed
    align: Literal["left", "center", "right"] | None = None
    column: ColumnSpec | bool = True  # False: not in the consolidated tables
    of: tuple[str, ...] = ()  # a computed field (calc.<name>): the fields it is computed from

    @property
    def column_spec(self) -> ColumnSpec | None:
        if self.column is False:
            return None
        return self.column if isinstance(self.column, ColumnSpec) else ColumnSpec()


class RowSpec(_Spec):
    field: list[FieldSpec] = Field(min_length=1)
    group: str | None = None
    height: float | None = None  # points; a row holding long prefilled text grows beyond it


class FieldsBlock(_Spec):
    kind: Literal["fields"]
    row: list[RowSpec] = Field(min_length=1)


class CheckpointsBlock(_Spec):
    kind: Literal["checkpoints"]
    key: str
    label: str
    name: str | None = None
    en: str | None = None
    months: list[int]
    month_label: str  # a checkpoint's label, with {month}
    month_en: str | None = None
    required: bool = False
    live: bool = True
    hint: str | None = None
    column: ColumnSpec = ColumnSpec()

    @field_validator("months")
    @classmethod
    def _months(cls, v: list[int]) -> list[int]:
        if not v or sorted(set(v)) != v or not all(1 <= m <= 12 for m in v):
            raise ValueError("months must be increasing month numbers 1-12")
        return v


class ListBlock(_Spec):
    kind: Literal["list"]
    key: str
    label: str
    name: str | None = None
    en: str | None = None
    required: bool = False  # at least one item
    min_rows: int = Field(1, ge=1)
    spare_rows: int = Field(0, ge=0)  # empty rows after the filled ones
    row_height: float = 22
    hint: str | None = None
    column: ColumnSpec = ColumnSpec()


class TableBlock(_Spec):
    kind: Literal["table"]
    key: str
    field: list[FieldSpec] = Field(min_length=1)  # the columns, from A
    required: bool = False  # at least one row
    spare_rows: int = Field(0, ge=0)
    identity: list[str] = Field(default_factory=list)  # keys that pair a row with last time's (diff)
    row_height: float = 30


Block = Annotated[Union[FieldsBlock, CheckpointsBlock, ListBlock, TableBlock], Field(discriminator="kind")]
# Every block kind's spec class by its ``kind``; other forms register theirs (block_kind).
BLOCK_KINDS: dict[str, type[_Spec]] = {"fields": FieldsBlock, "checkpoints": CheckpointsBlock, "list": ListBlock,
                                       "table": TableBlock}
_ADAPTER: list[TypeAdapter] = []


def block_kind(kind: str):
    """Register a block spec class under ``kind`` (a class decorator)."""
    def register(cls: type[_Spec]) -> type[_Spec]:
        if kind in BLOCK_KINDS:
            raise RuntimeError(f"block kind {kind!r} registered twice")
        BLOCK_KINDS[kind] = cls
        _ADAPTER.clear()
        return cls

    return register


def _block_adapter() -> TypeAdapter:
    if not _ADAPTER:
        kinds = tuple(BLOCK_KINDS.values())
        _ADAPTER.append(TypeAdapter(Annotated[Union[kinds], Field(discriminator="kind")]))  # type: ignore[valid-type]
    return _ADAPTER[0]


class SheetSpec(_Spec):
    """A sheet: its column widths and its blocks (named tables of the spec, in ``blocks`` order)."""

    widths: list[float] = Field(min_length=1)
    blocks: list[str] = Field(min_length=1)
    parts: dict[str, Any] = Field(default_factory=dict)  # the blocks, validated by their kind's spec class

    @model_validator(mode="before")
    @classmethod
    def _collect_blocks(cls, data: Any) -> Any:
        # Every table named in `blocks` is a block; anything else unknown is an error.
        if not isinstance(data, dict) or "parts" in data:
            return data
        own = set(cls.model_fields) - {"parts"}
        names = data.get("blocks") or []
        parts = {n: data[n] for n in names if n in data}
        missing = [n for n in names if n not in data]
        if missing:
            raise ValueError(f"blocks {missing} are listed but not defined")
        rest = {k: v for k, v in data.items() if k in own or k not in parts}
        return {**rest, "parts": {n: _block_adapter().validate_python(v) for n, v in parts.items()}}

    @property
    def width(self) -> int:
        return len(self.widths)

    def ordered(self) -> list[tuple[str, Any]]:
        return [(n, self.parts[n]) for n in self.blocks]


class UnitSheetSpec(SheetSpec):
    pass


class ProjectSheetSpec(SheetSpec):
    title_suffix: str = ""
    amount_unit_line: str = ""
    spare_sheets: int = Field(3, ge=0)  # empty project sheets in a workbook made from a roster
    landscape: bool = False  # printed across an A4 page (a wide form)
    insert_rows: bool = True  # may the clerk insert rows (not where every row is issued)
    added_sheets: int = Field(0, ge=0)  # spare sheets for projects the unit adds, in a workbook with issued projects


class SheetNames(_Spec):
    instructions: str
    unit: str
    summary: str
    project_prefix: str
    added_prefix: str | None = None  # a spare sheet for a project the unit adds (default: project_prefix)


class Instructions(_Spec):
    text: str = ""

    def lines(self) -> list[str]:
        return [line for line in self.text.strip("\n").splitlines() if line.strip()]

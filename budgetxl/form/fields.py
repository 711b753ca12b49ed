"""The field table: every field of the form once, as the template spec declares it.

Three scopes: ``unit`` (the unit sheet; keys relative to the document: ``unit.code``, ``year``,
``overview.overall``), ``project`` (a project sheet: ``code``, ``budget.total``) and
``indicator`` (the table's columns: ``level1``, ``value``). A key the document model does not
know must start with ``extra.``: such fields are kept in the ``extra`` dict of the document, the
project or the indicator, so a template adds a field without any code knowing its name.

Everything that handles fields works from this table: the workbook's layout, writer and reader,
the required/placeholder/issued checks and the live checks, the issued set and its fingerprint,
the consolidated columns, sync, split and diff.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ..findings import Label
from ..model import EXTRA, Indicator, Project, Submission
from .kinds import KINDS, Kind
from .spec import CheckpointsBlock, FieldSpec, FieldsBlock, ListBlock, SheetSpec, TableBlock

SCOPES = ("unit", "project", "indicator")
CALC = "calc"  # computed cells (a score, a rate, a light) are fields under calc.<name>: never data
_MODEL = {"unit": Submission, "project": Project, "indicator": Indicator}
# The keys the rest of the form hangs on: a spec must have these fields.
REQUIRED_KEYS = {"unit": ("unit.code",), "project": ("code", "name"), "indicator": ()}


class Field:
    """One field of the form: its spec, scope and kind, with what every reader of it needs
    computed once (the reader and the checks touch fields for every cell of every workbook)."""

    def __init__(self, spec: FieldSpec, scope: str, kind: Kind, part_of: str | None = None):
        self.spec, self.scope, self.kind, self.part_of = spec, scope, kind, part_of
        self.key = spec.key  # where the value is in the document (relative to its scope)
        self.label = spec.label  # the text in the form
        self.name = spec.name or spec.label  # how messages and column headings call it
        self.display = Label(self.name, spec.en)  # the name in a message, rendered in its language
        self.issued = spec.owner == "issued"
        self.computed = spec.owner == "computed"
        self.required = spec.required
        self.checks_text = spec.placeholder and kind.text and not self.computed
        self.list_name = spec.list or kind.list_name
        self.align = spec.align or kind.align
        self.is_extra = spec.key.startswith(EXTRA + ".")
        self.stored = not spec.key.startswith(CALC + ".")  # a computed cell is shown, never read into data
        self.part = spec.key[len(part_of) + 1:] if part_of else None
        self._path = tuple(spec.key.split("."))

    def __repr__(self) -> str:
        return f"Field({self.scope}:{self.key}, {self.kind.name})"

    # -- the value in a document -----------------------------------------------------------------
    def get(self, obj: Any) -> Any:
        """The value of this field in a model object (the document, a project or an indicator)."""
        path = self._path
        if len(path) == 1:
            return getattr(obj, path[0])
        if path[0] == EXTRA:
            return obj.extra.get(path[1])
        if not self.stored:
            return None
        for p in path:
            if obj is None:
                return None
            obj = getattr(obj, p)
        return obj

    def set(self, data: dict[str, Any], value: Any) -> None:
        """Put ``value`` into plain model data (dicts) at this field's key."""
        path = self._path
        for p in path[:-1]:
            data = data.setdefault(p, {})
        data[path[-1]] = value

    # -- its column in the consolidated tables ------------------------------------------------------
    @property
    def column_key(self) -> str | None:
        spec = self.spec.column_spec
        if spec is None:
            return None
        if spec.key:
            return spec.key
        key = self.key[len(EXTRA) + 1:] if self.is_extra else self.key
        return key.replace(".", "_")

    @property
    def header(self) -> str:
        spec = self.spec.column_spec
        return (spec.header if spec and spec.header else None) or self.name

    @property
    def width(self) -> int:
        spec = self.spec.column_spec
        return spec.width if spec and spec.width else (12 if self.kind.column_type != "text" else 16)


def _model_has(model: type[BaseModel], path: list[str]) -> bool:
    """Does ``model`` have the (dotted) field ``path``? (Optional and list types are looked through.)"""
    for i, name in enumerate(path):
        info = model.model_fields.get(name)
        if info is None:
            return False
        if i == len(path) - 1:
            return True
        ann = info.annotation
        nested = [a for a in getattr(ann, "__args__", (ann,)) if isinstance(a, type) and issubclass(a, BaseModel)]
        if not nested:
            return False
        model = nested[0]
    return False


class FieldTable:
    """All fields of a template, by scope, with the blocks that hold them."""

    def __init__(self, template: Any):
        self.template = template
        self.unit: list[Field] = []
        self.project: list[Field] = []
        self.indicator: list[Field] = []
        self.lists: dict[str, list[ListBlock]] = {"unit": [], "project": []}
        self.checkpoints: CheckpointsBlock | None = None
        self.table: TableBlock | None = None
        self.blocks: dict[tuple[str, str], list[Field]] = {}  # the fields of each fields block
        self.memo: dict[Any, Any] = {}  # what other modules derive from the table, computed once
        self._build("unit", template.unit)
        self._build("project", template.project)
        self.by_key: dict[tuple[str, str], Field] = {}
        for scope in SCOPES:
            for f in self.scope(scope):
                if (scope, f.key) in self.by_key:
                    raise ValueError(f"field {f.key!r} appears twice")
                self.by_key[(scope, f.key)] = f
        self._check()

    def _build(self, sheet: str, spec: SheetSpec) -> None:
        for name, block in spec.ordered():
            where = f"{sheet}.{name}"
            if isinstance(block, FieldsBlock):
                for n, row in enumerate(block.row):
                    used = (1 if row.group else 0) + sum(1 + f.span for f in row.field)
                    if used > spec.width:
                        raise ValueError(f"{where}.row[{n}] needs {used} columns; the sheet has {spec.width} (widths)")
                    placed = [self._field(f, sheet, where) for f in row.field]
                    self.scope(sheet).extend(placed)
                    self.blocks.setdefault((sheet, name), []).extend(placed)
            elif isinstance(block, ListBlock):
                self._key(sheet, block.key, where)
                self.lists[sheet].append(block)
            elif isinstance(block, CheckpointsBlock):
                if sheet != "project" or self.checkpoints is not None:
                    raise ValueError(f"{where}: one checkpoints block, on the project sheet")
                self._key(sheet, block.key, where)
                self.checkpoints = block
            elif hasattr(block, "add_fields"):  # another form's block kind (see form.stage_blocks)
                block.add_fields(self, sheet, where)
            elif isinstance(block, TableBlock):
                if sheet != "project" or self.table is not None or block.key != "indicators":
                    raise ValueError(f"{where}: one table (key indicators), on the project sheet")
                if len(block.field) > spec.width:
                    raise ValueError(f"{where} has {len(block.field)} columns; the sheet has {spec.width} (widths)")
                self.table = block
                keys = {f.key for f in block.field}
                for f in block.field:
                    head = f.key.split(".")[0]
                    part_of = head if head != f.key and head in keys and head != EXTRA else None
                    self.indicator.append(self._field(f, "indicator", where, part_of))

    def _field(self, spec: FieldSpec, scope: str, where: str, part_of: str | None = None) -> Field:
        kind = KINDS.get(spec.kind)
        if kind is None:
            raise ValueError(f"{where}: field {spec.key!r} has unknown kind {spec.kind!r} "
                             f"(kinds: {', '.join(sorted(KINDS))})")
        self._key(scope, spec.key, where, spec.owner == "computed")
        name = spec.list or kind.list_name
        if name and name not in ("level1", "level2") and self.template.lists.get(name) is None:
            raise ValueError(f"{where}: field {spec.key!r} uses list {name!r}, which [lists] does not define")
        return Field(spec, scope, kind, part_of)

    def _key(self, scope: str, key: str, where: str, computed: bool = False) -> None:
        parts = key.split(".")
        if parts[0] == CALC and computed and len(parts) >= 2 and all(parts):
            return
        if parts[0] == EXTRA:
            if len(parts) != 2 or not parts[1]:
                raise ValueError(f"{where}: an added field's key is extra.<name>, not {key!r}")
            return
        if not _model_has(_MODEL[scope], parts) or parts[-1] == EXTRA:
            raise ValueError(f"{where}: unknown field key {key!r} (a field the form adds is called extra.<name>)")

    def _check(self) -> None:
        for scope, keys in REQUIRED_KEYS.items():
            for key in keys:
                if (scope, key) not in self.by_key:
                    raise ValueError(f"the {scope} fields must include {key!r}")
        for f in self.indicator:
            if f.kind.parts and f.part_of is None:
                missing = [p for p in f.kind.parts if ("indicator", f"{f.key}.{p}") not in self.by_key]
                if missing:
                    raise ValueError(f"field {f.key!r} ({f.kind.name}) needs the fields "
                                     f"{', '.join(f'{f.key}.{p}' for p in missing)}")
        if self.table is not None:
            unknown = [k for k in self.table.identity if ("indicator", k) not in self.by_key]
            if unknown:
                raise ValueError(f"table identity names unknown fields {unknown}")

    # -- lookups -----------------------------------------------------------------------------------
    def scope(self, scope: str) -> list[Field]:
        return {"unit": self.unit, "project": self.project, "indicator": self.indicator}[scope]

    def field(self, key: str, scope: str = "project") -> Field:
        return self.by_key[(scope, key)]

    def get(self, key: str, scope: str = "project") -> Field | None:
        return self.by_key.get((scope, key))

    def display(self, key: str) -> Label | None:
        """How messages name a field, or a list or checkpoints block, given its key (``budget.total``,
        ``overview.items``, ``spending_plan``): the template's name, and its English one."""
        for scope in SCOPES:
            f = self.by_key.get((scope, key))
            if f is not None:
                return f.display
        for block in [*self.lists["unit"], *self.lists["project"], self.checkpoints]:
            if block is not None and block.key == key:
                return Label(block.name or block.label, block.en)
        return None

    def block_fields(self, sheet: str, name: str) -> list[Field]:
        return self.blocks.get((sheet, name), [])

    def parts_of(self, f: Field) -> dict[str, Field]:
        return {p: self.by_key[(f.scope, f"{f.key}.{p}")] for p in f.kind.parts}

    def issued(self, scope: str) -> list[Field]:
        return [f for f in self.scope(scope) if f.issued]

    def checkpoint_label(self, month: int) -> str:
        assert self.checkpoints is not None
        return self.checkpoints.month_label.format(month=month)

    def checkpoint_display(self, month: int) -> Label:
        """A checkpoint's name in messages: 资金支出计划（3月底）."""
        from ..messages import message

        cp = self.checkpoints
        assert cp is not None
        zh = message("workbook.checkpoint-name", "zh", name=cp.name or cp.label, label=self.checkpoint_label(month))
        en_label = (cp.month_en or cp.month_label).format(month=month)
        en = message("workbook.checkpoint-name", "en", name=cp.en or cp.name or cp.label, label=en_label)
        return Label(zh, en)

    def anchor(self, block: Any) -> str:
        """The label a block is found by: its first field's, its own, or its first column's."""
        if isinstance(block, FieldsBlock):
            return block.row[0].field[0].label
        if isinstance(block, TableBlock):
            return block.field[0].label
        return block.label

    def next_anchor(self, sheet: SheetSpec, name: str) -> str | None:
        """The label that ends block ``name`` of ``sheet`` (a list runs down to it): the first
        label of the block below it."""
        i = sheet.blocks.index(name)
        return self.anchor(sheet.parts[sheet.blocks[i + 1]]) if i + 1 < len(sheet.blocks) else None

    def label(self, key: str, scope: str = "project", **fmt: Any) -> str:
        f = self.by_key.get((scope, key)) or self.by_key.get(("indicator", key))
        if f is not None:
            return f.label
        for s in ("unit", "project"):
            spec = self.template.unit if s == "unit" else self.template.project
            for name, block in spec.ordered():
                if name == key or getattr(block, "key", None) == key:
                    if isinstance(block, CheckpointsBlock) and fmt:
                        return block.month_label.format(**fmt)
                    if hasattr(block, "label"):
                        return block.label
        raise KeyError(f"template {self.template.id} has no field or block {key!r}")

    def all_labels(self) -> dict[str, str]:
        out = {f"{f.scope}:{f.key}": f.label for s in SCOPES for f in self.scope(s)}
        for s, spec in (("unit", self.template.unit), ("project", self.template.project)):
            for name, block in spec.ordered():
                if hasattr(block, "label"):
                    out[f"{s}:{name}"] = block.label
                if isinstance(block, FieldsBlock):
                    for n, row in enumerate(block.row):
                        if row.group:
                            out[f"{s}:{name}.group{n}"] = row.group
        if self.checkpoints is not None:
            for m in self.checkpoints.months:
                out[f"project:month{m}"] = self.checkpoint_label(m)
        return out

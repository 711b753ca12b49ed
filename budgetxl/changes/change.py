"""One change made by sync or split, as data (rendered through the catalogue)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..messages import message
from ..values import format_number


def plain(v: Any) -> Any:
    """A value as a change list shows it: exact decimals as their digits."""
    if isinstance(v, Decimal):
        return format_number(v)
    return v


@dataclass
class Change:
    kind: str  # added | withdrawn | changed | removed | kept
    project: str | None  # project code (or name when it has no code)
    field: str | None = None  # the field's key (budget.total, unit.name, extra.<name>)
    old: Any = None
    new: Any = None
    note: str | None = None  # "filled": a withdrawn project whose typed content is not carried over
    name: str | None = None  # the project's name (shown beside its code)
    label: Any = None  # the field as the form calls it (a Label: 预算数 / total budget)

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.kind, "project": self.project, "field": self.field,
                "old": plain(self.old), "new": plain(self.new), "note": self.note}

    def text(self, lang: str = "zh") -> str:
        """The change in people's words: the project by code and name, the field by its label."""
        shown = " ".join(x for x in (self.project, self.name if self.name != self.project else None) if x)
        if self.kind == "changed":
            field = self.label.render(lang) if self.label is not None else self.field
            key = "change.changed" if self.project is not None else "change.unit-changed"
            return message(key, lang, project=shown, field=field, old=readable(self.old, lang),
                           new=readable(self.new, lang))
        key = "change.withdrawn-filled" if self.note == "filled" else f"change.{self.kind}"
        return message(key, lang, project=shown)


def readable(v: Any, lang: str = "zh") -> str:
    """A value as people read it: exact decimals as their digits, an empty value said so, a list
    as its items."""
    if v is None or v == "" or v == []:
        return message("value.empty", lang)
    if isinstance(v, (list, tuple)):
        return message("sep.list", lang).join(readable(x, lang) for x in v)
    if isinstance(v, dict):
        return message("sep.list", lang).join(f"{k} {readable(x, lang)}" for k, x in v.items())
    return str(plain(v))

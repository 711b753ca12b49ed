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

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.kind, "project": self.project, "field": self.field,
                "old": plain(self.old), "new": plain(self.new), "note": self.note}

    def text(self, lang: str = "zh") -> str:
        if self.kind == "changed":
            return message("change.changed", lang, project=self.project or "", field=self.field,
                           old=plain(self.old), new=plain(self.new))
        key = "change.withdrawn-filled" if self.note == "filled" else f"change.{self.kind}"
        return message(key, lang, project=self.project)

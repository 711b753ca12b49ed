"""Findings as data: a stable rule id, a severity, a location and a message from the catalogue.

Every report (text, JSON, annotated workbook, consolidated sheet) renders from :class:`Finding`.
A finding renders without anything else imported first: the rule messages are in the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from .cells import a1
from .messages import RULES, message, pick

Severity = Literal["error", "warning"]


class CellRef(NamedTuple):
    """Where a value was read (a tuple: the reader makes one for every field of every workbook)."""

    sheet: str
    row: int  # 0-based
    col: int  # 0-based

    @property
    def a1(self) -> str:
        return a1(self.row, self.col)


class Label(NamedTuple):
    """A field's name in a message: the template's label, and its English name when it has one."""

    zh: str
    en: str | None = None

    def render(self, lang: str) -> str:
        return pick((self.zh, self.en or self.zh), lang)


@dataclass
class Finding:
    rule: str
    severity: Severity | None = None  # None: the rule's default severity in the catalogue
    sheet: str | None = None
    cell: str | None = None  # A1, or None when the whole sheet is meant
    args: dict[str, Any] = field(default_factory=dict)
    key: str | None = None  # message key when a rule has several messages (default: the rule id)
    project: int | None = None  # the index of the project it is about (None: the unit, the workbook)

    def __post_init__(self) -> None:
        if self.severity is None:
            known = RULES.get(self.rule)
            self.severity = known.severity if known else "error"  # type: ignore[assignment]

    @property
    def variant(self) -> str:
        key = self.key or self.rule
        return key[len(self.rule) + 1:] if key.startswith(self.rule + ".") else ""

    def message(self, lang: str = "zh") -> str:
        return message(self.key or self.rule, lang, **self.args)  # (labels render in lang)

    def to_data(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message(lang),
        }

    def to_record(self) -> dict[str, Any]:
        """The finding as plain data (JSON) that renders later in any language (from_record):
        kept by something that outlives the run, like the portal's ledger."""
        return {"rule": self.rule, "severity": self.severity, "sheet": self.sheet, "cell": self.cell,
                "key": self.key, "project": self.project, "args": record_args(self.args)}

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Finding:
        return cls(data["rule"], data.get("severity"), data.get("sheet"), data.get("cell"),
                   args_from_record(data.get("args") or {}), data.get("key"), data.get("project"))


_BOTH = "zh|en"  # the key of an argument kept in both languages


def record_args(args: dict[str, Any]) -> dict[str, Any]:
    """Message arguments as JSON values: one that renders per language (a field's name, a nested
    error) is kept in both languages; other values as they print (a Decimal as its digits)."""
    out: dict[str, Any] = {}
    for k, v in args.items():
        if hasattr(v, "render"):
            out[k] = {_BOTH: [v.render("zh"), v.render("en")]}
        elif v is None or isinstance(v, (str, int, float, bool)):
            out[k] = v
        else:
            out[k] = str(v)
    return out


def args_from_record(data: dict[str, Any]) -> dict[str, Any]:
    return {k: Label(*v[_BOTH]) if isinstance(v, dict) and _BOTH in v else v for k, v in data.items()}

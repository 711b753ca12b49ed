"""Findings and errors as data: a stable rule id, a severity, a location and a message.

Every report (text, JSON, annotated workbook) renders from :class:`Finding`; every failure that
reaches the user is a :class:`BudgetxlError` with a message in Chinese and English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from .i18n import message

Severity = Literal["error", "warning"]


class CellRef(NamedTuple):
    """Where a value was read (a tuple: the reader makes one for every field of every workbook)."""

    sheet: str
    row: int  # 0-based
    col: int  # 0-based

    @property
    def a1(self) -> str:
        from .cells import a1

        return a1(self.row, self.col)


@dataclass
class Finding:
    rule: str
    severity: Severity
    sheet: str | None = None
    cell: str | None = None  # A1, or None when the whole sheet is meant
    args: dict[str, Any] = field(default_factory=dict)
    key: str | None = None  # message key when a rule has several messages (default: the rule id)

    def message(self, lang: str = "zh") -> str:
        # Field names and similar arguments render in the message's language.
        args = {k: (v.render(lang) if hasattr(v, "render") else v) for k, v in self.args.items()}
        return message(self.key or self.rule, lang, **args)

    def to_data(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message(lang),
        }


class BudgetxlError(Exception):
    """A failure that is the user's to fix (unreadable file, bad option); never a traceback."""

    def __init__(self, key: str, **args: Any):
        self.key = key
        self.args_ = args
        super().__init__(message(key, "en", **args))

    def message(self, lang: str = "zh") -> str:
        return message(self.key, lang, **self.args_)

    def __reduce__(self):
        # Rebuilt from key and arguments (not the English text) when it crosses a process boundary.
        return (_rebuild_error, (type(self), self.key, self.args_))


def _rebuild_error(cls: type, key: str, args: dict[str, Any]) -> BudgetxlError:
    return cls(key, **args)


class ReadError(BudgetxlError):
    """A file that cannot be read as a budgetxl workbook."""

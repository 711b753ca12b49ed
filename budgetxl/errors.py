"""Errors the user can act on: a message key and its arguments, rendered from the catalogue.

Every failure that reaches a user is a :class:`BudgetxlError` (never a traceback); it survives
process boundaries as key + arguments, so a worker's error renders in the caller's language.
"""

from __future__ import annotations

from typing import Any

from .messages import message


class BudgetxlError(Exception):
    """A failure that is the user's to fix (unreadable file, bad option)."""

    def __init__(self, key: str, **args: Any):
        self.key = key
        self.args_ = args
        super().__init__(message(key, "en", **args))

    def message(self, lang: str = "zh") -> str:
        return message(self.key, lang, **self.args_)

    render = message  # (an error given as another message's argument renders in its language)

    def __reduce__(self):
        # Rebuilt from key and arguments (not the English text) when it crosses a process boundary.
        return (_rebuild_error, (type(self), self.key, self.args_))


def _rebuild_error(cls: type, key: str, args: dict[str, Any]) -> BudgetxlError:
    return cls(key, **args)


class ReadError(BudgetxlError):
    """A file that cannot be read as a budgetxl workbook."""


class TemplateError(BudgetxlError):
    """A template spec that cannot be used (``detail`` says what is wrong, where)."""

    def __init__(self, detail: str, **args: Any):
        super().__init__("bad-template", detail=detail, **args)


def usage_error(key: str, **args: Any) -> BudgetxlError:
    """A refused combination of options: ``用法错误：<the sentence under key>``."""
    return BudgetxlError("usage", detail=BudgetxlError(key, **args))

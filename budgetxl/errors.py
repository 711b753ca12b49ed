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


# pydantic's error types -> what the value should have been (messages ``invalid.<kind>``)
_INVALID = {
    "missing": "missing", "extra_forbidden": "extra", "json_invalid": "json", "json_type": "json",
    "decimal_parsing": "number", "decimal_type": "number", "float_parsing": "number", "float_type": "number",
    "finite_number": "number", "decimal_max_digits": "places", "decimal_max_places": "places",
    "decimal_whole_digits": "places", "int_parsing": "integer", "int_type": "integer", "int_from_float": "integer",
    "int_parsing_size": "integer", "string_type": "text", "string_unicode": "text", "bool_type": "boolean",
    "bool_parsing": "boolean", "list_type": "list", "tuple_type": "list", "dict_type": "object",
    "model_type": "object", "model_attributes_type": "object", "dataclass_type": "object", "literal_error": "choice",
    "enum": "choice", "greater_than": "low", "greater_than_equal": "low", "less_than": "high",
    "less_than_equal": "high", "too_short": "short", "string_too_short": "short", "too_long": "long",
    "string_too_long": "long", "string_pattern_mismatch": "pattern",
}


def invalid_value(err: dict[str, Any], where: Any) -> BudgetxlError:
    """One pydantic error (an item of ``ValidationError.errors()``) as a catalogue sentence: what
    the value at ``where`` (a place people can find: a label, a line) should have been. pydantic's
    own English text is never shown."""
    kind = _INVALID.get(str(err.get("type")), "value")
    given = err.get("input")
    shown = "" if given is None or isinstance(given, (dict, list)) else str(given)[:60]
    if kind == "json":
        import re

        m = re.search(r"line (\d+) column (\d+)", str((err.get("ctx") or {}).get("error", err.get("msg", ""))))
        return BudgetxlError("invalid.json", line=m[1] if m else "?", column=m[2] if m else "?")
    return BudgetxlError(f"invalid.{kind}", where=where, value=shown)

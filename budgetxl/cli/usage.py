"""Click's usage errors as one line in the run's language.

Click reports a missing option, an unknown option or a bad value in four English lines. Here
each kind of error becomes one sentence of the catalogue (``用法错误：缺少 -o / --output（运行
budgetxl generate -h 查看用法）``), with the option's own name and the value that was given.
Typer ships its own copy of Click (``typer._click``) from version 0.20 on; both are understood.
"""

from __future__ import annotations

import enum
import re
from typing import Any

from ..errors import BudgetxlError

_QUOTED = re.compile(r"'([^']*)'")
_EXTRA = re.compile(r"unexpected extra arguments?(?:\(s\))? \((.*)\)")


def click_exceptions() -> Any:
    """The module holding the Click exception classes Typer raises."""
    try:
        from typer._click import exceptions
    except ImportError:  # an older Typer on the real Click
        from click import exceptions
    return exceptions


def _param_name(param: Any) -> str:
    if param is None:
        return ""
    if getattr(param, "param_type_name", "") == "option":
        return " / ".join(param.opts)
    name = (param.metavar or param.name or "").upper().rstrip(".")
    key = f"arg.{name}"  # an argument by what it is, in the run's language
    from ..messages import has_message

    return BudgetxlError(key) if has_message(key) else name


def _annotation(param: Any) -> Any:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None:
        return descriptor.annotation
    return getattr(param, "type", None)


def _value_hint(param: Any) -> BudgetxlError | str:
    """What a parameter takes: its choices, or the kind of value."""
    t = _annotation(param)
    bounds = getattr(param, "type", param)  # (a range, --month 1–12: on the option, or Click's IntRange)
    if isinstance(getattr(bounds, "min", None), int) and isinstance(getattr(bounds, "max", None), int):
        return BudgetxlError("usage.range", min=bounds.min, max=bounds.max)
    if isinstance(t, type) and issubclass(t, enum.Enum):
        return BudgetxlError("usage.choices", choices=", ".join(str(m.value) for m in t))
    if getattr(t, "choices", None):
        return BudgetxlError("usage.choices", choices=", ".join(str(c) for c in t.choices))
    if t is int or getattr(t, "name", None) == "integer":
        return BudgetxlError("usage.integer")
    if t is float or getattr(t, "name", None) == "float":
        return BudgetxlError("usage.number")
    return ""


def _given(param: Any, argv: list[str]) -> str:
    """The value the command line gave ``param`` (Click does not keep it)."""
    for i, arg in enumerate(argv):
        for opt in getattr(param, "opts", []) if getattr(param, "param_type_name", "") == "option" else []:
            if arg == opt and i + 1 < len(argv):
                return argv[i + 1]
            if arg.startswith(opt + "="):
                return arg[len(opt) + 1:]
    return ""


def _command(ctx: Any) -> str:
    path = ctx.command_path.split() if ctx is not None else []
    return " ".join(["budgetxl", *path[1:]])


def click_error(exc: Exception, argv: list[str]) -> BudgetxlError:
    """The catalogue's sentence for one of Click's usage errors."""
    ex = click_exceptions()
    ctx = getattr(exc, "ctx", None)
    param = getattr(exc, "param", None)
    text = getattr(exc, "message", "") or ""
    if isinstance(exc, ex.MissingParameter):
        detail = BudgetxlError("usage.missing", name=_param_name(param))
    elif isinstance(exc, ex.NoSuchOption):
        near = exc.possibilities or []
        detail = BudgetxlError("usage.no-option-near" if near else "usage.no-option", name=exc.option_name,
                               near=" / ".join(near))
    elif isinstance(exc, ex.BadOptionUsage):
        detail = BudgetxlError("usage.option-value", name=exc.option_name)
    elif isinstance(exc, ex.BadParameter):
        quoted = _QUOTED.search(text)
        given = _given(param, argv) or (quoted[1] if quoted else "")
        detail = BudgetxlError("usage.bad-value", name=_param_name(param), value=given, hint=_value_hint(param))
    elif text.startswith("No such command"):
        quoted = _QUOTED.findall(text)  # the command, then Click's suggestions
        detail = BudgetxlError("usage.no-command-near" if len(quoted) > 1 else "usage.no-command",
                               name=quoted[0] if quoted else "", near=" / ".join(quoted[1:]))
    elif (extra := _EXTRA.search(text)) is not None:
        detail = BudgetxlError("usage.extra", args=extra[1])
    else:
        detail = BudgetxlError("usage.other")
    return BudgetxlError("usage-help", detail=detail, command=_command(ctx))

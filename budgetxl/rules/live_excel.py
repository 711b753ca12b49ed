"""Excel expressions the live checks share, each with its Python twin (used for cached values).

The twins follow the formulas, not the validation rules: they answer "what will this formula say
about this cell", so a generated workbook reads right before any recalculation. Both sides read
a cell the way the reader does where a clerk's typing varies: full-width characters (ASC),
surrounding spaces (TRIM), a percent typed as ``95%`` (the cell then holds 0.95 with a percent
format, which ``CELL("format", …)`` reports as ``P0``/``P2``), an operator typed as ``>=``.

Defined names used here (written by the workbook's lists sheet): ``BX_PH`` the placeholders,
``BX_INSTR`` the instruction words, ``BX_WS`` the whitespace a text may not start or end with.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ..files.grids import cell_text
from ..values import QUALITATIVE_OP, normalize_text, to_decimal
from .live import blank, inline

FULL_SPACE = "\u3000"
WHITESPACE = " \t\n\r" + FULL_SPACE  # what BX_WS holds
OP_SIGNS = "≥≤><=≧≦"  # operator signs in a value typed whole (after ASC: ＞＝ is >=)


# ---- text: placeholders and stray whitespace --------------------------------------------------

def placeholder_x(x: str, template: Any) -> str:
    """The cell holds a placeholder or instruction text."""
    rules, parts = template.rules, []
    if rules.placeholders:
        parts.append(f'SUMPRODUCT(--EXACT(TRIM(CLEAN(SUBSTITUTE({x},"{FULL_SPACE}",""))),BX_PH))>0')
    if rules.instructions:
        parts.append(f"SUMPRODUCT(--ISNUMBER(FIND(BX_INSTR,{x})))>0")
    return f"AND(ISTEXT({x}),OR({','.join(parts)}))" if parts else "FALSE"


def space_x(x: str, template: Any, placeholder: str | None = None) -> str:
    """The cell's text starts or ends with whitespace (and is no placeholder: ``placeholder`` is
    that condition when already named)."""
    return (f"AND(ISTEXT({x}),LEN({x})>0,NOT({placeholder or placeholder_x(x, template)}),"
            f"OR(ISNUMBER(FIND(LEFT({x}),BX_WS)),ISNUMBER(FIND(RIGHT({x}),BX_WS))))")


def placeholder_py(v: Any, template: Any) -> bool:
    if not isinstance(v, str) or not v:
        return False
    s = v.strip()
    if s in template.rules.placeholders:
        return True
    return any(w in v for w in template.rules.instructions)


def space_py(v: Any, template: Any) -> bool:
    return isinstance(v, str) and bool(v) and not placeholder_py(v, template) and v != v.strip()


# ---- percent places -------------------------------------------------------------------------

def percent_format_x(x: str) -> str:
    """The cell shows its number as a percentage (0.95 shown as 95%)."""
    return f'AND(ISNUMBER({x}),LEFT(CELL("format",{x}))="P")'


def percent_x(x: str) -> str:
    """The percent a cell means (a spending-plan checkpoint): 0.95 shown as 95% is 95, the text
    25% or ２５％ is 25; an error when it is no number."""
    return (f'IF(ISNUMBER({x}),IF(LEFT(CELL("format",{x}))="P",ROUND({x}*100,9),{x}),'
            f'--SUBSTITUTE(ASC(TRIM({x})),"%",""))')


def percent_py(v: Any) -> Decimal | None:
    """Python twin of :func:`percent_x` for a cell budgetxl wrote (never percent-formatted)."""
    if blank(v):
        return None
    if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
        return to_decimal(v)
    s = normalize_text(str(v)).replace("%", "")
    return to_decimal(s) if s and "," not in s else None


# ---- 指标值: 计算符号, 指标值, 计量单位 --------------------------------------------------------

class ValueX:
    """Excel expressions about one indicator value from its cells E (计算符号), F (指标值) and
    G (计量单位). Each part is named once through ``let`` (see rules.live.LiveRow) and the parts
    are kept few and flat: LibreOffice expands every name a formula uses, so a row's checks must
    stay well within its 8192 tokens once expanded."""

    def __init__(self, e: str, f: str, g: str, let: Callable[[str, str], str] = inline):
        self.e, self.f, self.g, self.let = e, f, g, let
        t = self.t = let("T", f'SUBSTITUTE(ASC({f})," ","")')  # the value's text: half-width, no spaces
        # … without the operator signs it starts with (≥40人 -> 40人, >=40 -> 40); flat, since an .xls
        # keeps only a few levels of nested functions
        lead = f'ISNUMBER(FIND(LEFT({t}),"{OP_SIGNS}"))+ISNUMBER(FIND(MID({t},2,1),"{OP_SIGNS}"))'
        s = self.sop = let("S", f"MID({t},1+{lead},99)")
        self.pf = let("P", percent_format_x(f))
        self.text = let("X", f"ISTEXT({f})")
        self.qualitative = let("Q", f'TRIM({e})="{QUALITATIVE_OP}"')
        self.numeric_op = f'AND(TRIM({e})<>"",NOT({self.qualitative}))'
        self.starts_op = let("W", f'AND({f}<>"",ISNUMBER(FIND(LEFT({t}),"{OP_SIGNS}")))')
        self.starts_number = let("D", f'ISNUMBER(FIND(LEFT({s}),"0123456789-+."))')
        # (S&"0" is a number only when S is one: 95% and 40人 are not, 40 is; --"95%" alone would be 0.95)
        self.own_unit = let("U", f'AND({self.text},{self.starts_number},ISERROR(--({s}&"0")))')
        self.number = let("N", f'IF(ISNUMBER({f}),IF({self.pf},ROUND({f}*100,9),{f}),--SUBSTITUTE({s},"%",""))')
        self.plain_number = let("M", f'AND({f}<>"",OR(ISNUMBER({f}),ISNUMBER(--({s}&"0"))))')
        self.percent_unit = let("C", f'OR({g}="%",AND({g}="",OR({self.pf},AND({self.text},RIGHT({t})="%"))))')

    def gt(self) -> str:
        """The operator is a strict > (typed in 计算符号, or leading a value typed whole)."""
        e, t = self.e, self.t
        return f'OR(ASC(TRIM({e}))=">",AND(TRIM({e})="",LEFT({t})=">",MID({t},2,1)<>"="))'

    def lt(self) -> str:
        e, t = self.e, self.t
        return f'OR(ASC(TRIM({e}))="<",AND(TRIM({e})="",LEFT({t})="<",MID({t},2,1)<>"="))'

    def amount(self, units: dict[str, Decimal]) -> str:
        """The value in the form's amount unit (万元), when its unit is one of ``units``; else ""."""
        out = '""'
        s = self.sop
        for unit, factor in sorted(units.items(), key=lambda u: len(u[0])):  # longest suffix tested first
            n = len(unit)
            typed = f'AND({self.g}="",RIGHT({self.t},{n})="{unit}"),--SUBSTITUTE({s},"{unit}","")*{factor}'
            out = f'IF({self.g}="{unit}",{self.number}*{factor},IF({typed},{out}))'
        return self.let("A", out)


class ValuePy:
    """The Python twin of :class:`ValueX` for the values of cells budgetxl wrote."""

    def __init__(self, e: Any, f: Any, g: Any):
        self.e = (cell_text(e) or "").strip()
        self.f, self.g = f, cell_text(g) or ""
        self.t = normalize_text(cell_text(f) or "")
        t = self.t
        lead = (t[:1] != "" and t[:1] in OP_SIGNS) + (t[1:2] != "" and t[1:2] in OP_SIGNS)
        self.sop = s = t[lead:]
        self.text = isinstance(f, str)
        self.qualitative = self.e == QUALITATIVE_OP
        self.numeric_op = bool(self.e) and not self.qualitative
        self.starts_op = bool(t) and t[:1] in OP_SIGNS
        self.starts_number = s[:1] != "" and s[:1] in "0123456789-+."
        self.own_unit = self.text and self.starts_number and _num(s + "0") is None
        self.number = _num_value(f, s)
        self.plain_number = not blank(f) and (not self.text or _num(s + "0") is not None)
        self.percent_unit = self.g == "%" or (self.g == "" and self.text and t.endswith("%"))

    def gt(self) -> bool:
        return normalize_text(self.e) == ">" or (self.e == "" and self.t[:1] == ">" and self.t[1:2] != "=")

    def lt(self) -> bool:
        return normalize_text(self.e) == "<" or (self.e == "" and self.t[:1] == "<" and self.t[1:2] != "=")

    def amount(self, units: dict[str, Decimal]) -> Decimal | None:
        s = self.sop
        if self.g in units:
            return self.number * units[self.g] if self.number is not None else None
        if self.g == "":
            for unit, factor in sorted(units.items(), key=lambda u: -len(u[0])):
                if self.t.endswith(unit):
                    n = _num(s.replace(unit, ""))
                    return n * factor if n is not None else None
        return None


def _num(s: str) -> Decimal | None:
    s = s.strip()
    return to_decimal(s) if s and "," not in s else None


def _num_value(f: Any, s: str) -> Decimal | None:
    if isinstance(f, (int, float, Decimal)) and not isinstance(f, bool):
        return to_decimal(f)
    return _num(s.replace("%", "")) if isinstance(f, str) else None

"""Parse indicator values (指标值) such as ``≤40 人``, ``100 %``, ``每月 25 日前缴纳``.

A value is split the way budget systems store it: 计算符号 (op), a number and a 计量单位 (unit),
plus its kind: ``quantitative`` (a number), ``deadline`` (a point in time) or ``qualitative``.
``text`` is the normalised form: PDF spaces and full-width forms removed, comparison words turned
into symbols, the number written without trailing zeros, so that one value has one spelling.
"""

from __future__ import annotations

import re
from functools import lru_cache
from decimal import Decimal, InvalidOperation

QUALITATIVE_OP = "定性"
EQ = "＝"

# Full-width digits and symbols that clerks type with a Chinese IME, mapped to their ASCII forms.
_WIDTH = str.maketrans(
    "０１２３４５６７８９．％＋－＞＜＝，：　",
    "0123456789.%+-><=,: ",
)

# Longest first so that 大于等于 wins over 大于.
_OP_WORDS: list[tuple[str, str]] = sorted(
    [
        (">=", "≥"), ("≥", "≥"), ("≧", "≥"), ("=>", "≥"), ("大于等于", "≥"), ("大于或等于", "≥"),
        ("不低于", "≥"), ("不少于", "≥"), ("不小于", "≥"), ("至少", "≥"),
        ("<=", "≤"), ("≤", "≤"), ("≦", "≤"), ("=<", "≤"), ("小于等于", "≤"), ("小于或等于", "≤"),
        ("不超过", "≤"), ("不高于", "≤"), ("不多于", "≤"), ("不大于", "≤"), ("最多", "≤"),
        (">", ">"), ("大于", ">"), ("高于", ">"), ("超过", ">"), ("多于", ">"),
        ("<", "<"), ("小于", "<"), ("低于", "<"), ("少于", "<"),
        ("=", EQ), (EQ, EQ), ("等于", EQ), ("达到", EQ),
    ],
    key=lambda p: -len(p[0]),
)
OPS = ("≥", "≤", ">", "<", EQ)
_SUFFIX_OPS = {"以上": "≥", "及以上": "≥", "以下": "≤", "及以下": "≤", "以内": "≤"}

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
# In a 指标值 a dot must be followed by a digit to belong to the number: "5." would print as "5"
# and so read back differently (the dot then belongs to the unit).
_VALUE_NUMBER = r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)"
# A unit: a few characters that are not digits or operators (人, 万元, %, 台件, 批次, km ...).
_QUANT = re.compile(rf"^(?P<num>{_VALUE_NUMBER})(?P<unit>[^\d<>=≥≤]{{0,8}}?)(?P<suffix>及以上|及以下|以上|以下|以内)?$")

# A point in time rather than an amount: 2024年底前, 12月底前完成, 每月25日前缴纳, 不超过12月份.
_DEADLINE = re.compile(
    r"(年底|年末|月底|月末|月份|季度末|旬|日前|号前|日之前|号之前|底前|前完成|前发放|前缴纳|前支付|"
    r"前实施|之前|以前|按时|及时|每月|每季|每年|时限内)"
)

_SPACE = re.compile(r"\s+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def normalize_text(text: str) -> str:
    """Full-width digits/symbols to ASCII; drop whitespace except between two Latin words."""
    s = text.translate(_WIDTH).strip()
    # Keep a single space only between two ASCII letters/digits ("ISO 9001"), drop the rest.
    def keep(m: re.Match[str]) -> str:
        a, b = s[m.start() - 1], s[m.end()] if m.end() < len(s) else ""
        return " " if (a.isascii() and a.isalpha() and b.isascii() and b.isalnum()) else ""

    return _SPACE.sub(keep, s)


def format_number(d: Decimal) -> str:
    """A Decimal as plain text with no exponent and no trailing zeros: 70.00 -> 70, 4.50 -> 4.5.

    Exact at any size (no rounding to the 28 digits of the decimal context), -0 as 0. Never
    raises: an infinity or NaN, which no cell holds but a damaged file can spell, shows as Excel
    shows a numeric overflow (#NUM!), and an absurd exponent keeps its scientific form."""
    if not d.is_finite():
        return "#NUM!"
    if d.is_zero():
        return "0"
    if abs(d.as_tuple().exponent) > 400:
        return str(d)
    s = format(d, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


def to_decimal(value: object) -> Decimal | None:
    """A number from a cell: int/float/Decimal or text such as "70.00", "７０", "1,200"."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return (value.copy_abs() if value.is_zero() else value) if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Decimal(repr(value + 0.0))  # (+ 0.0: -0.0 is 0)
    s = normalize_text(str(value)).replace(",", "")
    if not re.fullmatch(_NUMBER, s):
        return None
    try:
        d = Decimal(s)
    except InvalidOperation:
        return None
    return d.copy_abs() if d.is_zero() else d


# One anchored alternation, longest words first (so 大于等于 wins over 大于).
_OP_RE = re.compile("|".join(re.escape(word) for word, _ in _OP_WORDS))
_OP_OF = dict(_OP_WORDS)


def _split_op(s: str) -> tuple[str | None, str]:
    m = _OP_RE.match(s)
    if m is None:
        return None, s
    return _OP_OF[m.group()], s[m.end():]


def parse_value(raw: str, qualitative: bool = False) -> dict:
    """Parse one 指标值. ``qualitative`` forces a text value (the clerk chose 计算符号 = 定性).

    Returns a dict with text, op, number, unit, kind; an empty input gives text "".
    """
    return dict(_parsed(raw, qualitative))  # (a dict of its own: the caller may change it)


@lru_cache(maxsize=4096)  # (the same values recur in every county's workbook of a city)
def _parsed(raw: str, qualitative: bool) -> dict:
    text = normalize_text(raw)
    if not text:
        return {"text": "", "op": None, "number": None, "unit": None, "kind": "qualitative"}
    if not qualitative and not _DEADLINE.search(text):
        op, rest = _split_op(text)
        rest = _THOUSANDS.sub("", rest)  # 1,200人 -> 1200人
        m = _QUANT.match(rest)
        if m:
            number = Decimal(m["num"])
            unit = m["unit"] or None
            if m["suffix"]:
                op = op or _SUFFIX_OPS[m["suffix"]]
            op = op or EQ
            shown = "" if op == EQ else op
            return {
                "text": f"{shown}{format_number(number)}{unit or ''}",
                "op": op,
                "number": number,
                "unit": unit,
                "kind": "quantitative",
            }
    kind = "deadline" if _DEADLINE.search(text) else "qualitative"
    return {"text": text, "op": QUALITATIVE_OP, "number": None, "unit": None, "kind": kind}


def value_unit(text: str) -> str | None:
    """The unit a value typed whole carries (40人 -> 人, ≥95% -> %), or None (40, 很多, 12月底前)."""
    parsed = parse_value(text)
    return parsed["unit"] if parsed["kind"] == "quantitative" else None

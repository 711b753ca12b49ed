"""Cell addresses and the text-safety rule shared by every writer."""

from __future__ import annotations

import re

# A string starting with one of these would be taken for a formula (or DDE) by a spreadsheet
# program or a CSV consumer: it is written as text with Excel's quote prefix (or a leading ').
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def needs_quote(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def col_letter(col: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    name = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        name = chr(65 + rem) + name
    return name


def a1(row: int, col: int, absolute: bool = False) -> str:
    d = "$" if absolute else ""
    return f"{d}{col_letter(col)}{d}{row + 1}"


_A1 = re.compile(r"^\$?([A-Z]+)\$?(\d+)$")


def parse_a1(ref: str) -> tuple[int, int]:
    m = _A1.match(ref.upper())
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    col = 0
    for ch in m[1]:
        col = col * 26 + ord(ch) - 64
    return int(m[2]) - 1, col - 1


def sheet_ref(sheet: str, row: int, col: int, absolute: bool = True) -> str:
    """'Sheet name'!$B$3, quoting the name the way Excel formulas need."""
    return f"'{sheet.replace(chr(39), chr(39) * 2)}'!{a1(row, col, absolute)}"

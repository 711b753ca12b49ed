"""The dropdown lists: defined names (BX_*) over a hidden sheet, written last.

The framework gives BX_L1 (every 一级指标), BX_L2_<n> (the 二级指标 under the n-th) and the pairs
BX_PAIR_L1/BX_PAIR_L2 (for the live taxonomy check); every [lists] entry of the template gives
BX_<NAME>. Short lists go inline into a cell's data validation, long ones through their name.
The live checks also use BX_PH (the placeholders), BX_INSTR (instruction words) and BX_WS (the
whitespace a text may not start or end with).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...cells import col_letter, needs_quote
from ...form.layout import LISTS_SHEET
from ...rules.live_excel import FULL_SPACE
from ..xlsx import DATA_VALIDATION_LIMIT


def list_name(name: str) -> str:
    return {"level1": "BX_L1"}.get(name, f"BX_{name.upper()}")


@dataclass(frozen=True)
class DropdownLists:
    columns: list[tuple[str, list[str]]]  # defined name, values (in the hidden sheet's column order)

    def values(self, name: str) -> list[str] | None:
        return next((v for n, v in self.columns if n == name), None)

    def validation(self, name: str) -> dict[str, Any]:
        """Short lists inline; lists over Excel's 255-character limit through the defined name."""
        values = self.values(name) or []
        if len(",".join(values)) <= DATA_VALIDATION_LIMIT and not any("," in v for v in values):
            return {"validate": "list", "source": list(values)}
        return {"validate": "list", "source": "=" + name}


def define_lists(wb: Any, template: Any) -> DropdownLists:
    columns: list[tuple[str, list[str]]] = [("BX_L1", template.level1_names)]
    for i, l1 in enumerate(template.level1_names):
        columns.append((f"BX_L2_{i + 1}", template.level2_of[l1]))
    columns += [(list_name(n), template.lists.get(n) or []) for n in template.lists.names()]
    pairs = [(l1, l2) for l1 in template.level1_names for l2 in template.level2_of[l1]]
    columns += [("BX_PAIR_L1", [a for a, _ in pairs]), ("BX_PAIR_L2", [b for _, b in pairs])]
    columns += [("BX_PH", list(template.rules.placeholders)), ("BX_INSTR", list(template.rules.instructions))]
    for col, (name, values) in enumerate(columns):
        letter = col_letter(col)
        wb.define_name(name, f"='{LISTS_SHEET}'!${letter}$2:${letter}${max(len(values), 1) + 1}")
    wb.define_name("BX_WS", '=" "&CHAR(9)&CHAR(10)&CHAR(13)&"' + FULL_SPACE + '"')
    return DropdownLists(columns)


def write_lists_sheet(wb: Any, lists: DropdownLists) -> None:
    ws = wb.add_worksheet(LISTS_SHEET)
    ws.hide()
    quoted = wb.add_format({"quote_prefix": True})  # (a placeholder such as "-" is text, never a formula)
    for col, (name, values) in enumerate(lists.columns):
        ws.write_string(0, col, name)
        for r, v in enumerate(values, start=1):
            ws.write_string(r, col, v, quoted if needs_quote(v) else None)
    ws.protect("")

"""The check column of a project sheet and the red cells: the live checks (rules.live) written
as formulas, with cached values computed from what was written."""

from __future__ import annotations

from typing import Any

from ...cells import a1, parse_a1
from ...form.layout import ListPlace, SheetLayout
from ...rules.live import SEP, LiveRow, LiveSheet, blank, check_formula, check_value, checks, count_formula
from ..xlsx import SheetWriter

CHECK_WIDTH = 34


def check_column(template: Any) -> int:
    """The column right of the form that holds the checks."""
    return template.project.width


def _sheet_target(book: Any, layout: SheetLayout) -> LiveSheet:
    cp = layout.checkpoints()
    table = book.template.fields
    points = [(m, a1(*value), table.checkpoint_label(m)) for m, _, value in cp.months()] if cp else []
    lists = [(p.spec, [a1(*c) for c in p.text_cells()]) for p in layout.of(ListPlace)]
    return LiveSheet(book.template, [(fp.field, a1(*fp.value)) for fp in layout.fields()], points, lists)


def write_live_checks(book: Any, w: SheetWriter, layout: SheetLayout) -> int:
    """Check cells and conditional formats; returns the problems the document has now."""
    ws, st, lang = w.ws, book.styles, book.lang
    col = check_column(book.template)
    table = layout.table()
    ws.set_column(col, col, CHECK_WIDTH)
    ws.write_string(table.top, col, book.text("workbook.check-header"), st.cell("header"))
    check_fmt = st.get(font_color="#C00000", font_size=9, text_wrap=True, valign="vcenter")
    sheet = _sheet_target(book, layout)
    used_refs = [r for r in (sheet.ref("code"), sheet.ref("name")) if r]
    used_excel = f'OR({",".join(f"{r}<>{chr(34) * 2}" for r in used_refs)})' if used_refs else None

    def used_py(g) -> bool:
        return any(not blank(g(r)) for r in used_refs) if used_refs else True

    by_row: dict[int, list] = {}
    for c in checks("sheet", sheet):
        by_row.setdefault(parse_a1(c.target)[0], []).append(c)
    rows: list[tuple[int, list, str | None, Any]] = [(r, cs, used_excel, used_py) for r, cs in sorted(by_row.items())]
    for r in range(table.first, table.last + 1):
        cells = [(f, a1(r, c)) for f, c in table.columns]
        refs = [ref for _, ref in cells]
        rows.append((r, checks("row", LiveRow(book.template, cells)), f"COUNTA({refs[0]}:{refs[-1]})>0",
                     lambda g, refs=refs: any(not blank(g(x)) for x in refs)))
    problems = 0
    for r, items, used, is_used in rows:
        if items:
            cached = check_value(items, w.get, lang, is_used(w.get))
            problems += cached.count(SEP)
            ws.write_formula(r, col, check_formula(items, used, lang), check_fmt, cached)
    _red_cells(book, ws, rows, table)
    return problems


def _red_cells(book: Any, ws: Any, rows: list, table: Any) -> None:
    """The offending cell turns red: one rule per target cell (OR of its checks); the indicator
    table gets one rule per column over all its rows (references relative to the first row)."""
    for row, items, used, _ in rows:
        if row > table.first:
            break
        by_target: dict[str, list[str]] = {}
        for c in items:
            by_target.setdefault(c.target, []).append(c.excel)
        for target, conditions in by_target.items():
            r, c = parse_a1(target)
            last = table.last if row == table.first else r
            criteria = f"OR({','.join(conditions)})"
            if used:
                criteria = f"AND({used},{criteria})"
            ws.conditional_format(r, c, last, c, {"type": "formula", "format": book.bad, "criteria": "=" + criteria})


def count_formula_for(sheet: str, col: int) -> str:
    """The problems in a project sheet's check column (for the summary)."""
    return count_formula(f"'{sheet}'!{a1(0, col, True)}:{a1(999, col, True)}")

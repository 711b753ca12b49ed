"""The workbook's summary sheet (汇总): one row per project, formulas into the project sheets.

Its columns are the project fields the template marks ``summary = true`` (code, name, amounts),
then the indicator count, the live checks' problem count, a status and a link to the sheet.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...cells import a1, col_letter, sheet_ref
from ...form.kinds import AMOUNT_FORMAT
from ...form.scorecard import project_card
from ..xlsx import SheetWriter
from .book import Book
from .live import check_column, count_formula_for

WIDTHS = {"code": 24, "amount": 12, "text": 44, "percent": 10, "number": 10, "grade": 10, "light": 8}
HEADER_ROW = 1


def _columns(book: Book) -> list[Any]:
    return [f for f in book.template.fields.project if f.spec.summary]


def write_summary(book: Book, ws: Any, problems: list[int]) -> None:
    st = book.styles
    w = SheetWriter(ws, st)
    fields = _columns(book)
    headers = [(book.text("workbook.summary-no"), 6)]
    for f in fields:
        headers.append((f.header, WIDTHS.get(f.kind.column_type if f.kind.column_type != "text" else f.kind.name, 44)))
    headers += [(book.text(k), wd) for k, wd in (("workbook.summary-indicators", 8), ("workbook.summary-problems", 8),
                                                 ("workbook.summary-status", 10), ("workbook.summary-sheet", 28))]
    w.text(0, 0, book.text("workbook.summary-title", title=book.plan.title), st.cell("title"), span=len(headers))
    for c, (h, wd) in enumerate(headers):
        w.text(HEADER_ROW, c, h, st.cell("header"))
        ws.set_column(c, c, wd)
    totals = _project_rows(book, ws, fields, problems)
    _total_row(book, w, fields, totals, sum(problems))
    last = HEADER_ROW + 1 + len(book.plan.projects)
    status_col = len(fields) + 3
    ws.conditional_format(HEADER_ROW + 1, status_col, max(last - 1, HEADER_ROW + 1), status_col,
                          {"type": "cell", "criteria": "==", "value": f'"{book.text("workbook.status-bad")}"',
                           "format": book.bad})
    ws.freeze_panes(HEADER_ROW + 1, 0)
    ws.autofilter(HEADER_ROW, 0, max(last - 1, HEADER_ROW), len(headers) - 1)
    ws.protect("", {"autofilter": True, "sort": True, "format_columns": True})
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER_ROW)


def _project_rows(book: Book, ws: Any, fields: list[Any], problems: list[int]) -> dict[str, Any]:
    st = book.styles
    amount = st.cell("plain", border=1, num_format=AMOUNT_FORMAT)
    plain = st.cell("plain", border=1)
    totals: dict[str, Any] = {f.key: Decimal(0) for f in fields if f.kind.column_type == "amount"}
    totals["count"] = 0
    n = len(fields)
    for i, (plan, found) in enumerate(zip(book.plan.projects, problems)):
        r, name, p = HEADER_ROW + 1 + i, plan.sheet, plan.project
        ws.write_number(r, 0, i + 1, plain)
        card = project_card(p, book.template) if any(not f.stored for f in fields) else None
        for c, f in enumerate(fields, start=1):
            ref = sheet_ref(name, *plan.layout.value_cell(f.key))
            value = f.get(p) if f.stored else card.value(f.key)  # (a computed cell: the scorecard's)
            if f.kind.column_type == "amount":
                totals[f.key] += value or 0
                ws.write_formula(r, c, f'=IF({ref}="","",{ref})', amount, float(value) if value is not None else "")
            elif f.kind.column_type != "text":
                fmt = st.cell("plain", border=1, num_format=f.kind.num_format) if f.kind.num_format else plain
                ws.write_formula(r, c, f'=IF({ref}="","",{ref})', fmt, float(value) if value is not None else "")
            else:
                ws.write_formula(r, c, f'=IF({ref}="","",{ref})', plain, value or "")
        table = plan.layout.table()
        name_col = table.col("name") if table.col("name") is not None else 0
        rng = f"'{name}'!{a1(table.first, name_col)}:{a1(table.last, name_col)}"
        count = sum(1 for ind in p.indicators if ind.name is not None)
        totals["count"] += count
        ws.write_formula(r, n + 1, f"=COUNTA({rng})", plain, count)
        col = check_column(book.template)
        ws.write_formula(r, n + 2, count_formula_for(name, col), plain, found)
        ok, bad = book.text("workbook.status-ok"), book.text("workbook.status-bad")
        ws.write_formula(r, n + 3, f'=IF({a1(r, n + 2)}=0,"{ok}","{bad}")', plain, ok if found == 0 else bad)
        link = st.get(border=1, font_color="blue", underline=1)
        ws.write_url(r, n + 4, f"internal:'{name}'!A1", string=name, cell_format=link)
    return totals


def _total_row(book: Book, w: SheetWriter, fields: list[Any], totals: dict[str, Any], problems: int) -> None:
    ws, st = w.ws, book.styles
    tr = HEADER_ROW + 1 + len(book.plan.projects)
    first_value = 1 + next((i for i, f in enumerate(fields) if f.kind.column_type == "amount"), len(fields))
    w.text(tr, 0, book.text("workbook.total"), st.cell("header"), span=first_value)
    n = len(fields)
    cached = {**{1 + i: float(totals[f.key]) for i, f in enumerate(fields) if f.key in totals},
              n + 1: totals["count"], n + 2: problems}
    for c in range(first_value, n + 5):
        if c in cached:
            fmt = st.cell("header", num_format=AMOUNT_FORMAT) if c <= n else st.cell("header")
            col = col_letter(c)
            ws.write_formula(tr, c, f"=SUM({col}{HEADER_ROW + 2}:{col}{tr})", fmt, cached[c])
        else:
            ws.write_blank(tr, c, None, st.cell("header"))

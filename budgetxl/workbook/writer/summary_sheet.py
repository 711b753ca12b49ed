"""The workbook's summary sheet (汇总): one row per project, formulas into the project sheets.

Its columns are the project fields the template marks ``summary = true`` (code, name, amounts),
then the indicator count, the problems the live checks find (warnings among them), a status, a
link to the sheet and the row's own check (does the row still show its sheet?). Under the total,
the unit sheet's problems.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...cells import a1, col_letter, sheet_ref
from ...form.kinds import AMOUNT_FORMAT
from ...form.scorecard import project_card
from ...rules.live import LiveSummaryRow, check_terms, check_value, checks, count_formula, warn_mark
from ...rules.registry import severity
from ..printing import MIN_SCALE, fit_scale, setup_print
from ..xlsx import SheetWriter, row_height, text_lines
from .book import Book
from .live import CHECK_WIDTH, check_column

WIDTHS = {"code": 24, "amount": 12, "text": 44, "percent": 10, "number": 10, "grade": 10, "light": 8}
HEADER_ROW = 1
SHEET_WIDTH = 28  # the column of links to the project sheets


def _columns(book: Book) -> list[Any]:
    return [f for f in book.template.fields.project if f.spec.summary]


def code_cells(book: Book, i: int) -> str | None:
    """The summary's code cells of the projects before the i-th (for the duplicate-code check)."""
    fields = _columns(book)
    c = next((n for n, f in enumerate(fields, start=1) if f.key == "code"), None)
    if c is None or i == 0:
        return None
    return f"{sheet_ref(book.plan.summary, HEADER_ROW + 1, c)}:{a1(HEADER_ROW + i, c, True)}"


def write_summary(book: Book, ws: Any, problems: list[tuple[int, int]], unit_problems: tuple[int, int] = (0, 0)) -> None:
    """``problems``: (problems, warnings among them) each project sheet's checks show now; the
    same for the unit sheet."""
    st = book.styles
    w = SheetWriter(ws, st)
    fields = _columns(book)
    headers = [(book.text("workbook.summary-no"), 6)]
    for f in fields:
        headers.append((f.header, WIDTHS.get(f.kind.column_type if f.kind.column_type != "text" else f.kind.name, 44)))
    headers += [(book.text(k), wd) for k, wd in (("workbook.summary-indicators", 8), ("workbook.summary-problems", 8),
                                                 ("workbook.summary-status", 10), ("workbook.summary-sheet", SHEET_WIDTH),
                                                 ("workbook.check-header", CHECK_WIDTH))]
    title = book.text("workbook.summary-title", title=book.plan.title)
    unit = book.template.template.amount_unit
    if unit:  # the amounts' unit said where the columns are read (the header row stays as the reader knows it)
        title += book.text("workbook.summary-unit", unit=unit)
    printed = len(headers) - 2  # (the links to the sheets and the row's check are for the screen)
    # A table wider than a legible page (the self-evaluation's) prints across pages: its title, centred
    # over the whole width, would be cut at a page's edge: it then heads every page in the page header,
    # and its row (left-aligned, for the screen) is not printed.
    wide = fit_scale([wd for _, wd in headers][:printed]) < MIN_SCALE
    w.text(0, 0, title, st.cell("title", align="left", text_wrap=False) if wide else st.cell("title"), span=1 if wide else printed)
    ws.set_row(0, 30)
    for c, (h, wd) in enumerate(headers):
        w.text(HEADER_ROW, c, h, st.cell("header"))
        ws.set_column(c, c, wd)
    ws.set_row(HEADER_ROW, row_height(max(text_lines(h, wd) for h, wd in headers)))  # (1–7月执行率 in two lines)
    totals, cached = _project_rows(book, w, fields, problems)
    _total_row(book, w, fields, totals, cached)
    _unit_row(book, w, len(fields), unit_problems)
    last = HEADER_ROW + 1 + len(book.plan.projects)
    status_col = len(fields) + 3
    for key, fmt in (("workbook.status-bad", book.bad), ("workbook.status-warn", book.warn)):
        ws.conditional_format(HEADER_ROW + 1, status_col, last + 2, status_col,
                              {"type": "cell", "criteria": "==", "value": f'"{book.text(key)}"', "format": fmt})
    ws.freeze_panes(HEADER_ROW + 1, 0)
    ws.autofilter(HEADER_ROW, 0, max(last - 1, HEADER_ROW), len(headers) - 1)
    ws.protect("", {"autofilter": True, "sort": True, "format_columns": True})
    # printed without the links and the checks, the title and the header on every page
    # (a table wider than a legible page, the self-evaluation's: 序号, code and name repeated on each)
    setup_print(ws, [wd for _, wd in headers], printed=printed, repeat_rows=(HEADER_ROW, HEADER_ROW) if wide else (0, HEADER_ROW),
                repeat_cols=min(3, 1 + len(fields)), title=title if wide else None,
                footer="&C" + book.text("workbook.page"))
    ws.print_area(HEADER_ROW if wide else 0, 0, last + 2, printed - 1)


def _indicator_count(plan: Any) -> str:
    """The sheet's named indicators, over the table's whole range (header to the row after it), so
    that rows inserted anywhere in it, or just below it, count."""
    table = plan.layout.table()
    c = table.col("name") if table.col("name") is not None else 0
    rng = f"{sheet_ref(plan.sheet, table.top, c)}:{a1(table.last + 1, c, True)}"
    return f'SUMPRODUCT((ROW({rng})>ROW({sheet_ref(plan.sheet, table.top, c)}))*({rng}<>""))'


def _status(book: Book, count: str, warnings: str) -> str:
    ok, warn, bad = (book.text(k) for k in ("workbook.status-ok", "workbook.status-warn", "workbook.status-bad"))
    return f'IF({count}=0,"{ok}",IF({count}-{warnings}=0,"{warn}","{bad}"))'


def _status_now(book: Book, found: int, warnings: int) -> str:
    key = "workbook.status-ok" if found == 0 else "workbook.status-warn" if found == warnings else "workbook.status-bad"
    return book.text(key)


def _row_status(book: Book, r: int, n: int, fields: list[Any], plan: Any, found: int, warned: int,
                warnings: str) -> tuple[str, str]:
    """A project row's status formula and its value now: a spare sheet nobody uses shows nothing
    (a used one always shows project-added); an issued sheet with neither code nor name is
    未填写, never 通过."""
    status, shown = _status(book, a1(r, n + 2), warnings), _status_now(book, found, warned)
    if plan.added:
        return f'IF({a1(r, n + 2)}=0,"",{status})', "" if found == 0 else shown
    ids = [a1(r, c) for c, f in enumerate(fields, start=1) if f.key in ("code", "name")]
    if not ids:
        return status, shown
    empty = book.text("workbook.status-empty")
    blank = "AND(" + ",".join(f'{x}=""' for x in ids) + ")"
    p = plan.project
    return f'IF({blank},"{empty}",{status})', empty if not (p.code or p.name) else shown


def _project_rows(book: Book, w: SheetWriter, fields: list[Any],
                  problems: list[tuple[int, int]]) -> tuple[dict[str, Any], int]:
    ws, st, lang, t = w.ws, book.styles, book.lang, book.template
    amount = st.cell("plain", border=1, num_format=AMOUNT_FORMAT)
    plain = st.cell("plain", border=1)
    check_fmt = st.get(font_color="#C00000", font_size=9, text_wrap=True, valign="vcenter", border=1)
    totals: dict[str, Any] = {f.key: Decimal(0) for f in fields if f.kind.column_type == "amount"}
    totals["count"] = 0
    n, mark, found_all = len(fields), warn_mark(lang), 0
    col = check_column(t)

    def is_warning(c: Any) -> bool:
        return severity(c.rule, c.variant, t) == "warning"

    for i, (plan, (found, warned)) in enumerate(zip(book.plan.projects, problems)):
        r, name, p = HEADER_ROW + 1 + i, plan.sheet, plan.project
        ws.set_row(r, row_height(max(text_lines(p.name or "", WIDTHS["text"]), text_lines(name, SHEET_WIDTH))))
        ws.write_number(r, 0, i + 1, plain)
        card = project_card(p, book.template) if any(not f.stored for f in fields) else None
        cells = []
        for c, f in enumerate(fields, start=1):
            ref = sheet_ref(name, *plan.layout.value_cell(f.key))
            cells.append((f, a1(r, c), ref))
            value = f.get(p) if f.stored else card.value(f.key)  # (a computed cell: the scorecard's)
            if f.kind.column_type == "amount":
                totals[f.key] += value or 0
                ws.write_formula(r, c, f'=IF({ref}="","",{ref})', amount, float(value) if value is not None else "")
            elif f.kind.column_type != "text":
                fmt = st.cell("plain", border=1, num_format=f.kind.num_format) if f.kind.num_format else plain
                ws.write_formula(r, c, f'=IF({ref}="","",{ref})', fmt, float(value) if value is not None else "")
            else:
                ws.write_formula(r, c, f'=IF({ref}="","",{ref})', plain, value or "")
        count = sum(1 for ind in p.indicators if ind.name is not None)
        totals["count"] += count
        counted = _indicator_count(plan)
        ws.write_formula(r, n + 1, "=" + counted, plain, count)
        own = checks("summary", LiveSummaryRow(t, cells, (a1(r, n + 1), counted), book.text("workbook.summary-indicators")))
        own_cell = a1(r, n + 5)
        ws.write_formula(r, n + 5, "=" + ("&".join(check_terms(own, lang, is_warning)) or '""'), check_fmt,
                         check_value(own, w.get, lang, is_warning))
        sheet_rng = f"'{name}'!{a1(0, col, True)}:{a1(999, col, True)}"
        total = f"({count_formula(sheet_rng)}+{count_formula(own_cell)})"
        warnings = f"({count_formula(sheet_rng, mark)}+{count_formula(own_cell, mark)})"
        ws.write_formula(r, n + 2, "=" + total, plain, found)
        found_all += found
        status, shown = _row_status(book, r, n, fields, plan, found, warned, warnings)
        ws.write_formula(r, n + 3, "=" + status, plain, shown)
        link = st.get(border=1, font_color="blue", underline=1)
        ws.write_url(r, n + 4, f"internal:'{name}'!A1", string=name, cell_format=link)
    return totals, found_all


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


def _unit_row(book: Book, w: SheetWriter, n: int, problems: tuple[int, int]) -> None:
    """Under the total: the unit sheet's problems and status."""
    ws, st = w.ws, book.styles
    r = HEADER_ROW + 3 + len(book.plan.projects)
    plain = st.cell("plain", border=1)
    w.text(r, 0, book.plan.unit, plain, span=n + 1)
    rng = f"'{book.plan.unit}'!{a1(0, book.template.unit.width, True)}:{a1(999, book.template.unit.width, True)}"
    found, warned = problems
    ws.write_formula(r, n + 2, "=" + count_formula(rng), plain, found)
    warnings = count_formula(rng, warn_mark(book.lang))
    ws.write_formula(r, n + 3, "=" + _status(book, a1(r, n + 2), warnings), plain,
                     _status_now(book, found, warned))
    link = st.get(border=1, font_color="blue", underline=1)
    ws.write_url(r, n + 4, f"internal:'{book.plan.unit}'!A1", string=book.plan.unit, cell_format=link)

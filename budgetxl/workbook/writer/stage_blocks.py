"""Writers of the later stages' block kinds: grid (项目资金), issued-table (绩效指标), totals (总分), note.

Issued cells are grey and locked, cells to fill yellow and open, computed cells green and locked:
a formula (form.formulas) with its cached value (form.scorecard), so the file reads right before
any recalculation. In the indicator table each row is written for its indicator's kind: a
quantitative indicator's 完成值 takes a number and its 得分 is a formula; a qualitative one's
完成值 comes from a list and its 得分 is typed, within the band.
"""

from __future__ import annotations

from typing import Any

from ...cells import a1
from ...form import formulas as F
from ...form.scorecard import ProjectCard, project_card
from ...model import Indicator
from ...values import QUALITATIVE_OP
from ..xlsx import SheetWriter, text_width
from .blocks import WRITERS, validation, value_format

COMPUTED_COLOR = "#E2EFDA"  # cells the workbook computes (green, locked)
DASH = "—"
PERCENT_TYPED = 'General"%"'  # a value in % typed as its number: the sign is shown, the cell holds 90, not 0.9
LINE = 15  # points per line of wrapped text


def computed_format(book: Any, f: Any) -> Any:
    props: dict[str, Any] = {"bg_color": COMPUTED_COLOR, "align": f.align or "center"}
    if f.kind.num_format:
        props["num_format"] = f.kind.num_format
    return book.styles.cell("issued", **props)


def _cached(v: Any) -> Any:
    return "" if v is None else (float(v) if not isinstance(v, str) else v)


def write_formula(w: SheetWriter, r: int, c: int, formula: str, fmt: Any, value: Any, span: int = 1) -> None:
    """A computed cell: the formula, its cached value, remembered for the live checks."""
    if span > 1:
        w.ws.merge_range(r, c, r, c + span - 1, "", fmt)
    w.ws.write_formula(r, c, "=" + formula, fmt, _cached(value))
    if w.record:
        w.written[a1(r, c)] = None if value is None else _cached(value)


def _plan_of(book: Any, project: Any) -> Any:
    return next(p for p in book.plan.projects if p.project is project)


def _lines(text: Any, width: float) -> int:
    if not isinstance(text, str) or not text:
        return 1
    return sum(1 + int(text_width(part) // max(width, 1)) for part in text.split("\n"))


def amount_validation(f: Any) -> dict[str, Any]:
    dv: dict[str, Any] = {"validate": "decimal", "criteria": ">=", "value": 0}
    return {**dv, "input_title": f.label, "input_message": f.spec.hint} if f.spec.hint else dv


# ---- grid ----------------------------------------------------------------------------------------

def write_grid(book: Any, w: SheetWriter, place: Any, obj: Any, issued: bool, widths: list[float]) -> None:
    ws, st, spec = w.ws, book.styles, place.spec
    top, bottom, first = place.top, place.top + place.height - 1, place.first_col()
    ws.merge_range(top, 0, bottom, 0, spec.label, st.cell("label"))
    w.text(top, 1, spec.corner, st.cell("label"), spec.row_span)
    for col, c in place.columns:
        w.text(top, c, col.label, st.cell("label"), col.span)
    ws.set_row(top, spec.header_height)
    for i, row in enumerate(spec.rows):
        w.text(top + 1 + i, 1, row.label, st.cell("label", align="left"), spec.row_span)
        ws.set_row(top + 1 + i, spec.row_height)
    card = project_card(obj, book.template) if obj is not None else ProjectCard()
    refs = {fp.field.key: a1(*fp.value) for fp in place.cells}
    done = set()
    for fp in place.cells:
        f, (r, c) = fp.field, fp.value
        done.add((r, c))
        if not f.stored:
            write_formula(w, r, c, _grid_formula(book, f, refs), computed_format(book, f), card.value(f.key), fp.span)
            continue
        locked = f.issued and issued
        w.value(r, c, f.kind.cell(f.get(obj)), value_format(book, f, locked), fp.span)
        if not locked:
            ws.data_validation(r, c, r, c, amount_validation(f) if f.kind.column_type == "amount" else
                               (validation(book, f) or {"validate": "any"}))
    for col, c in place.columns:
        for i in range(len(spec.rows)):
            if (top + 1 + i, c) not in done:
                w.text(top + 1 + i, c, DASH, st.cell("issued", align="center"), col.span)


def _grid_formula(book: Any, f: Any, refs: dict[str, str]) -> str:
    name, of = f.kind.name, [refs.get(k, '""') for k in f.spec.of]
    scoring = book.template.stage.scoring if book.template.stage else None
    if name == "rate":
        return F.rate(*of)
    if name == "budget-score":
        return F.budget_score(*of, scoring.budget_points)
    if name == "budget-points":
        return str(scoring.budget_points)
    raise ValueError(f"no formula for a {name} cell in a grid ({f.key})")


# ---- the indicator table -------------------------------------------------------------------------

def write_issued_table(book: Any, w: SheetWriter, place: Any, obj: Any, issued: bool, widths: list[float]) -> None:
    ws, st = w.ws, book.styles
    items = getattr(obj, place.spec.key)
    for f, c in place.columns:
        w.text(place.top, c, f.label, st.cell("header"))
    ws.set_row(place.top, place.spec.row_height)
    card = project_card(obj, book.template)
    col_of = {f.key: c for f, c in place.columns}
    for i in range(place.rows):
        r = place.first + i
        item = items[i] if i < len(items) else Indicator()
        values = card.indicators[i] if i < len(card.indicators) else {}
        refs = {key: a1(r, c) for key, c in col_of.items()}
        lines = 1
        for f, c in place.columns:
            if f.part_of is not None:
                continue
            cells = f.kind.cells(values.get(f.key, f.get(item)) if f.key == "points" else f.get(item))
            for part, value in cells.items():
                key = f"{f.key}.{part}" if part else f.key
                pf = book.template.fields.field(key, "indicator")
                _table_cell(book, w, pf, r, col_of[key], value, item, refs, values, issued)
                lines = max(lines, _lines(value, widths[col_of[key]] * 0.9))  # (a little room: fonts differ)
        ws.set_row(r, max(place.spec.row_height, LINE * lines + 4))
    _light_colours(book, ws, place)


def _table_cell(book: Any, w: SheetWriter, f: Any, r: int, c: int, value: Any, item: Any, refs: dict[str, str],
                values: dict[str, Any], issued: bool) -> None:
    ws, t = w.ws, book.template
    qualitative = item.value is not None and item.value.op == QUALITATIVE_OP
    if not f.stored:
        formula = F.light(refs["value.op"], refs["value"], refs[f.spec.of[0]], t.month or 12, t.stage.monitor)
        write_formula(w, r, c, formula, computed_format(book, f), values.get(f.key))
        return
    if f.kind.name == "score" and not qualitative:
        actual, points = (refs[k] for k in f.spec.of)
        formula = F.indicator_score(refs["value.op"], refs["value"], actual, points)
        write_formula(w, r, c, formula, computed_format(book, f), values.get(f.key))
        return
    locked = f.issued and issued
    fmt = value_format(book, f, locked)
    if f.kind.name == "actual" and not qualitative and item.value is not None and item.value.unit == "%":
        fmt = book.styles.cell("fill", align="center", num_format=PERCENT_TYPED)  # (typed as 90, shown 90%)
    w.value(r, c, value, fmt)
    if not locked:
        dv = _row_validation(book, f, qualitative, values.get("points"))
        if dv is not None:
            ws.data_validation(r, c, r, c, dv)


def _row_validation(book: Any, f: Any, qualitative: bool, points: Any) -> dict[str, Any] | None:
    hint = {"input_title": f.label, "input_message": f.spec.hint} if f.spec.hint else {}
    if f.kind.name == "actual":
        if qualitative:
            return validation(book, f)
        return {"validate": "decimal", "criteria": "between", "minimum": -1e15, "maximum": 1e15, **hint,
                "error_title": book.text("workbook.number-error-title"), "error_message": book.text("workbook.number-error")}
    if f.kind.name == "score":
        top = float(points) if points is not None else 100
        return {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": top, **hint,
                "error_title": book.text("workbook.number-error-title"),
                "error_message": book.text("workbook.score-error", points=f"{top:g}")}
    return validation(book, f)


def _light_colours(book: Any, ws: Any, place: Any) -> None:
    stage = book.template.stage
    monitor = stage.monitor if stage else None
    col = next((c for f, c in place.columns if f.kind.name == "light"), None)
    if monitor is None or col is None:
        return
    for name, colour in monitor.colors.items():
        fmt = book.wb.add_format({"bg_color": colour})
        ws.conditional_format(place.first, col, place.last, col,
                              {"type": "cell", "criteria": "==", "value": F._str(name), "format": fmt})


# ---- totals and note -----------------------------------------------------------------------------

def write_totals(book: Any, w: SheetWriter, place: Any, obj: Any, issued: bool, widths: list[float]) -> None:
    st, spec = book.styles, place.spec
    w.text(place.top, 0, spec.label, st.cell("label"), spec.label_span)
    w.ws.set_row(place.top, spec.height)
    card = project_card(obj, book.template)
    plan = _plan_of(book, obj)
    lay = plan.layout
    table = lay.table()
    score_col = next(c for f, c in table.columns if f.kind.name == "score")
    scores = f"{a1(table.first, score_col)}:{a1(table.last, score_col)}"
    budget = [a1(*fp.value) for fp in lay.fields() if fp.field.kind.name == "budget-score"]
    total_ref = None
    for fp in place.cells:
        f, (r, c) = fp.field, fp.value
        name = f.kind.name
        if name == "total-score":
            formula, total_ref = F.total(budget, scores), a1(r, c)
        elif name == "grade":
            formula = F.grade(total_ref or '""', book.template.stage.scoring)
        else:
            formula = str(card.value(f.key))
        write_formula(w, r, c, formula, computed_format(book, f), card.value(f.key), fp.span)


def write_note(book: Any, w: SheetWriter, place: Any, obj: Any, issued: bool, widths: list[float]) -> None:
    st, spec = book.styles, place.spec
    notes = [book.text(k, **args) for k, args in project_card(obj, book.template).notes] if obj is not None else []
    text = "".join([*notes, spec.text])
    w.text(place.top, 0, spec.label, st.cell("label"))
    w.text(place.top, 1, text, st.cell("plain", border=1, align="left", font_size=9), len(widths) - 1)
    w.ws.set_row(place.top, max(spec.height, 13 * _lines(text, sum(widths[1:]) * 1.15) + 4))


WRITERS["grid"] = write_grid
WRITERS["issued-table"] = write_issued_table
WRITERS["totals"] = write_totals
WRITERS["note"] = write_note

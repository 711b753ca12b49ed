"""Writers of the block kinds (fields, checkpoints, list, table), over the field table.

Each writes its block at the place the layout gave it: labels, values (text always as text),
formats from the field's kind (issued cells grey and locked, cells to fill yellow and open), the
input message and dropdown of every open cell. A new block kind is a writer registered in
``WRITERS`` (and a reader in workbook.reader).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...cells import a1, col_letter
from ...form.layout import LIST_NUMBER_COL, LIST_TEXT_COL, CheckpointsPlace, FieldsPlace, ListPlace, TablePlace
from ...model import Indicator, value_at
from ..xlsx import SheetWriter, text_width
from .lists_sheet import list_name

LINE_HEIGHT = 15  # points per line of wrapped prefilled text
LIST_LINE = (16, 95)  # a list row: points per line, text width per line


def value_format(book: Any, f: Any, locked: bool) -> Any:
    props: dict[str, Any] = {}
    if f.kind.num_format:
        props["num_format"] = f.kind.num_format
    if f.align:
        props["align"] = f.align
    return book.styles.cell("issued" if locked else "fill", **props)


def percent_validation(book: Any, title: str, hint: str | None) -> dict[str, Any]:
    """0-100 (a spending-plan checkpoint)."""
    dv: dict[str, Any] = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100,
                          "error_title": book.text("workbook.percent-error-title"),
                          "error_message": book.text("workbook.percent-error")}
    return {**dv, "input_title": title, "input_message": hint} if hint else dv


def _level2(book: Any, f: Any, hint: dict[str, Any], level1: str | None) -> dict[str, Any] | None:
    """The 二级指标 allowed under the row's 一级指标 (``level1``: its cell, relative)."""
    if level1 is None:
        return None
    return {"validate": "list", "source": f'=INDIRECT("BX_L2_"&MATCH({level1},BX_L1,0))', **hint}


def _op(book: Any, f: Any, hint: dict[str, Any], level1: str | None) -> dict[str, Any]:
    """计算符号 from the list, or typed as a clerk types it (>= <= =), which reads the same."""
    values = (book.lists.values(list_name(f.list_name)) or []) + list(f.kind.typed)
    return {"validate": "list", "source": values, **hint}


# Data validation of the kinds that need more than their dropdown list and input message.
KIND_VALIDATIONS: dict[str, Callable[..., dict[str, Any] | None]] = {
    "level2": _level2,
    "op": _op,
    "percent": lambda book, f, hint, level1: percent_validation(book, f.label, f.spec.hint),
}


def validation(book: Any, f: Any, level1: str | None = None) -> dict[str, Any] | None:
    """The data validation of an open cell of field ``f``: its dropdown, range and input message.
    ``level1`` is the cell (relative) of the row's 一级指标, for the dependent 二级指标 list."""
    hint = {"input_title": f.label, "input_message": f.spec.hint} if f.spec.hint else {}
    special = KIND_VALIDATIONS.get(f.kind.name)
    if special is not None:
        return special(book, f, hint, level1)
    if f.list_name:
        dv = {**book.lists.validation(list_name(f.list_name)), **hint}
        if f.spec.open:
            dv["error_type"] = "information"
        return dv
    return {"validate": "any", **hint} if hint else None


def _lines(text: Any, width: float) -> int:
    """Lines a wrapped text takes in a cell ``width`` wide (line breaks start new lines)."""
    if not isinstance(text, str) or not text:
        return 1
    return sum(1 + int(text_width(part) // width) for part in text.split("\n"))


def write_fields(book: Any, w: SheetWriter, place: FieldsPlace, obj: Any, issued: bool, widths: list[float]) -> None:
    """Rows of label + value cells; a group's label merged down column A. A row grows to show the
    longest prefilled text of its cells."""
    ws, st = w.ws, book.styles
    for label, r0, r1 in place.groups:
        if r1 > r0:
            ws.merge_range(r0, 0, r1, 0, label, st.cell("label"))
        else:
            w.text(r0, 0, label, st.cell("label"))
    for row in place.rows:
        lines = 1
        for fp in row.fields:
            f = fp.field
            w.text(*fp.label, f.label, st.cell("label"))
            locked = f.computed or (f.issued and issued)
            value = f.kind.cell(book.template_ref if f.kind.name == "template" else f.get(obj))
            r, c = fp.value
            w.value(r, c, value, value_format(book, f, locked), fp.span)
            lines = max(lines, _lines(value, sum(widths[c:c + fp.span])))
            dv = None if locked else validation(book, f)
            if dv is not None:
                ws.data_validation(r, c, r, c, dv)
        if row.spec.height or lines > 1:
            ws.set_row(row.row, max(row.spec.height or 0, LINE_HEIGHT * lines))


def write_checkpoints(book: Any, w: SheetWriter, place: CheckpointsPlace, project: Any, issued: bool,
                      widths: list[float]) -> None:
    """The label over two rows, a labelled column per month, the percentages beneath."""
    ws, st, cp, width = w.ws, book.styles, place.spec, len(widths)
    ws.merge_range(place.top, 0, place.top + 1, 0, cp.label, st.cell("label"))
    percents = {sp.month: sp.percent for sp in project.spending_plan}
    months = place.months()
    for m, label_cell, (vr, vc) in months:
        w.text(*label_cell, cp.month_label.format(month=m), st.cell("label"))
        w.number(vr, vc, percents.get(m), st.cell("fill", align="center"))
    ws.data_validation(place.top + 1, 1, place.top + 1, len(months), percent_validation(book, cp.label, cp.hint))
    for c in range(len(months) + 1, width):
        ws.write_blank(place.top, c, None, st.cell("label"))
        ws.write_blank(place.top + 1, c, None, st.cell("label"))


def write_list(book: Any, w: SheetWriter, place: ListPlace, obj: Any, issued: bool, widths: list[float]) -> None:
    """The label at the top of the block, a running number, one text per row. The label column is
    not merged: a row inserted inside the block takes the look of the row above it, so the block
    stays one block and no merged label is split. The number is a formula on the row's position,
    so the rows renumber around an inserted row (which the check writer numbers: see live)."""
    ws, st, block, width = w.ws, book.styles, place.spec, len(widths)
    items = value_at(obj, block.key)
    r0, last = place.top, place.top + place.height - 1
    per_line, line_width = LIST_LINE
    label_cell = a1(r0, 0, True)
    for i in range(place.height):
        r = r0 + i
        edges = {"top": 1 if r == r0 else 0, "bottom": 1 if r == last else 0}
        label = st.cell("label", border=0, left=1, right=1, valign="top", **edges)
        w.text(r, 0, block.label if r == r0 else None, label)
        ws.write_formula(r, LIST_NUMBER_COL, f"=ROW()-ROW({label_cell})+1", st.cell("issued", align="center"), i + 1)
        text = items[i] if i < len(items) else None
        w.text(r, LIST_TEXT_COL, text, st.cell("fill"), width - LIST_TEXT_COL)
        ws.set_row(r, max(block.row_height, per_line * (1 + int(text_width(text or "") // line_width))))
    if block.hint:
        ws.data_validation(r0, LIST_TEXT_COL, last, LIST_TEXT_COL,
                           {"validate": "any", "input_title": block.label, "input_message": block.hint})


def write_table(book: Any, w: SheetWriter, place: TablePlace, obj: Any, issued: bool, widths: list[float]) -> None:
    """A header row of labels, one row per item (a spare row is an empty item), dropdowns per column."""
    ws, st, items = w.ws, book.styles, getattr(obj, place.spec.key)
    for f, c in place.columns:
        w.text(place.top, c, f.label, st.cell("header"))
    ws.set_row(place.top, place.spec.row_height)
    col_of = {f.key: c for f, c in place.columns}
    formats = {f.key: value_format(book, f, False) for f, _ in place.columns}
    for i in range(place.rows):
        r = place.first + i
        item = items[i] if i < len(items) else Indicator()
        for f, c in place.columns:
            if f.part_of is not None:
                continue
            for part, value in f.kind.cells(f.get(item)).items():
                key = f"{f.key}.{part}" if part else f.key
                w.value(r, col_of[key], value, formats[key])
        ws.set_row(r, place.spec.row_height)
    level1 = next((f"${col_letter(c)}{place.first + 1}" for f, c in place.columns if f.kind.name == "level1"), None)
    for f, c in place.columns:
        dv = validation(book, f, level1)
        if dv is not None:
            ws.data_validation(place.first, c, place.last, c, dv)


# The writer of each block kind: (book, sheet writer, place, the document or project, issued?, widths).
WRITERS: dict[str, Callable[..., None]] = {
    "fields": write_fields, "checkpoints": write_checkpoints, "list": write_list, "table": write_table,
}


def write_block(book: Any, w: SheetWriter, place: Any, obj: Any, issued: bool, widths: list[float]) -> None:
    """Write one block of a sheet (``obj``: the document or the project it shows)."""
    WRITERS[place.spec.kind](book, w, place, obj, issued, widths)

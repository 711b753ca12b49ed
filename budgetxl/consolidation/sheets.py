"""The consolidated workbook (xlsxwriter, constant memory): 汇总, 报送情况, the detail tables,
校验问题 and 图表, in the columns of form.consolidated.

The small sheets go through xlsxwriter; the big detail sheets are streamed (workbook.stream) and
spliced in when the package is closed. Strings from county workbooks are always text, quote-
prefixed when they start like a formula. Headings are in the template's language (split reads
them back); statuses, severities and messages in the run's language.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlsxwriter.exceptions import FileCreateError

from ..cells import col_letter
from ..files.lifetime import Scratch
from ..form import consolidated as C
from ..form.kinds import AMOUNT_FORMAT, NUMBER_FORMATS
from ..messages import message
from ..workbook.stream import StreamedTable, splice
from ..workbook.xlsx import SheetWriter, Styles, new_workbook, table_sheet
from .stage import colour_lights, stage_values, write_stage_chart
from .status import STATUS_DUPLICATE, STATUS_INCLUDED_INVALID, STATUS_OTHER_FORM, STATUS_SUPERSEDED, status_text

if TYPE_CHECKING:  # (a Consolidation writes itself through this module)
    from .decide import Consolidation

FLAGGED = "#FFC7CE"  # rows counted although invalid (merge --include-invalid)


class _Table:
    """One small sheet of rows under a header: filters, frozen header, formats and widths."""

    def __init__(self, wb: Any, styles: Styles, name: str, cols: list[C.Column]):
        self.ws = table_sheet(wb, styles, name, cols)
        self.w = SheetWriter(self.ws, styles, record=False)
        self.cols = cols
        self.row = 1
        kinds = {"text": {}, **{k: {"num_format": f} for k, f in NUMBER_FORMATS.items()}}
        self.fmt = {k: styles.get(border=1, **props) for k, props in kinds.items()}
        self.flagged = {k: styles.get(border=1, bg_color=FLAGGED, **props) for k, props in kinds.items()}

    def add(self, values: dict[str, Any], flagged: bool = False) -> None:
        formats = self.flagged if flagged else self.fmt
        for c, col in enumerate(self.cols):
            v = values.get(col.key)
            if col.type == "text":
                self.w.text(self.row, c, None if v is None else str(v), formats[col.type])
            else:
                self.w.value(self.row, c, v, formats[col.type])
        self.row += 1

    def close(self) -> None:
        self.ws.autofilter(0, 0, max(self.row - 1, 1), len(self.cols) - 1)


class WorkbookSink:
    """The consolidated workbook, fed one unit's spooled data at a time (see write.write_outputs)."""

    def __init__(self, cons: Consolidation, output: str | os.PathLike[str], stack: contextlib.ExitStack,
                 lang: str = "zh"):
        t = self.t = cons.template
        self.cons, self.lang = cons, lang
        self.tmp = Path(output)  # a temp path, published by the caller (write.write_outputs)
        scratch = Scratch("sheets")
        stack.callback(scratch.cleanup)
        self.spool = scratch.path
        # (xlsxwriter's own temp files go into the scratch folder too: a kill leaves none behind)
        wb = self.wb = new_workbook(str(self.tmp), constant_memory=True, tmpdir=str(self.spool))
        wb.set_properties({"title": message("consolidated.title", t.language, title=t.template.title),
                           "author": "budgetxl"})
        st = self.st = Styles(wb)
        self.formats = {
            "text": st.get(border=1, text_wrap=False),
            "quoted": st.get(border=1, text_wrap=False, quote_prefix=True),
            **{k: st.get(border=1, num_format=f) for k, f in NUMBER_FORMATS.items()},
        }
        self.summary_rows = _write_summary(wb, st, cons, lang)
        _write_status(wb, st, cons, lang)
        self.projects = self._streamed("projects", C.project_columns(t, cons.most("max_goals")))
        self.indicators = self._streamed("indicators", C.indicator_columns(t))
        self.units = self._streamed("units", C.overview_columns(t, cons.most("lists")))

    def _streamed(self, which: str, cols: list[C.Column]) -> StreamedTable:
        return StreamedTable(self.wb, self.st, C.sheet_name(self.t, which), cols, self.spool, self.formats)

    def add(self, data: dict[str, Any]) -> None:
        for row in data["projects"]:
            self.projects.add(row)
        for row in data["indicators"]:
            self.indicators.add(row)
        self.units.add(data["overview"])

    def close(self) -> list[Path]:
        findings = self._streamed("findings", C.finding_columns(self.t))
        for row in _finding_rows(self.cons, self.lang):
            findings.add(row)
        streamed = [self.projects, self.indicators, self.units, findings]
        for table in streamed:
            table.close()
        level1: Counter = Counter()
        for e in self.cons.counted_entries():
            level1.update(e.stats["level1"])
        _write_charts(self.wb, self.st, self.t, self.summary_rows, level1)
        colour_lights(self.wb, self.indicators, self.t)
        try:
            self.wb.close()
        except FileCreateError as exc:  # (xlsxwriter's wrapper of the OSError: a full disk, say)
            raise exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else exc
        splice(self.tmp, streamed)
        return []


def _unit_row(cons: Consolidation, u: Any) -> dict[str, Any]:
    """The unit's identifying columns: as read from its file, else as the roster says."""
    e = u.entry
    if e is not None and e.readable:
        return dict(e.stats.get("unit", {}))
    t = cons.template.fields
    known = {"unit.code": u.code, "unit.name": u.name, "unit.region": u.region}
    return {f.column_key: known.get(f.key) for f in t.issued("unit") if f.column_key}


def _write_summary(wb: Any, st: Styles, cons: Consolidation, lang: str) -> int:
    t = _Table(wb, st, C.sheet_name(cons.template, "summary"), C.summary_columns(cons.template))
    amounts = [f.column_key for f in C.amount_fields(cons.template)]
    totals: dict[str, Any] = {"projects": 0, "indicators": 0, **{k: Decimal(0) for k in amounts}}
    for u in cons.units:
        e = u.entry
        row = {**_unit_row(cons, u), "status": status_text(u.status, lang),
               "file": Path(e.display.split("!")[-1]).name if e else None}
        if u.counted and e is not None and e.readable:
            for k in totals:
                row[k] = e.stats.get(k, 0)
                totals[k] += e.stats.get(k, 0)
            row.update(stage_values([e.stats.get("stage", {})], cons.template))
        t.add(row, flagged=u.status == STATUS_INCLUDED_INVALID)
    last = t.row
    header = st.cell("header")
    amount = st.cell("header", num_format=AMOUNT_FORMAT)
    t.w.text(last, 0, message("col.total-row", cons.template.language), header)
    stage = stage_values([e.stats.get("stage", {}) for e in cons.counted_entries()], cons.template)
    for c, col in enumerate(t.cols):
        if col.key in stage:
            value = stage[col.key]
            fmt = st.cell("header", num_format=NUMBER_FORMATS.get(col.type, "General"))
            t.w.value(last, c, value, fmt)
        elif col.key in totals:
            letter = col_letter(c)
            value = totals[col.key]
            t.ws.write_formula(last, c, f"=SUM({letter}2:{letter}{last})", amount if col.type == "amount" else header,
                               float(value) if isinstance(value, Decimal) else value)
        elif c:
            t.ws.write_blank(last, c, None, header)
    t.close()
    return last - 1


def _write_status(wb: Any, st: Styles, cons: Consolidation, lang: str) -> None:
    t = _Table(wb, st, C.sheet_name(cons.template, "status"), C.status_columns(cons.template))
    listed = set()
    for u in cons.units:
        e = u.entry
        if e is None:
            t.add({**_unit_row(cons, u), "status": status_text(u.status, lang)})
            continue
        listed.add(id(e))
        t.add({**_unit_row(cons, u), **_status_row(e, lang)})
    for e in cons.entries:
        if id(e) in listed:
            continue
        row = _status_row(e, lang)
        if e.status in (STATUS_SUPERSEDED, STATUS_DUPLICATE):
            row["note"] = message(f"note.{e.status}", lang, file=e.note)
        elif e.error:
            row["note"] = e.error_message(lang)
        t.add({**dict(e.stats.get("unit", {})), **row})
    t.close()


def _status_row(e: Any, lang: str) -> dict[str, Any]:
    return {"status": status_text(e.status, lang), "file": e.display, "sha256": e.sha256,
            "saved": (e.saved or e.mtime).strftime("%Y-%m-%d %H:%M:%S"), "errors": e.errors,
            "warnings": e.warnings, "note": e.note or None}


def _finding_rows(cons: Consolidation, lang: str):
    for e in cons.entries:
        unit = dict(e.stats.get("unit", {}))
        if e.error:
            yield {"file": e.display, **unit, "rule": e.status if e.status == STATUS_OTHER_FORM else "unreadable",
                   "severity": message("severity.error", lang), "message": e.error_message(lang)}
        for f in e.findings:
            yield {"file": e.display, **unit, "rule": f.rule, "severity": message(f"severity.{f.severity}", lang),
                   "sheet": f.sheet, "cell": f.cell, "message": f.message(lang)}
    for e, f in cons.extra_findings:
        yield {"file": e.display, **dict(e.stats.get("unit", {})), "rule": f.rule,
               "severity": message(f"severity.{f.severity}", lang), "message": f.message(lang)}


def _write_charts(wb: Any, st: Styles, t: Any, summary_rows: int, level1: Counter) -> None:
    lang = t.language
    sheet = C.sheet_name(t, "charts")
    ws = wb.add_worksheet(sheet)
    w = SheetWriter(ws, st, record=False)
    header = st.cell("header")
    level1_label = t.fields.field("level1", "indicator").label
    w.text(0, 0, level1_label, header)
    w.text(0, 1, message("col.indicators", lang), header)
    ws.set_column(0, 0, 16)
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    for i, (name, n) in enumerate(level1.most_common(), start=1):
        w.text(i, 0, name or message("consolidated.empty", lang), st.get(border=1))
        ws.write_number(i, 1, n, st.get(border=1))
    amounts = C.amount_fields(t)
    columns = [c.key for c in C.summary_columns(t)]
    if summary_rows and amounts:
        total = amounts[0]
        series = message("chart.series", lang, field=total.header, unit=t.template.amount_unit)
        bar = wb.add_chart({"type": "bar"})
        bar.add_series({
            "name": series,
            "categories": [C.sheet_name(t, "summary"), 1, 1, summary_rows, 1],
            "values": [C.sheet_name(t, "summary"), 1, columns.index(total.column_key), summary_rows,
                       columns.index(total.column_key)],
            "data_labels": {"value": True, "num_format": "0.00"},
        })
        bar.set_title({"name": message("chart.budget-title", lang, field=total.header, unit=t.template.amount_unit)})
        bar.set_legend({"none": True})
        bar.set_y_axis({"reverse": True})
        bar.set_size({"width": 720, "height": max(320, 22 * summary_rows + 80)})
        ws.insert_chart(19, 3, bar)
    if level1:
        column = wb.add_chart({"type": "column"})
        column.add_series({
            "name": message("col.indicators", lang),
            "categories": [sheet, 1, 0, len(level1), 0],
            "values": [sheet, 1, 1, len(level1), 1],
            "data_labels": {"value": True},
        })
        column.set_title({"name": message("chart.by-level1", lang, level1=level1_label)})
        column.set_legend({"none": True})
        column.set_size({"width": 720, "height": 320})
        ws.insert_chart(1, 3, column)
    write_stage_chart(wb, ws, t, summary_rows, 21 + max(320, 22 * summary_rows + 80) // 20)  # (below the others)

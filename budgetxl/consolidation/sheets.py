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
from dataclasses import replace
from datetime import date
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
from ..workbook.printing import PX_PER_UNIT, print_columns, setup_print
from ..values import format_number
from ..workbook.xlsx import SheetWriter, Styles, new_workbook, row_height, table_sheet, text_lines, text_width
from .stage import colour_lights, stage_values, write_stage_chart
from .status import STATUS_DUPLICATE, STATUS_INCLUDED_INVALID, STATUS_OTHER_FORM, STATUS_SUPERSEDED, status_text

if TYPE_CHECKING:  # (a Consolidation writes itself through this module)
    from .decide import Consolidation

FLAGGED = "#FFC7CE"  # rows counted although invalid (merge --include-invalid)
CHART_FONT = {"size": 11}  # (a chart's default 10 pt would print below 8 pt at the sheet's scale)


class _Table:
    """One small sheet of rows under a header (and any title rows above it): filters, frozen
    header, formats, widths, rows as tall as their wrapped text, printed at a legible scale."""

    def __init__(self, wb: Any, styles: Styles, name: str, cols: list[C.Column], titles: list | None = None,
                 title: str | None = None, footer: str | None = None):
        # (printed across pages, a wide table repeats the unit's code and name on each)
        self.ws = table_sheet(wb, styles, name, cols, titles, title, footer, repeat_cols=2)
        header_row = len(titles or [])
        self.w = SheetWriter(self.ws, styles, record=False)
        self.cols = cols
        self.header_row = header_row
        self.row = header_row + 1
        kinds = {"text": {}, **{k: {"num_format": f} for k, f in NUMBER_FORMATS.items()}}
        wrap = {"text_wrap": True, "valign": "top"}
        self.fmt = {k: styles.get(border=1, valign="top", **props) for k, props in kinds.items()}
        self.flagged = {k: styles.get(border=1, bg_color=FLAGGED, valign="top", **props) for k, props in kinds.items()}
        self.wrap = {False: styles.get(border=1, **wrap), True: styles.get(border=1, bg_color=FLAGGED, **wrap)}

    def add(self, values: dict[str, Any], flagged: bool = False) -> None:
        formats = self.flagged if flagged else self.fmt
        lines = max((text_lines(str(values.get(col.key) or ""), col.width) for col in self.cols if col.wraps), default=1)
        if lines > 1:  # (before the row's cells: the sheet is written in constant memory, row by row)
            self.ws.set_row(self.row, min(row_height(lines), 409))
        for c, col in enumerate(self.cols):
            v = values.get(col.key)
            if col.type == "text":
                self.w.text(self.row, c, None if v is None else str(v), self.wrap[flagged] if col.wraps else formats["text"])
            else:
                self.w.value(self.row, c, v, formats[col.type])
        self.row += 1

    def close(self) -> None:
        self.ws.autofilter(self.header_row, 0, max(self.row - 1, self.header_row + 1), len(self.cols) - 1)
        printed = sum(1 for col in self.cols if not col.machine)
        if printed < len(self.cols):
            print_columns(self.ws, self.row - 1, printed)


def shown_columns(cols: list[C.Column], t: Any) -> list[C.Column]:
    """The columns as the workbook heads them: an amount's header says its unit (预算数（万元）)."""
    unit = t.template.amount_unit
    amounts = {f.column_key for f in C.amount_fields(t)}  # (an indicator's number is no amount in 万元)
    return [replace(c, header=message("col.with-unit", t.language, header=c.header, unit=unit))
            if c.key in amounts and unit else c for c in cols]


class WorkbookSink:
    """The consolidated workbook, fed one unit's spooled data at a time (see write.write_outputs)."""

    def __init__(self, cons: Consolidation, output: str | os.PathLike[str], stack: contextlib.ExitStack,
                 lang: str = "zh", city: str | None = None):
        t = self.t = cons.template
        self.cons, self.lang = cons, lang
        self.tmp = Path(output)  # a temp path, published by the caller (write.write_outputs)
        scratch = Scratch("sheets")
        stack.callback(scratch.cleanup)
        self.spool = scratch.path
        # (xlsxwriter's own temp files go into the scratch folder too: a kill leaves none behind)
        wb = self.wb = new_workbook(str(self.tmp), constant_memory=True, tmpdir=str(self.spool))
        self.heading = _heading(cons, lang, city)
        wb.set_properties({"title": self.heading, "author": "budgetxl"})
        st = self.st = Styles(wb)
        top = {"border": 1, "valign": "top"}  # (rows are as tall as their longest text: every cell starts at the top)
        self.formats = {
            "text": st.get(**top, text_wrap=False),
            "quoted": st.get(**top, text_wrap=False, quote_prefix=True),
            "wrap": st.get(**top, text_wrap=True),
            "wrap-quoted": st.get(**top, text_wrap=True, quote_prefix=True),
            **{k: st.get(**top, num_format=f) for k, f in NUMBER_FORMATS.items()},
        }
        self.footer = "&C" + message("workbook.page", lang)
        self.summary_rows = _write_summary(wb, st, cons, lang, self.heading, self.footer)
        _write_status(wb, st, cons, lang, self._title("status"), self.footer)
        self.projects = self._streamed("projects", C.project_columns(t, cons.most("max_goals")))
        self.indicators = self._streamed("indicators", C.indicator_columns(t))
        self.units = self._streamed("units", C.overview_columns(t, cons.most("lists")))
        self.kinds = {k: message(f"value-kind.{k}", lang) for k in ("quantitative", "deadline", "qualitative")}

    def _title(self, which: str) -> str:
        return message("consolidated.page-title", self.lang, heading=self.heading, sheet=C.sheet_name(self.t, which))

    def _streamed(self, which: str, cols: list[C.Column]) -> StreamedTable:
        repeat = 1 if which != "status" else 0  # the unit code on every page
        return StreamedTable(self.wb, self.st, C.sheet_name(self.t, which), shown_columns(cols, self.t), self.spool,
                             self.formats, self._title(which), self.footer, repeat)

    def add(self, data: dict[str, Any]) -> None:
        for row in data["projects"]:
            self.projects.add(row)
        for row in data["indicators"]:
            if row.get("kind") in self.kinds:  # the value's kind in words, in the run's language
                row = {**row, "kind": self.kinds[row["kind"]]}
            self.indicators.add(row)
        self.units.add(data["overview"])

    def close(self) -> list[Path]:
        findings = self._streamed("findings", C.finding_columns(self.t))
        for row in _finding_rows(self.cons, self.lang):
            findings.add(row)
        streamed = [self.projects, self.indicators, self.units, findings]
        for table in streamed:
            table.close()
            printed = sum(1 for col in table.cols if not col.machine)
            if printed < len(table.cols):
                print_columns(table.ws, table.rows - 1, printed)
        level1: Counter = Counter()
        for e in self.cons.counted_entries():
            level1.update(e.stats["level1"])
        _write_charts(self.wb, self.st, self.t, self.summary_rows, level1, self.lang)
        colour_lights(self.wb, self.indicators, self.t)
        try:
            self.wb.close()
        except FileCreateError as exc:  # (xlsxwriter's wrapper of the OSError: a full disk, say)
            raise exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else exc
        splice(self.tmp, streamed)
        return []


def _heading(cons: Consolidation, lang: str, city: str | None) -> str:
    """汇总's title: the city, the year, the form (e.g. 邢台市2024年预算绩效目标表汇总)."""
    years = Counter(e.year for e in cons.counted_entries() if e.year)
    year = years.most_common(1)[0][0] if years else None
    key = "consolidated.heading" if year else "consolidated.heading-no-year"
    return message(key, lang, city=city or "", year=year, title=cons.template.template.title).strip()


def _unit_row(cons: Consolidation, u: Any) -> dict[str, Any]:
    """The unit's identifying columns: as read from its file, else as the roster says."""
    e = u.entry
    if e is not None and e.readable:
        return dict(e.stats.get("unit", {}))
    t = cons.template.fields
    known = {"unit.code": u.code, "unit.name": u.name, "unit.region": u.region}
    return {f.column_key: known.get(f.key) for f in t.issued("unit") if f.column_key}


SUMMARY_HEADER_ROW = 2  # 汇总: title, then the date and the unit of amounts, then the table


def fitted(cols: list[C.Column], rows: list[dict[str, Any]]) -> list[C.Column]:
    """Columns as wide as their contents (a header may take two lines), no wider than the column
    asks: a small sheet then prints one page wide at a legible scale."""
    out = []
    for col in cols:
        if col.type == "text":
            need = max((text_width(str(r.get(col.key) or "")) for r in rows), default=0)
        else:
            need = max((len(format_number(Decimal(str(v)))) * 1.2 for r in rows
                        if isinstance(v := r.get(col.key), (int, float, Decimal))), default=0)
        header = max(text_width(part) for part in _halves(col.header))
        out.append(replace(col, width=min(col.width, max(5, need + 1.5, header + 1.5))))
    return out


def _halves(text: str) -> list[str]:
    """A header's two lines when it wraps (at its line break, else in the middle)."""
    if "\n" in text:
        return text.split("\n")
    if text_width(text) <= 8:
        return [text]
    mid = (len(text) + 1) // 2
    return [text[:mid], text[mid:]]


def _write_summary(wb: Any, st: Styles, cons: Consolidation, lang: str, heading: str, footer: str) -> int:
    amounts = [f.column_key for f in C.amount_fields(cons.template)]
    totals: dict[str, Any] = {"projects": 0, "indicators": 0, **{k: Decimal(0) for k in amounts}}
    rows = []
    for u in cons.units:
        e = u.entry
        row = {**_unit_row(cons, u), "status": status_text(u.status, lang),
               "file": Path(e.display.split("!")[-1]).name if e else None}
        if u.counted and e is not None and e.readable:
            for k in totals:
                row[k] = e.stats.get(k, 0)
                totals[k] += e.stats.get(k, 0)
            row.update(stage_values([e.stats.get("stage", {})], cons.template))
        rows.append((row, u.status == STATUS_INCLUDED_INVALID))
    stage = stage_values([e.stats.get("stage", {}) for e in cons.counted_entries()], cons.template)
    cols = fitted(shown_columns(C.summary_columns(cons.template), cons.template),
                  [r for r, _ in rows] + [{**totals, **stage}])
    subtitle = message("consolidated.subtitle", lang, date=date.today().isoformat(),
                       unit=cons.template.template.amount_unit)
    titles = [(heading, st.cell("title"), 30), (subtitle, st.get(align="left"), 20)]  # (SUMMARY_HEADER_ROW rows)
    t = _Table(wb, st, C.sheet_name(cons.template, "summary"), cols, titles, None, footer)
    for row, flagged in rows:
        t.add(row, flagged=flagged)
    last = t.row
    header = st.cell("header")
    amount = st.cell("header", num_format=AMOUNT_FORMAT)
    t.w.text(last, 0, message("col.total-row", cons.template.language), header)
    first = SUMMARY_HEADER_ROW + 2  # the first data row, 1-based
    for c, col in enumerate(t.cols):
        if col.key in stage:
            value = stage[col.key]
            fmt = st.cell("header", num_format=NUMBER_FORMATS.get(col.type, "General"))
            t.w.value(last, c, value, fmt)
        elif col.key in totals:
            letter = col_letter(c)
            value = totals[col.key]
            t.ws.write_formula(last, c, f"=SUM({letter}{first}:{letter}{last})",
                               amount if col.type == "amount" else header,
                               float(value) if isinstance(value, Decimal) else value)
        elif c:
            t.ws.write_blank(last, c, None, header)
    t.close()
    return last - SUMMARY_HEADER_ROW - 1


def _write_status(wb: Any, st: Styles, cons: Consolidation, lang: str, title: str, footer: str) -> None:
    rows = []
    listed = set()
    for u in cons.units:
        e = u.entry
        if e is None:
            rows.append({**_unit_row(cons, u), "status": status_text(u.status, lang)})
            continue
        listed.add(id(e))
        rows.append({**_unit_row(cons, u), **_status_row(e, lang)})
    for e in cons.entries:
        if id(e) in listed:
            continue
        row = _status_row(e, lang)
        if e.status in (STATUS_SUPERSEDED, STATUS_DUPLICATE):
            row["note"] = message(f"note.{e.status}", lang, file=Path(e.note.split("!")[-1]).name)
        elif e.error:
            row["note"] = e.error_message(lang)
        rows.append({**dict(e.stats.get("unit", {})), **row})
    cols = fitted(C.status_columns(cons.template), rows)
    t = _Table(wb, st, C.sheet_name(cons.template, "status"), cols, None, title, footer)
    for row in rows:
        t.add(row)
    t.close()


def _status_row(e: Any, lang: str) -> dict[str, Any]:
    return {"status": status_text(e.status, lang), "file": Path(e.display.split("!")[-1]).name, "path": e.display,
            "sha256": e.sha256, "saved": (e.saved or e.mtime).strftime("%Y-%m-%d %H:%M"), "errors": e.errors,
            "warnings": e.warnings, "note": e.note or None}


def _finding_rows(cons: Consolidation, lang: str):
    def base(e: Any) -> dict[str, Any]:
        return {"file": Path(e.display.split("!")[-1]).name, "path": e.display, **dict(e.stats.get("unit", {}))}

    def rule(f: Any) -> dict[str, Any]:
        return {"rule": f.rule, "rule_name": message(f"rule-title.{f.rule}", lang),
                "severity": message(f"severity.{f.severity}", lang), "message": f.message(lang)}

    for e in cons.entries:
        if e.error:
            other = e.status == STATUS_OTHER_FORM
            yield {**base(e), "rule": e.status if other else "unreadable",
                   "rule_name": status_text(e.status if other else "unreadable", lang),
                   "severity": message("severity.error", lang), "message": e.error_message(lang)}
        for f in e.findings:
            yield {**base(e), **rule(f), "sheet": f.sheet, "cell": f.cell}
    for e, f in cons.extra_findings:
        yield {**base(e), **rule(f)}


def _write_charts(wb: Any, st: Styles, t: Any, summary_rows: int, level1: Counter, lang: str) -> None:
    sheet = C.sheet_name(t, "charts")
    ws = wb.add_worksheet(sheet)
    w = SheetWriter(ws, st, record=False)
    header = st.cell("header")
    level1_label = t.fields.field("level1", "indicator").label
    w.text(0, 0, level1_label, header)
    w.text(0, 1, message("col.indicators", lang), header)
    ws.set_column(0, 0, 16)
    setup_print(ws, [16, 9, 9, 720 / PX_PER_UNIT], footer="&C" + message("workbook.page", lang))  # (charts 720 px)
    for i, (name, n) in enumerate(level1.most_common(), start=1):
        w.text(i, 0, name or message("consolidated.empty", lang), st.get(border=1))
        ws.write_number(i, 1, n, st.get(border=1))
    amounts = C.amount_fields(t)
    columns = [c.key for c in C.summary_columns(t)]
    if summary_rows and amounts:
        top = SUMMARY_HEADER_ROW + 1
        total = amounts[0]
        series = message("chart.series", lang, field=total.header, unit=t.template.amount_unit)
        bar = wb.add_chart({"type": "bar"})
        bar.add_series({
            "name": series,
            "categories": [C.sheet_name(t, "summary"), top, 1, top + summary_rows - 1, 1],
            "values": [C.sheet_name(t, "summary"), top, columns.index(total.column_key), top + summary_rows - 1,
                       columns.index(total.column_key)],
            "data_labels": {"value": True, "num_format": "0.00", "font": CHART_FONT},
        })
        bar.set_x_axis({"num_font": CHART_FONT})
        bar.set_title({"name": message("chart.budget-title", lang, field=total.header, unit=t.template.amount_unit)})
        bar.set_legend({"none": True})
        bar.set_y_axis({"reverse": True, "num_font": CHART_FONT})
        bar.set_size({"width": 720, "height": max(320, 30 * summary_rows + 100)})  # (room for an 11-pt label per unit)
        ws.insert_chart(19, 3, bar)
    if level1:
        column = wb.add_chart({"type": "column"})
        column.add_series({
            "name": message("col.indicators", lang),
            "categories": [sheet, 1, 0, len(level1), 0],
            "values": [sheet, 1, 1, len(level1), 1],
            "data_labels": {"value": True, "font": CHART_FONT},
        })
        column.set_x_axis({"num_font": CHART_FONT})
        column.set_y_axis({"num_font": CHART_FONT})
        column.set_title({"name": message("chart.by-level1", lang, level1=level1_label)})
        column.set_legend({"none": True})
        column.set_size({"width": 720, "height": 320})
        ws.insert_chart(1, 3, column)
    below = 19 + (max(320, 30 * summary_rows + 100) + 19) // 20 + 2  # (20-px rows under the budget chart)
    write_stage_chart(wb, ws, t, (SUMMARY_HEADER_ROW + 1, summary_rows), below, lang, CHART_FONT)

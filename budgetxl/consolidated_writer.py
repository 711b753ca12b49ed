"""Write the consolidated workbook (xlsxwriter, constant-memory) and the data files.

Every sheet is written row by row from the consolidation, so memory does not hold a second copy
of the data. Strings from county workbooks go through SheetWriter: always text, quote-prefixed
when they start like a formula.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import consolidated as C
from .cells import col_letter
from .csvout import rows_to_csv
from .fileio import atomic_path, write_text_atomic
from .merge import Consolidation
from .model import decimal_to_number
from .xlsxout import AMOUNT_FORMAT, SheetWriter, Styles, new_workbook


class _Table:
    """One sheet of rows under a header: filters, frozen header, formats and widths."""

    def __init__(self, wb, styles: Styles, name: str, cols: list[C.Col]):
        self.ws = wb.add_worksheet(name)
        self.w = SheetWriter(self.ws, styles, record=False)
        self.cols = cols
        self.row = 1
        st = styles
        self.fmt = {
            "text": st.get(border=1, text_wrap=False),
            "amount": st.get(border=1, num_format=AMOUNT_FORMAT),
            "int": st.get(border=1, num_format="0"),
            "percent": st.get(border=1, num_format="0.##"),
        }
        header = st.cell("header")
        for c, col in enumerate(cols):
            self.w.text(0, c, col.header, header)
            self.ws.set_column(c, c, col.width)
        self.ws.freeze_panes(1, 0)
        self.ws.set_row(0, 24)
        self.ws.set_paper(9)
        self.ws.set_landscape()
        self.ws.fit_to_pages(1, 0)
        self.ws.repeat_rows(0)

    def add(self, values: dict[str, Any], fmt_override: Any = None) -> None:
        for c, col in enumerate(self.cols):
            v = values.get(col.key)
            fmt = fmt_override or self.fmt[col.kind]
            if col.kind == "text":
                self.w.text(self.row, c, None if v is None else str(v), fmt)
            else:
                self.w.value(self.row, c, v, fmt)
        self.row += 1

    def close(self) -> None:
        self.ws.autofilter(0, 0, max(self.row - 1, 1), len(self.cols) - 1)


def write_consolidated(cons: Consolidation, output: str | os.PathLike[str], lang: str = "zh") -> None:
    """The consolidated workbook; the big detail sheets are streamed (see xlsxstream)."""
    import tempfile

    from .xlsxstream import StreamedTable, splice

    docs = cons.docs()
    max_goals = max((len(p.goals) for d in docs for p in d.projects), default=0)
    max_items = max((len(d.overview.items) for d in docs), default=0)
    max_safe = max((len(d.overview.safeguards) for d in docs), default=0)
    spool = Path(tempfile.mkdtemp(prefix="budgetxl-spool-"))
    try:
        with atomic_path(output) as tmp:
            wb = new_workbook(str(tmp), constant_memory=True)
            wb.set_properties({"title": "预算绩效目标汇总", "author": "budgetxl"})
            st = Styles(wb)
            formats = {
                "text": st.get(border=1, text_wrap=False),
                "quoted": st.get(border=1, text_wrap=False, quote_prefix=True),
                "amount": st.get(border=1, num_format=AMOUNT_FORMAT),
                "int": st.get(border=1, num_format="0"),
                "percent": st.get(border=1, num_format="0.##"),
            }
            summary_rows = _write_summary(wb, st, cons)
            _write_status(wb, st, cons)
            streamed = []
            projects = StreamedTable(wb, st, C.PROJECTS, C.project_columns(cons.months, max_goals), spool, formats)
            for d in docs:
                for row in C.project_rows(d, cons.months):
                    projects.add(row)
            indicators = StreamedTable(wb, st, C.INDICATORS, C.INDICATOR_COLS, spool, formats)
            level1: Counter = Counter()
            for d in docs:
                for row in C.indicator_rows(d):
                    indicators.add(row)
                    level1[row["level1"] or "（空）"] += 1
            units = StreamedTable(wb, st, C.UNITS, C.overview_columns(max_items, max_safe), spool, formats)
            for d in docs:
                units.add(C.overview_row(d))
            findings = StreamedTable(wb, st, C.FINDINGS, C.FINDING_COLS, spool, formats)
            for row in _finding_rows(cons, lang):
                findings.add(row)
            streamed = [projects, indicators, units, findings]
            for table in streamed:
                table.close()
            _write_charts(wb, st, summary_rows, level1)
            wb.close()
            splice(tmp, streamed)
    finally:
        shutil.rmtree(spool, ignore_errors=True)


def _write_summary(wb, st: Styles, cons: Consolidation) -> int:
    t = _Table(wb, st, C.SUMMARY, C.SUMMARY_COLS)
    flagged = st.get(border=1, bg_color="#FFC7CE")
    flagged_amount = st.get(border=1, bg_color="#FFC7CE", num_format=AMOUNT_FORMAT)
    totals = {"projects": 0, "total": Decimal(0), "fiscal": Decimal(0), "other": Decimal(0), "indicators": 0}
    for u in cons.units:
        row: dict[str, Any] = {"unit_code": u.code, "unit_name": u.name, "region": u.region, "status": u.status,
                               "file": Path(u.entry.display.split("!")[-1]).name if u.entry else None}
        if u.entry and u.entry.doc:
            row["year"] = u.entry.doc.year
        if u.counted and u.entry and u.entry.doc:
            d = u.entry.doc
            row["projects"] = len(d.projects)
            row["indicators"] = sum(len(p.indicators) for p in d.projects)
            for k in ("total", "fiscal", "other"):
                row[k] = sum((getattr(p.budget, k) or Decimal(0) for p in d.projects), Decimal(0))
            for k in totals:
                totals[k] += row[k]
        if u.status == C.STATUS_INCLUDED_INVALID:
            for c, col in enumerate(t.cols):
                v = row.get(col.key)
                fmt = flagged_amount if col.kind == "amount" else flagged
                if col.kind == "text":
                    t.w.text(t.row, c, None if v is None else str(v), fmt)
                else:
                    t.w.value(t.row, c, v, fmt)
            t.row += 1
        else:
            t.add(row)
    last = t.row
    header = st.cell("header")
    amount = st.cell("header", num_format=AMOUNT_FORMAT)
    t.w.text(last, 0, "合计", header)
    for c, col in enumerate(t.cols):
        if col.key in totals:
            letter = col_letter(c)
            t.ws.write_formula(last, c, f"=SUM({letter}2:{letter}{last})", amount if col.kind == "amount" else header,
                               float(totals[col.key]) if isinstance(totals[col.key], Decimal) else totals[col.key])
        elif c:
            t.ws.write_blank(last, c, None, header)
    t.close()
    return last - 1


def _write_status(wb, st: Styles, cons: Consolidation) -> None:
    t = _Table(wb, st, C.STATUS, C.STATUS_COLS)
    listed = set()
    for u in cons.units:
        e = u.entry
        if e is None:
            t.add({"unit_code": u.code, "unit_name": u.name, "status": u.status})
            continue
        listed.add(id(e))
        t.add(_status_row(e, u.code, u.name))
    for e in cons.entries:
        if id(e) in listed:
            continue
        note = e.note
        if e.status in (C.STATUS_SUPERSEDED, C.STATUS_DUPLICATE):
            note = ("被替代为 " if e.status == C.STATUS_SUPERSEDED else "与此文件相同：") + e.note
        elif e.error:
            note = e.error_message("zh")
        t.add({**_status_row(e, e.unit_code, e.doc.unit.name if e.doc else None), "note": note})
    t.close()


def _status_row(e, code, name) -> dict[str, Any]:
    return {"unit_code": code, "unit_name": name, "status": e.status, "file": e.display, "sha256": e.sha256,
            "saved": (e.saved or e.mtime).strftime("%Y-%m-%d %H:%M:%S"), "errors": e.errors,
            "warnings": e.warnings, "note": e.note or None}


def _finding_rows(cons: Consolidation, lang: str):
    for e in cons.entries:
        name = e.doc.unit.name if e.doc else None
        if e.error:
            yield {"file": e.display, "rule": "unreadable", "severity": "error", "message": e.error_message(lang)}
        for f in e.findings:
            yield {"file": e.display, "unit_code": e.unit_code, "unit_name": name, "rule": f.rule,
                   "severity": f.severity, "sheet": f.sheet, "cell": f.cell, "message": f.message(lang)}
    for e, f in cons.extra_findings:
        yield {"file": e.display, "unit_code": e.unit_code, "unit_name": e.doc.unit.name if e.doc else None,
               "rule": f.rule, "severity": f.severity, "message": f.message(lang)}


def _write_charts(wb, st: Styles, summary_rows: int, level1: Counter) -> None:
    ws = wb.add_worksheet(C.CHARTS)
    w = SheetWriter(ws, st, record=False)
    header = st.cell("header")
    w.text(0, 0, "一级指标", header)
    w.text(0, 1, "指标数", header)
    ws.set_column(0, 0, 16)
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    for i, (name, n) in enumerate(level1.most_common(), start=1):
        w.text(i, 0, name, st.get(border=1))
        ws.write_number(i, 1, n, st.get(border=1))
    if summary_rows:
        bar = wb.add_chart({"type": "bar"})
        bar.add_series({
            "name": "预算数（万元）",
            "categories": [C.SUMMARY, 1, 1, summary_rows, 1],
            "values": [C.SUMMARY, 1, 5, summary_rows, 5],
            "data_labels": {"value": True, "num_format": "0.00"},
        })
        bar.set_title({"name": "各单位预算数（万元）"})
        bar.set_legend({"none": True})
        bar.set_y_axis({"reverse": True})
        bar.set_size({"width": 720, "height": max(320, 22 * summary_rows + 80)})
        ws.insert_chart(19, 3, bar)
    if level1:
        pie = wb.add_chart({"type": "column"})
        pie.add_series({
            "name": "指标数",
            "categories": [C.CHARTS, 1, 0, len(level1), 0],
            "values": [C.CHARTS, 1, 1, len(level1), 1],
            "data_labels": {"value": True},
        })
        pie.set_title({"name": "按一级指标统计的指标数"})
        pie.set_legend({"none": True})
        pie.set_size({"width": 720, "height": 320})
        ws.insert_chart(1, 3, pie)


# ---- data files --------------------------------------------------------------------------------

def write_data_files(cons: Consolidation, outdir: str | os.PathLike[str]) -> list[Path]:
    """projects and indicators as CSV, Parquet and JSON; the counted submissions as JSON."""
    import pandas as pd

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    docs = cons.docs()
    max_goals = max((len(p.goals) for d in docs for p in d.projects), default=0)
    tables = {
        "projects": ([c.key for c in C.project_columns(cons.months, max_goals)],
                     [r for d in docs for r in C.project_rows(d, cons.months)]),
        "indicators": ([c.key for c in C.INDICATOR_COLS], [r for d in docs for r in C.indicator_rows(d)]),
    }
    written: list[Path] = []
    for name, (columns, rows) in tables.items():
        csv_path = out / f"{name}.csv"
        write_text_atomic(csv_path, rows_to_csv(rows, columns))
        json_path = out / f"{name}.json"
        write_text_atomic(json_path, json.dumps([{c: _jsonable(r.get(c)) for c in columns} for r in rows],
                                                ensure_ascii=False, separators=(",", ":")))
        frame = pd.DataFrame([{c: _parquet_value(r.get(c)) for c in columns} for r in rows], columns=columns)
        parquet_path = out / f"{name}.parquet"
        with atomic_path(parquet_path) as tmp:
            frame.to_parquet(tmp, index=False)
        written += [csv_path, parquet_path, json_path]
    subs = out / "submissions.json"
    write_text_atomic(subs, json.dumps([d.to_data() for d in docs], ensure_ascii=False, separators=(",", ":")))
    written.append(subs)
    return written


def _jsonable(v: Any) -> Any:
    return decimal_to_number(v) if isinstance(v, Decimal) else v


def _parquet_value(v: Any) -> Any:
    # Amounts go to Parquet as float64 (exact for the <= 6 decimals amounts have); text as string.
    return float(v) if isinstance(v, Decimal) else v


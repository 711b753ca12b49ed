"""Write the consolidated workbook (xlsxwriter, constant-memory) and the data files.

Every sheet is written row by row from the consolidation, so memory does not hold a second copy
of the data. Strings from county workbooks go through SheetWriter: always text, quote-prefixed
when they start like a formula.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import consolidated as C
from .cells import col_letter
from .csvout import safe_csv_value
from .fileio import atomic_path
from .merge import Consolidation
from .model import decimal_to_number
from .values import format_number
from .xlsxout import AMOUNT_FORMAT, SheetWriter, Styles, new_workbook, table_sheet


class _Table:
    """One sheet of rows under a header: filters, frozen header, formats and widths."""

    def __init__(self, wb, styles: Styles, name: str, cols: list[C.Col]):
        self.ws = table_sheet(wb, styles, name, cols)
        self.w = SheetWriter(self.ws, styles, record=False)
        self.cols = cols
        self.row = 1
        st = styles
        formats = {"text": {}, "amount": {"num_format": AMOUNT_FORMAT}, "int": {"num_format": "0"},
                   "percent": {"num_format": "0.##"}}
        self.fmt = {k: st.get(border=1, **props) for k, props in formats.items()}
        # rows counted although invalid (merge --include-invalid) are flagged red
        self.flagged = {k: st.get(border=1, bg_color="#FFC7CE", **props) for k, props in formats.items()}

    def add(self, values: dict[str, Any], flagged: bool = False) -> None:
        formats = self.flagged if flagged else self.fmt
        for c, col in enumerate(self.cols):
            v = values.get(col.key)
            fmt = formats[col.kind]
            if col.kind == "text":
                self.w.text(self.row, c, None if v is None else str(v), fmt)
            else:
                self.w.value(self.row, c, v, fmt)
        self.row += 1

    def close(self) -> None:
        self.ws.autofilter(0, 0, max(self.row - 1, 1), len(self.cols) - 1)


class WorkbookSink:
    """The consolidated workbook, fed one unit's spooled data at a time (see write_outputs).

    The small sheets (汇总, 报送情况, 图表) go through xlsxwriter; the big detail sheets are
    streamed (see xlsxstream) and spliced in when the package is closed."""

    def __init__(self, cons: Consolidation, output: str | os.PathLike[str], stack: contextlib.ExitStack,
                 lang: str = "zh"):
        import tempfile

        from .xlsxstream import StreamedTable

        self.cons, self.lang = cons, lang
        self.tmp = stack.enter_context(atomic_path(output))
        spool = Path(tempfile.mkdtemp(prefix="budgetxl-sheets-"))
        stack.callback(shutil.rmtree, spool, ignore_errors=True)
        self.spool = spool
        wb = self.wb = new_workbook(str(self.tmp), constant_memory=True)
        wb.set_properties({"title": "预算绩效目标汇总", "author": "budgetxl"})
        st = self.st = Styles(wb)
        self.formats = {
            "text": st.get(border=1, text_wrap=False),
            "quoted": st.get(border=1, text_wrap=False, quote_prefix=True),
            "amount": st.get(border=1, num_format=AMOUNT_FORMAT),
            "int": st.get(border=1, num_format="0"),
            "percent": st.get(border=1, num_format="0.##"),
        }
        self.summary_rows = _write_summary(wb, st, cons)
        _write_status(wb, st, cons)
        self.projects = StreamedTable(wb, st, C.PROJECTS, C.project_columns(cons.months, cons.most("max_goals")),
                                      spool, self.formats)
        self.indicators = StreamedTable(wb, st, C.INDICATORS, C.INDICATOR_COLS, spool, self.formats)
        self.units = StreamedTable(wb, st, C.UNITS, C.overview_columns(cons.most("max_items"),
                                                                      cons.most("max_safeguards")),
                                   spool, self.formats)

    def add(self, data: dict[str, Any]) -> None:
        for row in data["projects"]:
            self.projects.add(row)
        for row in data["indicators"]:
            self.indicators.add(row)
        self.units.add(data["overview"])

    def close(self) -> list[Path]:
        from .xlsxstream import StreamedTable, splice

        findings = StreamedTable(self.wb, self.st, C.FINDINGS, C.FINDING_COLS, self.spool, self.formats)
        for row in _finding_rows(self.cons, self.lang):
            findings.add(row)
        streamed = [self.projects, self.indicators, self.units, findings]
        for table in streamed:
            table.close()
        level1: Counter = Counter()
        for e in self.cons.counted_entries():
            level1.update(e.stats["level1"])
        _write_charts(self.wb, self.st, self.summary_rows, level1)
        self.wb.close()
        splice(self.tmp, streamed)
        return []


def write_outputs(cons: Consolidation, output: str | os.PathLike[str] | None = None,
                  data_dir: str | os.PathLike[str] | None = None, lang: str = "zh", jobs: int = 1) -> list[Path]:
    """The consolidated workbook and/or the data files, each in one pass over the spooled units;
    with jobs > 1 the two are written by two processes at once. Everything is written atomically:
    on failure no half-written output is left."""
    if output is not None and data_dir is not None and jobs > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=1) as pool:
            data_files = pool.submit(_write_sinks, cons, None, data_dir, lang)
            written = _write_sinks(cons, output, None, lang)
            return written + data_files.result()
    return _write_sinks(cons, output, data_dir, lang)


def _write_sinks(cons: Consolidation, output, data_dir, lang: str) -> list[Path]:
    with contextlib.ExitStack() as stack:
        sinks: list[Any] = []
        if output is not None:
            sinks.append(WorkbookSink(cons, output, stack, lang))
        if data_dir is not None:
            sinks.append(DataSink(cons, data_dir, stack))
        for data in cons.payloads():
            for sink in sinks:
                sink.add(data)
        written = [p for sink in sinks for p in sink.close()]
    return written


def write_consolidated(cons: Consolidation, output: str | os.PathLike[str], lang: str = "zh") -> None:
    write_outputs(cons, output, None, lang)


def write_data_files(cons: Consolidation, outdir: str | os.PathLike[str]) -> list[Path]:
    return write_outputs(cons, None, outdir)


def _write_summary(wb, st: Styles, cons: Consolidation) -> int:
    t = _Table(wb, st, C.SUMMARY, C.SUMMARY_COLS)
    totals = {"projects": 0, "total": Decimal(0), "fiscal": Decimal(0), "other": Decimal(0), "indicators": 0}
    for u in cons.units:
        e = u.entry
        row: dict[str, Any] = {"unit_code": u.code, "unit_name": u.name, "region": u.region, "status": u.status,
                               "file": Path(e.display.split("!")[-1]).name if e else None}
        if e is not None and e.readable:
            row["year"] = e.year
        if u.counted and e is not None and e.readable:
            for k in totals:
                row[k] = e.stats[k]
                totals[k] += e.stats[k]
        t.add(row, flagged=u.status == C.STATUS_INCLUDED_INVALID)
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
        t.add({**_status_row(e, e.unit_code, e.unit_name), "note": note})
    t.close()


def _status_row(e, code, name) -> dict[str, Any]:
    return {"unit_code": code, "unit_name": name, "status": e.status, "file": e.display, "sha256": e.sha256,
            "saved": (e.saved or e.mtime).strftime("%Y-%m-%d %H:%M:%S"), "errors": e.errors,
            "warnings": e.warnings, "note": e.note or None}


def _finding_rows(cons: Consolidation, lang: str):
    for e in cons.entries:
        name = e.unit_name
        if e.error:
            yield {"file": e.display, "rule": "unreadable", "severity": "error", "message": e.error_message(lang)}
        for f in e.findings:
            yield {"file": e.display, "unit_code": e.unit_code, "unit_name": name, "rule": f.rule,
                   "severity": f.severity, "sheet": f.sheet, "cell": f.cell, "message": f.message(lang)}
    for e, f in cons.extra_findings:
        yield {"file": e.display, "unit_code": e.unit_code, "unit_name": e.unit_name,
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

class DataSink:
    """projects and indicators as CSV, Parquet and JSON, and the counted submissions as JSON.

    Rows go out as they come: the CSV a user opens (formula-looking text quote-prefixed), the
    JSON records, and a plain spool CSV that Arrow's C++ reader streams into Parquet at the end,
    typed by the column table, in bounded batches and without a Python object per value."""

    def __init__(self, cons: Consolidation, outdir: str | os.PathLike[str], stack: contextlib.ExitStack):
        import tempfile

        self.out = Path(outdir)
        self.out.mkdir(parents=True, exist_ok=True)
        self.stack = stack
        spool = Path(tempfile.mkdtemp(prefix="budgetxl-data-"))
        stack.callback(shutil.rmtree, spool, ignore_errors=True)
        self.tables: dict[str, tuple] = {}
        for name, cols in (("projects", C.project_columns(cons.months, cons.most("max_goals"))),
                           ("indicators", C.INDICATOR_COLS)):
            keys = [c.key for c in cols]
            tmp = stack.enter_context(atomic_path(self.out / f"{name}.csv"))
            safe = csv.writer(stack.enter_context(open(tmp, "w", encoding="utf-8-sig", newline="")),
                              lineterminator="\r\n")
            raw_path = spool / f"{name}.csv"
            raw_fh = stack.enter_context(open(raw_path, "w", encoding="utf-8", newline=""))
            raw = csv.writer(raw_fh, lineterminator="\n")
            safe.writerow(keys)
            raw.writerow(keys)
            json_fh = stack.enter_context(open(stack.enter_context(atomic_path(self.out / f"{name}.json")), "w",
                                               encoding="utf-8"))
            json_fh.write("[")
            self.tables[name] = (cols, keys, safe, raw, raw_fh, raw_path, json_fh)
        self.subs_path = self.out / "submissions.json"
        self.subs = stack.enter_context(open(stack.enter_context(atomic_path(self.subs_path)), "w", encoding="utf-8"))
        self.subs.write("[")
        self.first = True
        self.started: set[str] = set()  # tables whose JSON array has a first record

    def add(self, data: dict[str, Any]) -> None:
        for name, (_, keys, safe, raw, _, _, json_fh) in self.tables.items():
            if not data[name]:
                continue
            rows = [[r.get(k) for k in keys] for r in data[name]]
            safe.writerows([safe_csv_value(v) for v in row] for row in rows)
            raw.writerows([_plain(v) for v in row] for row in rows)
            text = json.dumps([dict(zip(keys, row)) for row in rows], ensure_ascii=False, separators=(",", ":"),
                              default=_json_default)
            json_fh.write(("," if name in self.started else "") + text[1:-1])
            self.started.add(name)
        self.subs.write(("" if self.first else ",") + json.dumps(data["doc"], ensure_ascii=False,
                                                                  separators=(",", ":"), default=_json_default))
        self.first = False

    def close(self) -> list[Path]:
        import pyarrow as pa
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        self.subs.write("]")
        written: list[Path] = []
        arrow_type = {"text": pa.string(), "amount": pa.float64(), "percent": pa.float64(), "int": pa.int64()}
        for name, (cols, _, _, _, raw_fh, raw_path, json_fh) in self.tables.items():
            json_fh.write("]")
            raw_fh.close()  # (the exit stack closes it again, harmlessly)
            schema = pa.schema([(c.key, arrow_type[c.kind]) for c in cols])
            reader = pacsv.open_csv(
                raw_path,
                read_options=pacsv.ReadOptions(block_size=8 << 20),
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(column_types=schema, strings_can_be_null=True,
                                                     null_values=[""], quoted_strings_can_be_null=False),
            )
            parquet_path = self.out / f"{name}.parquet"
            with atomic_path(parquet_path) as tmp, pq.ParquetWriter(str(tmp), schema) as writer:
                for batch in reader:
                    writer.write_batch(batch)
            written += [self.out / f"{name}.csv", parquet_path, self.out / f"{name}.json"]
        written.append(self.subs_path)
        return written


def _plain(v: Any) -> Any:
    """A value for the spool CSV: exact decimals as text, None as an empty field."""
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return format_number(v)
    return v


def _json_default(v: Any) -> Any:
    if isinstance(v, Decimal):
        return decimal_to_number(v)
    raise TypeError(f"{type(v).__name__} is not JSON serialisable")

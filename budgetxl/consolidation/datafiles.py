"""The data files: projects and indicators as CSV, Parquet and JSON, and the counted submissions.

Rows go out as they come: the CSV a user opens (formula-looking text quote-prefixed), the JSON
records, and a plain spool CSV that Arrow's C++ reader streams into Parquet at the end, typed by
the column table, in bounded batches and without a Python object per value.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..cells import FORMULA_TRIGGERS, needs_quote
from ..files.lifetime import Scratch
from ..form import consolidated as C
from ..model import decimal_to_number
from ..values import format_number

if TYPE_CHECKING:  # (a Consolidation writes itself through this module)
    from .decide import Consolidation

# The data files of a consolidation, in the order write() lists them.
DATA_FILES = [f"{name}.{ext}" for name in ("projects", "indicators") for ext in ("csv", "parquet", "json")]
DATA_FILES.append("submissions.json")


def safe_csv_value(v: Any) -> Any:
    """A CSV field Excel opens as the text it is (a leading ' keeps a formula-looking text text)."""
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return format_number(v)
    if isinstance(v, str) and needs_quote(v):
        return "'" + v
    return v


class DataSink:
    def __init__(self, cons: Consolidation, outdir: str | os.PathLike[str], stack: contextlib.ExitStack,
                 temps: dict[Path, Path]):
        """Writes each file of ``outdir`` to its temp path in ``temps`` (published by the caller)."""
        self.out = Path(outdir)
        self.temps = temps
        scratch = Scratch("data")
        stack.callback(scratch.cleanup)
        spool = scratch.path
        t = cons.template
        self.tables: dict[str, tuple] = {}
        for name, cols in (("projects", C.project_columns(t, cons.most("max_goals"))),
                           ("indicators", C.indicator_columns(t))):
            keys = [c.key for c in cols]
            tmp = temps[self.out / f"{name}.csv"]
            safe = csv.writer(stack.enter_context(open(tmp, "w", encoding="utf-8-sig", newline="")),
                              lineterminator="\r\n")
            raw_path = spool / f"{name}.csv"
            raw_fh = stack.enter_context(open(raw_path, "w", encoding="utf-8", newline=""))
            raw = csv.writer(raw_fh, lineterminator="\n")
            safe.writerow(keys)
            raw.writerow(keys)
            json_fh = stack.enter_context(open(temps[self.out / f"{name}.json"], "w", encoding="utf-8"))
            json_fh.write("[")
            quotable = tuple(c.type == "text" for c in cols)  # (a number's "-5" is no formula)
            self.tables[name] = (cols, keys, safe, raw, raw_fh, raw_path, json_fh, quotable)
        self.subs_path = self.out / "submissions.json"
        self.subs = stack.enter_context(open(temps[self.subs_path], "w", encoding="utf-8"))
        self.subs.write("[")
        self.first = True
        self.started: set[str] = set()  # tables whose JSON array has a first record

    def add(self, data: dict[str, Any]) -> None:
        for name, (_, keys, safe, raw, _, _, json_fh, quotable) in self.tables.items():
            if not data[name]:
                continue
            rows = [list(map(r.get, keys)) for r in data[name]]
            # (inline, a value at a time: this runs for every cell of every county)
            plain = [["" if v is None else format_number(v) if isinstance(v, Decimal) else v for v in row]
                     for row in rows]
            raw.writerows(plain)
            safe.writerows([["'" + v if q and v.__class__ is str and v.startswith(FORMULA_TRIGGERS) else v
                             for v, q in zip(row, quotable)] for row in plain])
            text = json.dumps([dict(zip(keys, row)) for row in rows], ensure_ascii=False, separators=(",", ":"),
                              default=_json_default)
            json_fh.write(("," if name in self.started else "") + text[1:-1])
            self.started.add(name)
        self.subs.write(("" if self.first else ",") + data["doc"])
        self.first = False

    def close(self) -> list[Path]:
        import pyarrow as pa
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        self.subs.write("]")
        written: list[Path] = []
        arrow_type = {"text": pa.string(), "amount": pa.float64(), "percent": pa.float64(), "int": pa.int64(),
                      "number": pa.float64()}
        for name, (cols, _, _, _, raw_fh, raw_path, json_fh, _) in self.tables.items():
            json_fh.write("]")
            raw_fh.close()  # (the exit stack closes it again, harmlessly)
            schema = pa.schema([(c.key, arrow_type[c.type]) for c in cols])
            reader = pacsv.open_csv(
                raw_path,
                read_options=pacsv.ReadOptions(block_size=8 << 20),
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(column_types=schema, strings_can_be_null=True,
                                                     null_values=[""], quoted_strings_can_be_null=False),
            )
            parquet_path = self.out / f"{name}.parquet"
            with pq.ParquetWriter(str(self.temps[parquet_path]), schema) as writer:
                for batch in reader:
                    writer.write_batch(batch)
            written += [self.out / f"{name}.csv", parquet_path, self.out / f"{name}.json"]
        written.append(self.subs_path)
        return written


def _json_default(v: Any) -> Any:
    if isinstance(v, Decimal):
        return decimal_to_number(v)
    raise TypeError(f"{type(v).__name__} is not JSON serialisable")


def rows_to_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """CSV that Excel opens correctly (UTF-8 with BOM) and never takes for formulas."""
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([safe_csv_value(r.get(c)) for c in columns])
    return "\ufeff" + buf.getvalue()

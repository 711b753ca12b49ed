"""The worst a file just within the intake limits can ask of ``read`` and ``validate``.

    python benchmarks/budgets.py [--out DIR]

Random fuzzing seldom lands next to a limit, so each probe here is built to sit just under one
(or just over it, where the refusal itself must be cheap): the used area, the rows, the cells
stored, the text the reader expands, inline text, indicator rows with a finding on every one, an
.ods near its element and text limits, an .xls near its record and text limits. Each goes through
``budgetxl validate --format json`` and ``budgetxl read`` in its own process (started from a small
launcher, so the peak memory is the run's own); the table gives CPU seconds and peak MB against
the budgets (2 s, 200 MB). Nothing is asserted: the numbers are for reading (and for the README).
"""

from __future__ import annotations

import argparse
import hashlib
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path[:0] = [str(ROOT / "tests" / "fuzz"), str(ROOT / "tests")]

from fuzz_bases import bases, corpus_build  # noqa: E402
from fuzz_harness import CPU_BUDGET, MEM_BUDGET_MB, run_cli  # noqa: E402
from fuzz_mutators import edit_member, mutate  # noqa: E402
from fuzz_mutators_ods_xls import _insert_before_sheet_eof, rebuild_xls  # noqa: E402

from budgetxl.cells import col_letter  # noqa: E402
from budgetxl.files.intake_limits import LIMITS  # noqa: E402


def _extra_rows(data: bytes, sheet: int, rows: list[bytes]) -> bytes:
    return edit_member(data, rf"worksheets/sheet{sheet}\.xml$", lambda c: c.replace(b"</sheetData>", b"".join(rows) + b"</sheetData>", 1))


def numbers(data: bytes, nrows: int, ncols: int, first: int = 100) -> bytes:
    """``nrows`` x ``ncols`` numbers on the instructions sheet (the area the reader fills)."""
    cols = [col_letter(c).encode() for c in range(ncols)]
    rows = [b'<row r="%d">' % r + b"".join(b'<c r="%s%d"><v>%d</v></c>' % (c, r, r) for c in cols) + b"</row>"
            for r in range(first, first + nrows)]
    return _extra_rows(data, 1, rows)


def noise(n: int, seed: int) -> bytes:
    """``n`` bytes of text that compresses like real text, not like a zip bomb."""
    out, k = b"", 0
    while len(out) < n:
        out += hashlib.sha256(b"%d-%d" % (seed, k)).hexdigest().encode()
        k += 1
    return out[:n]


def inline_text(data: bytes, cells: int, length: int) -> bytes:
    rows = [b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c></row>' % (r, r, noise(length, r))
            for r in range(100, 100 + cells)]
    return _extra_rows(data, 1, rows)


def ods_cells(data: bytes, rows: int, cols: int, text: int, repeat: int = 1) -> bytes:
    """``rows`` x ``cols`` text cells at the top of the first table (each repeated ``repeat`` times)."""
    def cell(k: int) -> bytes:
        return (b'<table:table-cell office:value-type="string" table:number-columns-repeated="%d"><text:p>%s</text:p>'
                b"</table:table-cell>" % (repeat, noise(text, k)))
    block = b"".join(b"<table:table-row>" + b"".join(cell(r * cols + c) for c in range(cols)) + b"</table:table-row>"
                     for r in range(rows))

    def edit(c: bytes) -> bytes:
        i = c.find(b"<table:table-row")
        return c[:i] + block + c[i:]
    return edit_member(data, r"^content\.xml$", edit)


def ods_empty(data: bytes, elements: int) -> bytes:
    """``elements`` empty cells in rows of 1,000 at the top of the first table."""
    row = b"<table:table-row>" + b"<table:table-cell/>" * 1000 + b"</table:table-row>"

    def edit(c: bytes) -> bytes:
        i = c.find(b"<table:table-row")
        return c[:i] + row * (elements // 1001) + c[i:]
    return edit_member(data, r"^content\.xml$", edit)


def xls_cells(data: bytes, n: int, label: int = 0, empty: bool = False) -> bytes:
    rec = corpus_build.biff_record
    if empty:
        blob = rec(0x0000, b"") * n  # (a record type the reader skips: what the walk itself costs)
    elif label:
        text = "长" * label
        blob = b"".join(rec(0x0204, struct.pack("<HHHHB", 40 + i // 200, i % 200, 0, len(text), 1) + text.encode("utf-16-le"))
                        for i in range(n))
    else:
        blob = b"".join(rec(0x0203, struct.pack("<HHHd", 40 + i // 200, i % 200, 0, float(i))) for i in range(n))

    # (into the last sheet: BOUNDSHEET records give absolute offsets, which must not move)
    return rebuild_xls(data, lambda stream: _insert_before_sheet_eof(stream, -1, blob))


def probes(b: dict[str, bytes]) -> list[tuple[str, str, bytes]]:
    L = LIMITS
    out = [
        ("area just under the limit (4,700 rows x 100 numbers)", "xlsx", numbers(b["xlsx"], 4_700, 100)),
        ("rows just under the limit (98,000 rows x 5 numbers)", "xlsx", numbers(b["xlsx"], 98_000, 5)),
        ("one row over the rows limit", "xlsx", numbers(b["xlsx"], 100_000, 1)),
        ("shared text just under the limit (10,000 cells x 2.3 KB)", "xlsx",
         mutate(b["xlsx"], [("shared_string_fanout", {"sheet": 1, "cells": 10_000, "length": 2_300})])),
        ("inline text: 1,000 cells x 30 KB", "xlsx", inline_text(b["xlsx"], 1_000, 30_000)),
        ("9,900 indicator rows", "xlsx", mutate(b["xlsx"], [("many_rows", {"rows": 9_900, "what": "indicators"})])),
        ("9,900 indicator rows, no formulas", "xlsx",
         mutate(b["xlsx"], [("many_rows", {"rows": 9_900, "what": "indicators", "formulas": False})])),
        ("a part just over the size limit", "xlsx", inline_text(b["xlsx"], 1_200, 30_000)),
    ]
    if "ods" in b:
        out += [
            ("ods: 150,000 text cells (about 460,000 elements)", "ods", ods_cells(b["ods"], 1_500, 100, 10)),
            ("ods: repeated text just under the text limit", "ods", ods_cells(b["ods"], 1, 1, 1_400, repeat=16_000)),
            ("ods: 480,000 empty elements", "ods", ods_empty(b["ods"], 480_000)),
            ("ods: elements just over the limit", "ods", ods_empty(b["ods"], 510_000)),
        ]
    if "xls" in b:
        out += [
            ("xls: 300,000 number cells", "xls", xls_cells(b["xls"], 300_000)),
            ("xls: 1,500 labels of 2,000 characters", "xls", xls_cells(b["xls"], 1_500, label=2_000)),
            ("xls: 990,000 empty records", "xls", xls_cells(b["xls"], 990_000, empty=True)),
        ]
    assert L.max_total_rows == 100_000 and L.max_sheet_cells == 500_000 and L.max_xml_elements == 500_000, \
        "probes sized for the default limits"
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("/tmp/budgetxl-budgets"))
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    b = bases(args.out / "bases")
    print("| probe | size | validate: outcome, CPU s, peak MB | read: outcome, CPU s, peak MB | refusal |")
    print("|---|---:|---|---|---|")
    worst_cpu = worst_mb = 0.0
    for name, kind, data in probes(b):
        path = args.out / f"probe.{'xlsx' if kind.startswith('xlsx') else kind}"
        path.write_bytes(data)
        o = run_cli(str(path))
        cells = [f"{r.outcome}, {r.cpu:.2f}, {r.peak_mb:.0f}" for r in o.runs]
        worst_cpu = max([worst_cpu] + [r.cpu for r in o.runs])
        worst_mb = max([worst_mb] + [r.peak_mb for r in o.runs])
        why = o.runs[1].detail.split(": ", 1)[-1][:70] if o.runs[1].outcome == "refused" else ""
        print(f"| {name} | {len(data) / 2**20:.1f} MB | {cells[0]} | {cells[1]} | {why} |", flush=True)
    print(f"\nworst: {worst_cpu:.2f} s CPU (budget {CPU_BUDGET} s), {worst_mb:.0f} MB (budget {MEM_BUDGET_MB:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Generation and validation CPU time of the clerk's workbook, against a baseline tree, in one run.

    python benchmarks/live_bench.py --baseline /path/to/old/checkout [--n 100]

The same synthetic county documents as bench.py (15 projects, about 7 indicators each) are
generated and then validated, one after the other in one process, by this tree and by the
baseline tree (each in a fresh interpreter with that tree first on sys.path); CPU seconds are
process time, so the two cores' other work weighs less. The ratios are what to read.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from budgetxl.workbook.writer import generate_workbook  # (before bench, which puts this tree on sys.path)
from budgetxl.workbook.validate import validate_file
from budgetxl.files import safeparse
import budgetxl.demo
# Parse in this process, as a validate worker does, so that process time counts it (a tree
# without mark_reader_child always did).
getattr(safeparse, "mark_reader_child", lambda: None)()
sys.path.insert(1, sys.argv[2])
import bench
n, out = int(sys.argv[3]), sys.argv[4]
docs = [bench.synthetic(i) for i in range(n)]
paths = [f"{out}/{i}.xlsx" for i in range(n)]
generate_workbook(docs[0], paths[0])  # (warm: templates, imports)
validate_file(paths[0])
t = time.process_time()
for d, p in zip(docs, paths):
    generate_workbook(d, p)
gen = time.process_time() - t
t = time.process_time()
for p in paths:
    validate_file(p)
val = time.process_time() - t
import os
size = sum(os.path.getsize(p) for p in paths) / n
import budgetxl
print(json.dumps({"root": budgetxl.__file__, "generate": gen, "validate": val, "bytes": size}))
"""


def measure(root: str, n: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="live-bench-") as out:
        proc = subprocess.run([sys.executable, "-c", CHILD, root, str(HERE), str(n), out],
                              capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline", required=True, help="a checkout of the tree to compare with")
    ap.add_argument("--n", type=int, default=100)
    args = ap.parse_args()
    started = time.perf_counter()
    base = measure(args.baseline, args.n)
    this = measure(str(HERE.parent), args.n)
    print(f"{args.n} workbooks (15 projects, ~7 indicators each); CPU seconds")
    print("| tree | generate | validate | file KB |")
    print("|---|---|---|---|")
    for name, r in (("baseline", base), ("this", this)):
        print(f"| {name} | {r['generate']:.2f} | {r['validate']:.2f} | {r['bytes'] / 1024:.0f} |")
    print(f"| ratio | {this['generate'] / base['generate']:.2f} | {this['validate'] / base['validate']:.2f} | "
          f"{this['bytes'] / base['bytes']:.2f} |")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()

"""Time and peak memory of reading every intake corpus case (tests/corpus/manifest.toml).

    python benchmarks/intake_bench.py                 # build the corpus in a temp folder, run all
    python benchmarks/intake_bench.py --corpus DIR    # use a corpus built before (build.py DIR)
    python benchmarks/intake_bench.py --hostile       # only the hostile/large cases (bench = true)
    python benchmarks/intake_bench.py --check         # exit 1 if a case is over the limits below

Each case is read in a fresh process that first imports budgetxl and python-calamine (and
reads a small workbook, so every lazy import is done); then ``validate_file`` (intake, read,
validate, as ``budgetxl validate`` does) is timed, best of --repeat runs. Memory is the process's
peak RSS during the reads (VmHWM, reset just before them) minus its RSS before them: what
reading this file added.

Limits (--check): every case within 5 s and 300 MB over the baseline; the zip bomb and the
billion-laughs workbooks within 1 s and 20 MB (refused before anything is inflated or expanded).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIMIT_SECONDS, LIMIT_MB = 5.0, 300.0
BOMB_SECONDS, BOMB_MB = 1.0, 20.0
BOMBS = {"xlsx-zip-bomb", "xlsx-billion-laughs", "lo-ods-billion-laughs"}

CHILD = r"""
import json, resource, sys, time
path, warm, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
import python_calamine
from budgetxl.files.intake import inspect_file
from budgetxl.files import safeparse
from budgetxl.workbook.validate import validate_file
safeparse.mark_reader_child()  # (parse here, as a validate worker does, so that it is timed and measured)
validate_file(warm)  # every lazy import done

def status(key):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return None

def reset_peak():
    # Linux: writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS.
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return status("VmRSS")
    except OSError:
        return None

best = t_intake = None
base = reset_peak()
if base is None:
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
for _ in range(repeat):
    t = time.perf_counter()
    try:
        inspect_file(path)
    except Exception:
        pass
    ti = time.perf_counter() - t
    t = time.perf_counter()
    report = validate_file(path)
    dt = time.perf_counter() - t
    best = dt if best is None else min(best, dt)
    t_intake = ti if t_intake is None else min(t_intake, ti)
peak = status("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
outcome = "refused" if report.error is not None else f"read: {report.errors} errors, {report.warnings} warnings"
key = getattr(report.error, "key", None)
print(json.dumps({"seconds": best, "intake": t_intake, "base_mb": base, "peak_mb": peak, "outcome": outcome, "key": key}))
"""


def load_build():
    spec = importlib.util.spec_from_file_location("budgetxl_corpus_build", ROOT / "tests" / "corpus" / "build.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def measure(path: Path, warm: Path, repeat: int) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path), str(warm), str(repeat)], capture_output=True,
                          text=True, timeout=300, cwd=ROOT)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", help="a corpus folder built by tests/corpus/build.py")
    ap.add_argument("--hostile", action="store_true", help="only the cases marked bench = true")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--check", action="store_true", help="exit 1 when a case is over the limits")
    args = ap.parse_args(argv)
    build = load_build()
    cases = [c for c in build.load_manifest() if c.bench or not args.hostile]
    lo = build.libreoffice_available() is None
    if args.corpus:
        corpus = Path(args.corpus)
        paths = {c.id: corpus / c.file for c in cases if (corpus / c.file).exists()}
    else:
        corpus = Path(tempfile.mkdtemp(prefix="bx-intake-bench-"))
        print(f"building the corpus in {corpus} ...", file=sys.stderr)
        paths = build.build(corpus, {c.id for c in cases} | {"xlsx-generated"}, libreoffice=lo)
    warm = paths.get("xlsx-generated") or (corpus / "generated.xlsx")
    rows, over = [], []
    for c in sorted(cases, key=lambda c: (not c.bench, c.id)):
        if c.id not in paths:
            continue
        m = measure(paths[c.id], warm, args.repeat)
        size = paths[c.id].stat().st_size
        if "error" in m:
            rows.append(f"| {c.id} | {size:,} | ERROR | | | | {m['error'][:60]} |")
            over.append(c.id)
            continue
        delta = max(0.0, m["peak_mb"] - m["base_mb"])
        lim_s, lim_mb = (BOMB_SECONDS, BOMB_MB) if c.id in BOMBS else (LIMIT_SECONDS, LIMIT_MB)
        flag = "" if m["seconds"] <= lim_s and delta <= lim_mb else " **over**"
        if flag:
            over.append(c.id)
        rows.append(f"| {c.id} | {size:,} | {m['outcome']}{' (' + m['key'] + ')' if m['key'] else ''} | "
                    f"{m['intake'] * 1000:.1f} | {m['seconds'] * 1000:.1f} | {delta:.1f}{flag} | {m['base_mb']:.0f} |")
    print("| case | bytes | outcome | intake ms | read+validate ms | peak memory added MB | baseline MB |")
    print("|---|---:|---|---:|---:|---:|---:|")
    print("\n".join(rows))
    if over:
        print(f"\nover the limits: {', '.join(over)}", file=sys.stderr)
    return 1 if (args.check and over) else 0


if __name__ == "__main__":
    sys.exit(main())

"""Ingest and merge at scale, measured against baselines in the same run.

    python benchmarks/bench.py                      # N = 100, 300, 1000 (about 5 minutes on 2 cores)
    python benchmarks/bench.py --sizes 50 --jobs 2  # a quick look

For each N the same synthetic county workbooks (15 projects, about 7 indicators each, Chinese
text) are read by:
  (a) a bare python-calamine read of every cell of every sheet (the floor);
  (b) a plain openpyxl read of every cell (what a user would write by hand; timed on a sample of
      files and scaled to N, since it is two orders of magnitude slower);
  (c) budgetxl read + validate, serially and with --jobs worker processes;
  (d) `budgetxl merge` end to end in a fresh process (consolidated workbook and data files), with
      its peak memory (the main process, and the largest worker).
Also: `budgetxl --help` start-up time and generating N blank templates from a roster.
Times are wall-clock seconds; ratios compare throughput within this one run, so the machine's
speed cancels out. Nothing here is asserted: the numbers are for reading.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def synthetic(i: int):
    """A county's submission with 15 projects (the seed's, varied) of about 7 indicators each."""
    from budgetxl.demo import example_document, simulated_submission
    from budgetxl.model import Submission
    from budgetxl.files.tables import RosterUnit

    seed = example_document()
    unit = RosterUnit(f"{600000 + i}", f"样例{i}县市场监督管理局本级", "130529")
    data = simulated_submission(seed, unit, i).model_dump(by_alias=True)
    base = data["projects"]
    projects = []
    for k in range(15):
        p = dict(base[k % len(base)])
        p["code"] = p["code"][:-2] + f"{k:02d}"
        p["name"] = f"{p['name']}（{k + 1}）"
        if len(p["indicators"]) < 7:
            p["indicators"] = p["indicators"] + p["indicators"][: 7 - len(p["indicators"])]
        projects.append(p)
    data["projects"] = projects
    return Submission.model_validate(data)


def _generate(i: int, folder: str) -> str:
    from budgetxl.workbook.writer import generate_workbook

    path = os.path.join(folder, f"{600000 + i}.xlsx")
    generate_workbook(synthetic(i), path)
    return path


def make_corpus(folder: Path, n: int, jobs: int) -> list[Path]:
    from budgetxl.files.parallel import parallel_map

    folder.mkdir(parents=True, exist_ok=True)
    have = sorted(folder.glob("*.xlsx"))
    if len(have) >= n:
        return have[:n]
    paths = parallel_map(_generate, list(range(n)), str(folder), jobs=jobs)
    return [Path(p) for p in paths]


def calamine_read(path: Path) -> int:
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(str(path))
    cells = 0
    for name in wb.sheet_names:
        for row in wb.get_sheet_by_name(name).to_python(skip_empty_area=False):
            cells += len(row)
    wb.close()
    return cells


def openpyxl_read(path: Path) -> int:
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True)
    cells = sum(1 for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for _ in row)
    wb.close()
    return cells


def timed(fn, *args):
    t = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t, result


def child_merge(folder: str, out: str, jobs: str) -> None:
    """Run in a fresh process: merge end to end, print seconds and peak memory as JSON."""
    from budgetxl.consolidation import merge

    t = time.perf_counter()
    res = merge([folder], Path(out) / "汇总.xlsx", data_dir=Path(out) / "data", jobs=int(jobs))
    seconds = time.perf_counter() - t
    print(json.dumps({
        "seconds": seconds,
        "units": len(res.consolidation.counted),
        "peak_main_mb": _vm_hwm_mb(),
        # (workers are forked from this small process, so their ru_maxrss is their own peak)
        "peak_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }))


def _vm_hwm_mb() -> float:
    """This process's peak resident memory. Not ru_maxrss: Linux carries that over from the
    parent across fork and exec, so a child of a big process would report the parent's peak."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_merge(folder: Path, out: Path, jobs: int) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    res = subprocess.run([sys.executable, __file__, "--child-merge", str(folder), str(out), str(jobs)],
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def help_time(repeat: int = 5) -> float:
    best = 1e9
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "budgetxl", "--help"], capture_output=True, check=True)
        best = min(best, time.perf_counter() - t)
    return best


def templates_time(n: int, folder: Path, jobs: int) -> float:
    from budgetxl.files.tables import RosterUnit
    from budgetxl.workbook.writer import generate_for_roster

    shutil.rmtree(folder, ignore_errors=True)
    units = [RosterUnit(f"{700000 + i}", f"样例{i}县市场监督管理局本级", "130529") for i in range(n)]
    seconds, paths = timed(generate_for_roster, units, 2024, folder, None, jobs)
    assert len(paths) == n
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100,300,1000")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--openpyxl-sample", type=int, default=30, help="files timed with openpyxl per size")
    ap.add_argument("--work", type=Path, default=Path("/tmp/budgetxl-bench"))
    ap.add_argument("--child-merge", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_merge:
        child_merge(*args.child_merge)
        return

    from budgetxl.workbook.validate import validate_paths

    sizes = [int(s) for s in args.sizes.split(",")]
    corpus = args.work / "corpus"
    print(f"machine: {os.cpu_count()} cores; jobs={args.jobs}; python {sys.version.split()[0]}")
    t_gen, files_all = timed(make_corpus, corpus, max(sizes), args.jobs)
    print(f"corpus: {len(files_all)} synthetic workbooks ({t_gen:.1f} s to generate or reuse) in {corpus}")
    rows = []
    for n in sizes:
        files = files_all[:n]
        folder = args.work / f"n{n}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for f in files:
            os.link(f, folder / f.name)
        t_cal, _ = timed(lambda: [calamine_read(f) for f in files])
        sample = files[: min(args.openpyxl_sample, n)]
        t_opx_sample, _ = timed(lambda: [openpyxl_read(f) for f in sample])
        t_opx = t_opx_sample / len(sample) * n
        t_serial, reports = timed(validate_paths, [folder], None, 1)
        assert len(reports) == n and all(r.readable for r in reports)
        t_par, _ = timed(validate_paths, [folder], None, args.jobs)
        m = run_merge(folder, args.work / f"merge{n}", args.jobs)
        rows.append({"n": n, "calamine": t_cal, "openpyxl": t_opx, "serial": t_serial, "parallel": t_par, **m})
        print(f"  N={n}: done")

    print()
    print(f"| N | (a) calamine s | (b) openpyxl s* | (c) read+validate s, 1 job | (c) {args.jobs} jobs | "
          f"(c)/(a) throughput, 1 job | {args.jobs} jobs | (c)/(b) throughput, {args.jobs} jobs | "
          f"(d) merge s | merge ms/file | (e) peak MB main / worker |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['n']} | {r['calamine']:.2f} | {r['openpyxl']:.1f} | {r['serial']:.2f} | {r['parallel']:.2f} | "
              f"{r['calamine'] / r['serial']:.2f} | {r['calamine'] / r['parallel']:.2f} | "
              f"{r['openpyxl'] / r['parallel']:.1f} | {r['seconds']:.2f} | {1000 * r['seconds'] / r['n']:.1f} | "
              f"{r['peak_main_mb']:.0f} / {r['peak_worker_mb']:.0f} |")
    print(f"\n* openpyxl timed on {args.openpyxl_sample} files per size and scaled to N.")
    n_tpl = max(sizes)
    t_tpl = templates_time(n_tpl, args.work / "templates", args.jobs)
    print(f"`budgetxl --help`: {help_time():.3f} s (best of 5); generating {n_tpl} blank templates: "
          f"{t_tpl:.1f} s with {args.jobs} jobs")


if __name__ == "__main__":
    main()

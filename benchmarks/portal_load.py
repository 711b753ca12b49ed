"""Load benchmark of the collection portal: 200 units upload their workbooks within a minute.

    python3 benchmarks/portal_load.py [--units 200] [--workers 2] [--concurrency 8] [--keep DIR]

It sets up a portal for N synthetic units (roster, issued workbooks, links), fills one workbook
per unit (the seed's ten projects, each unit its own codes), starts `budgetxl portal serve` on
127.0.0.1 (loopback only), and sends every unit's workbook through POST /api/submissions twice:

* paced: the N uploads arrive evenly over 60 seconds (open loop, as clerks would), and
* burst: all N at once, `--concurrency` at a time (the worst minute).

It reports each run's answer times (median, 90th percentile, max), the wall time, and the ratio of
the median answer to the baseline measured in the same run: the same check of one file in-process
(budgetxl's read + validate, no HTTP, no ledger). Finally it checks that every upload is recorded
(GET /api/status: every unit 已报送; the ledger holds 2N submissions).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "juluxian-2024.json"


def unit_rows(n: int) -> list[tuple[str, str, str]]:
    return [(f"5{i:03d}01", f"基准县{i}市场监督管理局本级", "130529") for i in range(1, n + 1)]


def make_workbook(args: tuple[str, str, str, str]) -> str:
    from budgetxl import Submission
    from budgetxl import generate_workbook

    code, name, region, out = args
    data = json.loads(SEED.read_text(encoding="utf-8"), parse_float=Decimal)
    data["unit"] = {"code": code, "name": name, "region": region}
    generate_workbook(Submission.model_validate(data), out)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def baseline(files: list[Path]) -> float:
    """Median seconds to check one file in-process (read + validate through the portal's engine)."""
    from budgetxl.portal.engine import check_file

    times = []
    for f in files:
        t = time.perf_counter()
        check_file(f, f.name)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def upload(base: str, token: str, path: Path, results: list, lock: threading.Lock) -> None:
    import httpx

    data = path.read_bytes()
    t = time.perf_counter()
    try:
        r = httpx.post(base + "/api/submissions", headers={"Authorization": f"Bearer {token}"},
                       files={"file": (path.name, data)}, timeout=120)
        ok = r.status_code == 200 and r.json()["files"][0]["valid"]
    except Exception:
        ok = False
    with lock:
        results.append((time.perf_counter() - t, ok))


def run(base: str, jobs: list[tuple[str, Path]], paced: bool, concurrency: int) -> dict:
    results: list = []
    lock = threading.Lock()
    start = time.perf_counter()
    if paced:
        gap = 60.0 / len(jobs)
        threads = []
        for i, (token, path) in enumerate(jobs):
            delay = start + i * gap - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            th = threading.Thread(target=upload, args=(base, token, path, results, lock))
            th.start()
            threads.append(th)
        for th in threads:
            th.join()
    else:
        with ThreadPoolExecutor(concurrency) as pool:
            for token, path in jobs:
                pool.submit(upload, base, token, path, results, lock)
    wall = time.perf_counter() - start
    times = sorted(t for t, _ in results)
    return {"uploads": len(results), "ok": sum(1 for _, ok in results if ok), "wall_s": wall,
            "median_s": statistics.median(times), "p90_s": times[int(0.9 * (len(times) - 1))], "max_s": times[-1]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--concurrency", type=int, default=8, help="uploads in flight in the burst run")
    ap.add_argument("--keep", type=Path, help="keep the portal folder here")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bx-portal-load-"))
    units = unit_rows(args.units)
    try:
        t = time.perf_counter()
        wbdir = work / "filled"
        wbdir.mkdir()
        with ProcessPoolExecutor(2) as pool:
            paths = [Path(p) for p in pool.map(make_workbook, [(c, n, r, str(wbdir / f"{c}.xlsx")) for c, n, r in units])]
        roster = work / "roster.csv"
        with open(roster, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([("code", "name", "region"), *units])
        folder = work / "portal"
        init = subprocess.run([sys.executable, "-m", "budgetxl", "portal", "init", str(folder), "--units", str(roster),
                               "--year", "2024"], capture_output=True, text=True, check=True)
        admin = init.stdout.strip().splitlines()[-1]
        with open(folder / "links.csv", encoding="utf-8-sig") as fh:
            tokens = {row["unit_code"]: row["token"] for row in csv.DictReader(fh)}
        print(f"set-up: {args.units} units, workbooks and portal in {time.perf_counter() - t:.1f} s", file=sys.stderr)

        base_s = baseline(paths[:20])
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "budgetxl", "portal", "serve", str(folder), "--port", str(port),
                                   "--workers", str(args.workers)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        try:
            import httpx

            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            jobs = [(tokens[c], p) for (c, _, _), p in zip(units, paths)]
            paced = run(base, jobs, True, args.concurrency)
            burst = run(base, jobs, False, args.concurrency)
            status = httpx.get(base + "/api/status", headers={"Authorization": f"Bearer {admin}"}, timeout=60).json()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        recorded = sum(1 for u in status["units"] if u["status"] == "已报送")
        from budgetxl.portal.manage import open_ledger

        ledger = open_ledger(folder)
        total = sum(len(ledger.history(c, "targets")) for c, _, _ in units)
        report = {"units": args.units, "workers": args.workers, "cores": os.cpu_count(),
                  "baseline_check_s": base_s, "paced": paced, "burst": burst,
                  "units_submitted": recorded, "submissions_recorded": total}
        print(json.dumps(report, indent=2))
        print(f"\n| run | uploads ok | wall s | median s | p90 s | max s | median / in-process check |")
        print("|---|---|---|---|---|---|---|")
        for name, r in (("paced (60 s)", paced), (f"burst ({args.concurrency} at a time)", burst)):
            print(f"| {name} | {r['ok']}/{r['uploads']} | {r['wall_s']:.1f} | {r['median_s']:.3f} | {r['p90_s']:.3f} | "
                  f"{r['max_s']:.3f} | {r['median_s'] / base_s:.1f} |")
        print(f"\nin-process check of one workbook (baseline): {base_s * 1000:.0f} ms; "
              f"units 已报送: {recorded}/{args.units}; submissions in the ledger: {total}/{2 * args.units}")
        ok = recorded == args.units and total == 2 * args.units and paced["ok"] == burst["ok"] == args.units
        return 0 if ok else 1
    finally:
        if args.keep:
            shutil.copytree(work, args.keep, dirs_exist_ok=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

"""The long fuzz run: thousands of cases through the real command line, one process per run.

    python tests/fuzz/fuzz_long.py --cases 10000 --jobs 2 --out /tmp/budgetxl-fuzz [--fork]
    pytest -m fuzz        # the same, in fork mode (BUDGETXL_FUZZ_CASES, _JOBS, _OUT; BUDGETXL_FUZZ_EXEC=1)

Cases are drawn by hypothesis (fuzz_cases.cases, a fixed seed: --seed) from the project's own
workbooks; each goes through ``budgetxl validate --format json`` and ``budgetxl read`` in its
own process, CPU and peak memory measured (fuzz_harness.run_cli); with ``--fork``, in children
forked from a process that has already imported budgetxl (fuzz_fork: the same commands, about
10× cheaper), every case that is not ok/refused or comes near a budget then run again in exec
mode, the authority (both outcomes are kept). One JSON line per case goes to
OUT/results.jsonl (a run that is stopped resumes where it was); the input and recipe of every
case that is not ok/refused, or is over budget, go to OUT/failures/; the outcome table is printed
and written to OUT/summary.md. Exit status 1 when any case is not ok or cleanly refused, or was
refused only by the safety net (as `pytest -m fuzz` fails).
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # (tests/fuzz and tests/, as pytest sees them)

from fuzz_bases import bases  # noqa: E402
from fuzz_cases import Case, cases  # noqa: E402
from fuzz_harness import CLASSES, CPU_BUDGET, MEM_BUDGET_MB, run_cli  # noqa: E402

GOOD = {"ok", "refused"}
CONTAINED = ("internal structure is abnormal", "took more than")  # the net caught it (intake should have)
NEAR = 0.75  # fork mode: a run above this share of a budget is measured again in exec mode


def draw_cases(n: int, seed: int, available: tuple[str, ...], heavy: bool = True) -> list[Case]:
    """``n`` distinct cases, as hypothesis draws them from a fixed seed."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    out: dict[str, Case] = {}
    attempt = 0
    while len(out) < n and attempt < 20:
        batch: list[Case] = []

        @hseed(seed + attempt)
        # (a later attempt asks for plenty: hypothesis starts with its simplest cases, already drawn)
        @settings(max_examples=n if not attempt else max(100, 2 * (n - len(out))), database=None, phases=[Phase.generate], deadline=None,
                  suppress_health_check=list(HealthCheck))
        @given(cases(available, heavy))
        def collect(case: Case) -> None:
            batch.append(case)

        collect()
        for c in batch:
            out.setdefault(json.dumps(c.recipe(), sort_keys=True, default=str), c)
        attempt += 1
    return list(out.values())[:n]


def case_id(case: Case) -> str:
    return hashlib.sha256(json.dumps(case.recipe(), sort_keys=True, default=str).encode()).hexdigest()[:16]


def start_fork_pool(jobs: int, python: str, against: str | None, folder: Path):
    """The zygotes, probed on the bases and a file that is refused, calibrated on the bases."""
    from fuzz_fork import ForkPool

    files = sorted(str(p) for p in folder.glob("seed*"))
    junk = folder / "probe-refused.xlsx"
    junk.write_bytes(b"PK\x03\x04 not a workbook")
    pool = ForkPool(jobs, python, against, probe_files=[*files, str(junk)])
    pool.calibrate(files)
    return pool


def checked(path: Path, pool, python: str, against: str | None) -> dict:
    """Fork mode's outcome; when not ok/refused or near a budget, exec mode's (the authority) with it."""
    fork = pool.run_case(str(path))
    near = any(x.cpu > NEAR * CPU_BUDGET or x.peak_mb > NEAR * MEM_BUDGET_MB for x in fork.runs)
    if fork.worst in GOOD and not near:
        return {"mode": "fork", **fork.to_data()}
    exe = run_cli(str(path), python, against)
    return {"mode": "exec", **exe.to_data(), "fork": fork.to_data()}


class Builder:
    """Cases built in ``jobs`` worker processes (the mutators are pure Python: built in the
    runner's threads they would take turns on its one lock, and the building of a case of 100,000
    rows takes longer than running it)."""

    def __init__(self, jobs: int, folder: Path):
        self.jobs, self.folder, self.lock = jobs, folder, threading.Lock()
        self.pool = self._start()

    def _start(self):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(self.jobs, multiprocessing.get_context("spawn"), _builder_init, (str(self.folder),))

    def build(self, case: Case, path: Path) -> int:
        """Write the case's file to ``path``: its size."""
        from concurrent.futures.process import BrokenProcessPool

        pool = self.pool
        try:
            return pool.submit(_build, case, str(path)).result()
        except BrokenProcessPool:  # a builder died (its case is recorded as the mutator's failure)
            with self.lock:
                if self.pool is pool:
                    self.pool = self._start()
            raise

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


_BASES: dict[str, bytes] = {}


def _builder_init(folder: str) -> None:
    _BASES.update(bases(Path(folder)))


def _build(case: Case, path: str) -> int:
    data = case.build(_BASES)
    Path(path).write_bytes(data)
    return len(data)


def run(n: int, jobs: int, out: Path, seed: int = 2024, python: str = sys.executable, against: str | None = None,
        fork: bool = False) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    (out / "failures").mkdir(exist_ok=True)
    (out / "work").mkdir(exist_ok=True)
    base = bases(out / "bases")
    todo = draw_cases(n, seed, tuple(base))
    pool = start_fork_pool(jobs, python, against, out / "bases") if fork else None
    results = out / "results.jsonl"
    done = set()
    if results.exists():
        done = {json.loads(line)["id"] for line in results.read_text().splitlines() if line.strip()}
    lock = threading.Lock()
    started = time.time()

    def one(case: Case) -> None:
        cid = case_id(case)
        if cid in done:
            return
        path = out / "work" / f"{cid}{case.suffix}"
        try:
            size = builder.build(case, path)
        except Exception as exc:  # a mutator's own bug: recorded, the run goes on
            record = {"id": cid, "recipe": case.recipe(), "outcome": "mutator-error", "runs": [], "error": repr(exc)[:300]}
            with lock, results.open("a") as fh:
                fh.write(json.dumps(record, ensure_ascii=True, default=str) + "\n")
            return
        try:
            if pool:
                result = checked(path, pool, python, against)
            else:
                result = {"mode": "exec", **run_cli(str(path), python, against).to_data()}
        except Exception as exc:  # the launcher itself failed (no answer): keep the input, say so
            path.replace(out / "failures" / path.name)
            record = {"id": cid, "recipe": case.recipe(), "outcome": "hang", "runs": [], "error": repr(exc)[:300]}
            with lock, results.open("a") as fh:
                fh.write(json.dumps(record, ensure_ascii=True, default=str) + "\n")
            return
        record = {"id": cid, "recipe": case.recipe(), "size": size, **result}
        over = any(x["cpu"] > CPU_BUDGET or x["peak_mb"] > MEM_BUDGET_MB for x in record["runs"])
        if record["outcome"] not in GOOD or over or any(contained(x) for x in record["runs"]):
            path.replace(out / "failures" / path.name)
            (out / "failures" / f"{cid}.json").write_text(json.dumps(record, ensure_ascii=True, indent=1, default=str))
        else:
            path.unlink()
        with lock:
            with results.open("a") as fh:
                fh.write(json.dumps(record, ensure_ascii=True, default=str) + "\n")

    builder = Builder(jobs, out / "bases")
    try:  # (fork mode: twice as many threads as zygotes, so that cases are built while others run)
        with ThreadPoolExecutor(jobs * 2 if pool else jobs) as threads:
            for _ in threads.map(one, todo):
                pass
    finally:
        builder.close()
        if pool:
            pool.close()
    summary = summarize(results, todo, time.time() - started, pool.describe() if pool else [])
    (out / "summary.md").write_text(summary["table"])
    return summary


def summarize(results: Path, todo: list[Case], seconds: float, mode: list[str] = ()) -> dict:
    wanted = {case_id(c) for c in todo}
    records = [r for r in (json.loads(line) for line in results.read_text().splitlines() if line.strip())
               if r["id"] in wanted]
    broken = [r for r in records if r["outcome"] == "mutator-error"]
    records = [r for r in records if r["outcome"] != "mutator-error"]
    by_class = collections.Counter(r["outcome"] for r in records)
    runs = [x for r in records for x in r["runs"]]
    n_contained = sum(1 for x in runs if contained(x))
    multi = sum(1 for x in runs if x["outcome"] == "bad-refusal")
    worst_cpu = max(runs, key=lambda x: x["cpu"], default=None)
    worst_mem = max(runs, key=lambda x: x["peak_mb"], default=None)
    by_kind = collections.Counter(r["recipe"]["base"] for r in records)
    by_mutator = collections.Counter(s[0] for r in records for s in r["recipe"]["steps"])
    lines = [f"Fuzz run: {len(records)} cases ({len(runs)} runs: validate --format json, read), "
             f"{seconds / 60:.0f} min wall", "",
             "| outcome | cases |", "|---|---:|"]
    lines += [f"| {c} | {by_class.get(c, 0)} |" for c in CLASSES]
    lines += ["", f"- cases a mutator could not build (a bug of the mutator, not counted): {len(broken)}",
              f"- refusals by the safety net (a parser panic caught, a reader that died or hung), not by intake: {n_contained}",
              f"- refusals on more than one line or showing parser internals: {multi}"]
    if worst_cpu:
        lines += [f"- most CPU in one run: {worst_cpu['cpu']:.2f} s (budget {CPU_BUDGET} s)",
                  f"- most memory in one run: {worst_mem['peak_mb']:.0f} MB (budget {MEM_BUDGET_MB:.0f} MB)"]
    lines += fork_lines(records, mode)
    lines += ["- cases per base: " + ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items())),
              "- mutations applied: " + ", ".join(f"{k} {v}" for k, v in sorted(by_mutator.items()))]
    table = "\n".join(lines) + "\n"
    return {"table": table, "classes": dict(by_class), "cases": len(records), "contained": n_contained,
            "worst_cpu": worst_cpu["cpu"] if worst_cpu else 0.0, "worst_mb": worst_mem["peak_mb"] if worst_mem else 0.0}


def contained(run: dict) -> bool:
    """A refusal by the net (a reader that panicked, died or hung), not by intake's checks."""
    return run["outcome"] == "refused" and any(c in run["detail"] for c in CONTAINED)


def fork_lines(records: list[dict], mode: list[str]) -> list[str]:
    """What the fork mode measured, and how its re-checks in exec mode came out."""
    if not mode and not any(r.get("fork") for r in records):
        return []
    rechecked = [r for r in records if r.get("fork")]
    differ = [r for r in rechecked if r["fork"]["outcome"] != r["outcome"]
              and not (r["fork"]["outcome"] == "over-budget" and r["outcome"] in GOOD)]
    raw = max((x.get("cpu_fork") or 0.0 for r in records for x in r.get("fork", r)["runs"]), default=0.0)
    lines = [f"- runs in fork mode: {sum(1 for r in records if r.get('mode') == 'fork')} cases; re-run in exec mode "
             f"(not ok/refused, or above {NEAR:.0%} of a budget in fork mode): {len(rechecked)}; "
             f"fork and exec outcomes differing (other than fork's over-budget estimate): {len(differ)}",
             f"- most CPU of a forked child alone: {raw:.2f} s"]
    lines += [f"  - differs: {r['id']} fork {r['fork']['outcome']}, exec {r['outcome']}" for r in differ[:20]]
    return lines + list(mode)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--out", type=Path, default=Path("/tmp/budgetxl-fuzz"))
    ap.add_argument("--python", default=sys.executable, help="the interpreter that runs budgetxl")
    ap.add_argument("--against", help="run the budgetxl of another checkout (its folder), e.g. an older version")
    ap.add_argument("--fork", action="store_true", help="fork each run from a process with budgetxl imported "
                    "(about 10x cheaper; cases not ok/refused or near a budget are run again in exec mode)")
    args = ap.parse_args(argv)
    summary = run(args.cases, args.jobs, args.out, args.seed, args.python, args.against, args.fork)
    print(summary["table"])
    return 0 if set(summary["classes"]) <= GOOD and not summary["contained"] else 1


if __name__ == "__main__":
    sys.exit(main())

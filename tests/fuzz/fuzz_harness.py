"""Run one fuzz case and say what happened: its outcome class, CPU time and peak memory.

Two ways, one classification:

* :func:`run_cli`: ``budgetxl validate --format json`` and ``budgetxl read`` on the file, each in
  its own process (the real entry point), CPU and peak memory from wait4 (the whole process
  tree: the reader runs in a child of the CLI);
* :func:`run_forked`: the same library calls in a forked child of the test process (cheap: no
  interpreter start-up), for the fixed-seed corpus of the normal test run.

Outcome classes: ``ok`` (read: exit 0 or 1, nothing on stderr), ``refused`` (exit 2 and exactly
one clean line), ``bad-refusal`` (a refusal on several lines or with parser internals),
``traceback``, ``abort`` (killed by a signal), ``memory-kill`` (out of memory), ``hang`` (no end
within the time guard), ``over-budget`` (more than 2 s of CPU or 200 MB at the peak).
"""

from __future__ import annotations

import json
import os
import pickle
import re
import signal
import sys
import threading
from dataclasses import asdict, dataclass, field

from measure import WALL_GUARD, launch

CPU_BUDGET = 2.0  # seconds of CPU per run (user + system, the process tree)
MEM_BUDGET_MB = 200.0  # peak resident memory per run
CLASSES = ["ok", "refused", "bad-refusal", "traceback", "abort", "memory-kill", "hang", "over-budget"]

# Text that would show the clerk the parser's internals instead of a sentence about the file.
INTERNALS = re.compile(r"panicked|capacity overflow|index out of|out of range for slice|RUST_BACKTRACE|thread '|"
                       r"\.rs:\d|unwrap\(\)|Traceback|PanicException|called `", re.I)


@dataclass
class Run:
    what: str  # validate | read
    outcome: str
    cpu: float
    peak_mb: float
    exit: int | None
    detail: str = ""
    cpu_fork: float | None = None  # fork mode: the child's own CPU (``cpu`` adds the start-up)


@dataclass
class Outcome:
    runs: list[Run] = field(default_factory=list)

    @property
    def worst(self) -> str:
        return max((r.outcome for r in self.runs), key=CLASSES.index, default="ok")

    def to_data(self) -> dict:
        return {"outcome": self.worst, "runs": [asdict(r) for r in self.runs]}


def _raw_parser_text(err: str) -> bool:
    """A refusal quoting the value reader's own words rather than one of the plain descriptions
    (budgetxl.files.safeparse.plain_detail) it must be translated into."""
    from budgetxl.files.safeparse import _PLAIN

    m = re.search(r"not a readable Excel workbook \((.*)\)\. Save it", err)
    if m is None:
        return False
    detail = m.group(1)
    return detail not in {plain for _, plain in _PLAIN} and not re.fullmatch(r"sheet '.*' cannot be read", detail)


def classify(what: str, status: int, out: str, err: str, cpu: float, peak_mb: float, timed_out: bool) -> Run:
    code = os.waitstatus_to_exitcode(status) if not timed_out else None
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]

    def run(outcome: str, detail: str = "") -> Run:
        return Run(what, outcome, round(cpu, 3), round(peak_mb, 1), code, detail[:300])

    if timed_out:
        return run("hang")
    if "Traceback" in err or "Traceback" in out:
        return run("traceback", err[-300:])
    if code is not None and code < 0:
        sig = -code
        return run("memory-kill" if sig == signal.SIGKILL else "abort", f"signal {sig}: {err[-200:]}")
    if "MemoryError" in err:
        return run("memory-kill", err[-200:])
    if code == 2:
        if len(lines) != 1 or INTERNALS.search(err) or _raw_parser_text(err) or (what == "read" and out.strip()):
            return run("bad-refusal", err)
        if what == "validate" and not _json_unreadable(out):
            return run("bad-refusal", "no JSON report: " + out[:100])
    elif code in (0, 1):
        if lines or INTERNALS.search(out):
            return run("bad-refusal", err)
        if what == "validate" and not _json_ok(out):
            return run("bad-refusal", "no JSON report: " + out[:100])
    else:
        return run("traceback", f"exit {code}: {err[-200:]}")
    if cpu > CPU_BUDGET or peak_mb > MEM_BUDGET_MB:
        return run("over-budget", f"{cpu:.2f} s CPU, {peak_mb:.0f} MB")
    return run("ok" if code in (0, 1) else "refused", lines[0] if lines else "")


def _json_ok(out: str) -> bool:
    try:
        return len(json.loads(out)["files"]) == 1
    except (ValueError, KeyError, TypeError):
        return False


def _json_unreadable(out: str) -> bool:
    try:
        issue = json.loads(out)["files"][0]["issues"][0]
        return issue["rule"] == "unreadable" and not INTERNALS.search(issue["message"])
    except (ValueError, KeyError, TypeError, IndexError):
        return False


# ---- the real command line ---------------------------------------------------------------------------

# The runs of one case: (name, arguments before the file). Exec and fork mode run the same.
COMMANDS = (("validate", ["validate", "--format", "json", "--jobs", "1"]), ("read", ["read"]))


def cli_env(against: str | None = None) -> dict[str, str]:
    """The environment of every run (the fork mode's zygote starts with it too)."""
    env = {**os.environ, "BUDGETXL_LANG": "en", "PYTHONIOENCODING": "utf-8"}
    env.pop("BUDGETXL_DEBUG", None)
    if against:
        env["PYTHONPATH"] = against
    return env


def run_cli(path: str, python: str = sys.executable, against: str | None = None) -> Outcome:
    """Both commands on ``path``, each in its own process; ``against``: the folder of another
    checkout whose budgetxl to run instead (to see what the fuzzer finds in an older version)."""
    env = cli_env(against)
    outcome = Outcome()
    for what, args in COMMANDS:
        status, out, err, cpu, peak, timed_out = launch([python, "-m", "budgetxl", *args, path], env, python)
        outcome.runs.append(classify(what, status, out, err, cpu, peak, timed_out))
    return outcome


# ---- the same calls in a forked child (the normal test run) ----------------------------------------------

def _status_kb(key: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return float(line.split()[1])
    return 0.0


def _child(path: str) -> dict:
    """validate + read as the CLI does them, minus the process start: what each run printed."""
    from budgetxl.errors import BudgetxlError
    from budgetxl.workbook.reader import read_workbook
    from budgetxl.files.safeparse import mark_reader_child
    from budgetxl.workbook.validate import Report, validate_file

    mark_reader_child()  # (as the CLI's reader child and workers are: the file is parsed, and measured, here)
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # the peak (VmHWM) starts again from here
    except OSError:
        pass
    base = _status_kb("VmRSS")
    res = {}
    report = validate_file(path)
    res["validate"] = (2 if report.error else (0 if report.valid else 1), Report([report]).to_json("en"),
                       report.error.message("en") if isinstance(report.error, BudgetxlError) else "")
    try:
        res["read"] = (0, read_workbook(path).doc.to_json(), "")
    except BudgetxlError as exc:
        res["read"] = (2, "", exc.message("en"))
    res["peak_mb"] = (_status_kb("VmHWM") - base) / 1024
    return res


def run_forked(path: str, timeout: float = WALL_GUARD) -> Outcome:
    """Both library calls on ``path`` in a forked child; memory is what the child added to the
    parent's pages (compared with the budget less a CLI process's own ~80 MB)."""
    r, w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            try:
                res = _child(path)
                payload = pickle.dumps(("ok", res))
            except BaseException as exc:  # noqa: BLE001 - a traceback is an outcome here
                import traceback

                payload = pickle.dumps(("traceback", "Traceback: " + "".join(traceback.format_exception(exc))[-800:]))
            with os.fdopen(w, "wb") as fh:
                fh.write(payload)
        finally:
            os._exit(0)
    os.close(w)
    timer = threading.Timer(timeout, lambda: os.kill(pid, signal.SIGKILL))
    timer.start()
    with os.fdopen(r, "rb") as fh:
        data = fh.read()
    _, status, usage = os.wait4(pid, 0)
    timer.cancel()
    cpu = usage.ru_utime + usage.ru_stime
    outcome = Outcome()
    if not data:
        outcome.runs.append(classify("validate", status, "", "", cpu, 0.0, False))
        return outcome
    kind, res = pickle.loads(data)
    if kind == "traceback":
        outcome.runs.append(Run("validate", "traceback", cpu, 0.0, None, res[-300:]))
        return outcome
    peak = res["peak_mb"] + 80.0  # (a CLI process's own baseline, so that one budget applies)
    for what in ("validate", "read"):
        code, out, err = res[what]
        outcome.runs.append(classify(what, code << 8, out, err, cpu, peak, False))
    return outcome

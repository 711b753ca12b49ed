"""Fork mode of the long fuzz run: the same commands as the exec mode, without the interpreter
start-up and imports of every run (about 10× cheaper).

A zygote (fuzz_zygote.py: a fresh interpreter with the exec mode's environment) imports what a
run imports, found by a probe on sample files, then forks one child per run; the child calls the
``budgetxl`` console-script function with the exec mode's arguments and ends as the interpreter
would. The zygote waits for it with wait4 and answers with its exit status, CPU and memory.
Outcomes are classified by the same function as the exec mode (fuzz_harness.classify).

What the measurements mean here:

* CPU: wait4 of the child (the child and its own children, exactly as the exec mode's launcher
  measures) plus the start-up a fresh process spends before it (interpreter and imports),
  measured once per command at start (:meth:`ForkPool.calibrate`: exec minus fork on the bases);
  the raw figure is kept as ``cpu_fork``.
* Memory: a forked child's resident size starts at the zygote's, so its ru_maxrss says little.
  The child resets its peak (``/proc/self/clear_refs``) right after the fork and reads it
  (VmHWM) just before it ends, with its own children's peak (``RUSAGE_CHILDREN``: the reader
  budgetxl runs in a forked grandchild is measured by wait4 there); the run's peak is
  ``zygote's VmRSS at the fork + (that peak - the child's VmRSS after the fork)``: the process as
  a fresh one would be after its imports, plus what the run added (file pages the child maps
  again count twice: an upper bound). :meth:`ForkPool.calibrate` compares it with the exec mode.

Exec mode stays the authority for budgets: fuzz_long re-runs in exec mode every case that fork
mode finds not ok/refused, or near a budget.
"""

from __future__ import annotations

import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from fuzz_harness import COMMANDS, Outcome, classify, cli_env, run_cli
from measure import MEM_LIMIT, WALL_GUARD

ZYGOTE = Path(__file__).with_name("fuzz_zygote.py")
RECYCLE = 2000  # runs per zygote before a fresh one (a new hash seed, nothing accumulated)


class Zygote:
    """One zygote process, serving one run at a time."""

    def __init__(self, python: str, env: dict[str, str], probe: list[list[str]], script: str = "budgetxl"):
        self.python, self.env, self.probe, self.script = python, env, probe, script
        self.tmp = tempfile.TemporaryDirectory(prefix="bx-fuzz-zygote-")
        self.proc: subprocess.Popen | None = None
        self.served = 0
        self.info: dict = {}

    def start(self) -> dict:
        self.close()
        cmd_r, cmd_w = os.pipe()
        reply_r, reply_w = os.pipe()
        spec = {"script": self.script, "probe": self.probe, "log": os.path.join(self.tmp.name, "imports.log")}
        log = open(os.path.join(self.tmp.name, "zygote.log"), "ab")
        self.proc = subprocess.Popen([self.python, str(ZYGOTE), str(cmd_r), str(reply_w), json.dumps(spec)],
                                     env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=log, pass_fds=(cmd_r, reply_w))
        log.close()
        os.close(cmd_r)
        os.close(reply_w)
        self.cmds, self.replies = os.fdopen(cmd_w, "w"), os.fdopen(reply_r, "r")
        line = self.replies.readline()
        if not line:
            raise RuntimeError("the zygote did not start: " + self._log_tail())
        self.info, self.served = json.loads(line), 0
        return self.info

    def _log_tail(self) -> str:
        return Path(self.tmp.name, "zygote.log").read_text(errors="replace")[-500:]

    def run(self, args: list[str], timeout: int = WALL_GUARD) -> tuple[dict, str, str]:
        """One run: the zygote's answer, stdout and stderr."""
        if self.proc is None or self.proc.poll() is not None or self.served >= RECYCLE:
            self.start()
        d = self.tmp.name
        req = {"args": args, "out": f"{d}/out", "err": f"{d}/err", "meas": f"{d}/meas", "timeout": timeout,
               "mem": MEM_LIMIT}
        if os.path.exists(req["meas"]):
            os.unlink(req["meas"])
        self.cmds.write(json.dumps(req) + "\n")
        self.cmds.flush()
        line = self.replies.readline()
        self.served += 1
        if not line:
            self.proc.wait()
            raise RuntimeError("the zygote died: " + self._log_tail())
        with open(req["out"], "rb") as fo, open(req["err"], "rb") as fe:
            out, err = fo.read().decode("utf-8", "replace"), fe.read().decode("utf-8", "replace")
        return json.loads(line), out, err

    def close(self) -> None:
        if self.proc is not None:
            self.cmds.close()  # end of requests: the zygote leaves its loop
            self.replies.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()  # (ours, by its handle)
                self.proc.wait()
            self.proc = None


def peak_mb(reply: dict, rss0_kb: float) -> float:
    """The run's peak as a fresh process's (see the module's docstring)."""
    m = reply["meas"]
    if m:
        return (reply["zygote_kb"] + max(m["hwm"], m["children_kb"]) - m["rss0"]) / 1024
    # the child died before it could say (a signal): its ru_maxrss, less what it inherited
    return (reply["zygote_kb"] + reply["kb"] - rss0_kb) / 1024


class ForkPool:
    """``jobs`` zygotes; each thread of the fuzz runner takes one for a case."""

    def __init__(self, jobs: int, python: str = sys.executable, against: str | None = None,
                 probe_files: list[str] = ()):
        self.env = cli_env(against)
        probe = [[*args, f] for f in probe_files for _, args in COMMANDS]
        self.zygotes = [Zygote(python, self.env, probe) for _ in range(jobs)]
        self.free: queue.Queue[Zygote] = queue.Queue()
        self.python, self.against = python, against
        self.startup_cpu = {what: 0.0 for what, _ in COMMANDS}
        self.calibration: list[dict] = []
        self.rss0_kb = 0.0
        self.lock = threading.Lock()
        for z in self.zygotes:
            z.start()
            self.free.put(z)

    @property
    def info(self) -> dict:
        return self.zygotes[0].info

    def raw(self, path: str) -> list[tuple[str, dict, str, str]]:
        """Both commands on ``path`` in forked children: (name, zygote's answer, stdout, stderr)."""
        z = self.free.get()
        try:
            res = []
            for what, args in COMMANDS:
                reply, out, err = z.run([*args, path])
                if reply["meas"]:
                    self.rss0_kb = reply["meas"]["rss0"]
                res.append((what, reply, out, err))
            return res
        finally:
            self.free.put(z)

    def run_case(self, path: str) -> Outcome:
        """The outcome of ``path`` as the exec mode would classify it (estimated exec CPU)."""
        outcome = Outcome()
        for what, reply, out, err in self.raw(path):
            cpu = reply["cpu"] + self.startup_cpu[what]
            run = classify(what, reply["status"], out, err, cpu, peak_mb(reply, self.rss0_kb), reply["timed_out"])
            run.cpu_fork = round(reply["cpu"], 3)
            outcome.runs.append(run)
        return outcome

    def calibrate(self, files: list[str]) -> None:
        """Start-up CPU per command (exec minus fork, the median over ``files``), and the exec
        and fork figures side by side for the summary."""
        gaps: dict[str, list[float]] = {what: [] for what, _ in COMMANDS}
        for f in files:
            ex = run_cli(f, self.python, self.against)
            fk = self.run_case(f)
            for e, k in zip(ex.runs, fk.runs):
                gaps[e.what].append(e.cpu - k.cpu_fork)
                self.calibration.append({"file": Path(f).name, "what": e.what, "exec_cpu": e.cpu,
                                         "fork_cpu": k.cpu_fork, "exec_mb": e.peak_mb, "fork_mb": k.peak_mb})
        self.startup_cpu = {w: max(0.0, statistics.median(g)) for w, g in gaps.items() if g}

    def describe(self) -> list[str]:
        i = self.info
        lines = [f"- fork mode: {len(self.zygotes)} zygotes, each {i.get('rss_kb', 0) / 1024:.0f} MB after "
                 f"preloading {i.get('preloaded')} modules found by the probe ({i.get('modules')} in all, "
                 f"{i.get('threads')} thread(s) at fork); a fresh zygote every {RECYCLE} runs",
                 "- fork mode CPU = the child's (wait4) + start-up measured at start: "
                 + ", ".join(f"{w} {s:.2f} s" for w, s in self.startup_cpu.items()),
                 "- fork mode memory = zygote's VmRSS at fork + child's peak growth (VmHWM after clear_refs, "
                 "and its children's ru_maxrss) ; calibration on the bases (exec vs fork):"]
        lines += [f"  - {c['file']} {c['what']}: CPU {c['exec_cpu']:.2f} s vs {c['fork_cpu']:.2f} s (+ start-up), "
                  f"peak {c['exec_mb']:.0f} MB vs {c['fork_mb']:.0f} MB" for c in self.calibration]
        return lines

    def close(self) -> None:
        for z in self.zygotes:
            z.close()
            z.tmp.cleanup()

"""Run a command and measure it: its CPU time and peak memory, its own and its children's.

Linux carries a process's peak memory (ru_maxrss) over fork and exec, so a command started by a
big process (pytest, the fuzz runner) would report at least its parent's size. Commands are
therefore started by a small launcher (``python -S``: no site, a few MB) whose own child starts
small; the launcher reports what wait4 says about that child (the whole process tree below it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

MEM_LIMIT = 3 << 30  # address space a run may take at all (protects the shared machine)
WALL_GUARD = 120  # seconds: a hang guard, not a measurement

_LAUNCHER = r"""
import json, os, resource, signal, sys
a = json.loads(sys.argv[1])
pid = os.fork()
if pid == 0:
    resource.setrlimit(resource.RLIMIT_AS, (a["mem"], a["mem"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.setsid()
    for fd, path in ((1, a["out"]), (2, a["err"])):
        os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
    os.execve(a["cmd"][0], a["cmd"], a["env"])
fired = []
def guard(*_):
    fired.append(1)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
signal.signal(signal.SIGALRM, guard)
signal.alarm(a["timeout"])
_, status, ru = os.wait4(pid, 0)
signal.alarm(0)
print(json.dumps({"status": status, "cpu": ru.ru_utime + ru.ru_stime, "kb": ru.ru_maxrss, "timed_out": bool(fired)}))
"""


def launch(cmd: list[str], env: dict[str, str], python: str = sys.executable,
           timeout: int = WALL_GUARD) -> tuple[int, str, str, float, float, bool]:
    """Run ``cmd`` through the launcher: (wait status, stdout, stderr, CPU seconds, peak MB, timed out)."""
    with tempfile.TemporaryDirectory(prefix="bx-fuzz-run-") as tmp:
        out, err = os.path.join(tmp, "out"), os.path.join(tmp, "err")
        spec = {"cmd": cmd, "env": env, "out": out, "err": err, "timeout": timeout, "mem": MEM_LIMIT}
        res = subprocess.run([python, "-S", "-c", _LAUNCHER, json.dumps(spec)], capture_output=True, text=True)
        r = json.loads(res.stdout)
        with open(out, "rb") as fo, open(err, "rb") as fe:
            o, e = fo.read().decode("utf-8", "replace"), fe.read().decode("utf-8", "replace")
    return r["status"], o, e, r["cpu"], r["kb"] / 1024, r["timed_out"]

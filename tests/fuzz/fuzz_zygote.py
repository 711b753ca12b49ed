"""The zygote of the fork mode (fuzz_fork.py): a process that has imported what a budgetxl run
imports, and forks one child per run.

    python fuzz_zygote.py CMD_FD REPLY_FD SPEC_JSON

Started with the environment an exec-mode run gets (fuzz_harness.cli_env) and nothing else of the
fuzz runner's (a fresh interpreter, not a fork of it). It resolves the console script (``budgetxl``
in the ``console_scripts`` entry points), runs a probe (a throw-away child running the commands on
sample files, an audit hook noting every module loaded in it and its own children), imports those
modules, and then serves requests, one JSON line each on CMD_FD, answered on REPLY_FD:

    {"args": [...], "out": path, "err": path, "meas": path, "timeout": s, "mem": bytes}
    -> {"status": wait status, "cpu": s, "kb": ru_maxrss, "timed_out": bool, "zygote_kb": VmRSS,
        "meas": {"rss0": kB, "hwm": kB, "children_kb": kB} or null}

The child of a request starts what a fresh ``python -m budgetxl ARGS`` would be: its own session
(a process group the guard kills whole), the signal handlers and mask the zygote had at start, no
alarm, the exec mode's resource limits, stdin from /dev/null and stdout/stderr to the request's
files (same text streams as the interpreter made them, flushed and empty at the fork), fresh random
state, ``sys.argv`` and ``__main__`` as ``-m`` sets them. It calls the console-script function,
ends as the interpreter ends (threads joined, atexit callbacks, streams flushed, the exit code of
SystemExit or 1 with a traceback), records its peak memory and its children's, and ``os._exit``\\ s.
The zygote never runs budgetxl code itself, so no cache of one run is seen by another.
"""

from __future__ import annotations

import atexit
import importlib
import importlib.metadata
import importlib.util
import json
import os
import random
import resource
import signal
import sys
import threading
import types

sys.path[0] = os.getcwd()  # as ``python -m`` has it (not this script's folder)
_SIGNALS = {s: signal.getsignal(s) for s in signal.valid_signals()
            if s not in (signal.SIGKILL, signal.SIGSTOP) and signal.getsignal(s) is not None}
_current: list[int] = []  # the child being waited for (the guard kills its group)


def status_kb(key: str, pid: str = "self") -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def resolve(script: str):
    """The console script's function and the argv[0] that ``python -m <package>`` would give."""
    eps = importlib.metadata.entry_points(group="console_scripts", name=script)
    value = next(iter(eps)).value if eps else f"{script}.cli:main"
    module, _, attr = value.partition(":")
    fn = importlib.import_module(module)
    for part in attr.split("."):
        fn = getattr(fn, part)
    package = module.split(".")[0]
    spec = importlib.util.find_spec(f"{package}.__main__")
    return fn, package, spec


# ---- the child of one run ------------------------------------------------------------------------

def _reset(req: dict, keep: tuple[int, ...]) -> None:
    os.setsid()
    signal.alarm(0)
    for sig, handler in _SIGNALS.items():
        try:
            signal.signal(sig, handler)
        except (OSError, ValueError):
            pass
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    vm = status_kb("VmSize") * 1024  # the zygote's mappings, already there: the limit is on top
    resource.setrlimit(resource.RLIMIT_AS, (vm + req["mem"], vm + req["mem"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    for fd, path in ((1, req["out"]), (2, req["err"])):
        os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
    for fd in keep:
        os.close(fd)
    random.seed()


def _as_main(package: str, spec, args: list[str]) -> None:
    main = types.ModuleType("__main__")
    main.__package__, main.__spec__ = package, spec
    main.__file__ = spec.origin if spec else None
    sys.modules["__main__"] = main
    sys.argv = [spec.origin if spec else package, *args]


def _call(fn) -> int:
    """``fn()`` ended as the interpreter ends a script: the exit code it would give."""
    try:
        fn()
        code = 0
    except SystemExit as exc:
        code = _exit_code(exc.code)
    except BaseException:  # noqa: BLE001 - printed as the interpreter prints it
        sys.excepthook(*sys.exc_info())
        code = 1
    try:
        threading._shutdown()  # (what Py_FinalizeEx does first)
    except Exception:  # noqa: BLE001
        pass
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - the interpreter exits 120 when its streams fail to flush
            code = 120
    return code


def _exit_code(code) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        print(code, file=sys.stderr)
    except Exception:  # noqa: BLE001
        pass
    return 1


def child(req: dict, entry, keep: tuple[int, ...]) -> None:
    code = 70
    try:
        _reset(req, keep)
        try:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")  # VmHWM starts again from here
        except OSError:
            pass
        rss0 = status_kb("VmRSS")
        fn, package, spec = entry
        _as_main(package, spec, req["args"])
        code = _call(fn)
        meas = {"rss0": rss0, "hwm": status_kb("VmHWM"),
                "children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}
        with open(req["meas"], "w") as fh:
            json.dump(meas, fh)
    finally:
        os._exit(code)


# ---- the zygote ----------------------------------------------------------------------------------

def _guard(*_: object) -> None:
    for kill, who in ((os.killpg, _current[0]), (os.kill, _current[0])):
        try:
            kill(who, signal.SIGKILL)  # the child's session (its own children too), by its id
        except (ProcessLookupError, PermissionError):
            pass


def serve(req: dict, entry, keep: tuple[int, ...]) -> dict:
    zygote_kb = status_kb("VmRSS")
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        child(req, entry, keep)
    _current[:] = [pid]
    timed_out = []
    signal.signal(signal.SIGALRM, lambda *a: (timed_out.append(1), _guard()))
    signal.alarm(int(req["timeout"]))
    _, status, ru = os.wait4(pid, 0)
    signal.alarm(0)
    meas = None
    if os.path.exists(req["meas"]):
        with open(req["meas"]) as fh:
            meas = json.loads(fh.read() or "null")
    return {"status": status, "cpu": ru.ru_utime + ru.ru_stime, "kb": ru.ru_maxrss,
            "timed_out": bool(timed_out), "zygote_kb": zygote_kb, "meas": meas}


def probe(entry, runs: list[list[str]], log: str) -> list[str]:
    """The modules the commands load on the sample files, in the order they load (the probe is a
    throw-away child; its children's imports count too: the audit hook is inherited by fork)."""
    pid = os.fork()
    if pid == 0:
        try:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            sys.addaudithook(lambda ev, a: os.write(fd, (a[0] + "\n").encode()) if ev == "import" else None)
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            fn, package, spec = entry
            for args in runs:
                _as_main(package, spec, args)
                try:
                    fn()
                except BaseException:  # noqa: BLE001 - only what it imported matters
                    pass
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    with open(log) as fh:
        return list(dict.fromkeys(line.strip() for line in fh if line.strip()))


def preload(names: list[str]) -> int:
    n = 0
    for name in names:
        if name in sys.modules or name == "__main__" or name.endswith(".__main__"):
            continue
        try:
            importlib.import_module(name)
            n += 1
        except Exception:  # noqa: BLE001 - a module only its own caller can import (a few C modules)
            pass
    return n


def main() -> None:
    cmd_fd, reply_fd, spec = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
    entry = resolve(spec["script"])
    names = probe(entry, spec["probe"], spec["log"])
    loaded = preload(names)
    gc_threads = len(os.listdir("/proc/self/task"))
    reply = os.fdopen(reply_fd, "w")
    reply.write(json.dumps({"ready": True, "modules": len(sys.modules), "preloaded": loaded,
                            "rss_kb": status_kb("VmRSS"), "threads": gc_threads}) + "\n")
    reply.flush()
    with os.fdopen(cmd_fd, "rb") as cmds:
        for line in cmds:
            res = serve(json.loads(line), entry, (cmd_fd, reply_fd))
            reply.write(json.dumps(res) + "\n")
            reply.flush()


if __name__ == "__main__":
    main()

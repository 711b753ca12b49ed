"""A process pool for per-file work that survives the death of a worker.

``concurrent.futures`` gives up on the whole pool when one worker dies (``BrokenProcessPool``),
losing every result not yet collected. Here each worker holds at most two files at a time and
answers one by one; when a worker dies (a parser abort, the out-of-memory killer) or stops
answering for ``timeout`` seconds, only the file it was working on is reported (by ``on_crash``),
the files queued behind it go to a fresh worker, and every other result is kept. Workers are
forked (the parent's imports and arguments are shared, not pickled) and die with their parent.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from .safeparse import die_with_parent

Progress = Callable[[int, int, str], None]
OnCrash = Callable[[Any, str], Any]  # (item, "crash" | "timeout") -> the item's result

_PREFETCH = 2  # files sent to a worker ahead of its answers (keeps it busy, loses little)
_MISSING = object()


@dataclass
class _Worker:
    proc: Any
    conn: Connection
    inflight: deque = field(default_factory=deque)  # indexes sent, oldest first
    since: float = 0.0  # when the oldest in-flight item became the one being worked on


def _serve(conn: Connection, other: Connection, fn: Callable[..., Any], args: tuple) -> None:
    other.close()  # the parent's end, inherited by fork
    die_with_parent()
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        i, item = msg
        try:
            answer = (i, True, fn(item, *args))
        except BaseException as exc:  # sent back and raised in the parent, as a pool would
            answer = (i, False, exc)
        try:
            conn.send(answer)
        except Exception as exc:  # an answer that does not pickle
            conn.send((i, False, RuntimeError(f"{type(exc).__name__}: {exc}")))


def resilient_map(fn: Callable[..., Any], items: Sequence[Any], *args: Any, jobs: int = 1,
                  on_crash: OnCrash, progress: Progress | None = None, label: Callable[[Any], str] = str,
                  timeout: float | None = None) -> list[Any]:
    """``[fn(item, *args) for item in items]`` in ``jobs`` worker processes, in input order.

    An item whose worker dies, or takes longer than ``timeout`` seconds, gets
    ``on_crash(item, reason)`` as its result (``timeout`` defaults to safeparse.FILE_TIMEOUT). An
    exception raised by ``fn`` is raised here."""
    from . import safeparse

    timeout = safeparse.FILE_TIMEOUT if timeout is None else timeout
    total = len(items)
    if total == 0:
        return []
    ctx = multiprocessing.get_context("fork")
    results: list[Any] = [_MISSING] * total
    queue: deque[int] = deque(range(total))
    workers: list[_Worker] = []
    done = 0

    def start() -> None:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_serve, args=(child, parent, fn, args), daemon=True)
        proc.start()
        child.close()
        workers.append(_Worker(proc, parent))

    def finish(i: int, value: Any) -> None:
        nonlocal done
        results[i] = value
        done += 1
        if progress:
            progress(done, total, label(items[i]))

    def bury(w: _Worker, reason: str) -> None:
        """A worker that died or hung: its answers so far are kept, the item it was working on is
        reported, the items behind it are queued again."""
        try:
            while w.conn.poll():
                take(w, w.conn.recv())
        except (EOFError, OSError):
            pass
        if w.proc.is_alive():
            _kill(w.proc.pid)
        w.proc.join()
        w.conn.close()
        workers.remove(w)
        if w.inflight:
            i = w.inflight.popleft()
            finish(i, on_crash(items[i], reason))
            queue.extendleft(reversed(w.inflight))

    def take(w: _Worker, msg: tuple) -> None:
        i, ok, value = msg
        if w.inflight and w.inflight[0] == i:
            w.inflight.popleft()
            w.since = time.monotonic()
        if not ok:
            raise value
        finish(i, value)

    try:
        for _ in range(max(1, min(jobs, total))):
            start()
        while done < total:
            for w in list(workers):
                while queue and len(w.inflight) < _PREFETCH:
                    i = queue.popleft()
                    if not w.inflight:
                        w.since = time.monotonic()
                    w.inflight.append(i)
                    try:
                        w.conn.send((i, items[i]))
                    except OSError:
                        break  # dead: found below
            if not workers or (queue and len(workers) < min(jobs, total)):
                start()
                continue
            ready = wait([w.conn for w in workers] + [w.proc.sentinel for w in workers], timeout=1.0)
            now = time.monotonic()
            for w in list(workers):
                if w.conn in ready:
                    try:
                        take(w, w.conn.recv())
                        continue
                    except (EOFError, OSError):
                        bury(w, "crash")
                        continue
                if w.proc.sentinel in ready and not w.conn.poll():
                    bury(w, "crash")
                elif timeout is not None and w.inflight and now - w.since > timeout:
                    bury(w, "timeout")
    finally:
        for w in workers:
            try:
                w.conn.send(None)
            except OSError:
                pass
            w.conn.close()
        for w in workers:
            w.proc.join(timeout=5)
            if w.proc.is_alive():
                _kill(w.proc.pid)
                w.proc.join()
    return results


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)  # a worker started here, by its id
    except ProcessLookupError:
        pass

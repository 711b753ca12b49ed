"""A process pool for per-file work that survives the death of a worker.

``concurrent.futures`` gives up on the whole pool when one worker dies (``BrokenProcessPool``),
losing every result not yet collected. Here each worker holds at most two files at a time and
answers one by one; when a worker dies (a parser abort, the out-of-memory killer) or stops
answering for ``timeout`` seconds, only the file it was working on is reported (by ``on_crash``),
the files queued behind it go to a fresh worker, and every other result is kept. Workers are
forked (the parent's imports and arguments are shared, not pickled) and die with their parent.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from . import safeparse
from .safeparse import child_setup

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


def _serve(conn: Connection, other: Connection, fn: Callable[..., Any], args: tuple, parent: int) -> None:
    other.close()  # the parent's end, inherited by fork
    child_setup(parent)
    frozen = False
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
        except MemoryError:  # (past the address-space cap: the file's reading ran away)
            answer = (i, None, None)
        except BaseException as exc:  # sent back and raised in the parent, as a pool would
            answer = (i, False, exc)
        try:
            conn.send(answer)
        except Exception as exc:  # an answer that does not pickle
            conn.send((i, False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        if not frozen:  # what the first item loaded (modules, templates, caches) stays: out of the
            gc.freeze()  # collector's way for the items that follow (as the pool's parent does at fork)
            frozen = True


def resilient_map(fn: Callable[..., Any], items: Sequence[Any], *args: Any, jobs: int = 1,
                  on_crash: OnCrash, progress: Progress | None = None, label: Callable[[Any], str] = str,
                  timeout: float | None = None) -> list[Any]:
    """``[fn(item, *args) for item in items]`` in ``jobs`` worker processes, in input order.

    An item whose worker dies, or takes longer than ``timeout`` seconds, gets
    ``on_crash(item, reason)`` as its result (``timeout`` defaults to safeparse.FILE_TIMEOUT). An
    exception raised by ``fn`` is raised here."""
    if not items:
        return []
    pool = _Pool(fn, items, args, max(1, min(jobs, len(items))), on_crash, progress, label,
                 safeparse.FILE_TIMEOUT if timeout is None else timeout)
    try:
        return pool.run()
    finally:
        pool.close()


class _Pool:
    def __init__(self, fn, items, args, size, on_crash, progress, label, timeout):
        self.fn, self.items, self.args, self.size = fn, items, args, size
        self.on_crash, self.progress, self.label, self.timeout = on_crash, progress, label, timeout
        self.ctx = multiprocessing.get_context("fork")
        self.results: list[Any] = [_MISSING] * len(items)
        self.queue: deque[int] = deque(range(len(items)))
        self.workers: list[_Worker] = []
        self.done = 0

    def run(self) -> list[Any]:
        safeparse.warm(self.fn)
        for _ in range(self.size):
            self._start()
        while self.done < len(self.items):
            self._feed()
            if not self.workers or (self.queue and len(self.workers) < self.size):
                self._start()
                continue
            ready = wait([w.conn for w in self.workers] + [w.proc.sentinel for w in self.workers], timeout=1.0)
            now = time.monotonic()
            for w in list(self.workers):
                if w.conn in ready:
                    try:
                        self._take(w, w.conn.recv())
                    except (EOFError, OSError):
                        self._bury(w, "crash")
                elif w.proc.sentinel in ready:
                    self._bury(w, "crash")
                elif self.timeout is not None and w.inflight and now - w.since > self.timeout:
                    self._bury(w, "timeout")
        return self.results

    def _start(self) -> None:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=_serve, args=(child, parent, self.fn, self.args, os.getpid()),
                                daemon=True)
        # The parent's objects into the permanent generation while forking: the worker's garbage
        # collector then leaves them alone instead of touching (and so copying) every page of them.
        gc.freeze()
        try:
            proc.start()
        finally:
            gc.unfreeze()
        child.close()
        self.workers.append(_Worker(proc, parent))

    def _feed(self) -> None:
        for w in self.workers:
            while self.queue and len(w.inflight) < _PREFETCH:
                i = self.queue.popleft()
                if not w.inflight:
                    w.since = time.monotonic()
                w.inflight.append(i)
                try:
                    w.conn.send((i, self.items[i]))
                except OSError:
                    break  # dead: found by the wait that follows

    def _finish(self, i: int, value: Any) -> None:
        self.results[i] = value
        self.done += 1
        if self.progress:
            self.progress(self.done, len(self.items), self.label(self.items[i]))

    def _take(self, w: _Worker, msg: tuple) -> None:
        i, ok, value = msg
        if w.inflight and w.inflight[0] == i:
            w.inflight.popleft()
            w.since = time.monotonic()
        if ok is None:
            self._finish(i, self.on_crash(self.items[i], "crash"))
            return
        if not ok:
            raise value
        self._finish(i, value)

    def _bury(self, w: _Worker, reason: str) -> None:
        """A worker that died or hung: its answers so far are kept, the item it was working on is
        reported, the items behind it are queued again."""
        try:
            while w.conn.poll():
                self._take(w, w.conn.recv())
        except (EOFError, OSError):
            pass
        if w.proc.is_alive():
            _kill(w.proc.pid)
        w.proc.join()
        w.conn.close()
        self.workers.remove(w)
        if w.inflight:
            i = w.inflight.popleft()
            self._finish(i, self.on_crash(self.items[i], reason))
            self.queue.extendleft(reversed(w.inflight))

    def close(self) -> None:
        for w in self.workers:
            try:
                w.conn.send(None)
            except OSError:
                pass
            w.conn.close()
        for w in self.workers:
            w.proc.join(timeout=5)
            if w.proc.is_alive():
                _kill(w.proc.pid)
                w.proc.join()


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)  # a worker started here, by its id
    except ProcessLookupError:
        pass

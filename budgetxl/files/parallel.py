"""Run per-file work in a process pool, results in input order (identical to a serial run)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

Progress = Callable[[int, int, str], None]


def default_jobs() -> int:
    return os.cpu_count() or 1


def parallel_map(fn: Callable[..., R], items: Sequence[T], *args: Any, jobs: int = 1,
                 progress: Progress | None = None, label: Callable[[T], str] = str,
                 on_crash: Callable[[T, str], R] | None = None) -> list[R]:
    """``[fn(item, *args) for item in items]``, spread over ``jobs`` processes when that pays.

    Work goes out in small chunks so memory stays bounded by what the workers hold at once; the
    results come back in input order, so output never depends on the number of jobs.
    With ``on_crash`` (work on untrusted files) every item runs in a worker process, even with one
    job, and an item whose worker dies gets ``on_crash(item, reason)`` (see budgetxl.files.workerpool).
    """
    if on_crash is not None:
        from .workerpool import resilient_map

        return resilient_map(fn, items, *args, jobs=jobs, on_crash=on_crash, progress=progress, label=label)
    total = len(items)
    if jobs <= 1 or total < 8:
        out = []
        for i, item in enumerate(items, start=1):
            out.append(fn(item, *args))
            if progress:
                progress(i, total, label(item))
        return out
    from concurrent.futures import ProcessPoolExecutor

    from .lifetime import die_with_parent

    out = []
    chunk = max(1, min(16, total // (jobs * 8) or 1))
    # Workers die with this process: a killed run leaves none behind, blocked on a dead queue.
    with ProcessPoolExecutor(max_workers=jobs, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        iterables = [items] + [[a] * total for a in args]
        for i, res in enumerate(pool.map(fn, *iterables, chunksize=chunk), start=1):
            out.append(res)
            if progress:
                progress(i, total, label(items[i - 1]))
    return out

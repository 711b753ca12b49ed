"""Nothing of a run outlives it: worker processes die with their parent, and scratch folders in
the temp dir that a killed run left behind are removed by the next run.

A scratch folder is ``budgetxl-<kind>-<pid>-<random>`` in the temp dir, holding a ``.owner``
file its run keeps locked (flock) for as long as the folder is in use; worker processes forked
from the run inherit the lock, so the folder counts as in use while any of them lives. A later run
that can take the lock knows the owner is gone (whatever the pid has become since) and removes
the folder. The lock is taken before the file gets its name, so a folder is never seen unowned.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import weakref
from pathlib import Path

try:
    import fcntl
except ImportError:  # (not POSIX: no locks, nothing swept; publishing still goes through the journal)
    fcntl = None  # type: ignore[assignment]

PREFIX = "budgetxl-"
OWNER = ".owner"


def die_with_parent(parent: int | None = None) -> None:
    """Called first in a worker process: the kernel kills it when its parent dies (Linux
    PR_SET_PDEATHSIG; elsewhere nothing), so a killed run leaves no worker behind. ``parent`` is
    the parent's pid as the parent saw it before starting the worker: if the parent died before
    this call, the worker exits at once."""
    libc = _libc()
    if libc is not None:
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if parent is not None and os.getppid() != parent:
        os._exit(1)


_LIBC: list = []  # the C library through ctypes, once loaded (or None where it cannot be)


def _libc():
    """The C library, loaded once per process: a parent that calls this before forking spares each
    child the import and dlopen (2 ms of a 4 ms fork-per-file read)."""
    if not _LIBC:
        try:
            import ctypes

            _LIBC.append(ctypes.CDLL(None, use_errno=True))
            _LIBC[0].prctl  # (AttributeError where there is no prctl)
        except (OSError, AttributeError):
            _LIBC[:] = [None]
    return _LIBC[0]


class Scratch:
    """A private folder in the temp dir for one run (``.name``); removed by ``cleanup()``, when
    the object is collected, at exit, or (after a kill) by the next run's :func:`sweep_scratch`."""

    def __init__(self, kind: str):
        self.name = tempfile.mkdtemp(prefix=f"{PREFIX}{kind}-{os.getpid()}-")
        path = Path(self.name)
        fd = os.open(path / f"{OWNER}.new", os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.rename(path / f"{OWNER}.new", path / OWNER)
        self._finalizer = weakref.finalize(self, _remove, self.name, fd)

    @property
    def path(self) -> Path:
        return Path(self.name)

    def cleanup(self) -> None:
        self._finalizer()

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup()


def _remove(name: str, fd: int) -> None:
    shutil.rmtree(name, ignore_errors=True)
    os.close(fd)


def _maker_gone(name: str) -> bool:
    """Whether the process whose pid a scratch folder's name carries (budgetxl-KIND-PID-…) is gone;
    False when the name carries none (another program's folder) or the pid is alive."""
    m = re.match(re.escape(PREFIX) + r"[a-z]+-(\d+)-", name)
    if m is None:
        return False
    try:
        os.kill(int(m.group(1)), 0)
    except ProcessLookupError:
        return True
    except OSError:  # (alive, someone else's)
        return False
    return False


def sweep_scratch(tmpdir: str | None = None) -> int:
    """Remove the scratch folders whose run is gone (their ``.owner`` lock can be taken, or, without
    an owner file, the pid in their name is gone); returns how many."""
    if fcntl is None:
        return 0
    root = Path(tmpdir or tempfile.gettempdir())
    removed = 0
    try:
        candidates = [p for p in root.iterdir() if p.name.startswith(PREFIX)]
    except OSError:
        return 0
    for folder in candidates:
        try:
            fd = os.open(folder / OWNER, os.O_RDWR | os.O_CLOEXEC)
        except OSError:
            # No owner file: a folder being made, or one whose run was killed before it named its
            # owner; the creator's pid is in the name: gone, the folder goes too.
            if _maker_gone(folder.name):
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # in use
        try:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
        finally:
            os.close(fd)
    return removed

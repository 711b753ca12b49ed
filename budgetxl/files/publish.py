"""Publishing a run's outputs together, under a lock, so that a killed or failing run leaves the
previous outputs whole and no litter the next run does not clean up.

- **Lock.** An output (a file, or a folder of data files) has a hidden lock file beside it
  (``.<name>.budgetxl-lock``, or ``.budgetxl-data-lock`` in the folder), held with flock for the
  whole run: a second run for the same output waits :data:`LOCK_WAIT` seconds, then refuses with
  one line. Taking the lock is also the check that the folder can be written, before any work.
- **Temp names.** Every output is written as ``.<name>.budgetxl-tmp-<pid>-<random>`` in its own
  folder (a rename never crosses file systems). Under the lock, any such file is a dead run's.
- **Journal.** When every temp file is complete, a marker listing them
  (``.budgetxl-publish-<run>.json``) goes into each folder involved, then the commit file
  (``.budgetxl-commit-<run>``) into the first folder: from then on the run counts as published.
  The temp files are renamed over the outputs (data files first, the workbook last), then the
  journal is removed. A run that dies before the commit file leaves the old outputs; one that dies
  after it is rolled forward by the next run that takes any of its locks (:func:`recover`).
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # (not POSIX: no locks, nothing swept; publishing still goes through the journal)
    fcntl = None  # type: ignore[assignment]

from ..errors import BudgetxlError

LOCK_WAIT = 5.0  # seconds a second run for the same output waits before refusing
TEMP_TAG = ".budgetxl-tmp-"
MARKER = ".budgetxl-publish-"
COMMIT = ".budgetxl-commit-"


@dataclass(frozen=True)
class Output:
    """What a run writes and locks as one: ``shown`` is what a message names."""

    shown: Path
    lock: Path
    finals: tuple[Path, ...]


def file_output(path: str | os.PathLike[str]) -> Output:
    path = Path(path)
    return Output(path, path.with_name(f".{path.name}.budgetxl-lock"), (path,))


def folder_output(folder: str | os.PathLike[str], names: list[str]) -> Output:
    folder = Path(folder)
    return Output(folder, folder / ".budgetxl-data-lock", tuple(folder / n for n in names))


def temp_path(final: Path, run: str) -> Path:
    return final.with_name(f".{final.name}{TEMP_TAG}{run}")


# ---- errors ----------------------------------------------------------------------------------------
_REASONS = {errno.ENOSPC: "disk-full", errno.EDQUOT: "disk-full", errno.EFBIG: "too-big", errno.EROFS: "read-only",
            errno.EACCES: "no-permission", errno.EPERM: "no-permission"}


def write_error(exc: OSError, outputs: list[Output]) -> BudgetxlError:
    """One line for a failed write: the output it was for (the one whose folder failed, else the
    first) and why, in words a user can act on."""
    failed = Path(exc.filename) if exc.filename else None
    shown = outputs[0].shown if outputs else failed
    if failed is not None:
        mine = [o.shown for o in outputs if failed == o.shown or failed.parent in {f.parent for f in o.finals}]
        if mine:
            shown = mine[0]
        elif Path(tempfile.gettempdir()) in failed.parents:
            shown = Path(tempfile.gettempdir())  # (the temp dir is what is full: say so)
    reason = _REASONS.get(exc.errno or 0)
    if reason is None:
        return BudgetxlError("output-failed", path=str(shown), detail=exc.strerror or str(exc))
    return BudgetxlError(f"output-failed.{reason}", path=str(shown))


# ---- locks -----------------------------------------------------------------------------------------
# (thread, lock path) -> [fd, depth]: a run takes its own lock again freely; another thread of the
# same process (the portal's) opens the file anew, and flock makes it wait as another process would.
_held: dict[tuple[int, str], list[int]] = {}


def _key(lock: Path) -> tuple[int, str]:
    return threading.get_ident(), str(lock)


def _acquire(o: Output, wait: float) -> None:
    key = _key(o.lock)
    if key in _held:
        _held[key][1] += 1
        return
    deadline = time.monotonic() + wait
    while True:
        fd = os.open(o.lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            if time.monotonic() >= deadline:
                raise BudgetxlError("output-busy", path=str(o.shown), pid=holder or "?") from None
            time.sleep(0.05)
            continue
        try:  # the holder before us removes the file as it lets go: lock the file the name now has
            same = os.fstat(fd).st_ino == os.stat(o.lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
            _held[key] = [fd, 1]
            return
        os.close(fd)


def _release(o: Output) -> None:
    held = _held.get(_key(o.lock))
    if held is None:
        return
    held[1] -= 1
    if held[1] == 0:
        del _held[_key(o.lock)]
        try:
            os.unlink(o.lock)
        except OSError:
            pass
        os.close(held[0])


@contextmanager
def reserved(outputs: list[Output], wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold every output's lock (folders made first; in path order, so two runs never deadlock);
    on first taking them, finish or undo what a dead run left (:func:`recover`)."""
    taken: list[Output] = []
    made: list[Path] = []  # folders made here, deepest first: removed again when the run fails
    try:
        fresh = False
        for o in sorted(outputs, key=lambda o: str(o.lock)):
            made[:0] = _missing_folders(o.lock.parent)
            o.lock.parent.mkdir(parents=True, exist_ok=True)
            fresh |= _key(o.lock) not in _held
            _acquire(o, wait)
            taken.append(o)
        if fresh:
            recover(outputs)
    except OSError as exc:
        _undo(taken, made)
        raise write_error(exc, outputs) from None
    except BaseException:
        _undo(taken, made)
        raise
    try:
        yield
    except BaseException:
        _undo(taken, made)
        raise
    for o in reversed(taken):
        _release(o)


def _missing_folders(folder: Path) -> list[Path]:
    """The folders on ``folder``'s path that do not exist yet, deepest first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _undo(taken: list[Output], made: list[Path]) -> None:
    """A failed run: its locks let go, and the folders it made removed when still empty."""
    for o in reversed(taken):
        _release(o)
    for folder in made:
        try:
            folder.rmdir()
        except OSError:
            pass


# ---- publishing ------------------------------------------------------------------------------------
class Publish:
    """The temp path of every final (``temps``); :meth:`commit` renames them all, :meth:`abort`
    removes them. The first output's files are renamed last (the workbook after its data)."""

    def __init__(self, outputs: list[Output]):
        self.outputs = outputs
        self.run = f"{os.getpid()}-{secrets.token_hex(4)}"
        self.temps = {f: temp_path(f, self.run) for o in outputs for f in o.finals}
        self.folders = list(dict.fromkeys(f.parent for f in self.temps))
        self.commit_path = self.folders[0] / f"{COMMIT}{self.run}"
        self.markers = [d / f"{MARKER}{self.run}.json" for d in self.folders]
        self.committed = False

    def commit(self) -> None:
        order = [f for o in reversed(self.outputs) for f in o.finals]
        record = {"commit": str(self.commit_path), "markers": [str(m) for m in self.markers],
                  "pairs": [[str(self.temps[f]), str(f)] for f in order], "locks": [str(o.lock) for o in self.outputs]}
        text = json.dumps(record, ensure_ascii=False)
        try:
            for m in self.markers:
                _write_new(m, text)
            _write_new(self.commit_path, self.run)
        except BaseException:
            self.abort()
            raise
        self.committed = True  # (a rename that fails now is finished by the next run)
        _settle(record, committed=True)

    def abort(self) -> None:
        if self.committed:
            return
        for p in [*self.temps.values(), *self.markers, self.commit_path]:
            _unlink(p)
            _unlink(p.with_name(p.name + ".splice"))


@contextmanager
def publishing(outputs: list[Output]) -> Iterator[Publish]:
    """Write to ``pub.temps`` inside; on success every output is published, on any failure none
    is and the temp files are gone (an OSError becomes one line naming the output)."""
    with reserved(outputs):
        pub = Publish(outputs)
        try:
            yield pub
            pub.commit()
        except OSError as exc:
            pub.abort()
            raise write_error(exc, outputs) from None
        except BaseException:
            pub.abort()
            raise


def recover(outputs: list[Output]) -> None:
    """Under the locks of ``outputs``: roll forward every dead run's committed publish, undo every
    uncommitted one, and remove temp files of these outputs (no live run can own them)."""
    mine = {str(f) for o in outputs for f in o.finals}
    for folder in dict.fromkeys(f.parent for o in outputs for f in o.finals):
        for marker in sorted(folder.glob(f"{MARKER}*.json")):
            try:
                record = json.loads(marker.read_text(encoding="utf-8"))
                finals = {p[1] for p in record["pairs"]}
            except (OSError, ValueError, KeyError, IndexError, TypeError):
                record, finals = None, set()
            if not (finals & mine) and _alive(marker.name[len(MARKER):]):
                continue  # a live run's, for other outputs
            if record is None:
                _unlink(marker)
                continue
            _settle(record, committed=Path(record["commit"]).exists())
            for lock in record.get("locks", []):
                _remove_stale_lock(Path(lock))
    for f in (Path(p) for p in mine):
        for litter in f.parent.glob(f".{_glob_escape(f.name)}{TEMP_TAG}*"):
            _unlink(litter)
        # what earlier versions left (files.atomic's names: .<stem>.<8 random><suffix>.tmp[.splice])
        old = re.compile(rf"\.{re.escape(f.stem)}\.[a-z0-9_]{{8}}{re.escape(f.suffix)}\.tmp(\.splice)?")
        for litter in f.parent.glob(f".{_glob_escape(f.stem)}.*.tmp*"):
            if old.fullmatch(litter.name):
                _unlink(litter)


def _settle(record: dict, committed: bool) -> None:
    for tmp, final in record["pairs"]:
        if committed:
            try:
                os.replace(tmp, final)
            except FileNotFoundError:
                pass  # renamed already
        else:
            _unlink(Path(tmp))
    for m in record["markers"]:
        _unlink(Path(m))
    _unlink(Path(record["commit"]))


def _remove_stale_lock(path: Path) -> None:
    """A dead run's lock file for an output this run does not hold (unless someone holds it now)."""
    if any(lock == str(path) for _, lock in _held) or fcntl is None:
        return
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if os.fstat(fd).st_ino == os.stat(path).st_ino:
            os.unlink(path)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_new(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        import shutil

        shutil.rmtree(path, ignore_errors=True)


def _alive(run: str) -> bool:
    try:
        pid = int(run.split("-", 1)[0])
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _glob_escape(name: str) -> str:
    import glob

    return glob.escape(name)

"""Run the value reader where its failures stay one line about one file.

python-calamine (Rust) can fail in three ways on a hostile file: an error (an exception), a
panic (pyo3 turns it into an exception, but Rust's panic hook has already printed "thread ...
panicked at ..." on stderr), or an abort (an allocation it cannot make ends the whole process).
Intake (:mod:`budgetxl.files.intake`) bounds what the reader may allocate, so the last two should not
happen; this module is the net for the day they do:

* :func:`quiet_stderr`: file descriptor 2 points at /dev/null while the parser runs (four system
  calls), so a caught panic prints nothing; its message is turned into a one-line refusal.
* :func:`calamine_sheets`: every sheet's values, read with stderr quiet, any parser failure
  (a panic included) as :class:`ReadError` ``not-a-workbook``.
* :func:`run_isolated`: a call in a forked child; the child's death (a signal, an abort, the
  kernel's out-of-memory killer) or a hang becomes ``ReadError('intake-crash')`` for that file.
  :mod:`budgetxl.files.workerpool` does the same for a batch with long-lived workers.
* :func:`isolated`: the same, unless this process already is such a child (a worker, ``read``'s
  child, the portal's check): how :func:`budgetxl.files.grids.load_checked`, the one door of every
  spreadsheet a user hands us, reads, so that no command or API call parses one in its own process.
"""

from __future__ import annotations

import os
import pickle
import selectors
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from ..errors import ReadError
from .lifetime import _libc, die_with_parent

R = TypeVar("R")

# Seconds a single file may take before its reader is stopped (a hang guard: a file within the
# intake limits reads in well under 2 s).
FILE_TIMEOUT = 60.0

_null_fd: int | None = None

# True in a process that reads untrusted files on another's behalf (see child_setup): its death
# already costs one file one line, so what it reads needs no child of its own.
_reader_child = False


@contextmanager
def quiet_stderr() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for the duration (BUDGETXL_DEBUG=1 keeps it).

    Only the Rust parser runs inside: Python's own errors are raised as exceptions and rendered
    after the descriptor is restored."""
    global _null_fd
    if os.environ.get("BUDGETXL_DEBUG"):
        yield
        return
    if _null_fd is None:
        _null_fd = os.open(os.devnull, os.O_WRONLY)
    try:
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass
    saved = os.dup(2)
    os.dup2(_null_fd, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def warm(fn: Callable[..., Any]) -> None:
    """Import what reading a file needs, in a parent about to fork readers that run ``fn`` (each
    child then shares it instead of importing it again): the value reader, intake, and ``fn``'s own
    module (which imports the workbook reader)."""
    import importlib

    for name in ("python_calamine", "budgetxl.files.intake", getattr(fn, "__module__", None)):
        if name:
            importlib.import_module(name)


def parser_failure(path: str, exc: BaseException, sheet: str | None = None) -> ReadError:
    """A failure of the value reader as a refusal in the clerk's terms: what is wrong with the
    file, never the parser's own words (a panic's "capacity overflow", slice indices, XML tokens)."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    if type(exc).__name__ == "PanicException" or not text:
        return ReadError("intake-crash", path=path)
    detail = plain_detail(text)
    if sheet is not None and detail == _PLAIN[-1][1]:
        detail = f"sheet '{sheet[:60]}' cannot be read"
    return ReadError("not-a-workbook", path=path, detail=detail)


# The value reader's error messages by kind, in plain words (first match wins).
_PLAIN = [
    (r"password|encrypt", "it is password-protected"),
    (r"detect file format|invalid ole|signature|office document|mime", "an unknown file format"),
    (r"row component|column component|range dimension|number overflow|alphanumeric", "a malformed cell reference"),
    (r"string index|shared string", "a cell refers to a text that is missing"),
    (r"decode|encoding|utf-?8|codepage", "text in an encoding that cannot be read"),
    (r"zip", "a damaged zip container"),
    (r"cell error|'t' attribute|boolean|parse (float|integer|bool|string)|unrecognized|unsupported",
     "a cell holds a value of an unknown kind"),
    (r"file not found|not found in archive|cannot find|' not found|relationship|empty root|is missing",
     "a part of the workbook is missing"),
    (r"xml|syntax|tag not closed|ill-formed|expecting|unexpected end|attribute", "broken XML"),
    (r"sector|stream|record|formula|stack|iftab|ifmt|etpg|bytes is too small|invalid|unknown", "broken internal records"),
    (r"", "its content cannot be read"),
]


def plain_detail(text: str) -> str:
    import re

    low = text.lower()
    return next(plain for pattern, plain in _PLAIN if re.search(pattern, low))


def calamine_sheets(path: str | os.PathLike[str],
                    repacked: bytes | None = None) -> list[tuple[str, list[list[Any]], list, str]]:
    """(name, rows, merged ranges, visibility) of every sheet, empty cells as None; read from
    ``repacked`` (intake's copy of the file, see files.intake_repack) when given.

    Call :func:`budgetxl.files.intake.inspect_file` first: it bounds what this may allocate."""
    import io

    import python_calamine as pc

    out = []
    current = None  # the sheet being read, for the message
    try:
        with quiet_stderr():
            # By content, not by name (from_path dispatches on the extension: an xlsx named .xls fails).
            with io.BytesIO(repacked) if repacked is not None else open(path, "rb") as fh:
                wb = pc.CalamineWorkbook.from_filelike(fh)
            try:
                for meta in wb.sheets_metadata:
                    current = meta.name
                    sheet = wb.get_sheet_by_name(meta.name)
                    # empty cells as None (inline, not a call per cell: this is the reader's hottest loop)
                    rows = [[None if v == "" else v for v in row] for row in sheet.to_python(skip_empty_area=False)]
                    visible = str(meta.visible).rsplit(".", 1)[-1].lower()
                    out.append((meta.name, rows, sheet.merged_cell_ranges or [], visible))
            finally:
                wb.close()
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except OSError as exc:
        raise ReadError("intake-damaged", path=str(path), detail=exc.strerror or type(exc).__name__) from None
    except BaseException as exc:  # calamine raises several types, and a Rust panic is a BaseException
        raise parser_failure(str(path), exc, current) from None
    return out


# ---- a call in a child process --------------------------------------------------------------------

# How much more address space a reading child may take than it had when it started: far above
# what any file within the intake limits needs (< 200 MB), so that a reader running away on a file
# intake did not foresee fails its own allocation (and is reported) instead of swapping the machine.
CHILD_EXTRA_MEMORY = 3 << 30


def child_setup(parent: int | None = None) -> None:
    """For a process that reads untrusted files on behalf of ``parent`` (its pid as seen before the
    fork): die with the parent (Linux;
    elsewhere a no-op), so that no worker outlives an interrupted or killed run, and cap the
    address space it may grow to. Its death is the parent's to report, in one line: no fault
    handler dump of its Python stack (BUDGETXL_DEBUG=1 keeps whatever the parent had)."""
    mark_reader_child()
    if not os.environ.get("BUDGETXL_DEBUG"):
        import faulthandler

        faulthandler.disable()
    die_with_parent(parent)
    try:
        import resource

        with open("/proc/self/status") as fh:
            size = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmSize:"))
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = size + CHILD_EXTRA_MEMORY
        if soft == resource.RLIM_INFINITY or soft > cap:
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (OSError, ValueError, StopIteration, ImportError):
        pass


def mark_reader_child() -> None:
    """Declare this process a reader's child: :func:`isolated` calls then run in it directly.
    :func:`child_setup` does it; so may a harness or benchmark that times the reading itself."""
    global _reader_child
    _reader_child = True


def isolated(fn: Callable[..., R], *args: Any, path: str, timeout: float | None = None) -> R:
    """``fn(*args)`` where a parser abort or hang refuses the file at ``path`` in one line: in a
    child (:func:`run_isolated`), or here when this process already is a reader's child."""
    if _reader_child:
        return fn(*args)
    warm(fn)  # (imported once here, not again in every child)
    return run_isolated(fn, *args, path=path, timeout=timeout)


def run_isolated(fn: Callable[..., R], *args: Any, path: str, timeout: float | None = None) -> R:
    """``fn(*args)`` in a forked child, its result (or exception) sent back pickled.

    If the child dies without an answer (killed by a signal, aborted, out of memory) or takes
    longer than ``timeout`` seconds (default FILE_TIMEOUT), the file at ``path`` is refused with one line."""
    timeout = FILE_TIMEOUT if timeout is None else timeout
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    _libc()  # (loaded here once, not in every child)
    r, w = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.close(r)
            child_setup(parent)
            try:
                payload = pickle.dumps((True, fn(*args)), pickle.HIGHEST_PROTOCOL)
            except BaseException as exc:
                try:
                    payload = pickle.dumps((False, exc), pickle.HIGHEST_PROTOCOL)
                except Exception:
                    payload = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
            with os.fdopen(w, "wb") as fh:
                fh.write(payload)
        finally:
            os._exit(0)
    os.close(w)
    try:
        data, timed_out = _read_all(r, timeout)
    finally:
        os.close(r)
    if timed_out:
        _kill(pid)
    _, status = os.waitpid(pid, 0)
    if timed_out:
        raise crash_error(path, "timeout", timeout)
    try:
        ok, value = pickle.loads(data) if data else (None, None)
    except Exception:
        ok = None
    if ok is None or (not ok and isinstance(value, MemoryError)):
        raise crash_error(path, "crash")
    if not ok:
        raise value
    return value


def crash_error(path: str, reason: str, timeout: float | None = None) -> ReadError:
    """The refusal of a file whose reading killed its process ("crash") or hung ("timeout")."""
    if reason == "timeout":
        return ReadError("intake-timeout", path=path, seconds=f"{timeout or FILE_TIMEOUT:.0f}")
    return ReadError("intake-crash", path=path)


def _read_all(fd: int, timeout: float | None) -> tuple[bytes, bool]:
    """Everything written to ``fd`` until its writer closes it; (data, timed out)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    chunks = []
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while True:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not sel.select(wait):
                return b"".join(chunks), True
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks), False
            chunks.append(chunk)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)  # the child started here, by its id
    except ProcessLookupError:
        pass

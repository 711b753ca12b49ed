"""Where a command may write: every output path is checked before any work is done.

One check for every command (the CLI calls it for each of its outputs, the library where writing
is its own job): an output file has the suffix of what is written (``.xlsx`` for a workbook,
``.json``/``.csv`` for data), is not a folder, is not one of the inputs, and does not replace a
file of another kind (a text file is never overwritten by a workbook); an output folder is a
folder (or can become one) and is not an input folder or inside one. The nearest existing folder
must be writable. Each refusal is a :class:`BudgetxlError` naming the path and what to do.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..errors import BudgetxlError

# what is written -> the suffixes its file may have
SUFFIXES: dict[str, tuple[str, ...]] = {
    "workbook": (".xlsx",),
    "json": (".json",),
    "csv": (".csv",),
}
# suffixes that say "this is a file" (a folder is not named like this)
FILE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".json", ".csv", ".txt", ".pdf", ".zip", ".parquet", ".toml")


def _resolved(p: Path) -> Path:
    try:
        return p.resolve()
    except OSError:
        return p.absolute()


def _kind_of(path: Path) -> str:
    """What an existing file holds, from its first bytes: workbook (a zip), text, or other."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return "other"
    if not head:
        return "empty"
    if head.startswith(b"PK\x03\x04"):
        return "workbook"
    if b"\x00" in head:
        return "other"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # (a character cut at the end of the sample is fine)
            try:
                head.decode("gb18030")
            except UnicodeDecodeError:
                return "other"
    return "text"


def _writable(target: Path) -> None:
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise BudgetxlError("output-parent-not-folder", path=str(target), parent=str(folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BudgetxlError("output-not-writable", path=str(target))


def check_output_file(path: str | os.PathLike[str], kind: str,
                      inputs: Iterable[str | os.PathLike[str]] = ()) -> Path:
    """Refuse ``path`` as the file a command writes ``kind`` (workbook | json | csv) into."""
    p = Path(path)
    if p.is_dir():
        raise BudgetxlError("output-is-folder", path=str(p))
    want = SUFFIXES[kind]
    if p.suffix.lower() not in want:
        raise BudgetxlError("output-suffix", path=str(p), want="、".join(want), kind=BudgetxlError(f"output-kind.{kind}"))
    target = _resolved(p)
    for i in inputs:
        q = Path(i)
        if q.exists() and _resolved(q) == target:
            raise BudgetxlError("output-is-input", path=str(p))
    if p.exists():
        found = _kind_of(p)
        expected = "workbook" if kind == "workbook" else "text"
        if found not in (expected, "empty"):
            raise BudgetxlError("output-other-kind", path=str(p), kind=BudgetxlError(f"output-kind.{kind}"))
    _writable(p)
    return p


def check_output_folder(path: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]] = ()) -> Path:
    """Refuse ``path`` as the folder a command writes its files into."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise BudgetxlError("output-not-folder", path=str(p))
    if not p.exists() and p.suffix.lower() in FILE_SUFFIXES:
        raise BudgetxlError("output-not-folder", path=str(p))
    target = _resolved(p)
    for i in inputs:
        q = Path(i)
        if not q.exists():
            continue
        src = _resolved(q)
        if src == target or (q.is_dir() and src in target.parents):
            raise BudgetxlError("output-in-input", path=str(p), input=str(q))
        if q.is_file() and src == target:
            raise BudgetxlError("output-is-input", path=str(p))
    _writable(p / "x")
    return p


def check_input_file(path: str | os.PathLike[str]) -> Path:
    """A single input that must be a file: found, and not a folder."""
    p = Path(path)
    if not p.exists():
        raise BudgetxlError("file-not-found", path=str(p))
    if p.is_dir():
        raise BudgetxlError("input-is-folder", path=str(p))
    return p

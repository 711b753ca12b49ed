"""The one walker over what a user names as input: files, folders (recursive) and .zip archives.

validate and merge both take their files from here. A zip member is extracted into a work
folder (its bytes must be a file for the readers) and keeps the name the user knows it by,
``archive.zip!folder/member.xlsx``. A path that does not exist is still yielded: reading it
reports it, so one bad name never stops a batch.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import BudgetxlError

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".et", ".xlsb")
LOCK_PREFIXES = ("~$", ".~lock")  # files Excel and LibreOffice keep while a workbook is open

# A batch archive may hold many workbooks, but not more than this.
MAX_ARCHIVE_MEMBERS = 20_000
MAX_ARCHIVE_BYTES = 8 * 2**30


@dataclass
class InputFile:
    path: Path  # where the bytes are (a file in the work folder for zip members)
    display: str  # what the user calls it: the path, or archive.zip!member
    mtime: datetime
    error: tuple[str, dict[str, Any]] | None = None  # refused before reading (an oversized zip member)


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)


def _wanted(name: str) -> bool:
    return Path(name).suffix.lower() in WORKBOOK_SUFFIXES and not name.startswith(LOCK_PREFIXES)


def collect_inputs(inputs: Iterable[str | Path], workdir: Path) -> Iterator[InputFile]:
    """Workbook files from files, folders (recursive) and .zip archives (extracted to workdir)."""
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if not f.is_file() or f.name.startswith(LOCK_PREFIXES):
                    continue
                if f.suffix.lower() == ".zip":
                    yield from _zip_members(f, workdir)
                elif _wanted(f.name):
                    yield InputFile(f, str(f), _mtime(f))
        elif p.suffix.lower() == ".zip" and p.is_file():
            yield from _zip_members(p, workdir)
        else:
            yield InputFile(p, str(p), _mtime(p) if p.exists() else datetime.now(timezone.utc))


def _member_name(info: zipfile.ZipInfo) -> str:
    """Zip member names: UTF-8 when flagged, else the bytes Windows tools write (GBK)."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", errors="replace")
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return info.filename


def _zip_members(archive: Path, workdir: Path) -> Iterator[InputFile]:
    """The workbooks inside a zip archive, extracted one by one into ``workdir``. A member larger
    than any workbook may be is reported, not extracted; an archive with more members or more
    bytes than a batch may hold is refused as a whole (a zip bomb of attachments)."""
    from .intake import LIMITS, human_size

    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        yield InputFile(archive, str(archive), _mtime(archive))  # reported as unreadable
        return
    with zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        if len(infos) > MAX_ARCHIVE_MEMBERS or total > MAX_ARCHIVE_BYTES:
            detail = BudgetxlError("archive-too-big", members=len(infos), size=human_size(total))
            yield InputFile(archive, str(archive), _mtime(archive), ("intake-bomb", {"path": str(archive), "detail": detail}))
            return
        for n, info in enumerate(infos):
            name = _member_name(info)
            base = name.rsplit("/", 1)[-1]
            if info.is_dir() or not _wanted(base):
                continue
            target = workdir / f"{n:05d}{Path(base).suffix.lower()}"
            display = f"{archive}!{name}"
            when = datetime(*info.date_time, tzinfo=timezone.utc) if info.date_time[0] >= 1980 else _mtime(archive)
            if info.file_size > LIMITS.max_file_bytes:
                yield InputFile(target, display, when, ("intake-too-large", {
                    "path": display, "size": human_size(info.file_size), "limit": human_size(LIMITS.max_file_bytes)}))
                continue
            try:
                with zf.open(info) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
                target.write_bytes(b"")  # damaged or encrypted member: the reader reports it
            yield InputFile(target, display, when)


_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>")


def saved_time(path: Path) -> datetime | None:
    """The workbook's own last-saved time (docProps/core.xml), if it has one."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("docProps/core.xml")
            if info.file_size > 1 << 20:
                return None
            m = _MODIFIED.search(zf.read(info))
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    if not m:
        return None
    try:
        return datetime.fromisoformat(m[1].decode().strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return ""
    return h.hexdigest()

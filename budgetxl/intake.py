"""Know what a file is before parsing it, and refuse what must not be parsed.

(First version: the interface the reader uses. See the intake issue for the full scope.)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .findings import Finding, ReadError


@dataclass
class FileKind:
    kind: str  # xlsx | xlsm | xls | ods
    notes: list[Finding] = field(default_factory=list)


def inspect_file(path: str | os.PathLike[str]) -> FileKind:
    """Identify ``path`` by its first bytes; raise ReadError (one clear sentence) for a file that
    is not a readable spreadsheet."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        return FileKind("xlsx")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return FileKind("xls")
    raise ReadError("not-a-workbook", path=str(path), detail="unknown format")

"""The status of a unit or a file in a consolidation: a code, rendered through the catalogue."""

from __future__ import annotations

from ..messages import message

STATUS_SUBMITTED = "submitted"
STATUS_MISSING = "missing"
STATUS_INVALID = "invalid"
STATUS_SUPERSEDED = "superseded"
STATUS_DUPLICATE = "duplicate"
STATUS_UNREADABLE = "unreadable"
STATUS_UNKNOWN_UNIT = "unknown-unit"
STATUS_NOT_IN_ROSTER = "not-in-roster"
STATUS_INCLUDED_INVALID = "included-invalid"
STATUS_OTHER_FORM = "other-form"  # another stage's (or month's) form: consolidated apart


def status_text(status: str, lang: str = "zh") -> str:
    return message(f"status.{status}", lang) if status else ""

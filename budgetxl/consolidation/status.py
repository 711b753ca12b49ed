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


def status_code(text: str | None) -> str | None:
    """The status a text says, in either language (a consolidated workbook written in one
    language is read back in a run in another); None for text that is no status."""
    if not text:
        return None
    from ..messages import LANGS

    for code in (STATUS_SUBMITTED, STATUS_MISSING, STATUS_INVALID, STATUS_SUPERSEDED, STATUS_DUPLICATE,
                 STATUS_UNREADABLE, STATUS_UNKNOWN_UNIT, STATUS_NOT_IN_ROSTER, STATUS_INCLUDED_INVALID,
                 STATUS_OTHER_FORM):
        if any(message(f"status.{code}", lang) == text for lang in LANGS):
            return code
    return None

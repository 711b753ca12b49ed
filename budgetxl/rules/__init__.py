"""The rules: one check per rule id (registered in the modules below), the severity policy, and
the live checks the workbook computes itself.

Importing this package registers every check; a rule of the catalogue without a check fails here,
at import.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..messages import RULES as _TEXTS
from ..messages import RuleText, message_key
from . import fields, indicators, live_checks, live_more, project, stage_checks, stage_live, workbook  # noqa: F401  (registers the checks)
from .docs import rules_markdown
from .engine import check_document, check_located, sort_findings
from .live import NOT_LIVE, live_rules, live_variants
from .registry import CHECKS, severity

_unchecked = sorted(set(_TEXTS) - set(CHECKS))
if _unchecked:
    raise RuntimeError(f"rules without a check: {_unchecked}")
_undecided = sorted({(r.id, v) for r in _TEXTS.values() for v in r.messages} - live_variants() - set(NOT_LIVE))
if _undecided:  # every variant is checked live, or says why the workbook cannot (docs/rules.md)
    raise RuntimeError(f"variants neither live nor declared not live: {_undecided}")


@dataclass(frozen=True)
class Rule:
    """A rule as documented: its catalogue text, and whether the workbook checks it live."""

    text: RuleText
    live: bool

    def __getattr__(self, name: str):
        return getattr(self.text, name)


RULES: dict[str, Rule] = {rid: Rule(text, rid in live_rules()) for rid, text in _TEXTS.items()}
CATALOGUE: list[Rule] = list(RULES.values())

__all__ = ["CATALOGUE", "CHECKS", "RULES", "Rule", "check_document", "check_located", "message_key", "rules_markdown",
           "severity", "sort_findings"]

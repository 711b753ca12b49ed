"""The one catalogue of every sentence budgetxl says, in Chinese (default) and English.

Keys are stable; texts use ``str.format`` names. The catalogue is split by subject into the modules
of this package (files, rules, stage, workbook, consolidation, published, portal, cli) and merged here, so that any key
renders without importing anything else first. Text that describes a particular form (labels,
hints, instructions) is not here: it belongs to the template spec.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .cli import CLI
from .consolidation import CONSOLIDATION
from .files import FILES
from .portal import PORTAL
from .published import PUBLISHED
from .rules import RULES, RuleText, live_key, message_key, rule_messages
from .stage import STAGE, STAGE_RULES
from .workbook import WORKBOOK

for _rule in STAGE_RULES:  # the later stages' rules join the one rule catalogue
    if _rule.id in RULES:
        raise RuntimeError(f"rule {_rule.id!r} defined twice")
    RULES[_rule.id] = _rule

LANGS = ("zh", "en")

# separators of a list within a sentence (see Joined)
SEPARATORS: dict[str, tuple[str, str]] = {"sep.list": ("；", "; "), "sep.comma": ("，", ", ")}

MESSAGES: dict[str, tuple[str, str]] = {}
for _part in (SEPARATORS, FILES, CLI, WORKBOOK, CONSOLIDATION, PUBLISHED, PORTAL, STAGE, rule_messages()):
    _clash = set(_part) & set(MESSAGES)
    if _clash:  # one key, one sentence: a duplicate is a programming error, caught at import
        raise RuntimeError(f"message keys defined twice: {sorted(_clash)}")
    MESSAGES.update(_part)


def pick(texts: tuple[str, str], lang: str) -> str:
    """The text in ``lang`` of a (zh, en) pair (the one place a language is chosen)."""
    return texts[1] if lang == "en" else texts[0]


def message(key: str, lang: str = "zh", **args: Any) -> str:
    """The sentence ``key`` in ``lang`` with ``args`` filled in (the key itself when unknown).

    An argument with a ``render(lang)`` method (a field's label, a nested error) renders in the
    same language."""
    text = pick(MESSAGES.get(key, (key, key)), lang)
    try:
        return text.format(**{k: (v.render(lang) if hasattr(v, "render") else v) for k, v in args.items()})
    except (KeyError, IndexError):
        return text


def has_message(key: str) -> bool:
    return key in MESSAGES


class Phrase(NamedTuple):
    """A sentence of the catalogue kept as key + args, to be part of another message: it renders
    in that message's language (``PDF 3 页`` / ``a PDF of 3 page(s)``)."""

    key: str
    args: dict[str, Any] = {}

    def render(self, lang: str) -> str:
        return message(self.key, lang, **self.args)


class Joined(NamedTuple):
    """Parts (text or phrases) joined by the separator under ``sep`` in the message's language."""

    parts: tuple[Any, ...]
    sep: str = "sep.list"

    def render(self, lang: str) -> str:
        return pick(MESSAGES[self.sep], lang).join(p.render(lang) if hasattr(p, "render") else str(p)
                                                   for p in self.parts)


__all__ = ["LANGS", "MESSAGES", "RULES", "Joined", "Phrase", "RuleText", "has_message", "live_key", "message",
           "message_key", "pick"]

"""The rule registry: one check function per rule id, and the severity policy.

A check is registered with :func:`check` under a rule id of the catalogue
(:mod:`budgetxl.messages.rules`) and declares the message variants it can raise; an unknown id or
variant fails at import, and a check that raises anything it did not declare fails when it does.
Severity is decided in one place, :func:`severity`: the catalogue's default, a template's
override (``[rules.severity]``), ``off`` to silence a rule; a variant the catalogue fixes (the
coverage warnings) keeps its severity unless the rule is off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..findings import Finding
from ..messages import RULES


@dataclass(frozen=True)
class Check:
    rule: str
    variants: tuple[str, ...]
    fn: Callable[[Any], Iterable[Finding]]
    workbook: bool  # needs the workbook itself (metadata, summary sheet, the file): no bare document


CHECKS: dict[str, Check] = {}


def check(rule: str, variants: tuple[str, ...] = ("",), workbook: bool = False):
    """Register ``fn(ctx) -> findings`` as the check of ``rule`` (a decorator)."""
    text = RULES.get(rule)
    if text is None:
        raise RuntimeError(f"no rule {rule!r} in the catalogue (budgetxl/messages/rules.py)")
    unknown = [v for v in variants if v not in text.messages]
    if unknown:
        raise RuntimeError(f"rule {rule!r} has no message variants {unknown} in the catalogue")
    if rule in CHECKS:
        raise RuntimeError(f"rule {rule!r} has two checks")

    def register(fn: Callable[[Any], Iterable[Finding]]) -> Callable[[Any], Iterable[Finding]]:
        CHECKS[rule] = Check(rule, tuple(variants), fn, workbook)
        return fn

    return register


def severity(rule: str, variant: str, template: Any) -> str | None:
    """The severity of a finding under ``template``; None when the rule is off."""
    override = template.rules.severity.get(rule)
    if override == "off":
        return None
    text = RULES[rule]
    return text.fixed.get(variant) or override or text.severity


def run(ctx: Any) -> list[Finding]:
    """Every registered check over ``ctx`` (bare documents skip the workbook-only ones)."""
    findings: list[Finding] = []
    for c in CHECKS.values():
        if c.workbook and ctx.located is None or template_off(c.rule, ctx.template):
            continue
        for f in c.fn(ctx):
            if f.rule != c.rule or f.variant not in c.variants:
                raise RuntimeError(f"check {c.rule!r} raised {f.rule}.{f.variant}, which it does not declare")
            level = severity(f.rule, f.variant, ctx.template)
            if level is not None:
                f.severity = level  # type: ignore[assignment]
                findings.append(f)
    return findings


def template_off(rule: str, template: Any) -> bool:
    return template.rules.severity.get(rule) == "off"

"""docs/rules.md, generated from the catalogue and the registries (checked by a test)."""

from __future__ import annotations

from ..messages import RULES, message_key
from .live import NOT_LIVE, live_variants


def _live(rule_id: str, variants: list[str]) -> str:
    live = live_variants()
    done = [v for v in variants if (rule_id, v) in live]
    return "yes" if len(done) == len(variants) else "partly" if done else "no"


def _why_not(rule_id: str, variants: list[str]) -> list[str]:
    """Lines saying which variants the workbook cannot check, and why."""
    out = []
    for v in variants:
        why = NOT_LIVE.get((rule_id, v))
        if why is not None:
            out.append(f"- `{message_key(rule_id, v)}` is not checked live: {why[1]} / {why[0]}")
    return out


def rules_markdown() -> str:
    lines = [
        "# Validation rules / 校验规则",
        "",
        "Generated from the rule catalogue (`budgetxl/messages/rules.py`) and the check registry "
        "(`budgetxl/rules/`): `python -m budgetxl.rules > docs/rules.md`; do not edit by hand.",
        "A template can switch a rule off or change its severity under `[rules.severity]`.",
        "",
        "*Checked live* means the workbook itself shows the problem in the 校验提示 column beside the cell, "
        "as the clerk types, and counts it in 汇总 (`budgetxl/rules/live*.py`), for every row of a block "
        "including rows the clerk inserts; the same problem is then reported by `validate` at the same cell.",
        "",
        "| id | severity | 规则 | rule | checked live in the workbook |",
        "|---|---|---|---|---|",
    ]
    for r in RULES.values():
        lines.append(f"| `{r.id}` | {r.severity} | {r.title[0]} | {r.title[1]} | {_live(r.id, list(r.messages))} |")
    for r in RULES.values():
        variants = list(r.messages)
        lines += ["", f"## `{r.id}`", "", f"**{r.title[0]}** / {r.title[1]} — default severity: {r.severity}", "",
                  r.explain[0], "", r.explain[1], "", f"Checked live: {_live(r.id, variants)}."]
        why = _why_not(r.id, variants)
        if why:
            lines += [""] + why
        lines += ["", "Messages:", ""]
        for variant, (zh, en) in r.messages.items():
            fixed = f" (always {r.fixed[variant]})" if variant in r.fixed else ""
            lines.append(f"- `{message_key(r.id, variant)}`{fixed}: {zh} / {en}")
    return "\n".join(lines) + "\n"

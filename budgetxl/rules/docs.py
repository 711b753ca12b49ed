"""docs/rules.md, generated from the catalogue and the registries (checked by a test)."""

from __future__ import annotations

from ..messages import RULES, message_key
from .live import live_rules


def rules_markdown() -> str:
    live = live_rules()
    lines = [
        "# Validation rules / 校验规则",
        "",
        "Generated from the rule catalogue (`budgetxl/messages/rules.py`) and the check registry "
        "(`budgetxl/rules/`): `python -m budgetxl.rules > docs/rules.md`; do not edit by hand.",
        "A template can switch a rule off or change its severity under `[rules.severity]`.",
        "",
        "| id | severity | 规则 | rule | checked live in the workbook |",
        "|---|---|---|---|---|",
    ]
    for r in RULES.values():
        lines.append(f"| `{r.id}` | {r.severity} | {r.title[0]} | {r.title[1]} | {'yes' if r.id in live else 'no'} |")
    for r in RULES.values():
        lines += ["", f"## `{r.id}`", "", f"**{r.title[0]}** / {r.title[1]} — default severity: {r.severity}", "",
                  r.explain[0], "", r.explain[1], "", "Messages:", ""]
        for variant, (zh, en) in r.messages.items():
            fixed = f" (always {r.fixed[variant]})" if variant in r.fixed else ""
            lines.append(f"- `{message_key(r.id, variant)}`{fixed}: {zh} / {en}")
    return "\n".join(lines) + "\n"

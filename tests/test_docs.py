"""docs/rules.md is generated from the rule catalogue and must not drift from it."""

from pathlib import Path

from budgetxl.rules import CATALOGUE, rules_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_rules_doc_is_up_to_date():
    on_disk = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert on_disk == rules_markdown(), "run: python -m budgetxl.rules > docs/rules.md"


def test_every_rule_is_documented_with_both_languages():
    doc = rules_markdown()
    for rule in CATALOGUE:
        assert f"## `{rule.id}`" in doc
        assert all(rule.title) and all(rule.explain)

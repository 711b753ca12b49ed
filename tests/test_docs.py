"""The documentation is generated from, or checked against, the code: rules, schema, API examples."""

from __future__ import annotations

import doctest
import json
from decimal import Decimal
import re
import shutil
from pathlib import Path

import jsonschema

from budgetxl.model import Submission, submission_schema
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


def test_schema_is_generated_from_the_model():
    on_disk = json.loads((ROOT / "docs" / "submission.schema.json").read_text(encoding="utf-8"))
    assert on_disk == submission_schema(), "run: python -m budgetxl.model > docs/submission.schema.json"
    jsonschema.Draft202012Validator.check_schema(on_disk)


def test_submission_doc_examples_are_valid_documents():
    """Every JSON example in docs/submission.md validates against the schema and reads as a document."""
    schema = submission_schema()
    text = (ROOT / "docs" / "submission.md").read_text(encoding="utf-8")
    examples = re.findall(r"```json\n(.*?)```", text, re.S)
    assert len(examples) == 3  # the full targets document, the issued-only one, a self-evaluation
    for example in examples:
        data = json.loads(example)
        jsonschema.validate(data, schema)
        doc = Submission.from_json(example)
        assert doc.unit.code == "414001" and doc.projects
        if doc.stage != "targets":  # what the text says the workbook computes from it
            from budgetxl import score_document

            (p,) = score_document(doc)
            assert (p["rate_total"], p["budget_score"], p["total_score"], p["grade"]) == (
                Decimal("85.71"), Decimal("8.57"), Decimal("88.57"), "良")
    seed = json.loads((ROOT / "examples" / "juluxian-2024.json").read_text(encoding="utf-8"))
    jsonschema.validate(seed, schema)
    jsonschema.validate(Submission.from_json(json.dumps(seed)).to_data(), schema)  # what budgetxl writes


def test_python_api_examples_run(tmp_path, monkeypatch):
    """docs/python-api.md, run with doctest in a scratch folder holding a copy of examples/."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    result = doctest.testfile(str(ROOT / "docs" / "python-api.md"), module_relative=False,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, report=True)
    assert result.attempted > 40
    assert result.failed == 0


def test_the_api_is_what_the_docs_show():
    import budgetxl

    text = (ROOT / "docs" / "python-api.md").read_text(encoding="utf-8")
    for name in ("Submission", "load_template", "generate_workbook", "read_workbook", "validate_file",
                 "validate_paths", "merge_files", "sync_workbook", "split_consolidated", "diff_documents",
                 "BudgetxlError", "import_published", "split_documents", "InputFile"):
        assert name in budgetxl.__all__, name
        assert getattr(budgetxl, name) is not None
        assert name in text, name
    assert set(budgetxl.__all__) <= set(dir(budgetxl))

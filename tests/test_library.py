"""The library's contracts: findings render on their own, the rule registry refuses what it does
not know, one template version, documents without a template, the API never prints, merge
--strict reads each input once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

import budgetxl
from budgetxl.findings import Finding
from budgetxl.form.layout import META_SHEET
from budgetxl.model import Submission
from budgetxl.rules import registry
from budgetxl.rules.context import Context
from budgetxl.rules.live import live

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "juluxian-2024.json"


def test_a_finding_renders_with_nothing_else_imported():
    code = ("from budgetxl.findings import Finding; import sys; "
            "f = Finding('budget-sum', args={'total': 71, 'fiscal': 70, 'other': 0}); "
            "sys.stdout.reconfigure(encoding='utf-8'); "
            "print(f.severity, f.message(), f.message('en'), Finding('summary-mismatch').severity, sep='|'); "
            "print(sorted(m for m in sys.modules if m.startswith('budgetxl.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8", check=True)
    first, loaded = out.stdout.splitlines()
    assert first == "error|预算数 71 ≠ 财政资金 70 + 其他资金 0|Total 71 ≠ fiscal 70 + other 0|warning"
    assert "budgetxl.rules" not in loaded and "budgetxl.form" not in loaded  # (the catalogue alone)


def test_the_registry_refuses_unknown_rules_and_variants():
    with pytest.raises(RuntimeError, match="no rule 'budget-total'"):
        registry.check("budget-total")(lambda ctx: [])
    with pytest.raises(RuntimeError, match="no message variants"):
        registry.check("budget-sum", ("negative",))(lambda ctx: [])
    with pytest.raises(RuntimeError, match="two checks"):
        registry.check("budget-sum")(lambda ctx: [])
    with pytest.raises(RuntimeError, match="no live text"):
        live("template-version")(lambda s: [])  # (a rule the workbook cannot check: no live text)


def test_a_check_raising_an_undeclared_variant_fails(monkeypatch):
    t = budgetxl.load_template()
    sneaky = registry.Check("budget-sum", ("",), lambda ctx: [Finding("budget-sum", key="budget-sum.other")], False)
    monkeypatch.setattr(registry, "CHECKS", {"budget-sum": sneaky})
    with pytest.raises(RuntimeError, match="does not declare"):
        registry.run(Context(Submission(), t))


def test_severity_is_decided_in_one_place(tmp_path):
    t = budgetxl.load_template()
    assert registry.severity("budget-sum", "", t) == "error"
    assert registry.severity("summary-mismatch", "", t) == "warning"
    assert registry.severity("indicator-coverage", "expected", t) == "warning"  # fixed by the catalogue
    text = (ROOT / "templates" / "perf-targets.toml").read_text(encoding="utf-8")
    spec = tmp_path / "t.toml"
    spec.write_text(text.replace("[rules.severity]\n", '[rules.severity]\n"indicator-coverage" = "off"\n'
                                 '"budget-sum" = "warning"\n'), encoding="utf-8")
    custom = budgetxl.load_template(spec)
    assert registry.severity("budget-sum", "", custom) == "warning"
    assert registry.severity("indicator-coverage", "expected", custom) is None


def test_a_workbook_records_the_template_it_was_made_with(tmp_path):
    """A document naming an older version of the template gives a workbook of the current one,
    which passes its own template-version check."""
    data = json.loads(SEED.read_text(encoding="utf-8"))
    data["template"]["version"] = "2023010101"
    old = Submission.model_validate(data)
    path = budgetxl.generate_workbook(old, tmp_path / "x.xlsx")
    t = budgetxl.load_template()
    wb = openpyxl.load_workbook(path)
    meta = {r[0].value: r[1].value for r in wb[META_SHEET].iter_rows()}
    assert (meta["template_id"], meta["template_version"]) == (t.id, t.version)
    assert wb["单位信息"]["B6"].value == f"{t.id}@{t.version}"
    report = budgetxl.validate_file(path)
    assert not [f for f in report.findings if f.rule == "template-version"] and report.valid
    assert budgetxl.read_workbook(path).doc.template.version == t.version


def test_a_document_without_a_template_uses_the_default(tmp_path):
    doc = Submission.model_validate({"year": 2025, "unit": {"code": "414001", "name": "巨鹿县", "region": "130529"},
                                     "projects": [{"code": "13052925P005840123885", "name": "项目",
                                                   "budget": {"total": 1, "fiscal": 1, "other": 0}}]})
    assert doc.template is None and doc.to_data()["template"] is None
    path = budgetxl.generate_workbook(doc, tmp_path / "x.xlsx")
    back = budgetxl.read_workbook(path).doc
    assert back.template.id == "perf-targets" and back.projects[0].name == "项目"


def test_the_library_never_prints(tmp_path, capsys):
    doc = budgetxl.load_document(SEED)
    path = budgetxl.generate_workbook(doc, tmp_path / "in" / "a.xlsx")
    report = budgetxl.validate_paths([tmp_path / "in", tmp_path / "missing.xlsx"])
    budgetxl.annotate_copy(report.files[0], tmp_path / "back")
    cons = budgetxl.merge_files([path])
    cons.write(tmp_path / "c.xlsx", tmp_path / "data")
    budgetxl.split_consolidated(tmp_path / "c.xlsx", tmp_path / "next")
    budgetxl.sync_workbook(path, doc, tmp_path / "s.xlsx")
    budgetxl.diff_documents(doc, doc)
    budgetxl.validate_document(doc)
    imported = budgetxl.import_published(ROOT / "examples" / "juluxian-2024-published.txt")
    budgetxl.split_documents([imported.doc], tmp_path / "published")
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_merge_strict_reads_each_input_once(tmp_path, monkeypatch):
    import budgetxl.consolidation as consolidation
    from budgetxl.cli import app

    for code in ("414001", "401001"):
        data = json.loads(SEED.read_text(encoding="utf-8"))
        data["unit"]["code"] = code
        for i, p in enumerate(data["projects"]):
            p["code"] = f"13052924P{code}{i:06d}"
        budgetxl.generate_workbook(Submission.model_validate(data), tmp_path / "in" / f"{code}.xlsx")
    (tmp_path / "units.csv").write_text("code,name,region\n414001,巨鹿县市场监督管理局本级,130529\n"
                                        "401001,巨鹿县市场监督管理局本级,130529\n", encoding="utf-8")
    log = tmp_path / "reads.log"  # (files are read in worker processes: each read leaves a line)
    real = consolidation.ingest

    def ingest(inp, *a):
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(inp.display + "\n")
        return real(inp, *a)
    monkeypatch.setattr(consolidation, "ingest", ingest)
    out = tmp_path / "c.xlsx"
    res = CliRunner().invoke(app, ["merge", str(tmp_path / "in"), "-o", str(out), "--strict", "--jobs", "1",
                                   "--units", str(tmp_path / "units.csv")])
    assert res.exit_code == 0, res.output
    assert out.is_file() and len(log.read_text(encoding="utf-8").splitlines()) == 2

"""Import of the seed's published text (examples/juluxian-2024-published.txt, the county's 2024
targets as text taken from its PDF) and of PDFs of the same document.

The expected document is examples/juluxian-2024.json, read as raw JSON; every field is compared.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from budgetxl.model import Submission
from budgetxl.published import import_published
from budgetxl import validate_document as check_document
from budgetxl import generate_workbook
from published_docs import fodt

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "examples" / "juluxian-2024-published.txt"
EXAMPLE = ROOT / "examples" / "juluxian-2024.json"
WRITER = Path("/usr/lib/libreoffice/program/libswlo.so")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "budgetxl", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def example() -> Submission:
    return Submission.from_json(EXAMPLE.read_bytes())


@pytest.fixture(scope="module")
def imported():
    return import_published(PUBLISHED)


def assert_every_field(got: Submission, raw: dict) -> None:
    """Field by field against the raw JSON (so a failure names the field)."""
    assert (got.year, got.unit.code, got.unit.name, got.unit.region) == (
        raw["year"], raw["unit"]["code"], raw["unit"]["name"], raw["unit"]["region"])
    assert (got.template.id, got.template.version) == (raw["template"]["id"], raw["template"]["version"])
    for key in ("overall", "items", "safeguards"):
        assert getattr(got.overview, key) == raw["overview"][key], key
    assert len(got.projects) == len(raw["projects"]) == 10
    for p, rp in zip(got.projects, raw["projects"]):
        where = rp["code"]
        assert (p.code, p.name, p.purpose, p.goals) == (rp["code"], rp["name"], rp["purpose"], rp["goals"]), where
        assert [p.budget.total, p.budget.fiscal, p.budget.other] == [
            Decimal(str(rp["budget"][k])) for k in ("total", "fiscal", "other")], where
        assert [(s.month, s.percent) for s in p.spending_plan] == [
            (s["month"], Decimal(str(s["percent"]))) for s in rp["spending_plan"]], where
        assert len(p.indicators) == len(rp["indicators"]), where
        for ind, ri in zip(p.indicators, rp["indicators"]):
            text = ri["value"] if isinstance(ri["value"], str) else ri["value"]["text"]
            assert (ind.level1, ind.level2, ind.name, ind.description, ind.value.text, ind.basis) == (
                ri["level1"], ri["level2"], ri["name"], ri["description"], text, ri["basis"]), (where, ri["name"])


def test_the_published_text_gives_the_example_field_by_field(imported, example):
    raw = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert imported.layout.id == "hebei-county"
    assert sum(len(p.indicators) for p in imported.doc.projects) == 59
    assert_every_field(imported.doc, raw)
    assert imported.doc == example  # and the whole model, values parsed the same way


def test_it_validates_like_the_example(imported, example):
    def summary(findings):
        return sorted((f.rule, f.severity, f.message("en")) for f in findings)

    assert summary(imported.findings) == summary(check_document(example))
    assert (imported.errors, imported.warnings) == (0, 2)
    # the two warnings are the projects without a 满意度 indicator (3 and 10)
    assert sorted(f.project for f in imported.findings) == [2, 9]


def test_what_is_inferred_is_said_and_nothing_is_missing(imported):
    kinds = {(n.kind, n.field) for n in imported.notes}
    assert ("derived", "unit.region") in kinds and ("derived", "year") in kinds  # from the project codes
    assert sorted(n.project for n in imported.notes if n.field == "budget.other") == list(range(1, 11))
    assert not [n for n in imported.notes if n.kind in ("missing", "unreadable", "ignored", "conflict")]
    assert [n.detail for n in imported.notes if n.kind == "furniture"] == ["13"]  # the page number
    assert not imported.needs_attention


def test_gbk_text_reads_the_same(tmp_path, imported):
    gbk = tmp_path / "巨鹿县2024绩效目标.txt"
    gbk.write_bytes(PUBLISHED.read_text(encoding="utf-8").encode("gbk"))
    assert import_published(gbk).doc == imported.doc


def test_cli_writes_the_document_and_reports(tmp_path, example):
    out = tmp_path / "巨鹿县2024.json"
    res = run("import", str(PUBLISHED), "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert Submission.from_json(out.read_bytes()) == example
    assert "10 个项目，59 条指标" in res.stdout and "0 个错误，2 个警告" in res.stdout
    assert "推断" in res.stdout and "130529" in res.stdout
    assert res.stderr == ""
    en = run("import", str(PUBLISHED), "--lang", "en")  # no -o: the JSON on stdout, the report on stderr
    assert en.returncode == 0
    assert Submission.model_validate(json.loads(en.stdout)) == example
    assert "10 project(s), 59 indicator(s)" in en.stderr and "个" not in en.stderr.replace(example.unit.name, "")


def test_diff_against_the_submission(tmp_path, example):
    same = run("import", str(PUBLISHED), "-o", str(tmp_path / "a.json"), "--diff-against", str(EXAMPLE))
    assert same.returncode == 0, same.stdout + same.stderr
    assert f"与 {EXAMPLE} 一致" in same.stdout
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["projects"][0]["indicators"][0]["value"] = "≤45人"
    del data["projects"][9]
    submitted = tmp_path / "submitted.xlsx"
    generate_workbook(Submission.model_validate(data), submitted)
    res = run("import", str(PUBLISHED), "-o", str(tmp_path / "b.json"), "--diff-against", str(submitted), "--lang", "en")
    assert res.returncode == 1, res.stdout + res.stderr
    assert "≤45人 → ≤40人" in res.stdout
    assert "+ only published 13052924P00584012385A 质量安全监管专项经费" in res.stdout


def test_split_from_published_makes_next_years_workbooks(tmp_path, example):
    from budgetxl import read_workbook

    folder = tmp_path / "2024公开"
    folder.mkdir()
    (folder / "巨鹿县.txt").write_bytes(PUBLISHED.read_bytes())
    (folder / "说明.txt").write_text("这是一份说明，不是绩效目标表。\n", encoding="utf-8")
    res = run("split", "--from-published", str(folder), "-o", str(tmp_path / "2025"), "--year", "2025")
    assert res.returncode == 1, res.stdout + res.stderr  # one source refused: done, needs attention
    assert len(res.stderr.strip().splitlines()) == 1 and "说明.txt" in res.stderr
    books = sorted((tmp_path / "2025").glob("*.xlsx"))
    assert [b.name for b in books] == ["414001_巨鹿县市场监督管理局本级_2025年绩效目标表.xlsx"]
    doc = read_workbook(books[0]).doc
    assert doc.year == 2025
    # last year's codes kept as 上年项目编码 (this year's come with a budget list), the rest as published
    expected = [p.model_copy(update={"code": None, "extra": {**p.extra, "prev_code": p.code}}) for p in example.projects]
    assert doc.projects == expected and doc.overview == example.overview


# ---- PDFs ---------------------------------------------------------------------------------------------

@pytest.mark.libreoffice
def test_the_seed_workbook_printed_by_libreoffice_imports_back(tmp_path, soffice, example):
    """generate the seed's workbook, let LibreOffice print it to PDF, import the PDF."""
    book = tmp_path / "xlsx" / "巨鹿县.xlsx"
    book.parent.mkdir()
    generate_workbook(example, book)
    (pdf,) = soffice([book], "pdf", tmp_path / "pdf")
    result = import_published(pdf)
    assert result.layout.id == "budgetxl-workbook"
    raw = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert_every_field(result.doc, raw)
    assert result.doc == example
    assert (result.errors, result.warnings) == (0, 2)
    assert not [n for n in result.notes if n.kind in ("missing", "unreadable", "ignored", "conflict")]


@pytest.mark.libreoffice
def test_last_years_codes_printed_below_the_tables_import_as_prev_code(tmp_path, soffice, example):
    """The 上年项目编码 block below each indicator table (split --year) ends the table: read back as
    extra.prev_code, never an indicator row, never a new project, even where it is alone on a page."""
    doc = example.model_copy(update={"projects": [
        p.model_copy(update={"extra": {**p.extra, "prev_code": f"1305292{k}P00584000000{k}"}})
        for k, p in enumerate(example.projects)]})
    book = tmp_path / "xlsx" / "巨鹿县.xlsx"
    book.parent.mkdir()
    generate_workbook(doc, book)
    (pdf,) = soffice([book], "pdf", tmp_path / "pdf")
    result = import_published(pdf)
    assert result.doc == doc
    assert not [n for n in result.notes if n.kind in ("missing", "unreadable", "ignored", "conflict", "empty-rows")]


@pytest.mark.libreoffice
@pytest.mark.skipif(not WRITER.exists(), reason="LibreOffice Writer (libreoffice-writer) is not installed")
def test_the_seed_text_typeset_by_writer_imports_like_the_text(tmp_path, soffice, imported):
    """The published text set as a publisher would: A4 pages, a running header, page numbers; the
    tables then break across pages anywhere."""
    lines = PUBLISHED.read_text(encoding="utf-8").split("\n")
    src = tmp_path / "src" / "巨鹿县2024年部门预算.fodt"
    src.parent.mkdir()
    src.write_text(fodt(lines, header="巨鹿县市场监督管理局2024年部门预算", footer="- {page} -"), encoding="utf-8")
    (pdf,) = soffice([src], "pdf", tmp_path / "pdf")
    result = import_published(pdf)
    assert result.doc == imported.doc
    furniture = [n.detail for n in result.notes if n.kind == "furniture"]
    pages = len([f for f in furniture if re.fullmatch(r"- \d+ -", f or "")])
    assert pages > 20 and "巨鹿县市场监督管理局 2024 年部门预算" in furniture  # headers and numbers removed

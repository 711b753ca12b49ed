"""Synthetic published documents in each layout (built here, see published_docs.py): as text the
way PDF extraction flattens it, and as ruled tables typeset by LibreOffice Writer.

Each document carries the hazards of real published text: codes split across lines, page breaks
(page number, running header, the table header again) in the middle of tables, amounts in 元 with
thousands separators or written 250万, rows not grouped by 一级指标, codes inside names, separate
计算符号/度量单位/权重 columns, 成本指标 as a 一级指标, empty 二级 rows, empty 描述 cells,
full-width values. The test first checks that the hazard is really in the document, then that the
import gives back the document it was made from, with what the layout lacks reported missing.
"""

from __future__ import annotations

import random
import re
from decimal import Decimal
from pathlib import Path

import pytest

from budgetxl.model import Submission
from budgetxl.published import import_published
from published_docs import (central_ruled, central_text, fodt, hebei_ruled, hebei_text, sichuan_ruled, sichuan_text,
                            synthetic_doc)

WRITER = Path("/usr/lib/libreoffice/program/libswlo.so")


def hebei_doc(seed: int) -> dict:
    return synthetic_doc(seed)


def sichuan_doc(seed: int) -> dict:
    return synthetic_doc(seed, template="perf-targets-cost", code_letter="T", qualitative=True, overview=False)


def central_doc(seed: int) -> dict:
    doc = synthetic_doc(seed, template="perf-targets-cost", qualitative=True, overview=False)
    for p in doc["projects"]:
        random.Random(seed).shuffle(p["indicators"])  # rows in no particular order of 一级指标
    return doc


def expected(doc: dict, lacks: tuple[str, ...] = ()) -> Submission:
    """The document as the layout can carry it: what it has no place for stays empty."""
    data = {**doc, "projects": []}
    for p in doc["projects"]:
        p = {**p, "indicators": [dict(i) for i in p["indicators"]]}
        if "purpose" in lacks:
            p["purpose"] = None
        if "spending_plan" in lacks:
            p["spending_plan"] = []
        for ind in p["indicators"]:
            for field in ("description", "basis"):
                if field in lacks:
                    ind[field] = None
        data["projects"].append(p)
    return Submission.model_validate(data)


def missing(result, field: str) -> list[int]:
    return sorted(n.project for n in result.notes if n.kind == "missing" and n.field == field)


def _joined_somewhere(text: str, code: str) -> bool:
    """The code is not on one line, but two consecutive lines make it (a split code)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return not any(code in ln for ln in lines) and any(code in a + b for a, b in zip(lines, lines[1:]))


def _break_inside_a_table(text: str) -> bool:
    """A page number falls after an indicator header and before the next project's title."""
    return bool(re.search(r"一级指标[^\n]*\n(?:(?!绩效目标表)[\s\S])*?\n- \d+ -\n", text))


# ---- text, as extracted ---------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [1, 2, 3])
def test_hebei_text(tmp_path, seed):
    doc = hebei_doc(seed)
    text = hebei_text(doc, seed)
    assert any(_joined_somewhere(text, p["code"]) for p in doc["projects"])  # split codes
    assert _break_inside_a_table(text)
    assert any(i["description"] is None for p in doc["projects"] for i in p["indicators"])  # empty 描述
    src = tmp_path / "hebei.txt"
    src.write_text(text, encoding="utf-8")
    result = import_published(src)
    assert result.layout.id == "hebei-county"
    assert result.doc == expected(doc)
    assert not [n for n in result.notes if n.kind in ("missing", "unreadable", "ignored")]
    furniture = [n.detail for n in result.notes if n.kind == "furniture"]
    assert "某某县2024年部门预算公开" in furniture and "- 1 -" in furniture


@pytest.mark.parametrize("seed", [1, 4])
def test_sichuan_text_code_in_name_yuan_separate_columns(tmp_path, seed):
    doc = sichuan_doc(seed)
    text = sichuan_text(doc, seed)
    assert re.search(r"项目名称 \d{8}T\d", text) and any(_joined_somewhere(text, p["code"]) for p in doc["projects"])
    assert re.search(r"年度资金总额 \d{1,3}(,\d{3})+\.\d\d", text)  # 元, thousands separators
    assert "指标性质 指标值 度量单位 权重 指标方向性" in text and _break_inside_a_table(text)
    src = tmp_path / "sichuan.txt"
    src.write_text(text, encoding="utf-8")
    result = import_published(src, region="510923")
    assert result.layout.id == "sichuan-county"
    assert result.doc == expected(doc, lacks=("purpose", "spending_plan", "description", "basis"))
    projects = list(range(1, len(doc["projects"]) + 1))
    assert missing(result, "purpose") == missing(result, "spending_plan") == projects  # reported, not invented
    assert not [n for n in result.notes if n.kind in ("unreadable", "ignored")]


def test_sichuan_with_the_citys_own_template(tmp_path):
    """A Sichuan city's template knows its code pattern: the region then comes from the codes and
    the codes validate; what remains is what the layout does not print."""
    spec = ('[template]\nbase = "perf-targets-cost"\nid = "sc-perf-targets"\nversion = "2024112801"\n'
            "code_pattern = '^(?P<region>\\d{6})(?P<year>\\d{2})T\\d{12}$'\n")
    template = tmp_path / "sc-perf-targets.toml"
    template.write_text(spec, encoding="utf-8")
    doc = sichuan_doc(5)
    src = tmp_path / "sichuan.txt"
    src.write_text(sichuan_text(doc, 5), encoding="utf-8")
    result = import_published(src, template=template)
    assert result.doc.unit.region == "510923" and result.doc.template.id == "sc-perf-targets"
    assert {f.rule for f in result.findings if f.severity == "error"} == {"required-field"}  # purpose, plan
    assert result.needs_attention


@pytest.mark.parametrize("seed", [1, 5, 118])  # 118: pages end on a row's 分值, just before "- N -"
def test_central_text_cost_level1_unordered_rows_empty_level2(tmp_path, seed):
    doc = central_doc(seed)
    text = central_text(doc, seed)
    assert re.search(r"年度资金总额：[\d.]+万 ", text)
    def grouped(level1s: list[str]) -> bool:  # each 一级指标 in one run
        runs = [a for k, a in enumerate(level1s) if k == 0 or a != level1s[k - 1]]
        return len(runs) == len(set(runs))

    assert not all(grouped([i["level1"] for i in p["indicators"]]) for p in doc["projects"])
    assert all("成本指标" in [i["level1"] for i in p["indicators"]] for p in doc["projects"])
    # an empty 二级 row printed (no indicator of the document is 生态效益指标)
    assert "生态效益指" in text and not any(i["level2"] == "生态效益指标" for p in doc["projects"] for i in p["indicators"])
    src = tmp_path / "central.txt"
    src.write_text(text, encoding="utf-8")
    result = import_published(src)
    assert result.layout.id == "central-cost"
    assert result.doc == expected(doc, lacks=("description", "basis"))
    assert sorted(n.project for n in result.notes if n.kind == "empty-rows") == list(range(1, len(doc["projects"]) + 1))
    assert not [n for n in result.notes if n.kind in ("missing", "unreadable", "ignored")]


def test_amounts_in_yuan_and_in_wan_are_the_same_amounts(tmp_path):
    """元 with thousands separators and 250万 both come out in 万元, exactly."""
    doc = sichuan_doc(7)
    for p, total, fiscal in zip(doc["projects"], ("250", "123.456789", "0.5", "1234.5"), ("200", "100", "0.5", "1000")):
        p["budget"] = {"total": Decimal(total), "fiscal": Decimal(fiscal), "other": Decimal(total) - Decimal(fiscal)}
    (tmp_path / "yuan.txt").write_text(sichuan_text(doc, 7), encoding="utf-8")
    (tmp_path / "wan.txt").write_text(central_text(doc, 7), encoding="utf-8")
    assert "2,500,000.00" in (tmp_path / "yuan.txt").read_text(encoding="utf-8")
    yuan = import_published(tmp_path / "yuan.txt").doc
    wan = import_published(tmp_path / "wan.txt").doc
    assert [p.budget for p in yuan.projects] == [p.budget for p in wan.projects] == [
        p.budget for p in Submission.model_validate(doc).projects]


# ---- ruled tables, typeset by LibreOffice Writer ----------------------------------------------------------

@pytest.fixture(scope="module")
def ruled_pdfs(tmp_path_factory, soffice):
    if not WRITER.exists():
        pytest.skip("LibreOffice Writer (libreoffice-writer) is not installed")
    src = tmp_path_factory.mktemp("fodt")
    docs = {"hebei": hebei_doc(11), "sichuan": sichuan_doc(12), "central": central_doc(13)}
    build = {"hebei": hebei_ruled, "sichuan": sichuan_ruled, "central": central_ruled}
    files = []
    for name, doc in docs.items():
        f = src / f"{name}.fodt"
        f.write_text(fodt(build[name](doc), header="某县2024年部门预算", footer="第 {page} 页"), encoding="utf-8")
        files.append(f)
    pdfs = soffice(files, "pdf", tmp_path_factory.mktemp("pdf"))
    return {name: (docs[name], pdf) for name, pdf in zip(docs, pdfs)}


@pytest.mark.libreoffice
@pytest.mark.parametrize("name, lacks, kwargs", [
    ("hebei", (), {}),
    ("sichuan", ("purpose", "spending_plan", "description", "basis"), {"region": "510923"}),
    ("central", ("description", "basis"), {}),
])
def test_ruled_pdf(ruled_pdfs, name, lacks, kwargs):
    doc, pdf = ruled_pdfs[name]
    result = import_published(pdf, **kwargs)
    assert result.doc == expected(doc, lacks)
    assert not [n for n in result.notes if n.kind in ("unreadable", "ignored", "conflict")]
    pages = [n.detail for n in result.notes if n.kind == "furniture" and re.fullmatch(r"第 \d+ 页", n.detail or "")]
    assert len(pages) >= 2  # the tables ran over pages

"""The importer's parts on small inline cases: labels that wrap, amounts, spending plans, numbered
lists, page furniture, layout specs (a new layout is a new file, no code)."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from budgetxl.published import import_published
from budgetxl.published import fields as F
from budgetxl.published.furniture import remove_furniture
from budgetxl.published.layout import LayoutError, all_layouts, builtin_layouts, parse_layout
from budgetxl.published.text import Line, label_regex
from published_docs import hebei_text, synthetic_doc

ROOT = Path(__file__).resolve().parents[1]


def lines(*texts: str) -> list[Line]:
    return [Line(t) for t in texts]


@pytest.mark.parametrize("text, found", [
    ("其中：财政\n资金\n70.00", True),  # broken across lines
    ("70.00 其他资金\n", True),  # after a space
    ("二、分项绩效目标", True),  # numbered heading
    ("项目名称：办公楼维修", True),  # with a colon
    ("本项目的其他资金来源", False),  # inside a sentence
])
def test_labels(text, found):
    label = {"其中：财政\n资金\n70.00": "其中：财政资金", "70.00 其他资金\n": "其他资金", "二、分项绩效目标": "分项绩效目标",
             "项目名称：办公楼维修": "项目名称", "本项目的其他资金来源": "其他资金"}[text]
    assert bool(label_regex(label).search(text)) is found


@pytest.mark.parametrize("text, unit, amount, rest", [
    ("70.00", "万元", Decimal("70.00"), ""),
    ("2,500,000.00", "元", Decimal("250"), ""),
    ("250万", "元", Decimal("250"), ""),
    ("4.6万元", "元", Decimal("4.6"), ""),
    ("1,234.56 元", "万元", Decimal("0.123456"), ""),
    ("\n该项目用于发放工资", "万元", None, "该项目用于发放工资"),  # blank cell, then the next field's text
    ("2024年起用于", "万元", None, "2024年起用于"),  # a year is not an amount
])
def test_amounts(text, unit, amount, rest):
    got, left = F.amount(lines(*text.split("\n")), unit)
    assert (got, left) == (amount, rest)
    if got is not None:
        assert got == amount  # exact: Decimal, no float on the way


@pytest.mark.parametrize("texts, plan", [
    (("3 月底 6 月底 10 月底 12 月底", "25% 50% 75% 100%"), [(3, 25), (6, 50), (10, 75), (12, 100)]),
    (("3月底 20% 6月底 45% 10月底 80% 12月底 100%",), [(3, 20), (6, 45), (10, 80), (12, 100)]),
    (("（", "3月底", "6月底", "%）", "30", "60"), [(3, 30), (6, 60)]),
    (("6月末 0.5 12月末 1",), [(6, 50), (12, 100)]),
])
def test_spending_plans(texts, plan):
    assert [(p["month"], p["percent"]) for p in F.spending_plan(lines(*texts))] == [
        (m, Decimal(v)) for m, v in plan]


def test_a_spending_plan_that_does_not_add_up_is_unreadable_not_guessed():
    with pytest.raises(F.Unreadable):
        F.spending_plan(lines("3 月底 6 月底 10 月底 12 月底", "25% 50%"))


def test_numbered_lists_run_on():
    got = F.items(lines("1.该项目用于检测费、印刷费等支出，其中购置设备共计", "3.5万元，按计划执行", "2.计划于 12 月底前支出",
                        "完毕。", "3.", "4.该项目的实施有利于", "6.提升能力"), ref=25)
    # 3.5万元 and 6. are not item numbers (a decimal, not the next number); an empty item is dropped
    assert got == ["该项目用于检测费、印刷费等支出，其中购置设备共计3.5万元，按计划执行", "计划于12月底前支出\n完毕。",
                   "该项目的实施有利于\n6.提升能力"]


def test_paragraphs_keep_their_breaks():
    text = F.paragraphs(lines("1、加强组织领导", "成立由局长任组长的领导小组，将事前评估、目标管理、运行监控、绩效评", "价等措施融入预算管理。"), ref=34)
    assert text == "1、加强组织领导\n成立由局长任组长的领导小组，将事前评估、目标管理、运行监控、绩效评价等措施融入预算管理。"


def test_page_numbers_go_but_numbers_in_tables_stay():
    bare = [Line("权重"), Line("20"), Line("正向指标"), Line("13", gap_before=3), Line("产出指标", gap_before=1)]
    kept, removed = remove_furniture(bare, lambda text: 0)
    assert [it.text for it in kept] == ["权重", "20", "正向指标", "产出指标"] and removed == ["13"]
    # the last cell of a page's last row (a 分值) before a page number spelled out stays
    spelled = [Line("≥95%"), Line("10"), Line("第 2 页，共 9 页", gap_before=3), Line("- 3 -"), Line("3/12"),
               Line("Page 4 of 9")]
    kept, removed = remove_furniture(spelled, lambda text: 0)
    assert [it.text for it in kept] == ["≥95%", "10"] and len(removed) == 4


def test_running_headers_next_to_page_numbers_go():
    body = [Line(f"第{k}行内容，足够长的一行正文") for k in range(6)]
    items = [*body[:3], Line("- 1 -", gap_before=2), Line("某某县2024年部门预算"), *body[3:],
             Line("- 2 -", gap_before=2), Line("某某县2024年部门预算"), Line("安排")]
    kept, removed = remove_furniture(items, lambda text: 0)
    assert "某某县2024年部门预算" not in [it.text for it in kept] and "安排" in [it.text for it in kept]


# ---- layout specs ------------------------------------------------------------------------------------------

def test_the_builtin_layouts_load_and_are_documented():
    doc = (ROOT / "docs" / "published-import.md").read_text(encoding="utf-8")
    assert {lay.id for lay in all_layouts()} == set(builtin_layouts()) == {
        "hebei-county", "budgetxl-workbook", "sichuan-county", "central-cost"}
    for lay in all_layouts():
        assert f"`{lay.id}`" in doc


@pytest.mark.parametrize("change, message", [
    (lambda s: s.replace('{ label = "三级指标", field = "name" },', ""), "三级指标"),
    (lambda s: s.replace('field = "basis"', 'field = "bases"'), "bases"),
    (lambda s: s.replace("title = ['^", "title = ['(^"), "title"),
])
def test_a_broken_spec_is_refused_with_its_reason(change, message):
    spec = builtin_layouts()["hebei-county"].read_text(encoding="utf-8")
    with pytest.raises(LayoutError) as exc:
        parse_layout(change(spec), "my.toml")
    text = str(exc.value)
    assert text.startswith("my.toml") and "\n" not in text
    if message == "三级指标":
        assert "name" in text


def test_a_new_layout_is_a_new_spec(tmp_path):
    """A publisher who writes 项目代码 and 绩效目标申报表: a copy of a spec with those words, no code."""
    spec = builtin_layouts()["hebei-county"].read_text(encoding="utf-8")
    spec = spec.replace('id = "hebei-county"', 'id = "my-city"').replace("项目编码", "项目代码")
    spec = spec.replace("绩效目标表$", "绩效目标申报表$")
    layout = tmp_path / "my-city.toml"
    layout.write_text(spec, encoding="utf-8")
    doc = synthetic_doc(21)
    text = hebei_text(doc, 21).replace("项目编码", "项目代码").replace("绩效目标表", "绩效目标申报表")
    src = tmp_path / "my-city.txt"
    src.write_text(text, encoding="utf-8")
    result = import_published(src, layout=layout)
    assert result.layout.id == "my-city" and len(result.doc.projects) == len(doc["projects"])
    assert [p.code for p in result.doc.projects] == [p["code"] for p in doc["projects"]]
    res = subprocess.run([sys.executable, "-m", "budgetxl", "import", str(src)], capture_output=True, text=True,
                         encoding="utf-8", timeout=300)
    assert res.returncode == 2 and "缺“项目编码”" in res.stderr  # without the spec: refused, saying why
    broken = tmp_path / "broken.toml"
    broken.write_text(spec.replace("[layout]", "[layout\n"), encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "budgetxl", "import", str(src), "--layout", str(broken)],
                         capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1 and "broken.toml" in res.stderr


def test_the_library_prints_nothing(capsys):
    result = import_published(ROOT / "examples" / "juluxian-2024-published.txt")
    assert capsys.readouterr() == ("", "")
    data = result.to_data()
    assert (data["layout"], data["projects"], data["indicators"]) == ("hebei-county", 10, 59)
    assert re.fullmatch(r"\d{6}", result.doc.unit.region or "")

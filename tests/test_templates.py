"""Templates are data: switching the indicator framework needs no code change."""

from __future__ import annotations

import openpyxl
import pytest

from budgetxl.model import Submission
from budgetxl.workbook.reader import read_workbook
from budgetxl.form import TemplateError, builtin_templates, load_template, parse_template
from budgetxl.rules import check_document
from budgetxl.workbook.validate import validate_file
from budgetxl.workbook.writer import generate_workbook


def _doc(template_id: str, indicators: list[dict]) -> Submission:
    return Submission.model_validate({
        "template": {"id": template_id, "version": load_template(template_id).version},
        "year": 2024,
        "unit": {"code": "414001", "name": "巨鹿县市场监督管理局本级", "region": "130529"},
        "projects": [{
            "code": "13052924P005840123885", "name": "测试项目",
            "budget": {"total": 10, "fiscal": 10, "other": 0}, "purpose": "用于测试",
            "spending_plan": [{"month": m, "percent": p} for m, p in ((3, 25), (6, 50), (10, 75), (12, 100))],
            "goals": ["目标一"],
            "indicators": indicators,
        }],
    })


def _retemplate(doc: Submission, tid: str, version: str) -> Submission:
    return Submission.model_validate({**doc.model_dump(by_alias=True), "template": {"id": tid, "version": version}})


COST_FRAMEWORK_INDICATORS = [
    {"level1": "产出指标", "level2": "数量指标", "name": "数量", "value": "≥2个", "basis": "工作计划"},
    {"level1": "产出指标", "level2": "质量指标", "name": "质量", "value": "100%", "basis": "工作计划"},
    {"level1": "产出指标", "level2": "时效指标", "name": "时效", "value": "12月底前完成", "basis": "工作计划"},
    {"level1": "成本指标", "level2": "经济成本指标", "name": "成本", "value": "≤10万元", "basis": "预算支出标准"},
    {"level1": "效益指标", "level2": "社会效益指标", "name": "效益", "value": "≥90%", "basis": "工作计划"},
    {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "满意度", "value": "≥90%", "basis": "调查问卷"},
]


def test_builtin_templates_ship_both_frameworks():
    assert {"perf-targets", "perf-targets-cost"} <= set(builtin_templates())
    seed, cost = load_template("perf-targets"), load_template("perf-targets-cost")
    assert "成本指标" in seed.level2_of["产出指标"]
    assert cost.level2_of["成本指标"] == ["经济成本指标", "社会成本指标", "生态环境成本指标"]
    assert "成本指标" not in cost.level2_of["产出指标"]
    assert int(seed.version) > 2000000000


def test_switching_framework_is_data_only(tmp_path):
    doc = _doc("perf-targets-cost", COST_FRAMEWORK_INDICATORS)
    cost = load_template("perf-targets-cost")
    path = tmp_path / "cost.xlsx"
    generate_workbook(doc, path, cost)
    assert read_workbook(path).doc == doc
    # The new framework is what the workbook offers and what validation accepts.
    report = validate_file(path)
    assert report.errors == 0, [f.to_data() for f in report.findings]
    lists = openpyxl.load_workbook(path)["_lists"]
    level1 = [c.value for c in lists["A"][1:] if c.value]
    assert level1 == ["产出指标", "成本指标", "效益指标", "满意度指标"]
    # The same document judged by the seed's framework breaks its taxonomy.
    seed = load_template("perf-targets")
    seed_findings = check_document(_retemplate(doc, seed.id, seed.version), seed)
    assert {f.rule for f in seed_findings} >= {"indicator-taxonomy"}
    # And the seed's 成本 under 产出 is wrong under the cost framework.
    old_style = _doc("perf-targets-cost", [dict(COST_FRAMEWORK_INDICATORS[3], level1="产出指标", level2="成本指标")])
    rules = {(f.rule, f.key) for f in check_document(old_style, cost)}
    assert ("indicator-taxonomy", "indicator-taxonomy.level2") in rules


def test_template_from_path_with_other_months(tmp_path):
    src = builtin_templates()["perf-targets"].read_text(encoding="utf-8")
    custom = src.replace('id = "perf-targets"', 'id = "quarterly"').replace("months = [3, 6, 10, 12]", "months = [3, 6, 9, 12]")
    path = tmp_path / "quarterly.toml"
    path.write_text(custom, encoding="utf-8")
    t = load_template(path)
    assert t.id == "quarterly" and t.spending_plan.months == [3, 6, 9, 12]
    doc = _doc("perf-targets", COST_FRAMEWORK_INDICATORS[:1])
    doc = _retemplate(doc, "quarterly", t.version)
    doc.projects[0].spending_plan[2].month = 9
    out = tmp_path / "q.xlsx"
    generate_workbook(doc, out, t)
    back = read_workbook(out, t).doc
    assert back == doc
    assert [sp.month for sp in back.projects[0].spending_plan] == [3, 6, 9, 12]


@pytest.mark.parametrize("bad,needle", [
    ('version = "2024112801"', 'version = "24-11-28"'),
    ("months = [3, 6, 10, 12]", "months = [6, 3]"),
    ('label = "项目编码"\n', ""),
    ("[rules.severity]\n", '[rules.severity]\nbudget-sum = "fatal"\n'),
    ("[rules.severity]\n", '[rules.severity]\nbudget_sum = "off"\n'),
])
def test_broken_specs_are_refused(bad, needle):
    src = builtin_templates()["perf-targets"].read_text(encoding="utf-8")
    assert bad in src
    with pytest.raises(TemplateError):
        parse_template(src.replace(bad, needle, 1))


@pytest.mark.parametrize("change,needle", [
    # a field kind the program does not know
    (('label = "资金用途"\n', 'label = "资金用途"\nkind = "money"\n'), "unknown kind 'money'"),
    # a field the document model does not know, not marked as added
    (('key = "purpose"\n', 'key = "purposes"\n'), "unknown field key 'purposes'"),
    # a row wider than the sheet
    (('key = "purpose"\nlabel = "资金用途"\nen = "purpose"\nrequired = true\nspan = 6\n',
      'key = "purpose"\nlabel = "资金用途"\nen = "purpose"\nrequired = true\nspan = 7\n'), "needs 9 columns"),
    # the same key twice
    (('key = "extra.x"', None), "appears twice"),
    # a dropdown list that [lists] does not define
    (('list = "bases"\n', 'list = "grounds"\n'), "list 'grounds'"),
    # a block named in `blocks` but not defined
    (('blocks = ["head", "spending_plan", "goals", "indicators"]', 'blocks = ["head", "plan", "goals", "indicators"]'),
     "not defined"),
])
def test_spec_mistakes_are_refused_saying_where(change, needle):
    """A finance officer's typo fails when the spec is loaded, with its place, not when a workbook is read."""
    src = builtin_templates()["perf-targets"].read_text(encoding="utf-8")
    old, new = change
    if new is None:  # two added fields with one key
        row = '\n[[project.head.row]]\n[[project.head.row.field]]\nkey = "extra.x"\nlabel = "甲"\n'
        src = src.replace("\n[project.spending_plan]", row + row.replace("甲", "乙") + "\n[project.spending_plan]")
    else:
        assert old in src
        src = src.replace(old, new, 1)
    with pytest.raises(TemplateError) as err:
        parse_template(src, "my-city.toml")
    assert needle in err.value.message("en") and "my-city.toml" in err.value.message("en")


def test_a_spec_may_build_on_another(tmp_path):
    """perf-targets-cost states only its framework and coverage; the rest is perf-targets'."""
    seed, cost = load_template("perf-targets"), load_template("perf-targets-cost")
    assert [f.key for f in cost.fields.project] == [f.key for f in seed.fields.project]
    assert cost.project.widths == seed.project.widths and cost.level1_names != seed.level1_names
    mine = tmp_path / "mine.toml"
    mine.write_text('[template]\nbase = "perf-targets"\nid = "mine"\nversion = "2025010101"\n'
                    '[sheets]\nunit = "部门信息"\n', encoding="utf-8")
    t = load_template(mine)
    assert (t.id, t.sheets.unit, t.sheets.summary) == ("mine", "部门信息", "汇总")

"""The later stages end to end: issued from the targets, round trips, the stage rules (batch and
live, before and after LibreOffice recalculates), read/validate/annotate/diff, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import stagecases as sg
from budgetxl import api
from budgetxl.changes import generate_stage, stage_document
from budgetxl.form import load_template
from budgetxl.form.issued import issued_fields
from budgetxl.model import Submission
from budgetxl.workbook.reader import read_workbook
from budgetxl.workbook.validate import validate_file
from budgetxl.workbook.writer import generate_workbook

from conftest import assert_same_doc
from rulecases import S1, as_tuple, seed_doc
from test_scoring import live_findings, validate_live

ROOT = Path(__file__).resolve().parent.parent
MON, SELF = sg.MONITOR, sg.SELFEVAL


# ---- issued from the targets, and back ------------------------------------------------------------

def issued_values(doc: Submission, t) -> dict:
    """What a stage issues, field by field, as the stage's own form records it."""
    return issued_fields(doc, t)


def test_a_stage_document_carries_every_issued_target_value():
    targets = seed_doc()
    for t in (MON, SELF):
        doc = stage_document(targets, t)
        assert doc.stage == t.stage_kind and doc.template.id == t.id
        assert [p.code for p in doc.projects] == [p.code for p in targets.projects]
        for p, q in zip(doc.projects, targets.projects):
            assert (p.name, p.budget, p.goals) == (q.name, q.budget, q.goals)
            assert [(i.level1, i.level2, i.name, i.value) for i in p.indicators] == \
                   [(i.level1, i.level2, i.name, i.value) for i in q.indicators]
            assert p.monitor is None and p.indicators[0].monitor is None  # nothing filled yet
    assert stage_document(targets, MON).month == 7
    self_doc = stage_document(targets, SELF)
    assert all(p.selfeval.budget == p.budget for p in self_doc.projects)  # 全年预算数 = 年初预算数
    p3 = self_doc.projects[2]  # 计量业务经费: no 满意度指标, its 10 points go to 效益指标
    assert sum(i.points for i in p3.indicators) == 90 and sum(i.points for i in p3.indicators if i.level1 == "效益指标") == 40


def test_targets_to_monitoring_to_self_evaluation_keep_every_issued_value(tmp_path):
    targets_path = tmp_path / "targets.xlsx"
    generate_workbook(seed_doc(), targets_path)
    targets = read_workbook(targets_path).doc
    monitor = stage_document(targets, MON)
    generate_workbook(monitor, tmp_path / "m.xlsx", MON)
    filled_m = sg.filled("monitor")
    generate_workbook(filled_m, tmp_path / "m-filled.xlsx", MON)
    back_m = read_workbook(tmp_path / "m-filled.xlsx").doc
    assert_same_doc(back_m, filled_m)
    assert_same_doc(read_workbook(tmp_path / "m.xlsx").doc, monitor)
    # the self-evaluation issued from the monitoring return keeps the targets' issued values too
    self_doc = stage_document(back_m, SELF)
    assert issued_values(self_doc, SELF) == issued_values(stage_document(targets, SELF), SELF)
    filled_s = sg.filled("selfeval")
    generate_workbook(filled_s, tmp_path / "s.xlsx", SELF)
    back_s = read_workbook(tmp_path / "s.xlsx").doc
    assert_same_doc(back_s, filled_s)
    for p, q in zip(back_s.projects, targets.projects):
        assert (p.code, p.name, p.budget, p.goals) == (q.code, q.name, q.budget, q.goals)
        assert [(i.level1, i.level2, i.name, i.value) for i in p.indicators] == \
               [(i.level1, i.level2, i.name, i.value) for i in q.indicators]
    assert validate_file(tmp_path / "m-filled.xlsx").findings == []
    assert validate_file(tmp_path / "s.xlsx").findings == []


def test_a_monitoring_workbook_is_read_at_its_month(tmp_path):
    doc = stage_document(seed_doc(), load_template("perf-monitor", month=6))
    assert doc.month == 6
    generate_workbook(doc, tmp_path / "m6.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "m6.xlsx")
    labels = {c.value for row in wb[S1].iter_rows() for c in row if isinstance(c.value, str)}
    assert "1–6月执行数" in labels and "1–7月执行数" not in labels
    result = read_workbook(tmp_path / "m6.xlsx")
    assert result.template.month == 6 and result.doc == doc
    # validating with the built-in monitoring form (month 7) still reads it at month 6
    assert validate_file(tmp_path / "m6.xlsx", MON).result.doc == doc


# ---- the stage rules: a corpus of wrong workbooks -------------------------------------------------

def test_a_value_typed_as_a_percentage_reads_as_typed(tmp_path):
    """A clerk who types 95% into a 完成值 gets 0.95 in a percent format: it reads as 95, as the cell
    written holds it (工资发放率 ＝100%, G12); a number typed plainly stays as it stands."""
    path = tmp_path / "typed.xlsx"
    for stage, t in (("monitor", MON), ("selfeval", SELF)):
        generate_workbook(sg.filled(stage), path, t)
        wb = openpyxl.load_workbook(path)
        ws = wb[S1]
        ws["G12"].value, ws["G12"].number_format = 0.95, "0%"
        ws["G11"].value = 38
        wb.save(path)
        p = read_workbook(path).doc.projects[0]
        actual = [getattr(i, stage).actual for i in p.indicators[:2]]
        assert actual == [Decimal(38), Decimal(95)], stage


def test_a_later_stage_has_no_sheets_for_added_projects(tmp_path):
    """新增项目 sheets belong to the targets form: a later stage reports on what was issued."""
    targets = tmp_path / "targets.xlsx"
    generate_workbook(seed_doc(), targets)
    issued = openpyxl.load_workbook(targets).sheetnames
    assert len([n for n in issued if n.startswith("新增项目")]) == 3
    for stage, t in (("monitor", MON), ("selfeval", SELF)):
        path = tmp_path / f"{stage}.xlsx"
        generate_workbook(sg.filled(stage), path, t, added_sheets=2)
        names = openpyxl.load_workbook(path).sheetnames
        assert not [n for n in names if n.startswith("新增项目")] and len(names) == len(issued) - 3, names


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stagecases")
    return {c.id: c.build(tmp / f"{c.id}.xlsx") for c in sg.CASES}


@pytest.mark.parametrize("case", sg.CASES, ids=[c.id for c in sg.CASES])
def test_stage_case(case, built):
    report = validate_file(built[case.id])
    assert report.readable, report.error
    got = Counter(as_tuple(f) for f in report.findings)
    assert got == Counter(case.expected), case.id
    for f in report.findings:
        assert "{" not in f.message("zh") and "{" not in f.message("en"), f.message("en")


def test_every_stage_rule_variant_has_a_case():
    from budgetxl.messages import RULES, message_key

    stage_rules = ("stage-actual", "monitor-deviation", "selfeval-reason", "selfeval-analysis", "selfeval-band")
    wanted = {message_key(r, v) for r in stage_rules for v in RULES[r].messages} | {"issued-field-changed.indicator"}
    assert wanted <= {key for c in sg.CASES for key, *_ in c.expected}


@pytest.mark.libreoffice
def test_the_workbook_shows_the_stage_rules_live_after_libreoffice(built, soffice, tmp_path):
    """Every case recalculated by LibreOffice (one run): the check column names the same rule on
    the same cell as validate, for every rule the workbook checks live."""
    cases = [c for c in sg.CASES if "deleted" not in c.id]
    recalculated = soffice([built[c.id] for c in cases], "xlsx", tmp_path / "lo")
    for c, path in zip(cases, recalculated):
        t = MON if c.stage == "monitor" else SELF
        shown, expected = live_findings(path, t), validate_live(path)
        assert shown == expected, c.id
        if c.expected:
            wanted = {(s, cell, key.partition(".")[0]) for key, _, s, cell in c.expected
                      if not key.startswith("issued-field-changed")}
            assert wanted <= {(s, cell, rule) for s, cell, rule, _ in shown}, c.id


def test_cached_checks_of_a_generated_stage_workbook_match_validate(tmp_path):
    doc = sg.filled("selfeval")
    p = doc.projects[0]
    p.selfeval.spent.total = Decimal(50)
    p.indicators[0].selfeval.actual = Decimal(60)
    p.indicators[2].selfeval.score = Decimal(1)
    generate_workbook(doc, tmp_path / "s.xlsx", SELF)
    shown = live_findings(tmp_path / "s.xlsx", SELF)
    assert shown == validate_live(tmp_path / "s.xlsx")
    assert {(S1, "B8", "selfeval-reason", ""), (S1, "J11", "selfeval-analysis", ""),
            (S1, "I13", "selfeval-band", "")} <= shown


# ---- read, validate --annotate, diff, generate on the command line -------------------------------

def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "budgetxl", *args], capture_output=True, text=True, cwd=ROOT)


def test_generate_stage_from_a_consolidated_targets_workbook(tmp_path):
    from test_merge import ROSTER, unit_doc

    for i in range(3):
        generate_workbook(unit_doc(i), tmp_path / "in" / f"{i}.xlsx")
    api.merge([tmp_path / "in"], tmp_path / "汇总.xlsx")
    roster = tmp_path / "units.csv"
    roster.write_text("code,name,region\n" + "\n".join(f"{u.code},{u.name},{u.region}" for u in ROSTER[:4]),
                      encoding="utf-8")
    res = run("generate", "--stage", "monitor", "--from", str(tmp_path / "汇总.xlsx"), "--units", str(roster),
              "--month", "8", "-o", str(tmp_path / "m"))
    assert res.returncode == 1, res.stderr  # 403001 has no targets in the source: said, exit 1
    assert "403001" in res.stdout and "Traceback" not in res.stderr
    made = sorted(p.name for p in (tmp_path / "m").glob("*.xlsx"))
    assert made == [f"{u.code}_{u.name}_2024年绩效运行监控表.xlsx" for u in sorted(ROSTER[:3], key=lambda u: u.code)]
    got = read_workbook(tmp_path / "m" / made[0]).doc
    assert got.stage == "monitor" and got.month == 8
    res = run("generate", "--stage", "selfeval", "--from", str(tmp_path / "in" / "0.xlsx"), "-o", str(tmp_path / "s"))
    assert res.returncode == 0, res.stderr
    assert read_workbook(next((tmp_path / "s").glob("*.xlsx"))).doc == stage_document(seed_doc(), SELF)
    res = run("generate", "--stage", "monitor", "-o", str(tmp_path / "x"))
    assert res.returncode == 2 and "--from" in res.stderr


def test_read_validate_annotate_and_diff_a_stage_workbook(tmp_path, built):
    path = built["selfeval-band-outside"]
    res = run("read", str(path))
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["stage"] == "selfeval" and data["projects"][0]["indicators"][2]["selfeval"]["score"] == 6
    assert "month" not in data  # (a self-evaluation has no month)
    res = run("validate", str(path), "--annotate", str(tmp_path / "back"), "--format", "json")
    assert res.returncode == 1
    rules = {i["rule"] for i in json.loads(res.stdout)["files"][0]["issues"]}
    assert rules == {"selfeval-band", "selfeval-analysis"}
    (copy,) = (tmp_path / "back").glob("*.xlsx")
    ws = openpyxl.load_workbook(copy)[S1]
    assert "[selfeval-band]" in ws["I13"].comment.text
    d = api.diff_documents(read_workbook(built["selfeval-baseline"]).doc, read_workbook(path).doc)
    (changed,) = d["projects"]["changed"]
    assert changed["indicators"]["changed"][0]["fields"] == [{"field": "selfeval.score", "old": "12.5", "new": "6"}]


def test_score_document_gives_what_the_workbook_computes():
    doc = sg.filled("selfeval")
    doc.projects[0].indicators[0].selfeval.actual = Decimal(50)  # ≤40人: (1 − 10/40) × 12.5
    scores = api.score_document(doc)
    first = scores[0]
    assert first["code"] == doc.projects[0].code and first["rate_total"] == 100
    assert first["indicators"][0]["score"] == Decimal("9.38") and first["indicators"][0]["points"] == Decimal("12.5")
    assert first["total_score"] == Decimal("96.88") and first["grade"] == "优"
    assert api.score_document(seed_doc()) == []


def test_generate_stage_api_with_a_budget_list(tmp_path):
    budget = tmp_path / "budget.csv"
    budget.write_text("unit_code,project_code,project_name,total,fiscal,other\n"
                      "414001,13052924P005840123885,非财政开支人员工作经费,60,60,0\n", encoding="utf-8")
    src = tmp_path / "t.json"
    src.write_text(seed_doc().to_json(), encoding="utf-8")
    res = generate_stage(src, "selfeval", tmp_path / "out", budget=budget)
    doc = res.documents[0]
    assert doc.projects[0].selfeval.budget.total == 60 and doc.projects[1].selfeval.budget == doc.projects[1].budget
    assert read_workbook(res.outputs[0]).doc == doc


def test_a_stage_document_without_a_template_is_held_in_its_stage_form(tmp_path):
    doc = sg.filled("monitor")
    bare = Submission.model_validate({**doc.model_dump(by_alias=True), "template": None})
    bare.projects[0].indicators[5].monitor.actual = Decimal(98)  # ≥85%: more than 15% over, unexplained
    keys = sorted({(f.rule, f.variant) for f in api.validate_document(bare)})
    assert keys == [("monitor-deviation", "over")]
    csv_text = api.indicator_csv(doc)
    header = csv_text.lstrip("\ufeff").splitlines()[0].split(",")
    assert {"actual", "light", "likelihood"} <= set(header)
    assert api.diff_documents(doc, bare)["projects"]["changed"][0]["indicators"]["changed"][0]["fields"] == [
        {"field": "monitor.actual", "old": "85", "new": "98"}]


def test_the_self_evaluation_can_be_issued_from_the_monitoring_consolidation(demo_run, tmp_path):
    """A consolidated monitoring workbook is read in its own form (its 模板 column) and carries the
    targets forward like the consolidated targets do."""
    out, res = demo_run
    assert res.returncode == 0, res.stderr
    monitoring = out / "5-运行监控" / "4-汇总" / "绩效运行监控表汇总.xlsx"
    targets = {d.unit.code: d for d in api.read_consolidated(out / "4-汇总" / "汇总.xlsx")}
    made = generate_stage(monitoring, "selfeval", tmp_path / "s")
    assert made.documents and all(d.stage == "selfeval" for d in made.documents)
    for d in made.documents:
        assert d == stage_document(targets[d.unit.code], SELF)


def test_split_refuses_a_later_stage_consolidation_in_one_line(demo_run, tmp_path):
    """split makes next year's targets from a consolidation of targets; a monitoring or
    self-evaluation consolidation (or a stage document) has no next cycle: one line, exit 2,
    nothing written. The targets consolidation of the same year still splits."""
    out, res = demo_run
    assert res.returncode == 0, res.stderr
    for folder, name, form in (("5-运行监控", "绩效运行监控表汇总.xlsx", "绩效运行监控表"),
                               ("6-绩效自评", "项目支出绩效自评表汇总.xlsx", "项目支出绩效自评表")):
        r = subprocess.run([sys.executable, "-m", "budgetxl", "split", str(out / folder / "4-汇总" / name),
                            "-o", str(tmp_path / folder), "--year", "2025"], capture_output=True, text=True)
        assert r.returncode == 2 and r.stderr.strip().splitlines() == [r.stderr.strip()], r.stderr
        assert f"这是{form}的汇总" in r.stderr and "Traceback" not in r.stderr
        assert not (tmp_path / folder).exists()
    with pytest.raises(api.BudgetxlError) as exc:
        api.split_documents([sg.filled("selfeval")], tmp_path / "api")
    assert exc.value.key == "split-later-stage" and not (tmp_path / "api").exists()
    made = api.split_consolidated(out / "4-汇总" / "汇总.xlsx", tmp_path / "targets", year=2025)
    assert made.outputs and all("2025年绩效目标表" in p.name for p in made.outputs)

"""Scoring and lights of the later stages: every case of tests/scoringcases.py in Python, in the
workbook's cached values, and in the workbook after LibreOffice recalculates it (one soffice run)."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
import python_calamine as pc

import scoringcases as sc
from budgetxl.form import load_template
from budgetxl.form import scoring as S
from budgetxl.model import Indicator, Submission
from budgetxl.rules.live import parse_check_text
from budgetxl.rules import RULES
from budgetxl.workbook.validate import validate_file
from budgetxl.workbook.writer import generate_workbook
from budgetxl.workbook.writer.book import plan_book
from budgetxl.workbook.writer.live import check_column

SELF, MON = load_template("perf-selfeval"), load_template("perf-monitor", month=7)
UNIT = {"code": "414001", "name": "巨鹿县市场监督管理局本级", "region": "130529"}


# ---- the rules in Python -------------------------------------------------------------------------

@pytest.mark.parametrize("case", sc.SCORES, ids=[c[0] for c in sc.SCORES])
def test_indicator_score(case):
    _, op, target, actual, points, expected = case
    got = S.indicator_score(op, sc.dec(target), Indicator(selfeval={"actual": actual}).selfeval.actual, sc.dec(points))
    assert got == sc.dec(expected)


@pytest.mark.parametrize("case", sc.BANDS, ids=[c[0] for c in sc.BANDS])
def test_qualitative_band(case):
    _, band, points, score, problem = case
    assert S.band_problem(SELF.stage.scoring.band(band), sc.dec(score), sc.dec(points)) == problem


@pytest.mark.parametrize("spent,budget,expected", sc.BUDGET)
def test_budget_score(spent, budget, expected):
    assert S.budget_score(D(spent), D(budget), SELF.stage.scoring.budget_points) == D(expected)


@pytest.mark.parametrize("case", sc.LIGHTS, ids=[c[0] for c in sc.LIGHTS])
def test_light(case):
    _, op, target, actual, expected = case
    value = Indicator(monitor={"actual": actual}).monitor.actual
    assert S.light(op, sc.dec(target), value, 7, MON.stage.monitor) == expected


@pytest.mark.parametrize("total,grade", sc.GRADES)
def test_grade(total, grade):
    assert S.grade(D(total), SELF.stage.scoring) == grade


def _inds(*spec):
    return [Indicator(level1=l1, value="≥1次", points=p) for l1, p in spec]


def test_points_split_equally_with_the_rest_on_the_last():
    got = S.split_points(_inds(("产出指标", None), ("产出指标", None), ("产出指标", None), ("效益指标", None),
                               ("满意度指标", None)), SELF.stage.scoring)
    assert got.points == [D("16.67"), D("16.67"), D("16.66"), D(30), D(10)] and got.notes == []


def test_issued_points_are_kept_when_they_sum_to_the_level1s():
    spec = [("产出指标", D(20)), ("产出指标", D(30)), ("效益指标", D(30)), ("满意度指标", D(10))]
    assert S.split_points(_inds(*spec), SELF.stage.scoring).points == [D(20), D(30), D(30), D(10)]
    spec[1] = ("产出指标", D(25))  # 45, not 50: split equally, and the form says so
    got = S.split_points(_inds(*spec), SELF.stage.scoring)
    assert got.points[:2] == [D(25), D(25)] and [k for k, _ in got.notes] == ["stage.points-equal"]


def test_a_project_without_satisfaction_gives_its_points_to_benefit():
    got = S.split_points(_inds(("产出指标", None), ("效益指标", None), ("效益指标", None)), SELF.stage.scoring)
    assert got.points == [D(50), D(20), D(20)]
    assert got.notes == [("stage.points-moved", {"src": "满意度指标", "dst": "效益指标", "points": "10"})]


# ---- the same cases in a workbook ----------------------------------------------------------------

def _chunks(cases, limit=D(40)):
    out, cur, total = [], [], D(0)
    for c in cases:
        points = D(c["points"])
        if cur and total + points > limit:
            out.append(cur)
            cur, total = [], D(0)
        cur.append(c)
        total += points
    return out + [cur]


def selfeval_doc() -> tuple[Submission, list[list[dict]]]:
    """Every score and band case as an indicator (under 产出指标, with its 分值), a project holding
    a few; fillers make each 一级指标's points add up; each project has a budget case."""
    cases = [{"id": c[0], "value": sc.value_text(c[1], c[2]), "actual": c[3], "points": c[4], "score": None,
              "expected": c[5]} for c in sc.SCORES]
    cases += [{"id": c[0], "value": sc.value_text("定性", None), "actual": c[1], "points": c[2], "score": c[3],
               "expected": c[3], "problem": c[4]} for c in sc.BANDS]
    groups, projects = _chunks(cases), []
    for i, group in enumerate(groups):
        spent, budget, _ = sc.BUDGET[i % len(sc.BUDGET)]
        rest = D(50) - sum(D(c["points"]) for c in group)
        filler = [("产出指标", "质量指标", rest), ("效益指标", "社会效益指标", D(30)), ("满意度指标", "服务对象满意度指标", D(10))]
        indicators = [{"level1": "产出指标", "level2": "数量指标", "name": c["id"], "value": c["value"], "points": c["points"],
                       "selfeval": {"actual": c["actual"], "score": c["score"]}} for c in group]
        indicators += [{"level1": l1, "level2": l2, "name": f"filler-{l1}", "value": sc.value_text("定性", None),
                        "points": p, "selfeval": {"actual": sc.ACHIEVED, "score": p, "analysis": "-"}}
                       for l1, l2, p in filler]
        projects.append({"code": f"13052924P{i:012d}", "name": f"评分用例{i + 1}", "budget": {"total": budget, "fiscal": budget, "other": 0},
                         "goals": ["目标"], "selfeval": {"budget": {"total": budget, "fiscal": budget, "other": 0},
                                                         "spent": {"total": spent, "fiscal": spent, "other": 0},
                                                         "result": "完成"}, "indicators": indicators})
    doc = Submission.model_validate({"template": {"id": SELF.id, "version": SELF.version}, "stage": "selfeval",
                                     "year": 2024, "unit": UNIT, "projects": projects})
    return doc, groups


def monitor_doc() -> Submission:
    indicators = [{"level1": "产出指标", "level2": "数量指标", "name": c[0], "value": sc.value_text(c[1], c[2]),
                   "monitor": {"actual": c[3], "likelihood": "确定能", "cause": "其他", "explain": "-"}} for c in sc.LIGHTS]
    return Submission.model_validate({
        "template": {"id": MON.id, "version": MON.version}, "stage": "monitor", "month": 7, "year": 2024, "unit": UNIT,
        "projects": [{"code": "13052924P000000000001", "name": "序时进度用例", "budget": {"total": 12, "fiscal": 12, "other": 0},
                      "goals": ["目标"], "monitor": {"spent": {"total": 7, "fiscal": 7, "other": 0},
                                                     "forecast": {"total": 12, "fiscal": 12, "other": 0}, "progress": "正常"},
                      "indicators": indicators}]})


def _expected_grade(total: D) -> str:
    return "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"


def _number(v):
    return None if v in ("", None) else D(repr(v)) if isinstance(v, float) else v


def _sheets(path: Path) -> dict[str, list[list]]:
    wb = pc.CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}


def _cell(rows, rc):
    r, c = rc
    return rows[r][c] if r < len(rows) and c < len(rows[r]) else None


def check_selfeval(path: Path, doc: Submission, groups: list[list[dict]]) -> None:
    """Every case's 得分, every project's 预算执行率 得分, 总分 and 评价等级 as the tables say."""
    sheets = _sheets(path)
    for plan, group in zip(plan_book(doc, SELF, 0).projects, groups):
        rows, lay = sheets[plan.sheet], plan.layout
        table = lay.table()
        col = next(c for f, c in table.columns if f.key == "selfeval.score")
        for k, case in enumerate(group):
            assert _number(_cell(rows, (table.first + k, col))) == sc.dec(case["expected"]), (plan.sheet, case["id"])
        budget = sc.BUDGET[plan.index % len(sc.BUDGET)][2]
        assert _number(_cell(rows, lay.value_cell("calc.budget_score.total"))) == D(budget), plan.sheet
        total = D(budget) + sum(sc.dec(c["expected"]) or 0 for c in group) + (D(50) - sum(D(c["points"]) for c in group)) + 40
        assert _number(_cell(rows, lay.value_cell("calc.total"))) == total, plan.sheet
        assert _cell(rows, lay.value_cell("calc.grade")) == _expected_grade(total), plan.sheet


def check_monitor(path: Path, doc: Submission) -> None:
    rows = _sheets(path)[plan_book(doc, MON, 0).projects[0].sheet]
    lay = plan_book(doc, MON, 0).projects[0].layout
    table = lay.table()
    col = next(c for f, c in table.columns if f.key == "calc.light")
    got = [(_cell(rows, (table.first + k, col)) or None) for k in range(len(sc.LIGHTS))]
    assert got == [c[4] for c in sc.LIGHTS]
    assert _number(_cell(rows, lay.value_cell("calc.rate.total"))) == D("58.33")


def live_findings(path: Path, template) -> set[tuple]:
    col = check_column(template)
    out = set()
    for name, rows in _sheets(path).items():
        if not any(len(r) > col and r[col] == "校验提示" for r in rows):
            continue  # (not a project sheet)
        for r in rows:
            if len(r) > col and isinstance(r[col], str) and r[col] and r[col] != "校验提示":
                out |= {(name, cell, rule, variant) for cell, rule, variant in parse_check_text(r[col])}
    return out


def validate_live(path: Path) -> set[tuple]:
    out = set()
    for f in validate_file(path).findings:
        if RULES[f.rule].live and f.cell:
            out.add((f.sheet, f.cell, f.rule, (f.key or f.rule).partition(".")[2]))
    return out


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scoring")
    doc, groups = selfeval_doc()
    mon = monitor_doc()
    generate_workbook(doc, tmp / "selfeval.xlsx", SELF)
    generate_workbook(mon, tmp / "monitor.xlsx", MON)
    return tmp, doc, groups, mon


def test_there_are_at_least_40_indicator_cases():
    assert len(sc.SCORES) + len(sc.BANDS) >= 40 and len(sc.LIGHTS) >= 20


def test_cached_values_are_the_python_scores(books):
    tmp, doc, groups, mon = books
    check_selfeval(tmp / "selfeval.xlsx", doc, groups)
    check_monitor(tmp / "monitor.xlsx", mon)
    for name in ("selfeval.xlsx", "monitor.xlsx"):
        assert live_findings(tmp / name, SELF if name.startswith("self") else MON) == validate_live(tmp / name)


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_same(books, soffice):
    """The workbooks with their cached values removed (openpyxl keeps formulas only), recalculated
    by LibreOffice: the same scores, totals, grades, lights and live checks."""
    tmp, doc, groups, mon = books
    bare = tmp / "bare"
    bare.mkdir()
    for name in ("selfeval.xlsx", "monitor.xlsx"):
        openpyxl.load_workbook(tmp / name).save(bare / name)
    selfeval, monitor = soffice([bare / "selfeval.xlsx", bare / "monitor.xlsx"], "xlsx", tmp / "lo")
    check_selfeval(selfeval, doc, groups)
    check_monitor(monitor, mon)
    assert live_findings(selfeval, SELF) == validate_live(selfeval)
    assert live_findings(monitor, MON) == validate_live(monitor)
    problems = {r for _, _, r, _ in live_findings(selfeval, SELF)}
    assert {"selfeval-band", "selfeval-analysis", "selfeval-reason", "stage-actual"} <= problems

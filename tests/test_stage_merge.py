"""The demo's monitoring and self-evaluation rounds, consolidated: every figure of the consolidated
workbooks recomputed here, independently, from what the units returned (the rules as the issue
states them, written again in a few lines, not budgetxl's scoring)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal as D
from pathlib import Path

import pandas as pd
import pytest
import python_calamine as pc

from budgetxl.workbook.reader import read_workbook

WEIGHTS = {"产出指标": D(50), "效益指标": D(30), "满意度指标": D(10)}


def r2(x: D) -> D:
    return x.quantize(D("0.01"), ROUND_HALF_UP)


def points_of(indicators) -> list[D]:
    """Equal split within a 一级 (the last takes the cents), 满意度's 10 to 效益 when absent."""
    weights = dict(WEIGHTS)
    if not any(i.level1 == "满意度指标" for i in indicators):
        weights["效益指标"] += weights.pop("满意度指标")
    given = {}
    for level1, w in weights.items():
        idx = [k for k, i in enumerate(indicators) if i.level1 == level1]
        for n, k in enumerate(idx):
            given[k] = w - r2(w / len(idx)) * (len(idx) - 1) if n == len(idx) - 1 else r2(w / len(idx))
    return [given.get(k, D(0)) for k in range(len(indicators))]


def indicator_score(ind, points: D) -> D:
    v, a = ind.value, ind.selfeval.actual
    if v.op == "定性":
        return ind.selfeval.score or D(0)
    t = v.number
    if v.op in ("≤", "<"):
        return points if a <= t else D(0) if a >= 2 * t else max(D(0), r2((1 - (a - t) / t) * points))
    if v.op == "＝" and t == 0:
        return points if a <= 0 else D(0)
    return points if a >= t else max(D(0), r2(a / t * points)) if t > 0 else D(0)


def project_total(p) -> D:
    s = p.selfeval
    budget_score = r2(10 * min(s.spent.total / s.budget.total, D(1)))
    pts = points_of(p.indicators)
    return r2(budget_score + sum(indicator_score(i, x) for i, x in zip(p.indicators, pts)))


def grade(total: D) -> str:
    return "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"


def light(ind, n: int = 7) -> str:
    v, a = ind.value, ind.monitor.actual
    if v.op == "定性":
        return {"达成": "绿", "部分达成": "黄", "未达成": "红"}[a]
    if v.op in ("≤", "<"):
        return "绿" if (a <= v.number if v.op == "≤" else a < v.number) else "红"
    if v.number <= 0:  # (no standard to measure against: within the target or not, as for a reverse one)
        return "绿" if (a <= 0 if v.op == "＝" else a >= 0) else "红"
    ratio = (a / (v.number * n / 12) * 100).quantize(D("0.000001"), ROUND_HALF_UP)
    return "红" if ratio < 60 else "黄" if ratio < 80 else "绿" if ratio < 120 else "蓝"


def sheet(path: Path, name: str) -> pd.DataFrame:
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()
    return pd.DataFrame(rows[1:], columns=rows[0])


def counted_returns(stage_dir: Path, consolidated: Path) -> dict[str, object]:
    summary = sheet(consolidated, "汇总")
    ok = set(summary.loc[summary["状态"] == "已报送", "单位编码"])
    docs = {}
    for f in (stage_dir / "2-收件箱").glob("*.xlsx"):
        doc = read_workbook(f).doc
        if doc.unit.code in ok:
            docs[doc.unit.code] = doc
    assert docs and set(docs) == ok
    return docs


@pytest.fixture(scope="module")
def demo(demo_run):
    out, res = demo_run
    assert res.returncode == 0, res.stderr
    return out


def test_self_evaluation_totals_scores_and_grades(demo):
    folder = demo / "6-绩效自评"
    consolidated = folder / "4-汇总" / "项目支出绩效自评表汇总.xlsx"
    docs = counted_returns(folder, consolidated)
    projects, indicators, summary = (sheet(consolidated, n) for n in ("项目明细", "绩效指标明细", "汇总"))
    all_totals = []
    for code, doc in docs.items():
        rows = projects[projects["单位编码"] == code]
        totals = [project_total(p) for p in doc.projects]
        all_totals += totals
        assert [D(repr(x)) for x in rows["总分"]] == totals
        assert list(rows["评价等级"]) == [grade(t) for t in totals]
        inds = indicators[indicators["单位编码"] == code]
        want = [indicator_score(i, x) for p in doc.projects for i, x in zip(p.indicators, points_of(p.indicators))]
        assert [D(repr(x)) for x in inds["得分"]] == want
        unit = summary[summary["单位编码"] == code].iloc[0]
        mean = r2(sum(totals) / len(totals))
        assert D(repr(unit["平均总分"])) == mean and unit["评价等级"] == grade(mean)
        spent, budget = (sum(getattr(p.selfeval, k).total for p in doc.projects) for k in ("spent", "budget"))
        assert D(repr(unit["执行率(%)"])) == r2(spent / budget * 100)
    total_row = summary[summary["单位编码"] == "合计"].iloc[0]
    assert D(repr(total_row["平均总分"])) == r2(sum(all_totals) / len(all_totals))
    assert len({grade(t) for t in all_totals}) >= 2  # the demo's scores are not all alike


def test_monitoring_rates_and_lights(demo):
    folder = demo / "5-运行监控"
    consolidated = folder / "4-汇总" / "绩效运行监控表汇总.xlsx"
    docs = counted_returns(folder, consolidated)
    indicators, summary = sheet(consolidated, "绩效指标明细"), sheet(consolidated, "汇总")
    for code, doc in docs.items():
        lights = [light(i) for p in doc.projects for i in p.indicators]
        assert list(indicators.loc[indicators["单位编码"] == code, "序时进度"]) == lights
        unit = summary[summary["单位编码"] == code].iloc[0]
        for name in ("红", "黄", "绿", "蓝"):
            assert unit[f"{name}灯"] == lights.count(name)
        spent = sum(p.monitor.spent.total for p in doc.projects)
        budget = sum(p.budget.total for p in doc.projects)
        assert D(repr(unit["执行率(%)"])) == r2(spent / budget * 100)


def test_the_demo_sends_back_what_fails_in_each_stage(demo):
    for stage in ("5-运行监控", "6-绩效自评"):
        returned = list((demo / stage / "3-退回修改").glob("*.xlsx"))
        assert len(returned) == 1
        issued = list((demo / stage / "1-下发").glob("*.xlsx"))
        assert len(issued) == 15 and len(list((demo / stage / "2-收件箱").glob("*.xlsx"))) == 14


def test_a_file_of_another_stage_or_month_is_listed_never_counted(demo, tmp_path):
    """A targets workbook and a self-evaluation among July's monitoring returns (and a month-8
    return): the batch is consolidated as monitoring to month 7; the others are listed with the
    status 其他表式 and a message naming both forms, and count in no total; --strict refuses."""
    import shutil
    import subprocess
    import sys

    from budgetxl import merge_files
    from budgetxl.workbook.writer import generate_workbook

    inbox = tmp_path / "in"
    inbox.mkdir()
    monitor = sorted((demo / "5-运行监控" / "2-收件箱").glob("*.xlsx"))
    for f in monitor[:2]:
        shutil.copy(f, inbox / f.name)
    stray = [next((demo / "2-收件箱").glob(f"{monitor[2].name[:6]}*.xlsx")),
             next((demo / "6-绩效自评" / "2-收件箱").glob(f"{monitor[3].name[:6]}*.xlsx"))]
    for f in stray:
        shutil.copy(f, inbox / f.name)
    august = read_workbook(monitor[4]).doc
    august.month = 8
    generate_workbook(august, inbox / "z-august.xlsx")
    cons = merge_files([inbox])
    assert cons.template.id == "perf-monitor" and cons.template.month == 7
    assert sorted(u.code for u in cons.counted) == sorted(f.name[:6] for f in monitor[:2])
    others = sorted((e for e in cons.entries if e.status == "other-form"), key=lambda e: e.display)
    assert [Path(e.display).name for e in others] == sorted([*(f.name for f in stray), "z-august.xlsx"])
    texts = [e.error_message("zh") for e in others]
    assert "这是预算绩效目标表，本次汇总的是绩效运行监控表（截至7月）" in texts[0]
    assert "这是项目支出绩效自评表" in texts[1] and "绩效运行监控表（截至8月）" in texts[2]
    assert cons.summary()["projects"] == sum(len(read_workbook(f).doc.projects) for f in monitor[:2])
    assert not cons.complete
    out = tmp_path / "汇总.xlsx"
    cons.write(out)
    assert (sheet(out, "报送情况")["状态"] == "其他表式，未计入").sum() == 3
    assert (sheet(out, "校验问题")["规则"] == "other-form").sum() == 3
    res = subprocess.run([sys.executable, "-m", "budgetxl", "merge", str(inbox), "-o", str(tmp_path / "s.xlsx"),
                          "--strict", "--lang", "en"], capture_output=True, text=True)
    assert res.returncode == 1 and res.stdout.count("another form, not counted") == 3


@pytest.mark.parametrize("folder, name", [("5-运行监控", "绩效运行监控表汇总.xlsx"),
                                          ("6-绩效自评", "项目支出绩效自评表汇总.xlsx")])
def test_read_consolidated_gives_back_each_counted_return_in_its_own_form(demo, folder, name):
    """read_consolidated with no template reads a later stage's consolidation in that stage's form
    (its 模板 column, at its month): every counted unit's document is the one it returned."""
    from budgetxl import read_consolidated

    docs = {d.unit.code: d for d in read_consolidated(demo / folder / "4-汇总" / name)}
    returns = counted_returns(demo / folder, demo / folder / "4-汇总" / name)
    assert set(docs) == set(returns)
    assert all(docs[code] == doc for code, doc in returns.items())
    assert {d.stage for d in docs.values()} == {"monitor" if folder.startswith("5") else "selfeval"}

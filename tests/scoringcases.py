"""The scoring and light cases of the later stages, as literal tables (the issue's rules worked by hand).

SCORES: (id, 计算符号, 年度指标值, 实际完成值, 分值, expected 得分). Quantitative rules: positive (≥ >)
full points when met, else round(actual / target × points, 2); equal (＝) with target 0 full
points when actual ≤ 0, else 0, otherwise as positive; reverse (≤ <) full when actual ≤ target,
0 at or beyond 2 × target, else round((1 − (actual − target) / target) × points, 2). Never below 0.
A non-number actual scores nothing (None).

BANDS: (id, band, 分值, typed 得分, problem) — a qualitative indicator keeps the score it is given;
the band check says "" (outside its band), "missing" or None (fine). Bands: 达成年度指标 [80%, 100%],
部分达成… [60%, 80%), 未达成… [0, 60%).

BUDGET: (全年执行数, 全年预算数, expected 预算执行率 得分 = 10 × min(spent / budget, 1), 2 decimals).

LIGHTS: (id, 计算符号, 年度指标值, 当前完成值, expected light) at month 7 (standard = target × 7/12):
below 60% 红, 60–80% 黄, 80–120% 绿, from 120% 蓝; reverse: 绿 within the target, 红 beyond;
qualitative 达成 绿, 部分达成 黄, 未达成 红.
"""

from __future__ import annotations

from decimal import Decimal as D

GE, LE, EQ, GT, LT = "≥", "≤", "＝", ">", "<"

SCORES = [
    ("ge-at-target", GE, "100", "100", "10", "10"),
    ("ge-above", GE, "100", "120", "10", "10"),
    ("ge-below", GE, "100", "80", "10", "8.00"),
    ("ge-just-below", GE, "100", "99.99", "10", "10.00"),
    ("ge-zero-actual", GE, "100", "0", "10", "0.00"),
    ("ge-negative-actual", GE, "100", "-5", "10", "0"),
    ("ge-half-up", GE, "400", "1", "10", "0.03"),
    ("ge-half-up-small", GE, "200", "1", "1", "0.01"),
    ("ge-third", GE, "3", "1", "16.67", "5.56"),
    ("ge-percent", GE, "95", "90", "12.5", "11.84"),
    ("ge-target-zero", GE, "0", "0", "10", "10"),
    ("ge-target-zero-negative", GE, "0", "-1", "10", "0"),
    ("gt-at-target", GT, "50", "50", "10", "10"),
    ("gt-half", GT, "50", "25", "10", "5.00"),
    ("eq-zero-zero", EQ, "0", "0", "10", "10"),
    ("eq-zero-negative", EQ, "0", "-2", "10", "10"),
    ("eq-zero-one", EQ, "0", "1", "10", "0"),
    ("eq-zero-tiny", EQ, "0", "0.01", "10", "0"),
    ("eq-at-target", EQ, "100", "100", "10", "10"),
    ("eq-below", EQ, "100", "90", "10", "9.00"),
    ("eq-above", EQ, "100", "110", "10", "10"),
    ("le-at-target", LE, "40", "40", "10", "10"),
    ("le-within", LE, "40", "30", "10", "10"),
    ("le-quarter-over", LE, "40", "50", "10", "7.50"),
    ("le-at-double", LE, "40", "80", "10", "0"),
    ("le-just-below-double", LE, "40", "79.99", "10", "0.00"),
    ("le-near-double", LE, "40", "79.8", "10", "0.05"),
    ("le-beyond-double", LE, "40", "100", "10", "0"),
    ("le-target-zero", LE, "0", "0", "10", "10"),
    ("le-target-zero-over", LE, "0", "1", "10", "0"),
    ("lt-at-target", LT, "5", "5", "10", "10"),
    ("lt-over", LT, "5", "6", "10", "8.00"),
    ("le-third", LE, "3", "4", "16.67", "11.11"),
    ("le-half", LE, "2", "3", "10", "5.00"),
    ("le-eighth", LE, "8", "9", "10", "8.75"),
    ("ge-not-a-number", GE, "90", "约90", "10", None),
]

ACHIEVED, PARTLY, NOT = "达成年度指标", "部分达成年度指标并具有一定效果", "未达成年度指标且效果较差"
BANDS = [
    ("achieved-low-edge", ACHIEVED, "10", "8", None),
    ("achieved-full", ACHIEVED, "10", "10", None),
    ("achieved-below", ACHIEVED, "10", "7.99", ""),
    ("achieved-over-points", ACHIEVED, "10", "10.01", ""),
    ("partly-at-80", PARTLY, "10", "8", ""),
    ("partly-low-edge", PARTLY, "10", "6", None),
    ("partly-high", PARTLY, "10", "7.99", None),
    ("not-at-60", NOT, "10", "6", ""),
    ("not-high", NOT, "10", "5.99", None),
    ("not-zero", NOT, "10", "0", None),
    ("achieved-odd-points", ACHIEVED, "16.67", "13.34", None),
    ("achieved-odd-points-below", ACHIEVED, "16.67", "13.33", ""),
    ("partly-no-score", PARTLY, "10", None, "missing"),
]

BUDGET = [
    ("90", "100", "9.00"),
    ("100", "100", "10.00"),
    ("120", "100", "10.00"),
    ("0", "100", "0.00"),
    ("85.555", "100", "8.56"),
    ("99.995", "100", "10.00"),
    ("33.335", "66.67", "5.00"),
]

LIGHTS = [
    ("red-zero", GE, "12", "0", "红"),
    ("red-just-below-60", GE, "12", "4.19", "红"),
    ("yellow-at-60", GE, "12", "4.2", "黄"),
    ("yellow-just-below-80", GE, "12", "5.59", "黄"),
    ("green-at-80", GE, "12", "5.6", "绿"),
    ("green-at-standard", GE, "12", "7", "绿"),
    ("green-just-below-120", GE, "12", "8.39", "绿"),
    ("blue-at-120", GE, "12", "8.4", "蓝"),
    ("yellow-at-60-inexact", GE, "100", "35", "黄"),
    ("blue-percent", GE, "85", "90", "蓝"),
    ("equal-target", EQ, "100", "58.33", "绿"),
    ("reverse-inside", LE, "40", "40", "绿"),
    ("reverse-outside", LE, "40", "41", "红"),
    ("reverse-strict-at", LT, "5", "5", "红"),
    ("reverse-strict-inside", LT, "5", "4", "绿"),
    ("equal-zero-inside", EQ, "0", "0", "绿"),
    ("equal-zero-outside", EQ, "0", "1", "红"),
    ("ge-zero-inside", GE, "0", "0", "绿"),
    ("ge-zero-outside", GE, "0", "-1", "红"),
    ("qualitative-achieved", "定性", None, "达成", "绿"),
    ("qualitative-partly", "定性", None, "部分达成", "黄"),
    ("qualitative-not", "定性", None, "未达成", "红"),
    ("not-a-number", GE, "12", "很多", None),
]

GRADES = [("90", "优"), ("89.99", "良"), ("80", "良"), ("79.99", "中"), ("60", "中"), ("59.99", "差"), ("0", "差")]


def dec(v: str | None) -> D | None:
    return None if v is None else D(v)


def value_text(op: str, target: str | None) -> dict:
    """The 指标值 of a case, as the targets carry it."""
    if op == "定性":
        return {"text": "按时完成", "op": "定性"}
    return {"text": f"{'' if op == EQ else op}{target}次"}

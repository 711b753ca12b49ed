"""Wrong monitoring and self-evaluation workbooks, one per way a clerk can get the later stages wrong.

Every case starts from the seed's targets issued as a monitoring (month 7) or self-evaluation
workbook and filled in correctly at target (:func:`filled`), then edits it with openpyxl the way a
clerk (or a tampered file) would. The expected locations are literal A1 references on project 1
(1.非财政开支人员工作经费, 70 万元; its indicators from row 11):

    both stages: B3 项目编码, row 5 年度资金总额 (D5 年初预算数 in monitoring, C5 in self-evaluation),
    row 8 the deviation/reason row (B8), row 9 年度总体目标, row 10 the indicator header;
    indicators 11 领取工资人数 ≤40人 | 12 工资发放率 ＝100% | 13 每月25日前缴纳 (定性) |
               14 70万元 | 15 ≤2次 (效益) | 16 ≥85% (满意度)
    monitoring columns: A–C 一级/二级/三级 D 计算符号 E 年度指标值 F 计量单位 G 当前完成值 H 序时进度
        I 全年预计完成情况 J 完成目标可能性 K 偏差原因 L 偏差原因说明; F5 1–7月执行数
    self-evaluation columns: … G 实际完成值 H 分值 I 得分 J 偏差原因分析及改进措施; F5 全年执行数
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from budgetxl.changes import stage_document
from budgetxl.form import load_template
from budgetxl.model import Submission
from budgetxl.values import QUALITATIVE_OP
from budgetxl.workbook.writer import generate_workbook

from rulecases import S1, E, seed_doc

MONITOR, SELFEVAL = load_template("perf-monitor", month=7), load_template("perf-selfeval")


def filled(stage: str) -> Submission:
    """The seed's targets in a later stage, every field filled, every value exactly at target."""
    t = MONITOR if stage == "monitor" else SELFEVAL
    doc = stage_document(seed_doc(), t)
    for p in doc.projects:
        at = {k: (v * 7 / 12).quantize(Decimal("0.01")) for k, v in p.budget.model_dump().items()}
        if stage == "monitor":
            p.monitor = {"spent": at, "forecast": p.budget, "progress": "按计划推进"}
        else:
            p.selfeval = {"budget": p.selfeval.budget, "spent": p.selfeval.budget, "result": "全部完成"}
        for ind in p.indicators:
            qualitative = ind.value.op == QUALITATIVE_OP
            if stage == "monitor":
                ind.monitor = {"actual": "达成" if qualitative else ind.value.number, "forecast": "全年可完成",
                               "likelihood": "确定能"}
            else:
                ind.selfeval = {"actual": "达成年度指标" if qualitative else ind.value.number,
                                "score": ind.points if qualitative else None}
    return Submission.model_validate(doc.model_dump(by_alias=True))


Edit = Callable[[Any], None]


@dataclass
class Case:
    id: str
    stage: str
    edit: Edit
    expected: list[tuple]
    xfail: str | None = None

    def build(self, path: Path) -> Path:
        base = path.with_name(f"_{self.stage}.xlsx")
        if not base.exists():  # (each stage's filled workbook is generated once)
            generate_workbook(filled(self.stage), base, MONITOR if self.stage == "monitor" else SELFEVAL)
        wb = openpyxl.load_workbook(base)
        self.edit(wb[S1])
        wb.save(path)
        return path


CASES: list[Case] = []


def case(id: str, stage: str, expected: list[tuple]):
    def deco(fn: Edit) -> Edit:
        CASES.append(Case(id, stage, fn, expected))
        return fn
    return deco


def _set(**cells: Any) -> Edit:
    def edit(ws):
        for ref, v in cells.items():
            ws[ref].value = v
    return edit


# ---- monitoring ----------------------------------------------------------------------------------

case("monitor-baseline", "monitor", [])(_set())
case("monitor-over-target", "monitor", [E("monitor-deviation.over", S1, "K16"), E("monitor-deviation.over", S1, "L16")])(
    _set(G16=98))  # 98% > 85% × 1.15 = 97.75%, no cause or explanation
case("monitor-over-exactly-15", "monitor", [])(_set(G16=97.75))  # exactly 15% above: no explanation needed
case("monitor-over-explained", "monitor", [])(_set(G16=98, K16="其他", L16="宣传到位，满意度提升"))
case("monitor-doubtful", "monitor", [E("monitor-deviation.likelihood", S1, "K12"),
                                     E("monitor-deviation.likelihood", S1, "L12")])(_set(J12="有可能"))
case("monitor-doubtful-cause-only", "monitor", [E("monitor-deviation.likelihood", S1, "L12")])(
    _set(J12="完全不可能", K12="经费保障"))
case("monitor-rate-behind", "monitor", [E("monitor-deviation.rate", S1, "B8")])(
    _set(F5=20))  # 20 / 70 = 28.6% < 7/12 − 10 points = 48.3%
case("monitor-rate-within-tolerance", "monitor", [])(_set(F5="34"))  # 48.6%: within 10 points of 58.3%
case("monitor-actual-not-a-number", "monitor", [E("stage-actual", S1, "G11")])(_set(G11="四十"))
case("monitor-qualitative-not-in-list", "monitor", [E("stage-actual.qualitative", S1, "G13")])(_set(G13="完成"))
case("monitor-required", "monitor", [E("required-field", S1, "G11"), E("required-field", S1, "J11"),
                                     E("required-field", S1, "F5"), E("required-field", S1, "H9")])(
    _set(G11=None, J11=None, F5=None, H9=None))
case("monitor-issued-target-changed", "monitor", [E("issued-field-changed", S1, "E11")])(_set(E11=41))
case("monitor-issued-name-changed", "monitor", [E("issued-field-changed", S1, "C12")])(_set(C12="工资发放比例"))
case("monitor-issued-budget-changed", "monitor", [E("issued-field-changed", S1, "D5"), E("budget-sum", S1, "D5")])(
    _set(D5=80))


@case("monitor-issued-indicator-deleted", "monitor", [E("issued-field-changed.indicator", S1, "A10")])
def _(ws):
    ws.delete_rows(16)  # (the sheet refuses it; a tampered file does not)


# ---- self-evaluation -----------------------------------------------------------------------------

case("selfeval-baseline", "selfeval", [])(_set())
case("selfeval-reason-missing", "selfeval", [E("selfeval-reason", S1, "B8")])(
    _set(F5=60))  # 60 / 70 = 85.7% < 90%
case("selfeval-reason-given", "selfeval", [])(_set(F5=60, B8="部分采购延至次年"))
case("selfeval-at-90-percent", "selfeval", [])(_set(F5=63))  # exactly 90%: no reason needed
case("selfeval-reason-too-long", "selfeval", [E("selfeval-reason.long", S1, "B8")])(_set(B8="很" * 101))
case("selfeval-analysis-missing", "selfeval", [E("selfeval-analysis", S1, "J11")])(
    _set(G11=50))  # ≤40人 with 50: 9.38 of 12.5 points, no analysis
case("selfeval-analysis-given", "selfeval", [])(_set(G11=50, J11="人员增加，下年度调整"))
case("selfeval-band-outside", "selfeval", [E("selfeval-band", S1, "I13"), E("selfeval-analysis", S1, "J13")])(
    _set(I13=6))  # 达成 allows 10–12.5 of 12.5 points
case("selfeval-band-edge", "selfeval", [E("selfeval-analysis", S1, "J13")])(_set(I13=10))  # 80%: in the band
case("selfeval-band-missing", "selfeval", [E("selfeval-band.missing", S1, "I13")])(_set(I13=None))
case("selfeval-partly", "selfeval", [E("selfeval-analysis", S1, "J13")])(
    _set(G13="部分达成年度指标并具有一定效果", I13=8.75))
case("selfeval-actual-not-a-number", "selfeval", [E("stage-actual", S1, "G11")])(_set(G11="约40"))
case("selfeval-band-not-in-list", "selfeval", [E("stage-actual.qualitative", S1, "G13")])(_set(G13="达成"))
case("selfeval-issued-points-changed", "selfeval", [E("issued-field-changed", S1, "H11")])(_set(H11=20))
case("selfeval-issued-year-budget-changed", "selfeval", [E("issued-field-changed", S1, "D5")])(_set(D5=60))

"""Hypothesis strategies for valid submission documents (DOMAIN.md section 3).

Documents are built as plain data and passed through ``Submission.model_validate``, so what the
tests compare is always the model's canonical form (blank -> None, CR LF -> LF, blank list items
dropped, indicator values parsed). The data is deliberately awkward: Chinese text with full-width
punctuation and some ASCII, inner line breaks and tabs, leading/trailing spaces, text that starts
like a formula (``=``, ``+``, ``-``, ``@``), characters outside the BMP, amounts with up to six
decimals, many projects and indicators, and fields left empty.
"""

from __future__ import annotations

import string
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from budgetxl.model import SCHEMA, Submission
from budgetxl.files.grids import norm_label
from budgetxl.form import load_template

TEMPLATE = load_template("perf-targets")
MONTHS: list[int] = list(TEMPLATE.spending_plan.months)

# Every text the reader anchors on. A field whose whole value *is* one of these labels makes the
# sheet ambiguous by design (label-anchored reading), so generated values never equal one.
ANCHORS = {norm_label(v) for v in TEMPLATE.labels.values()} | {
    norm_label(TEMPLATE.label("spending_plan", month=m)) for m in MONTHS
} | {norm_label(x) for x in ("合计", "指标数", "财政资金", "序号", "工作表", "mark")}

_HAN = (
    "巨鹿县市场监督管理局本级项目经费工作计划安排质量安全食品药品抽检宣传活动完成时限满意度人员"
    "资金用途发放养老保险绩效目标年月日底前每季度指标值确定依据调查问卷访谈考核产出效益社会经济"
    "数量成本时效服务对象可持续影响执法装备购买率办公条件保障检测批次散煤治理标准"
)
_PUNCT = "，。、；：？！“”‘’（）《》【】…—·％＋－＝＞＜≥≤　"
_ASCII = string.ascii_letters + string.digits + " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_ODD = ["\n", "\t", "😀", "𠀋", "\u00a0", "_x000D_", "ISO 9001", "=HYPERLINK(\"http://x\",\"点击\")"]

_char = st.one_of(
    st.sampled_from(_HAN),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.sampled_from(_PUNCT),
    st.sampled_from(_ASCII),
)
_piece = st.one_of(_char, _char, _char, _char, _char, _char, st.sampled_from(_ODD))
FORMULA_STARTS = ["=", "+", "-", "@", "=1+1", "=SUM(A1:A3)", "-5", "+86 ", "=HYPERLINK(\"http://x\")", "@SUM(A1)"]


def _not_anchor(s: str) -> bool:
    return norm_label(s) not in ANCHORS


def text(max_size: int = 30) -> st.SearchStrategy[str]:
    """A non-empty text as a clerk might type or paste it."""
    plain = st.lists(_piece, min_size=1, max_size=max_size).map("".join)
    formula_like = st.builds(lambda a, b: a + b, st.sampled_from(FORMULA_STARTS), st.lists(_piece, max_size=8).map("".join))
    multiline = st.lists(st.lists(_char, min_size=1, max_size=12).map("".join), min_size=2, max_size=4).map("\n".join)
    return st.one_of(plain, plain, plain, formula_like, multiline).filter(_not_anchor)


def opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


# ---- numbers -----------------------------------------------------------------------------------

def amounts() -> st.SearchStrategy[Decimal]:
    """Amounts in 万元 with up to 6 decimals and at most 15 significant digits (what a double, and
    so a spreadsheet cell, holds exactly)."""
    special = st.sampled_from([Decimal("4.5"), Decimal("0.0001"), Decimal("70.00"), Decimal("0"), Decimal("0.000001"),
                               Decimal("123456789.123456"), Decimal("29.0"), Decimal("-1.5")])
    ranged = st.integers(0, 6).flatmap(
        lambda places: st.decimals(min_value=Decimal("-1000"), max_value=Decimal("99999999"), places=places,
                                   allow_nan=False, allow_infinity=False)
    )
    return st.one_of(special, ranged)


def _ambiguous_fraction_plan(percents: list[Decimal | None]) -> bool:
    # The reader takes a plan made only of fractions that ends at 1 or is not all whole (0.25, 0.5,
    # 1) for percentages shown with a % format and scales it to 0-100 (25, 50, 100). Read as 0-100
    # such a plan could never be valid (the last month must be 100), so it is left out here.
    values = [p for p in percents if p is not None]
    if not values or max(values) > 1 or min(values) < 0:
        return False
    return values[-1] == 1 or any(v != v.to_integral_value() for v in values)


def spending_plans() -> st.SearchStrategy[list[dict[str, Any]]]:
    percent = st.integers(0, 2).flatmap(
        lambda places: st.decimals(min_value=0, max_value=100, places=places, allow_nan=False, allow_infinity=False)
    )
    percents = st.lists(opt(percent), min_size=len(MONTHS), max_size=len(MONTHS)).filter(
        lambda ps: not _ambiguous_fraction_plan(ps)
    )
    typical = st.just([Decimal(25), Decimal(50), Decimal(75), Decimal(100)])
    return st.one_of(typical, percents, st.just([])).map(
        lambda ps: [{"month": m, "percent": p} for m, p in zip(MONTHS, ps)]
    )


# ---- indicator values --------------------------------------------------------------------------

_OP_SPELLINGS = ["", "", "≥", "≤", ">", "<", "＝", "=", ">=", "<=", "＞＝", "＜＝", "不低于", "不少于", "不超过", "不高于",
                 "达到", "大于", "小于"]
_UNITS = [*TEMPLATE.lists.units, "", "", "km", "万人次", "个百分点", "分"]
_FULL = str.maketrans("0123456789.%", "０１２３４５６７８９．％")


def _number_text(d: Decimal) -> str:
    return format(d, "f")


def quantitative_texts() -> st.SearchStrategy[str]:
    number = st.integers(0, 4).flatmap(
        lambda places: st.decimals(min_value=0, max_value=Decimal("999999"), places=places,
                                   allow_nan=False, allow_infinity=False)
    ).map(_number_text)
    raw = st.builds(
        lambda op, sp1, num, sp2, unit, full: (op + sp1 + num + sp2 + unit).translate(_FULL if full else {}),
        st.sampled_from(_OP_SPELLINGS), st.sampled_from(["", " "]), number, st.sampled_from(["", " ", "\n"]),
        st.sampled_from(_UNITS), st.booleans(),
    )
    seed = st.sampled_from(["≤40 人", "100%", "100 %", "≥1 万份", "4.5 万元", "0 次", "≥20 台件", "＞＝70％", "７０人",
                            "90%以上", "3个以内"])
    return st.one_of(seed, raw)


def deadline_texts() -> st.SearchStrategy[str]:
    seed = st.sampled_from(["每月 25 日前缴纳", "2024 年底前", "12 月底前完成", "不超过 12 月份", "每月月底前发放", "按时完成", "及时"])
    built = st.one_of(
        st.integers(1, 12).map(lambda m: f"{m}月底前完成"),
        st.integers(2000, 2099).map(lambda y: f"{y}年底前"),
        st.integers(1, 28).map(lambda d: f"每月{d}日前缴纳"),
    )
    return st.one_of(seed, built)


def indicator_values() -> st.SearchStrategy[Any]:
    """A value as the JSON contract accepts it: a plain string (parsed by the model) or an object
    whose op 定性 forces a text value even when it looks like a number."""
    forced = st.builds(lambda t: {"text": t, "op": "定性"},
                       st.one_of(quantitative_texts(), text(12)).filter(lambda t: t.strip()))
    return st.one_of(st.none(), quantitative_texts(), quantitative_texts(), deadline_texts(), text(20), forced)


# ---- the document ------------------------------------------------------------------------------

_LEVEL1 = TEMPLATE.level1_names
_LEVEL2 = [l2 for f in TEMPLATE.framework for l2 in f.level2]
_BASES = TEMPLATE.lists.bases


def indicators() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({
        "level1": opt(st.one_of(st.sampled_from(_LEVEL1), text(8))),
        "level2": opt(st.one_of(st.sampled_from(_LEVEL2), text(8))),
        "name": opt(text(20)),
        "description": opt(text(40)),
        "value": indicator_values(),
        "basis": opt(st.one_of(st.sampled_from(_BASES), text(15))),
    })


def project_codes() -> st.SearchStrategy[str]:
    return st.one_of(st.from_regex(r"\A13052924P[0-9A-Z]{12}\Z"), text(21))


def project_names() -> st.SearchStrategy[str]:
    # Long names, with characters outside the BMP too: sheet names are cut to 31 UTF-16 units.
    return text(40)


def projects() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({
        "code": opt(project_codes()),
        "name": opt(project_names()),
        "budget": st.fixed_dictionaries({"total": opt(amounts()), "fiscal": opt(amounts()), "other": opt(amounts())}),
        "purpose": opt(text(60)),
        "spending_plan": spending_plans(),
        "goals": st.lists(opt(text(50)), max_size=5),
        "indicators": st.lists(indicators(), max_size=15),
    })


def submission_data(max_projects: int = 12) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({
        "schema": st.just(SCHEMA),
        "template": st.just({"id": TEMPLATE.id, "version": TEMPLATE.version}),
        "year": opt(st.integers(2000, 2100)),
        "unit": st.fixed_dictionaries({
            "code": opt(st.one_of(st.from_regex(r"\A4\d{5}\Z"), text(10))),
            "name": opt(text(20)),
            "region": opt(st.from_regex(r"\A13\d{4}\Z")),
        }),
        "overview": st.fixed_dictionaries({
            "overall": opt(text(80)),
            "items": st.lists(opt(text(60)), max_size=6),
            "safeguards": st.lists(opt(text(60)), max_size=6),
        }),
        "projects": st.lists(projects(), max_size=max_projects),
    })


@st.composite
def submissions(draw: st.DrawFn, max_projects: int = 12) -> Submission:
    """A canonical Submission (a composite, so that Hypothesis' messages stay short)."""
    return Submission.model_validate(draw(submission_data(max_projects)))

"""The indicator value parser (指标值): ``budgetxl.values.parse_value`` and ``IndicatorValue``."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgetxl.model import Indicator, IndicatorValue, Submission
from budgetxl.values import EQ, QUALITATIVE_OP, format_number, parse_value, to_decimal

Q, D, T = "quantitative", "deadline", "qualitative"
D_ = Decimal

# raw value -> (text, op, number, unit, kind)
CASES = [
    # every value of the seed, with the PDF's stray spaces
    ("≤40 人", "≤40人", "≤", D_(40), "人", Q),
    ("100%", "100%", EQ, D_(100), "%", Q),
    ("100 %", "100%", EQ, D_(100), "%", Q),
    ("≥1 万份", "≥1万份", "≥", D_(1), "万份", Q),
    ("4.5 万元", "4.5万元", EQ, D_("4.5"), "万元", Q),
    ("0 次", "0次", EQ, D_(0), "次", Q),
    ("≥20 台件", "≥20台件", "≥", D_(20), "台件", Q),
    ("每月 25 日前缴纳", "每月25日前缴纳", QUALITATIVE_OP, None, None, D),
    ("2024 年底前", "2024年底前", QUALITATIVE_OP, None, None, D),
    ("12 月底前完成", "12月底前完成", QUALITATIVE_OP, None, None, D),
    ("不超过 12 月份", "不超过12月份", QUALITATIVE_OP, None, None, D),
    ("每月月底前发放", "每月月底前发放", QUALITATIVE_OP, None, None, D),
    # full-width forms typed with a Chinese IME
    ("＞＝70％", "≥70%", "≥", D_(70), "%", Q),
    ("７０人", "70人", EQ, D_(70), "人", Q),
    ("＜５次", "<5次", "<", D_(5), "次", Q),
    ("＜＝５天", "≤5天", "≤", D_(5), "天", Q),
    ("７０．５０万元", "70.5万元", EQ, D_("70.5"), "万元", Q),
    ("＝１００％", "100%", EQ, D_(100), "%", Q),
    ("　≥８５％　", "≥85%", "≥", D_(85), "%", Q),
    # ASCII operators
    (">=90%", "≥90%", "≥", D_(90), "%", Q),
    ("<= 5 天", "≤5天", "≤", D_(5), "天", Q),
    (">3次", ">3次", ">", D_(3), "次", Q),
    ("<1%", "<1%", "<", D_(1), "%", Q),
    ("=100%", "100%", EQ, D_(100), "%", Q),
    # comparison words
    ("不低于90%", "≥90%", "≥", D_(90), "%", Q),
    ("不少于 3 次", "≥3次", "≥", D_(3), "次", Q),
    ("不超过10台", "≤10台", "≤", D_(10), "台", Q),
    ("不高于5%", "≤5%", "≤", D_(5), "%", Q),
    ("达到100%", "100%", EQ, D_(100), "%", Q),
    ("大于等于 60 分", "≥60分", "≥", D_(60), "分", Q),
    ("90%以上", "≥90%", "≥", D_(90), "%", Q),
    ("5天以内", "≤5天", "≤", D_(5), "天", Q),
    # stray spaces and line breaks (PDF wrapping, pasted cells)
    (" ≥ 85 % \n", "≥85%", "≥", D_(85), "%", Q),
    ("≥\n20\n台件", "≥20台件", "≥", D_(20), "台件", Q),
    ("≥8\r\n5%", "≥85%", "≥", D_(85), "%", Q),
    ("\t4.5\t万元 ", "4.5万元", EQ, D_("4.5"), "万元", Q),
    ("12 月底\n前完成", "12月底前完成", QUALITATIVE_OP, None, None, D),
    # numbers: no trailing zeros in the text, the value itself exact
    ("70.00 万元", "70万元", EQ, D_(70), "万元", Q),
    ("0.0001万元", "0.0001万元", EQ, D_("0.0001"), "万元", Q),
    (".5万元", "0.5万元", EQ, D_("0.5"), "万元", Q),
    ("100", "100", EQ, D_(100), None, Q),
    # text values
    ("满意", "满意", QUALITATIVE_OP, None, None, T),
    ("按规定执行", "按规定执行", QUALITATIVE_OP, None, None, T),
    ("ISO 9001", "ISO 9001", QUALITATIVE_OP, None, None, T),
    ("及时", "及时", QUALITATIVE_OP, None, None, D),
    ("", "", None, None, None, T),
]


@pytest.mark.parametrize("raw,text,op,number,unit,kind", CASES, ids=[repr(c[0]) for c in CASES])
def test_parse_value(raw, text, op, number, unit, kind):
    got = parse_value(raw)
    assert got == {"text": text, "op": op, "number": number, "unit": unit, "kind": kind}
    if number is not None:
        # Decimal equality ignores trailing zeros; the spelling must not carry an exponent either.
        assert "E" not in format_number(got["number"])


@pytest.mark.parametrize("raw,text,op,number,unit,kind", [c for c in CASES if c[0]], ids=[repr(c[0]) for c in CASES if c[0]])
def test_indicator_value_model(raw, text, op, number, unit, kind):
    """The model parses a plain string exactly like parse_value."""
    v = IndicatorValue.model_validate(raw)
    assert (v.text, v.op, v.number, v.unit, v.kind) == (text, op, number, unit, kind)


@pytest.mark.parametrize("raw,text,kind", [("100%", "100%", T), ("≥ 90%", "≥90%", T), ("12月底前完成", "12月底前完成", D),
                                            ("７０ 人", "70人", T)])
def test_forced_qualitative(raw, text, kind):
    """计算符号 定性: a value that looks like a number stays text (still normalised)."""
    expected = {"text": text, "op": QUALITATIVE_OP, "number": None, "unit": None, "kind": kind}
    assert parse_value(raw, qualitative=True) == expected
    v = IndicatorValue.model_validate({"text": raw, "op": QUALITATIVE_OP})
    assert v.model_dump() == expected


def test_object_is_reparsed_from_its_text():
    """The text is the truth: op/number/unit of an object input are recomputed from it."""
    v = IndicatorValue.model_validate({"text": "≥ 90 %", "op": "≤", "number": 1, "unit": "人", "kind": "deadline"})
    assert v == IndicatorValue.model_validate("≥90%")
    assert (v.text, v.op, v.number, v.unit, v.kind) == ("≥90%", "≥", D_(90), "%", Q)


def test_equal_values_are_equal():
    assert IndicatorValue.model_validate("70.00 万元") == IndicatorValue.model_validate("７０万元")
    assert IndicatorValue.model_validate("≥90%") != IndicatorValue.model_validate("≤90%")


@pytest.mark.parametrize("blank", ["", " ", "\n", "\r\n", "　", {"text": " "}, {"text": "", "op": QUALITATIVE_OP}])
def test_blank_value_is_none(blank):
    """A value with no text is no value (one blank spelling, so a round trip compares with ==)."""
    ind = Indicator.model_validate({"name": "x", "value": blank})
    assert ind.value is None


def test_value_in_a_document_serialises_as_object():
    doc = Submission.model_validate({
        "template": {"id": "perf-targets", "version": "2024112801"},
        "projects": [{"name": "p", "indicators": [{"name": "n", "value": "≤40 人"}, {"name": "m", "value": "4.5 万元"}]}],
    })
    values = [i["value"] for i in doc.to_data()["projects"][0]["indicators"]]
    assert values == [
        {"text": "≤40人", "op": "≤", "number": 40, "unit": "人", "kind": Q},
        {"text": "4.5万元", "op": EQ, "number": 4.5, "unit": "万元", "kind": Q},
    ]
    assert Submission.from_json(doc.to_json()) == doc


# ---- properties: one value has one spelling ------------------------------------------------------

_ALPHABET = list("0123456789.%人次万元份台件≥≤<>=＝＞＜％０１．月日年底前 \n\t以上下内不低于超过达到大小等+-,kmA")


@pytest.mark.parametrize("raw", ["0..", "5.万元", "5.", "≥5..人", "1.2.3"])
def test_reparse_regressions(raw):
    """A dot after the number used to be swallowed: "0.." gave text "0." which re-parsed as "0"."""
    p = parse_value(raw)
    assert parse_value(p["text"], qualitative=p["op"] == QUALITATIVE_OP) == p


@settings(max_examples=600, deadline=None)
@given(st.text(st.sampled_from(_ALPHABET), max_size=10))
def test_parse_is_idempotent(raw):
    """Parsing the normalised text again gives the same value (the model re-parses on every load)."""
    p = parse_value(raw)
    assert parse_value(p["text"], qualitative=p["op"] == QUALITATIVE_OP) == p


@settings(max_examples=600, deadline=None)
@given(st.text(st.sampled_from(_ALPHABET), max_size=10))
def test_split_into_cells_and_joined_again(raw):
    """The workbook stores a number value as 计算符号 | 指标值 | 计量单位 cells; joining them back
    (what the reader does) gives the same value."""
    p = parse_value(raw)
    if p["kind"] == Q:
        joined = f"{p['op']}{format_number(p['number'])}{p['unit'] or ''}"
        assert parse_value(joined) == p


# ---- numbers from cells --------------------------------------------------------------------------

@pytest.mark.parametrize("cell,expected", [
    (70, D_(70)), (70.0, D_(70)), (4.5, D_("4.5")), (0.1, D_("0.1")), (1e-06, D_("0.000001")),
    (D_("70.00"), D_(70)), ("70.00", D_(70)), ("７０", D_(70)), (" 1,200 ", D_(1200)), ("-1.5", D_("-1.5")),
    ("abc", None), ("", None), (None, None), (True, None), (float("nan"), None), (float("inf"), None),
])
def test_to_decimal(cell, expected):
    assert to_decimal(cell) == expected


@pytest.mark.parametrize("raw,text,number", [("1,200人", "1200人", Decimal(1200)), ("≥1，234，567元", "≥1234567元", Decimal(1234567))])
def test_thousands_separators(raw, text, number):
    v = parse_value(raw)
    assert (v["text"], v["number"], v["kind"]) == (text, number, "quantitative")


def test_malformed_separator_is_text():
    assert parse_value("1,2人")["kind"] == "qualitative"


def test_spending_plan_has_one_order():
    from budgetxl.model import Project

    p = Project(spending_plan=[{"month": 12, "percent": 100}, {"month": 3, "percent": 25}, {"month": 6, "percent": None}])
    assert [sp.month for sp in p.spending_plan] == [3, 12]

"""No value a cell can hold makes a conversion raise; no _meta content makes the reader raise.

Properties over everything a damaged or hostile file can put in a cell (NaN, infinities, numbers
of any size and exponent, -0, control characters, lone surrogates) and in the hidden metadata
sheet (any JSON, any nesting, any size), plus the exact spellings the fuzzer found.
"""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from budgetxl.metadata import MAX_ISSUED_CHARS, parse_issued, read_meta
from budgetxl.reader import Grid, cell_text
from budgetxl.values import format_number, parse_value, to_decimal

cell_values = st.one_of(
    st.none(), st.booleans(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**40, 10**40),
    st.text(), st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 1e28, 1e-300, 5e-324, -0.0, float("inf"), float("-inf"), float("nan"),
                     10**28, -(10**29), "\x00\x01\x1f", "\ud800", "1e400", "NaN", "-0", "٣"]),
)


@settings(max_examples=400, deadline=None)
@given(cell_values)
def test_cell_conversions_never_raise(v):
    text = cell_text(v)
    assert text is None or isinstance(text, str)
    d = to_decimal(v)
    assert d is None or (d.is_finite() and not (d.is_zero() and d.is_signed()))
    if isinstance(v, str):
        parsed = parse_value(v)
        assert isinstance(parsed["text"], str)


@settings(max_examples=300, deadline=None)
@given(st.decimals(allow_nan=True, allow_infinity=True) | st.builds(Decimal, st.from_regex(r"-?[0-9]{1,60}(\.[0-9]{1,40})?([eE][+-]?[0-9]{1,6})?", fullmatch=True)))
def test_format_number_never_raises_and_keeps_the_value(d):
    s = format_number(d)
    assert isinstance(s, str) and s
    if d.is_finite() and abs(d.as_tuple().exponent) <= 400:
        assert "E" not in s and Decimal(s) == d
        assert not s.startswith("-0") or Decimal(s) != 0


def test_the_spellings_the_fuzzer_found():
    assert cell_text(float("inf")) == cell_text(float("-inf")) == "#NUM!"
    assert cell_text(1e28) == "1" + "0" * 28
    assert cell_text(-0.0) == "0" and format_number(Decimal("-0.00")) == "0"
    assert format_number(Decimal("123456789012345678901234567890.5")) == "123456789012345678901234567890.5"
    assert to_decimal(-0.0) == 0 and not to_decimal(-0.0).is_signed()
    assert parse_value("≤" + "9" * 40 + "人")["text"] == "≤" + "9" * 40 + "人"


# ---- the metadata sheet ------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_is_issued_data_or_none(data):
    issued = parse_issued(json.dumps(data))
    if issued is not None:
        from budgetxl.issued import fingerprint

        fingerprint(issued)  # what validation does with it
        assert isinstance(issued["unit"], dict) and isinstance(issued["projects"], list)


def test_nesting_and_size_are_bounded():
    assert parse_issued("[" * 100_000 + "]" * 100_000) is None
    assert parse_issued('{"a":' * 50_000 + "1" + "}" * 50_000) is None
    assert parse_issued(" " * (MAX_ISSUED_CHARS + 1)) is None
    ok = {"year": 2024, "unit": {"code": "1", "name": "n", "region": "r"},
          "projects": [{"code": "c", "name": "n", "budget": {"total": "70", "fiscal": "70", "other": None}}]}
    assert parse_issued(json.dumps(ok)) == ok
    assert parse_issued(json.dumps({**ok, "later": "a plain value"})) is not None
    assert parse_issued(json.dumps({**ok, "later": {"nested": []}})) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["template_id", "template_version", "year", "issued_json", "issued_fingerprint",
                                           "unit_code", "other"]), cell_values), max_size=12))
def test_read_meta_never_raises(rows):
    grid = Grid("_meta", [["mark", "budgetxl-meta"]] + [[k, v] for k, v in rows])
    meta, findings = read_meta(grid, cell_text)
    assert all(isinstance(v, str) for v in meta.values())
    assert all(f.key == "issued-field-changed.metadata" for f in findings)
    if "year" in meta and meta["year"]:
        int(meta["year"])  # (what the reader does with it)

"""No value a cell can hold makes a conversion raise; no _meta content makes the reader raise.

Properties over everything a damaged or hostile file can put in a cell (NaN, infinities, numbers
of any size and exponent, -0, control characters, lone surrogates) and in the hidden metadata
sheet (any JSON, any nesting, any size), plus the exact spellings the fuzzer found.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgetxl.files.grids import Grid, cell_text
from budgetxl.form import load_template
from budgetxl.form.issued import fingerprint, issued_fits
from budgetxl.workbook.metadata import MAX_ISSUED_CHARS, check_issued, parse_issued, read_meta
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


# Near the issued set's shape (issued_fields): its keys, with any JSON at any of them.
issued_like = st.fixed_dictionaries({
    "year": json_values, "month": json_values,
    "unit": json_values | st.dictionaries(st.sampled_from(["code", "name", "region"]), json_values),
    "projects": json_values | st.lists(st.dictionaries(
        st.sampled_from(["code", "name", "budget", "goals", "indicators"]),
        json_values | st.dictionaries(st.sampled_from(["total", "fiscal", "other"]), json_values)
        | st.lists(st.dictionaries(st.sampled_from(["level1", "name", "value", "points"]), json_values), max_size=2)),
        max_size=3),
})

FORMS = [load_template(t) for t in ("perf-targets", "perf-monitor", "perf-selfeval")]


@settings(max_examples=300, deadline=None)
@given(json_values | issued_like)
def test_any_json_is_issued_data_or_none(data):
    issued = parse_issued(json.dumps(data))
    if issued is None:
        return
    fingerprint(issued)  # what validation does with it
    for t in FORMS:
        if issued_fits(issued, t.fields):
            assert isinstance(issued.get("projects", []), list)
            assert all(isinstance(p, dict) for p in issued.get("projects", []))


@pytest.fixture(scope="module")
def seed_read(tmp_path_factory):
    from budgetxl.demo import example_document
    from budgetxl.workbook.reader import read_workbook
    from budgetxl.workbook.writer import generate_workbook

    path = tmp_path_factory.mktemp("seed") / "seed.xlsx"
    generate_workbook(example_document(), path)
    return read_workbook(path)


@settings(max_examples=150, deadline=None)
@given(json_values | issued_like)
def test_a_tampered_issued_set_gives_findings_never_an_exception(seed_read, data):
    """Whatever the metadata holds as the issued set, the checks that compare with it report; a set
    not shaped as the template issues it is dropped with one finding (issued-field-changed.metadata)."""
    from dataclasses import replace

    from budgetxl.workbook.validate import validate_result

    meta = {**seed_read.meta, "issued_json": json.dumps(data)}
    result = replace(seed_read, meta=meta, notes=[])
    result.notes += check_issued(meta, result.template)
    if parse_issued(json.dumps(data)) is None or not issued_fits(data, result.template.fields):
        assert "issued_json" not in meta and [f.key for f in result.notes] == ["issued-field-changed.metadata"]
    keys = {f.key or f.rule for f in validate_result(result)}
    assert ("issued-field-changed.metadata" in keys) == ("issued_json" not in meta)


def test_the_seed_issued_set_fits_its_form(seed_read):
    assert issued_fits(seed_read.issued(), seed_read.template.fields)
    bad = json.loads(seed_read.meta["issued_json"])
    bad["projects"][0]["budget"]["total"] = "七十"
    assert not issued_fits(bad, seed_read.template.fields)
    bad["projects"][0]["budget"] = {"total": None, "fiscal": None, "other": None}
    assert issued_fits(bad, seed_read.template.fields)  # (issued empty: never compared)
    bad["projects"][0]["budget"] = "70"
    assert not issued_fits(bad, seed_read.template.fields)
    bad["projects"] = {"code": "c"}
    assert not issued_fits(bad, seed_read.template.fields)


def test_nesting_and_size_are_bounded():
    assert parse_issued("[" * 100_000 + "]" * 100_000) is None
    assert parse_issued('{"a":' * 50_000 + "1" + "}" * 50_000) is None
    assert parse_issued(" " * (MAX_ISSUED_CHARS + 1)) is None
    ok = {"year": 2024, "unit": {"code": "1", "name": "n", "region": "r"},
          "projects": [{"code": "c", "name": "n", "budget": {"total": "70", "fiscal": "70", "other": None}}]}
    assert parse_issued(json.dumps(ok)) == ok
    assert parse_issued(json.dumps({**ok, "later": "a plain value"})) is not None
    assert parse_issued(json.dumps({**ok, "later": {"a": {"b": {"c": {"d": {"e": {"f": {"g": []}}}}}}}})) is None
    assert parse_issued('{"projects": NaN}') is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["template_id", "template_version", "year", "issued_json", "issued_fingerprint",
                                           "unit_code", "other"]), cell_values), max_size=12))
def test_read_meta_never_raises(rows):
    grid = Grid("_meta", [["mark", "budgetxl-meta"]] + [[k, v] for k, v in rows])
    meta, findings = read_meta(grid)
    assert all(isinstance(v, str) for v in meta.values())
    assert all(f.key == "issued-field-changed.metadata" for f in findings)
    if "year" in meta and meta["year"]:
        int(meta["year"])  # (what the reader does with it)


def test_a_workbook_of_another_template_may_lack_its_fields(seed_read):
    """Validated with a template that issues a field the workbook's own did not: not an altered
    sheet (template-version says what is wrong); the same gap under its own template is."""
    data = json.loads(seed_read.meta["issued_json"])
    del data["projects"][0]["budget"]["other"]
    meta = {**seed_read.meta, "issued_json": json.dumps(data)}
    assert [f.key for f in check_issued(dict(meta), seed_read.template)] == ["issued-field-changed.metadata"]
    assert check_issued({**meta, "template_version": "2020010101"}, seed_read.template) == []

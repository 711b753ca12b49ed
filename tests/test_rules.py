"""Validation rules against a corpus of deliberately wrong workbooks (see rulecases.py)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from budgetxl.workbook.reader import read_workbook
from budgetxl.rules import CATALOGUE, RULES, message_key
from budgetxl.form import load_template
from budgetxl.rules import check_document
from budgetxl.workbook.validate import validate_file

try:  # tests/ may or may not become a package
    from . import rulecases as rc
except ImportError:  # pragma: no cover - depends on how pytest imports the module
    import rulecases as rc

# Rules that need the workbook itself (metadata, summary sheet, the file's parts): a bare document
# cannot break them.
WORKBOOK_ONLY = {"issued-field-changed", "template-version", "summary-mismatch", "metadata-missing", "macros"}

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl: unsupported extensions


def _case_params():
    out = []
    for c in rc.CASES:
        marks = [pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else []
        out.append(pytest.param(c, id=c.id, marks=marks))
    return out


def _diff(got: Counter, want: Counter) -> str:
    extra = sorted((got - want).elements(), key=str)
    missing = sorted((want - got).elements(), key=str)
    return f"unexpected: {extra}\nmissing:    {missing}"


def _template_with(tmp_path: Path, severities: dict[str, str]):
    """A copy of the built-in template with ``[rules.severity]`` entries, loaded from tmp_path."""
    text = (rc.ROOT / "templates" / "perf-targets.toml").read_text(encoding="utf-8")
    assert "\n[rules.severity]\n" in text
    lines = "".join(f'"{rule}" = "{sev}"\n' for rule, sev in severities.items())
    path = tmp_path / "perf-targets-custom.toml"
    path.write_text(text.replace("\n[rules.severity]\n", "\n[rules.severity]\n" + lines), encoding="utf-8")
    t = load_template(path)
    assert dict(t.rules.severity) == severities
    return t


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """built(case) -> the case's edited workbook, made once per module (both corpus tests read it)."""
    cache: dict[str, Path] = {}

    def get(case: rc.Case) -> Path:
        if case.id not in cache:
            cache[case.id] = rc.build_case(case, tmp_path_factory.mktemp("rulecase"))
        return cache[case.id]

    return get


def _case(case_id: str) -> rc.Case:
    return next(c for c in rc.CASES if c.id == case_id)


# ---- the seed --------------------------------------------------------------------------------

def test_seed_workbook_has_only_the_two_known_warnings(tmp_path):
    report = validate_file(rc.make_seed_workbook(tmp_path / "seed.xlsx"))
    assert report.readable and report.valid
    assert report.errors == 0
    assert report.warnings == 2
    assert [rc.as_tuple(f) for f in report.findings] == rc.BASELINE
    assert [f.message("zh") for f in report.findings] == ["没有满意度指标"] * 2
    assert [f.message("en") for f in report.findings] == ["No 满意度指标 indicator"] * 2


def test_seed_resaved_by_openpyxl_is_unchanged(built):
    """openpyxl drops the cached formula values (summary, titles): that alone must not matter."""
    case = rc.Case("nothing", lambda wb, doc: None, [])
    report = validate_file(built(case))
    assert [rc.as_tuple(f) for f in report.findings] == rc.BASELINE


def test_check_document_on_the_seed():
    findings = check_document(rc.seed_doc())
    assert [rc.as_tuple(f) for f in findings] == [("indicator-coverage.expected", "warning", None, None)] * 2
    assert {f.rule for f in findings} == {k.split(".")[0] for k, *_ in rc.BASELINE}


# ---- the corpus ------------------------------------------------------------------------------

@pytest.mark.parametrize("case", _case_params())
def test_wrong_workbook(case: rc.Case, built):
    report = validate_file(built(case))
    assert report.readable, report.error
    got = Counter(rc.as_tuple(f) for f in report.findings)
    want = Counter(case.want())
    assert got == want, f"{case.id}: {case.doc}\n{_diff(got, want)}"
    for f in report.findings:
        for lang in ("zh", "en"):
            text = f.message(lang)
            assert text and "{" not in text, (f.rule, lang, text)
    assert report.valid == (not any(sev == "error" for _, sev, _, _ in case.expected))


@pytest.mark.parametrize("case", _case_params())
def test_wrong_document_without_workbook(case: rc.Case, built):
    """check_document on the document read from the wrong workbook: the same rules, no locations."""
    result = read_workbook(built(case))
    findings = check_document(result.doc, result.template)
    assert all(f.sheet is None and f.cell is None for f in findings)
    got = Counter(rc.finding_key(f) for f in findings)
    baseline = [k for k, *_ in rc.BASELINE] if case.baseline else []
    if case.bare is not None:
        want = Counter(baseline + case.bare)
    else:
        want = Counter(baseline + [k for k, *_ in case.expected if k.split(".")[0] not in WORKBOOK_ONLY])
    assert got == want, f"{case.id}\n{_diff(got, want)}"


# ---- the corpus covers the catalogue ----------------------------------------------------------

def test_case_ids_are_unique():
    ids = [c.id for c in rc.CASES]
    assert len(ids) == len(set(ids))


def test_expected_findings_name_real_rules_and_messages():
    keys = {message_key(r.id, v) for r in CATALOGUE for v in r.messages}
    for c in rc.CASES:
        for key, severity, sheet, cell in c.expected:
            assert key in keys, (c.id, key)
            assert severity in ("error", "warning"), (c.id, key)
            assert cell is None or sheet is not None, (c.id, key)


def _all_cases() -> list:
    """The targets corpus and the later stages' (tests/stagecases.py)."""
    import stagecases

    return [*rc.CASES, *stagecases.CASES]


def test_every_rule_is_triggered_by_a_case():
    triggered = {key.split(".")[0] for c in _all_cases() if not c.xfail for key, *_ in c.expected}
    missing = [r.id for r in CATALOGUE if r.id not in triggered]
    assert not missing, f"rules no case triggers: {missing}"


def test_every_message_variant_is_triggered_by_a_case():
    triggered = {key for c in _all_cases() if not c.xfail for key, *_ in c.expected}
    missing = [message_key(r.id, v) for r in CATALOGUE for v in r.messages if message_key(r.id, v) not in triggered]
    assert not missing, f"message variants no case triggers: {missing}"


def test_expected_severities_are_the_catalogue_defaults():
    """Coverage warnings (.expected/.level2) are warnings whatever the rule's severity."""
    for c in rc.CASES:
        for key, severity, _, _ in c.expected:
            rule = key.split(".")[0]
            default = "warning" if key in ("indicator-coverage.expected", "indicator-coverage.level2") else RULES[rule].severity
            assert severity == default, (c.id, key)


# ---- [rules.severity] in a template ----------------------------------------------------------

def test_severity_off_silences_a_rule(tmp_path, built):
    t = _template_with(tmp_path, {"indicator-coverage": "off"})
    seed = rc.make_seed_workbook(tmp_path / "seed.xlsx")
    assert validate_file(seed, t).findings == []
    assert check_document(rc.seed_doc(), t) == []
    # an error variant is silenced too
    case = _case("coverage-no-output")
    assert validate_file(built(case), t).findings == []


def test_severity_warning_downgrades_an_error(tmp_path, built):
    t = _template_with(tmp_path, {"budget-sum": "warning", "indicator-coverage": "warning"})
    case = _case("budget-does-not-add-up")
    report = validate_file(built(case), t)
    got = Counter(rc.as_tuple(f) for f in report.findings)
    want = Counter(rc.BASELINE + [("budget-sum", "warning", rc.S1, "C4"),
                                  ("issued-field-changed", "error", rc.S1, "E4")])
    assert got == want, _diff(got, want)

    case = _case("coverage-no-output")
    report = validate_file(built(case), t)
    got = Counter(rc.as_tuple(f) for f in report.findings)
    want = Counter(rc.BASELINE + [("indicator-coverage", "warning", rc.S1, "A13")])
    assert got == want, _diff(got, want)
    assert report.valid


def test_severity_error_upgrades_a_warning(tmp_path, built):
    t = _template_with(tmp_path, {"summary-mismatch": "error", "metadata-missing": "error"})
    case = _case("summary-total-overwritten")
    report = validate_file(built(case), t)
    assert [rc.as_tuple(f) for f in report.findings if f.rule == "summary-mismatch"] == [
        ("summary-mismatch", "error", rc.SUMMARY, "D3")]
    assert not report.valid

    case = _case("metadata-sheet-deleted")
    report = validate_file(built(case), t)
    assert [rc.as_tuple(f) for f in report.findings if f.rule == "metadata-missing"] == [
        ("metadata-missing", "error", None, None)]


def test_severity_off_for_workbook_only_rules(tmp_path, built):
    t = _template_with(tmp_path, {"metadata-missing": "off", "summary-mismatch": "off", "issued-field-changed": "off",
                                  "macros": "off"})
    for cid in ("metadata-sheet-deleted", "summary-row-missing", "issued-project-sheet-deleted", "macros-saved-as-xlsm"):
        report = validate_file(built(_case(cid)), t)
        assert [rc.as_tuple(f) for f in report.findings] == rc.BASELINE, cid


def test_check_document_respects_template_severity(tmp_path):
    t = _template_with(tmp_path, {"indicator-coverage": "error"})
    doc = rc.seed_doc()
    doc.projects[0].indicators = [i for i in doc.projects[0].indicators if i.level1 != "效益指标"]
    findings = check_document(doc, t)
    assert Counter(rc.as_tuple(f) for f in findings) == Counter(
        [("indicator-coverage", "error", None, None)] + [("indicator-coverage.expected", "warning", None, None)] * 2)

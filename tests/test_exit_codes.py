"""One exit-code scheme for every command: 0 done and fine, 1 done but something needs attention,
2 nothing done (a usage error, an unreadable single input, a refused output). Each command is run
in its fine, attention and nothing-done cases (read and demo have no attention case: reading
judges nothing, the demo's mistakes are its subject)."""

from __future__ import annotations

import json
import shutil

import pytest

from budgetxl.workbook.writer import generate_workbook

from clirun import ROSTER, SEED, budget_csv, cli, files, seed, stage_files, unit_doc

DONE, ATTENTION, NOTHING = 0, 1, 2


@pytest.fixture(scope="module")
def f(tmp_path_factory):
    return files(tmp_path_factory.mktemp("exit"))


def test_generate(f, tmp_path):
    assert cli("generate", "--prefill", f["seed"], "-o", tmp_path / "a.xlsx").code == DONE  # clerk's warnings only
    data = json.loads(SEED.read_text(encoding="utf-8"))
    data["projects"][0]["budget"]["total"] = 71  # issued data breaking budget-sum: the clerk cannot fix it
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert cli("generate", "--prefill", doc, "-o", tmp_path / "b.xlsx").code == ATTENTION
    assert cli("generate", "--units", f["roster"], "--year", "2024", "-o", tmp_path / "c").code == DONE
    # the budget list has no row for 402001: its workbook is blank, and said so
    r = cli("generate", "--units", f["roster"], "--budget", f["budget"], "--year", "2024", "-o", tmp_path / "d")
    assert r.code == ATTENTION and "402001" in r.out and len(list((tmp_path / "d").glob("*.xlsx"))) == 3
    assert cli("generate", "--prefill", f["seed"]).code == NOTHING
    assert cli("generate", "--prefill", f["notes"], "-o", tmp_path / "e.xlsx").code == NOTHING
    assert not (tmp_path / "e.xlsx").exists()


def test_read(f, tmp_path):
    assert cli("read", f["good"], "-o", tmp_path / "d.json").code == DONE
    assert cli("read", f["notes"]).code == NOTHING
    assert cli("read", f["good"], "-o", tmp_path / "d.csv").code == NOTHING  # json into a .csv


def test_validate(f, tmp_path):
    assert cli("validate", f["good"]).code == DONE
    assert cli("validate", f["bad"]).code == ATTENTION
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 cut short")
    assert cli("validate", f["good"], broken).code == ATTENTION  # one unreadable among others: the rest done
    assert cli("validate", broken).code == NOTHING
    assert cli("validate", f["good"], "--annotate-warnings").code == NOTHING


def test_merge(f, tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    shutil.copy(f["good"], good / "a.xlsx")
    shutil.copy(f["good"], good / "b.xlsx")  # an identical copy: counted once, nothing to look at
    assert cli("merge", good, "-o", tmp_path / "m1.xlsx").code == DONE
    r = cli("merge", good, "-o", tmp_path / "m2.xlsx", "--units", f["roster"])  # two roster units missing
    assert r.code == ATTENTION and (tmp_path / "m2.xlsx").is_file()
    assert cli("merge", f["bad"].parent, "-o", tmp_path / "m3.xlsx").code == ATTENTION  # an invalid file
    r = cli("merge", good, "-o", tmp_path / "m4.xlsx", "--units", f["roster"], "--strict")
    assert r.code == NOTHING and not (tmp_path / "m4.xlsx").exists()
    assert cli("merge", good, "-o", tmp_path / "m5.xlsx", "--jobs", "-3").code == NOTHING


def test_sync(f, tmp_path):
    wb = tmp_path / "w.xlsx"
    shutil.copy(f["good"], wb)
    before = wb.read_bytes()
    r = cli("sync", wb, "--from", f["seed"], "--in-place")
    assert r.code == DONE and wb.read_bytes() == before and not list(tmp_path.glob("*.bak-*"))  # untouched
    changed = seed()
    changed.projects[0].budget.total = changed.projects[0].budget.fiscal = 75
    issued = tmp_path / "issued.json"
    issued.write_text(changed.to_json(), encoding="utf-8")
    r = cli("sync", wb, "--from", issued, "-o", tmp_path / "out.xlsx")
    assert r.code == ATTENTION and "预算数 70 → 75" in r.out
    assert cli("sync", wb, "--from", issued, "--in-place", "-o", tmp_path / "x.xlsx").code == NOTHING
    assert not (tmp_path / "x.xlsx").exists() and wb.read_bytes() == before


def test_split(f, tmp_path):
    cons = tmp_path / "c.xlsx"
    assert cli("merge", f["good"], "-o", cons).code == DONE
    assert cli("split", cons, "-o", tmp_path / "same").code == DONE  # same year, every unit from its data
    r = cli("split", cons, "-o", tmp_path / "next", "--year", "2025")  # codes still to supply
    assert r.code == ATTENTION and "--budget" in r.out
    assert cli("split", cons, "-o", tmp_path / "x", "--budget-complete").code == NOTHING
    assert cli("split", cons, "-o", tmp_path / "y", "--year", "99999").code == NOTHING


def test_diff(f, tmp_path):
    assert cli("diff", f["seed"], f["good"]).code == DONE
    assert cli("diff", f["seed"], f["bad"]).code == ATTENTION
    assert cli("diff", f["seed"], f["notes"]).code == NOTHING


def test_demo(tmp_path, f):
    assert cli("demo", "-o", f["notes"]).code == NOTHING  # a file where a folder is wanted
    assert cli("demo", "-o", tmp_path / "demo").code == DONE


def test_import(f, tmp_path):
    published = shutil.copy(f["seed"].with_name("juluxian-2024-published.txt"), tmp_path / "pub.txt")
    assert cli("import", published, "-o", tmp_path / "a.json").code == DONE
    other = unit_doc(0)
    doc = tmp_path / "other.json"
    doc.write_text(other.to_json(), encoding="utf-8")
    assert cli("import", published, "-o", tmp_path / "b.json", "--diff-against", doc).code == ATTENTION
    assert cli("import", tmp_path / "missing.txt").code == NOTHING
    assert cli("import", published, "-o", tmp_path / "c.xlsx").code == NOTHING  # JSON into an .xlsx


def test_portal(f, tmp_path):
    pytest.importorskip("sqlalchemy")
    portal = tmp_path / "p"
    assert cli("portal", "init", portal, "--units", f["roster"], "--year", "2024").code == DONE
    assert cli("portal", "init", tmp_path / "q", "--units", f["notes"], "--year", "2024").code == NOTHING
    assert cli("portal", "import", portal, f["good"]).code == DONE
    assert cli("portal", "import", portal, f["bad"]).code == ATTENTION
    assert cli("portal", "import", portal, tmp_path / "none.xlsx").code == NOTHING
    assert cli("portal", "serve", tmp_path / "nowhere").code == NOTHING
    r = cli("merge", "--ledger", portal, "-o", tmp_path / "l.xlsx")  # 402001 has not reported, 401001 invalid
    assert r.code == ATTENTION and (tmp_path / "l.xlsx").is_file()
    assert cli("merge", "--ledger", portal, "-o", tmp_path / "l2.xlsx", "--strict").code == NOTHING


def test_later_stages(f, tmp_path):
    """generate --stage, merge and split of the monitoring and self-evaluation forms: the same scheme."""
    cons = tmp_path / "c.xlsx"
    assert cli("merge", f["good"], "-o", cons).code == DONE
    st = stage_files(tmp_path, cons)
    assert cli("generate", "--stage", "monitor", "--from", cons, "--month", "9", "-o", tmp_path / "m").code == DONE
    assert cli("generate", "--stage", "selfeval", "--from", cons, "--budget", f["budget"], "-o", tmp_path / "s").code == DONE
    r = cli("generate", "--stage", "monitor", "--from", cons, "--units", f["roster"], "-o", tmp_path / "m2")
    assert r.code == ATTENTION and "401001" in r.out and len(list((tmp_path / "m2").glob("*.xlsx"))) == 1
    for args in (["--month", "13"], ["--year", "2025"], ["--prefill", f["seed"]], ["-o", f["notes"]]):
        out = ["-o", tmp_path / "x"] if "-o" not in args else []
        assert cli("generate", "--stage", "monitor", "--from", cons, *args, *out).code == NOTHING, args
    assert cli("generate", "--stage", "selfeval", "--from", cons, "--month", "7", "-o", tmp_path / "x").code == NOTHING
    assert cli("generate", "--stage", "monitor", "--from", cons, "--budget", f["budget"], "-o", tmp_path / "x").code == NOTHING
    assert cli("generate", "--stage", "monitor", "-o", tmp_path / "x").code == NOTHING
    assert not (tmp_path / "x").exists()
    assert cli("validate", st["monret"]).code == ATTENTION
    r = cli("merge", st["monret"], f["good"], "-o", tmp_path / "mix.xlsx")  # a targets workbook among them
    assert r.code == ATTENTION and "其他表式" in r.out
    assert cli("merge", st["monret"], f["good"], "-o", tmp_path / "mix2.xlsx", "--strict").code == NOTHING
    assert not (tmp_path / "mix2.xlsx").exists()
    assert cli("split", st["moncons"], "-o", tmp_path / "next").code == NOTHING
    assert not (tmp_path / "next").exists()
    assert cli("diff", st["monret"], st["monret"]).code == DONE
    assert cli("diff", st["monitor"], st["monret"]).code == ATTENTION


def test_version_and_usage_errors_are_one_line():
    r = cli("--version")
    assert r.code == DONE and r.out.startswith("budgetxl ")
    for args in (["generate"], ["read"], ["read", "a", "b"], ["validate", "--frmat", "json", "x"],
                 ["merge", "x", "-o", "y.xlsx", "--jobs", "many"], ["nosuchcommand"], ["validate", "x", "--format"],
                 ["generate", "--stage", "yearly", "-o", "x"], ["generate", "--stage", "monitor", "--month", "0", "-o", "x"]):
        r = cli(*args)
        assert r.code == NOTHING and len(r.err.strip().splitlines()) == 1, (args, r.err)
        assert r.err.startswith("用法错误：") and "Traceback" not in r.err and "Error:" not in r.err


def test_merge_lists_every_file_it_did_not_count(f, tmp_path):
    """On the terminal, not only in the 报送情况 sheet: each file left out of the totals, and why."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(f["good"], inbox / "414001_a.xlsx")
    shutil.copy(f["good"], inbox / "414001_copy.xlsx")  # identical: counted once
    shutil.copy(f["bad"], inbox / "401001_b.xlsx")  # errors
    (inbox / "notes.xlsx").write_text("not a workbook", encoding="utf-8")  # unreadable
    r = cli("merge", inbox, "-o", tmp_path / "m.xlsx")
    assert r.code == ATTENTION
    listed = r.out.split("未计入汇总的文件（3 个）")[1]
    for name, why in (("414001_copy.xlsx", "重复文件"), ("401001_b.xlsx", "校验未通过"), ("notes.xlsx", "无法读取")):
        line = listed[listed.index(name):]
        assert why in line.split("\n", 2)[1], (name, listed)

"""`budgetxl portal init|import`, --budget, --stage, and the ledger's migrations."""

from __future__ import annotations

import csv
import json
import re
import shutil
import warnings
import zipfile

import pytest
from typer.testing import CliRunner

from budgetxl.cli import app as cli_app
from .portal_helpers import UNITS, make_portal, unit_doc, with_mistake, workbook, write_roster

runner = CliRunner()


@pytest.mark.parametrize("name", ["init", "serve", "import"])
def test_portal_commands_have_help_with_an_example(name):
    r = runner.invoke(cli_app, ["portal", name, "--help"])
    assert r.exit_code == 0 and "示例 / Example" in r.stdout and f"budgetxl portal {name}" in r.stdout


def test_init_prints_the_admin_token_last_and_writes_links(tmp_path):
    roster = write_roster(tmp_path / "roster.csv")
    budget = tmp_path / "budget.csv"
    budget.write_text("unit_code,project_code,project_name,total,fiscal,other\n"
                      "414001,13052924P005840123885,非财政开支人员工作经费,70,70,0\n"
                      "414001,13052924P005840123886,计量业务经费,12.5,10,2.5\n", encoding="utf-8")
    r = runner.invoke(cli_app, ["portal", "init", str(tmp_path / "p"), "--units", str(roster), "--year", "2024",
                                "--budget", str(budget), "--base-url", "https://bx.example.gov.cn"])
    assert r.exit_code == 0, r.output
    admin = r.stdout.rstrip("\n").splitlines()[-1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", admin)
    with open(tmp_path / "p" / "links.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["unit_code", "unit_name", "link", "token"]
    assert [r[0] for r in rows[1:]] == [u[0] for u in UNITS]
    assert all(r[2].startswith("https://bx.example.gov.cn/u/") for r in rows[1:])
    assert oct((tmp_path / "p" / "links.csv").stat().st_mode & 0o777) == "0o600"

    from budgetxl.portal.manage import open_ledger
    from budgetxl import read_workbook

    ledger = open_ledger(tmp_path / "p")
    assert ledger.admin_ok(admin) and not ledger.admin_ok(admin + "x")
    issued = {p.name[:6]: p for p in (tmp_path / "p" / "下发").iterdir()}
    doc = read_workbook(issued["414001"]).doc
    from decimal import Decimal

    assert [(p.code, p.name, p.budget.total, p.budget.other) for p in doc.projects] == [
        ("13052924P005840123885", "非财政开支人员工作经费", Decimal(70), Decimal(0)),
        ("13052924P005840123886", "计量业务经费", Decimal("12.5"), Decimal("2.5"))]
    assert read_workbook(issued["401001"]).doc.projects == []  # not in the budget list: blank
    assert ledger.blob(ledger.issued("414001", "targets").sha256) == issued["414001"].read_bytes()

    again = runner.invoke(cli_app, ["portal", "init", str(tmp_path / "p"), "--units", str(roster), "--year", "2024"])
    assert again.exit_code == 2 and "已经有台账" in again.stderr and len(again.stderr.strip().splitlines()) == 1


def test_serve_and_import_refuse_a_folder_without_a_ledger(tmp_path):
    (tmp_path / "empty").mkdir()
    for args in (["serve", str(tmp_path / "empty")], ["import", str(tmp_path / "empty"), str(tmp_path)],
                 ["serve", str(tmp_path / "nowhere")]):
        r = runner.invoke(cli_app, ["portal", *args])
        assert r.exit_code == 2 and "portal init" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not list((tmp_path / "empty").iterdir())  # nothing was created there
    r = runner.invoke(cli_app, ["merge", "--ledger", str(tmp_path / "empty"), "-o", str(tmp_path / "o.xlsx")])
    assert r.exit_code == 2 and not (tmp_path / "o.xlsx").exists()


def test_english_pages(portal):
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from starlette.testclient import TestClient

    c = TestClient(portal.app())
    assert "上传并校验" in c.get(portal.links["414001"]).text
    assert "Upload and check" in c.get(portal.links["414001"] + "?lang=en").text
    assert "Upload and check" in c.get(portal.links["414001"]).text  # remembered in a cookie


def test_a_finding_shows_in_the_language_of_the_page(portal, tmp_path):
    """Findings are stored as data (rule, key, arguments, cell) and rendered when a page is shown:
    the same submission reads in Chinese on a Chinese page and in English on an English one."""
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from starlette.testclient import TestClient

    c = TestClient(portal.app())
    page = c.get(portal.links["414001"])
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)[1]
    wb = workbook(with_mistake(unit_doc("414001")), tmp_path / "巨鹿县.xlsx")
    r = c.post(portal.links["414001"] + "/upload", data={"csrf": csrf}, files={"file": (wb.name, wb.read_bytes())})
    assert r.status_code == 200 and "预算数 71 ≠ 财政资金 70 + 其他资金 0" in r.text and "校验未通过" in r.text
    en = c.get(str(r.url) + "?lang=en").text
    assert "Total 71 ≠ fiscal 70 + other 0" in en and "not passed" in en and "预算数 71" not in en
    api = c.post("/api/submissions?lang=en", headers={"Authorization": f"Bearer {portal.tokens['414001']}"},
                 files={"file": (wb.name, wb.read_bytes())})
    assert any("Total 71 ≠" in i["message"] for i in api.json()["files"][0]["issues"])
    assert {u["code"]: u["status"] for u in c.get("/api/status", headers={
        "Authorization": f"Bearer {portal.admin}"}).json()["units"]}["414001"] == "校验未通过"  # as the issue spells it


def test_an_unknown_stage_is_refused(tmp_path, portal):
    roster = write_roster(tmp_path / "roster.csv")
    r = runner.invoke(cli_app, ["portal", "init", str(tmp_path / "q"), "--units", str(roster), "--year", "2024",
                                "--stage", "nonsense"])
    assert r.exit_code == 2 and not (tmp_path / "q").exists()
    r = runner.invoke(cli_app, ["portal", "import", str(portal.folder), str(tmp_path), "--stage", "nonsense"])
    assert r.exit_code == 2
    # (the later stages themselves: test_portal_stages.py)


def test_import_enters_mailed_files_with_the_same_checks(portal, tmp_path):
    inbox = tmp_path / "邮件附件"
    inbox.mkdir()
    workbook(with_mistake(unit_doc("414001")), inbox / "巨鹿县（第一次）.xlsx")
    good = workbook(unit_doc("414001"), tmp_path / "巨鹿县（修改版）.xlsx")
    (inbox / "不是工作簿.xlsx").write_text("a,b\n1,2\n", encoding="utf-8")
    (inbox / "402001_信都区.xls").write_text("<html><table><tr><td>1</td></tr></table></html>", encoding="utf-8")
    workbook(unit_doc("499001", "名单外单位", "130529"), inbox / "名单外.xlsx")
    archive = tmp_path / "补交.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(workbook(unit_doc("401001"), tmp_path / "襄都区.xlsx"), "襄都区.xlsx")
    import os
    import time

    os.utime(good, (time.time() + 60, time.time() + 60))  # the newer file of 414001 comes last
    shutil.copy2(good, inbox / good.name)
    r = runner.invoke(cli_app, ["portal", "import", str(portal.folder), str(inbox), str(archive)])
    assert r.exit_code == 1, r.output  # done, but some files need attention
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 7 and lines[-1].startswith("共 6 个文件：2 个通过")
    ledger = portal.ledger()
    board = {u.code: u.status for u in ledger.board("targets")}
    # the unreadable file named after 402001 is in its history; the other one belongs to nobody
    assert board == {"414001": "submitted", "401001": "submitted", "402001": "invalid"}
    assert [h["row"].verdict for h in ledger.history("402001", "targets")] == ["refused"]
    history = ledger.history("414001", "targets")
    assert [h["state"] for h in history] == ["submitted", "invalid"]
    assert {h["row"].source for h in history} == {"import"} and history[0]["row"].filename == "巨鹿县（修改版）.xlsx"
    assert any("名单外" in ln and "499001" in ln for ln in lines)
    assert any("不是工作簿.xlsx" in ln and "未登记" in ln for ln in lines)
    assert "imported" in [a.action for a in ledger.audit_log()]


def test_reissue_workbook_from_the_city_page(portal, tmp_path):
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from starlette.testclient import TestClient

    c = TestClient(portal.app())
    wb = workbook(unit_doc("414001"), tmp_path / "w.xlsx")
    assert c.post("/api/submissions", headers={"Authorization": f"Bearer {portal.tokens['414001']}"},
                  files={"file": ("w.xlsx", wb.read_bytes())}).status_code == 200
    page = c.get("/admin/login")
    c.post("/admin/login", data={"csrf": re.search(r'name="csrf" value="([^"]+)"', page.text)[1],
                                 "password": portal.admin})
    csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/admin/unit/414001").text)[1]
    budget = "unit_code,project_code,project_name,total,fiscal,other\n414001,13052924P005840123885,新项目,5,5,0\n"
    r = c.post("/admin/unit/414001/reissue-workbook", data={"csrf": csrf, "supersede": "1"},
               files={"budget": ("预算.csv", budget.encode())})
    assert r.status_code == 200 and "第 2 版" in r.text
    assert {u.code: u.status for u in portal.ledger().board("targets")}["414001"] == "superseded"
    clerk = c.get(portal.links["414001"] + "/workbook")
    from budgetxl.portal.engine import check_file

    path = tmp_path / "v2.xlsx"
    path.write_bytes(clerk.content)
    doc = json.loads(check_file(path, "v2.xlsx").document)
    assert [(p["code"], p["name"]) for p in doc["projects"]] == [("13052924P005840123885", "新项目")]


def test_migrations_match_the_models(tmp_path, request):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from budgetxl.portal import db
    from budgetxl.portal.models import Base

    urls = [db.default_url(tmp_path)]
    try:
        urls.append(request.getfixturevalue("pg_url"))
    except pytest.skip.Exception:
        pass
    for url in urls:
        engine = db.make_engine(url)
        db.upgrade(engine)
        db.upgrade(engine)  # idempotent
        assert db.schema_revision(engine) == db.head_revision()
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        if url.startswith("sqlite"):
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        engine.dispose()

"""The year in one ledger: the monitoring and self-evaluation stages opened on a portal, issued from
each unit's current targets, collected, and consolidated — on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import csv
import json
import re
import warnings

import openpyxl
import pytest
from typer.testing import CliRunner

import budgetxl
from budgetxl.cli import app as cli_app

from .portal_helpers import fill_monitoring, make_portal, unit_doc, with_mistake, workbook, write_roster

runner = CliRunner()


def client_for(app):
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from starlette.testclient import TestClient

    return TestClient(app)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def post(c, token: str, data: bytes, name: str, stage: str | None = None):
    return c.post("/api/submissions" + (f"?stage={stage}" if stage else ""), headers=bearer(token),
                  files={"file": (name, data, "application/octet-stream")})


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html)[1]


def status(c, admin: str, stage: str) -> dict[str, str]:
    r = c.get(f"/api/status?stage={stage}", headers=bearer(admin))
    assert r.status_code == 200, r.text
    return {u["code"]: u["status"] for u in r.json()["units"]}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def targets_in(request, tmp_path):
    """A portal where 414001 and 401001 have passed targets (401001 after a failed first try) and
    402001 has sent nothing."""
    url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    p = make_portal(tmp_path / "portal", url)
    c = client_for(p.app())
    for code, mistake in (("414001", False), ("401001", True), ("401001", False)):
        doc = with_mistake(unit_doc(code)) if mistake else unit_doc(code)
        wb = workbook(doc, tmp_path / f"{code}-{mistake}.xlsx")
        assert post(c, p.tokens[code], wb.read_bytes(), wb.name).status_code == 200
    return p, c


def test_monitoring_opens_from_the_ledger_and_is_collected(targets_in, tmp_path):
    p, c = targets_in
    links_before = (p.folder / "links.csv").read_bytes()
    r = runner.invoke(cli_app, ["portal", "init", str(p.folder), "--stage", "monitor", "--month", "7"])
    # done, but 402001 has no targets to issue from: listed, exit 1; no new admin token
    assert r.exit_code == 1, r.output
    lines = r.stdout.strip().splitlines()
    assert [ln for ln in lines if "402001" in ln] == ["未下发：402001 信都区市场监督管理局本级 没有通过校验的绩效目标表"
                                                       "（报送后在管理页面为其重新下发）"]
    assert "已开放绩效运行监控表：下发 2 个工作簿" in lines[-1] and not re.fullmatch(r"[A-Za-z0-9_-]{43}", lines[-1])
    assert (p.folder / "links.csv").read_bytes() == links_before  # the same units, links and tokens
    ledger = p.ledger()
    assert ledger.stages() == ["targets", "monitor"] and ledger.stage_months() == {"targets": None, "monitor": 7}
    assert ledger.issued("402001", "monitor") is None
    assert {a.unit_code for a in ledger.audit_log() if a.action == "issued" and a.stage == "monitor"} == {
        "414001", "401001"}
    assert "opened" in [a.action for a in ledger.audit_log()]

    # the clerk's page shows both stages, the newest first; the issued monitoring workbook carries
    # the unit's current targets (the passed second try for 401001)
    c = client_for(p.app())  # (a fresh app: a new ledger object sees the new stage)
    page = c.get(p.links["401001"]).text
    assert page.index("绩效运行监控表（1–7月）") < page.index('id="stage-targets"')
    issued = c.get(p.links["401001"] + "/workbook?stage=monitor")
    assert issued.status_code == 200
    path = tmp_path / "issued-monitor.xlsx"
    path.write_bytes(issued.content)
    doc = budgetxl.read_workbook(path).doc
    targets = unit_doc("401001")
    assert (doc.stage, doc.month, doc.unit.code) == ("monitor", 7, "401001")
    assert [(q.code, q.budget.total) for q in doc.projects] == [(q.code, q.budget.total) for q in targets.projects]

    # a clerk fills it (openpyxl) and uploads it through the TARGETS box: it goes to the monitoring
    filled = fill_monitoring(issued.content, tmp_path / "401001-监控.xlsx")
    r = c.post(p.links["401001"] + "/upload", data={"csrf": csrf_of(page), "stage": "targets"},
               files={"file": (filled.name, filled.read_bytes())})
    assert r.status_code == 200 and "校验通过" in r.text and "绩效运行监控表 · #" in r.text
    assert [h["row"].stage for h in ledger.history("401001", "monitor")] == ["monitor"]
    assert len(ledger.history("401001", "targets")) == 2  # unchanged
    # 414001 through the API, first with a mistake, then right (no ?stage=: the workbook's own)
    mine = c.get(p.links["414001"] + "/workbook?stage=monitor").content
    bad = post(c, p.tokens["414001"], fill_monitoring(mine, tmp_path / "a.xlsx", mistake=True).read_bytes(), "a.xlsx")
    assert bad.status_code == 200 and bad.json()["files"][0]["valid"] is False
    good = post(c, p.tokens["414001"], fill_monitoring(mine, tmp_path / "b.xlsx").read_bytes(), "b.xlsx",
                stage="monitor")
    assert good.status_code == 200 and good.json()["files"][0]["valid"] is True, good.text
    # the same file mailed in: `portal import --stage monitor`
    r = runner.invoke(cli_app, ["portal", "import", str(p.folder), str(tmp_path / "b.xlsx"), "--stage", "monitor"])
    assert r.exit_code == 0, r.output
    assert [h["row"].source for h in ledger.history("414001", "monitor")] == ["import", "upload", "upload"]

    assert status(c, p.admin, "monitor") == {"414001": "已报送", "401001": "已报送", "402001": "未报送"}
    assert status(c, p.admin, "targets") == {"414001": "已报送", "401001": "已报送", "402001": "未报送"}
    assert c.get("/api/status", headers=bearer(p.admin)).json() == c.get(
        "/api/status?stage=targets", headers=bearer(p.admin)).json()  # no ?stage=: the targets, as before

    # the consolidated monitoring workbook: the library's stage consolidation, read back
    r = c.get("/api/consolidated.xlsx?stage=monitor", headers=bearer(p.admin))
    assert r.status_code == 200
    assert "filename*=UTF-8''2024%E5%B9%B4%E7%BB%A9%E6%95%88%E8%BF%90%E8%A1%8C" in r.headers["content-disposition"]
    out = tmp_path / "监控汇总.xlsx"
    out.write_bytes(r.content)
    docs = budgetxl.read_consolidated(out)
    assert sorted((d.unit.code, d.stage, d.month) for d in docs) == [("401001", "monitor", 7), ("414001", "monitor", 7)]
    summary = {row[0]: row for row in openpyxl.load_workbook(out, read_only=True)["汇总"].iter_rows(values_only=True)
               if row and row[0]}
    assert "未报送" in summary["402001"] and "已报送" in summary["414001"]

    # the admin board per stage, and the CLI's merge of a stage
    login = c.get("/admin/login")
    c.post("/admin/login", data={"csrf": csrf_of(login.text), "password": p.admin})
    board = c.get("/admin").text  # the newest stage by default
    assert "绩效运行监控表" in board and board.count("已报送</span>") == 2 and 'href="?stage=targets"' in board
    merged = tmp_path / "m.xlsx"
    r = runner.invoke(cli_app, ["merge", "--ledger", str(p.folder), "--stage", "monitor", "-o", str(merged)])
    assert r.exit_code == 0, r.output
    assert {d.unit.code for d in budgetxl.read_consolidated(merged)} == {"401001", "414001"}


def test_a_stage_is_refused_in_one_line_where_it_does_not_belong(targets_in, tmp_path):
    p, c = targets_in
    issued = c.get(p.links["414001"] + "/workbook").content
    targets_path = tmp_path / "t.xlsx"
    targets_path.write_bytes(issued)
    month8 = tmp_path / "m8.xlsx"
    budgetxl.generate_workbook(budgetxl.stage_document(unit_doc("414001"), budgetxl.load_template("perf-monitor", 8)),
                               month8)
    selfeval = tmp_path / "se.xlsx"
    budgetxl.generate_workbook(budgetxl.stage_document(unit_doc("414001"), budgetxl.load_template("perf-selfeval")),
                               selfeval)

    def one_line(r, code: int, *words: str) -> None:
        assert r.exit_code == code, r.output
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.output
        for w in words:
            assert w in r.stderr

    # merge and import of a stage that is not open; an unknown stage
    one_line(runner.invoke(cli_app, ["merge", "--ledger", str(p.folder), "--stage", "selfeval", "-o",
                                     str(tmp_path / "x.xlsx")]), 2, "绩效自评表", "--stage selfeval")
    one_line(runner.invoke(cli_app, ["portal", "import", str(p.folder), str(selfeval), "--stage", "monitor"]), 2,
             "绩效运行监控表")
    assert not (tmp_path / "x.xlsx").exists()
    one_line(runner.invoke(cli_app, ["merge", str(selfeval), "--stage", "monitor", "-o", str(tmp_path / "y.xlsx")]),
             2, "--ledger")
    # a new portal that starts at a later stage needs --from; nothing is created
    roster = write_roster(tmp_path / "roster.csv")
    one_line(runner.invoke(cli_app, ["portal", "init", str(tmp_path / "new"), "--units", str(roster), "--year",
                                     "2024", "--stage", "selfeval"]), 2, "--from")
    assert not (tmp_path / "new").exists()

    r = runner.invoke(cli_app, ["portal", "init", str(p.folder), "--stage", "monitor", "--year", "2025"])
    one_line(r, 2, "2024")
    other = write_roster(tmp_path / "other.csv", [("414001", "巨鹿县市场监督管理局本级", "130529")])
    one_line(runner.invoke(cli_app, ["portal", "init", str(p.folder), "--stage", "monitor", "--units", str(other)]),
             2, "单位名单与台账中的不同")
    assert p.ledger().stages() == ["targets"]  # nothing was opened
    r = runner.invoke(cli_app, ["portal", "init", str(p.folder), "--stage", "monitor"])
    assert r.exit_code == 1
    one_line(runner.invoke(cli_app, ["portal", "init", str(p.folder), "--stage", "monitor"]), 2, "已经开放")
    c = client_for(p.app())
    # uploads: a self-evaluation (not open), a month-8 monitoring in a month-7 round, a targets
    # workbook sent to the monitoring by name; each one line, nothing recorded
    for path, stage, words in ((selfeval, None, "这是绩效自评表，门户没有开放这一阶段的收集"),
                               (month8, None, "这是 1–8 月的运行监控表，本次收集的是 1–7 月"),
                               (targets_path, "monitor", "这是绩效目标表，本次收集的是绩效运行监控表")):
        r = post(c, p.tokens["414001"], path.read_bytes(), path.name, stage)
        assert r.status_code == 422 and words in r.json()["detail"] and "\n" not in r.json()["detail"], r.text
    assert c.get("/api/status?stage=selfeval", headers=bearer(p.admin)).status_code == 422
    assert p.ledger().history("414001", "monitor") == []
    # a targets workbook still goes to the targets, while the monitoring is open
    r = post(c, p.tokens["414001"], targets_path.read_bytes(), "again.xlsx")
    assert r.status_code == 200 and len(p.ledger().history("414001", "targets")) == 2


def test_selfeval_from_the_ledger_and_a_new_portal_from_a_consolidation(targets_in, tmp_path):
    p, c = targets_in
    # self-evaluation opened straight after the targets (no monitoring round), with 全年预算数
    budget = tmp_path / "全年预算.csv"
    code = unit_doc("414001").projects[0].code
    budget.write_text(f"unit_code,project_code,project_name,total,fiscal,other\n414001,{code},x,80,80,0\n",
                      encoding="utf-8")
    r = runner.invoke(cli_app, ["portal", "init", str(p.folder), "--stage", "selfeval", "--budget", str(budget)])
    assert r.exit_code == 1 and "402001" in r.stdout
    ledger = p.ledger()
    path = tmp_path / "se.xlsx"
    path.write_bytes(ledger.blob(ledger.issued("414001", "selfeval").sha256))
    doc = budgetxl.read_workbook(path).doc
    assert doc.stage == "selfeval" and doc.projects[0].selfeval.budget.total == 80  # 全年预算数 from --budget
    assert doc.projects[1].selfeval.budget.total == unit_doc("414001").projects[1].budget.total  # else 年初预算数

    # 402001 sends its targets late; the city re-issues its self-evaluation workbook
    late = workbook(unit_doc("402001"), tmp_path / "402001.xlsx")
    assert post(c, p.tokens["402001"], late.read_bytes(), late.name).status_code == 200
    from budgetxl.portal.manage import reissue_workbook

    assert reissue_workbook(ledger, "402001", "selfeval", False, "test") == 1
    assert ledger.issued("402001", "selfeval").filename.endswith("绩效自评表.xlsx")

    # a new portal whose first stage is the monitoring, issued from the targets consolidation
    targets = tmp_path / "目标汇总.xlsx"
    assert runner.invoke(cli_app, ["merge", "--ledger", str(p.folder), "-o", str(targets)]).exit_code == 0
    roster = write_roster(tmp_path / "roster2.csv", [("414001", "巨鹿县市场监督管理局本级", "130529"),
                                                     ("499001", "名单外单位", "130529")])
    r = runner.invoke(cli_app, ["portal", "init", str(tmp_path / "p2"), "--units", str(roster), "--year", "2024",
                                "--stage", "monitor", "--month", "8", "--from", str(targets)])
    assert r.exit_code == 1 and "499001" in r.stdout  # listed: no targets for it in the source
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", r.stdout.strip().splitlines()[-1])  # the admin token, last
    with open(tmp_path / "p2" / "links.csv", encoding="utf-8-sig") as fh:
        assert [row["unit_code"] for row in csv.DictReader(fh)] == ["414001", "499001"]
    from budgetxl.portal.manage import open_ledger

    second = open_ledger(tmp_path / "p2")
    assert second.stage_months() == {"monitor": 8} and second.issued("414001", "monitor") is not None
    issued = sorted(x.name for x in (tmp_path / "p2" / "下发").iterdir())
    assert issued == ["414001_巨鹿县市场监督管理局本级_2024年绩效运行监控表.xlsx"]
    assert json.loads(json.dumps(second.stages())) == ["monitor"]

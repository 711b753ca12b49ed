"""The JSON API and the ledger behind it, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import io
import json
import warnings

import openpyxl
import pytest
from typer.testing import CliRunner

from budgetxl.cli import app as cli_app

from .portal_helpers import make_portal


def client_for(app):
    warnings.filterwarnings("ignore", message=".*httpx2.*")  # starlette's TestClient is httpx-based
    from starlette.testclient import TestClient

    return TestClient(app)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request, tmp_path):
    url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    p = make_portal(tmp_path / "portal", url)
    return p, client_for(p.app())


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def upload(c, token: str, path, name: str | None = None):
    return c.post("/api/submissions", headers=bearer(token),
                  files={"file": (name or path.name, path.read_bytes(), "application/octet-stream")})


def monitoring_wb(targets_wb):
    """The monitoring workbook issued from a unit's targets workbook (``budgetxl generate --stage``)."""
    import budgetxl

    out = targets_wb.with_name("监控_" + targets_wb.name)
    budgetxl.generate_workbook(budgetxl.stage_document(budgetxl.load_document(targets_wb),
                                                       budgetxl.load_template("perf-monitor", month=7)), out)
    return out


def test_submit_status_consolidated(backend, make_wb, monkeypatch):
    p, c = backend
    assert c.get("/healthz").json() == {"status": "ok"}
    good, bad = make_wb("414001"), make_wb("401001", mistake=True)
    r = upload(c, p.tokens["414001"], good)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"files", "submission_id"} and isinstance(body["submission_id"], int)
    # the same report as `budgetxl validate --format json` on that file
    monkeypatch.chdir(good.parent)  # the report names the file as sent: run the CLI on the same name
    cli = CliRunner().invoke(cli_app, ["validate", good.name, "--format", "json"])
    assert body["files"] == json.loads(cli.stdout)["files"]
    assert body["files"][0]["valid"] is True and body["files"][0]["errors"] == 0

    r = upload(c, p.tokens["401001"], bad)
    assert r.status_code == 200
    rep = r.json()["files"][0]
    assert rep["valid"] is False and any(i["rule"] == "budget-sum" and i["cell"] for i in rep["issues"])

    r = c.get("/api/status", headers=bearer(p.admin))
    assert r.status_code == 200
    units = {u["code"]: u for u in r.json()["units"]}
    assert list(r.json()) == ["units"] and len(units) == 3
    assert all(set(u) == {"code", "name", "status", "submitted_at", "errors", "warnings"} for u in units.values())
    assert units["414001"]["status"] == "已报送" and units["414001"]["errors"] == 0
    assert units["401001"]["status"] == "校验未通过" and units["401001"]["errors"] >= 1
    assert units["402001"] == {"code": "402001", "name": "信都区市场监督管理局本级", "status": "未报送",
                               "submitted_at": None, "errors": None, "warnings": None}

    r = c.get("/api/consolidated.xlsx", headers=bearer(p.admin))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    rows = {row[0]: row for row in wb["汇总"].iter_rows(values_only=True) if row and row[0]}
    assert "414001" in rows and "402001" in rows
    assert "已报送" in rows["414001"] and "未报送" in rows["402001"]


def test_auth_size_and_refusals(backend, make_wb, tmp_path):
    p, c = backend
    good = make_wb("414001")
    assert upload(c, "", good).status_code == 401
    assert c.post("/api/submissions", files={"file": ("a.xlsx", b"x")}).status_code == 401
    assert upload(c, "wrong-token", good).status_code == 401
    assert upload(c, p.admin, good).status_code == 401  # the admin token is not a unit token
    assert c.get("/api/status").status_code == 401
    assert c.get("/api/status", headers=bearer(p.tokens["414001"])).status_code == 401
    assert c.get("/api/consolidated.xlsx", headers=bearer(p.tokens["414001"])).status_code == 401

    # above the default 20 MB: refused from the declared length before anything is read, and
    # while counting when no length is declared (the file-part limit itself: test_portal_security)
    r = c.post("/api/submissions", headers={**bearer(p.tokens["414001"]), "Content-Length": str(21 * 2**20),
                                            "Content-Type": "multipart/form-data; boundary=x"}, content=b"--x--")
    assert r.status_code == 413

    def chunks():
        yield b'--x\r\nContent-Disposition: form-data; name="file"; filename="big.xlsx"\r\n\r\nPK'
        for _ in range(21):
            yield b"\0" * 2**20

    r = c.post("/api/submissions", headers={**bearer(p.tokens["414001"]),
                                            "Content-Type": "multipart/form-data; boundary=x"}, content=chunks())
    assert r.status_code == 413

    csv_file = tmp_path / "报表.xlsx"
    csv_file.write_text("code,name\n1,2\n", encoding="utf-8")
    r = upload(c, p.tokens["414001"], csv_file)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "\n" not in detail and "报表.xlsx" in detail and "/tmp" not in detail and "Traceback" not in detail

    # another unit's workbook with my token: refused, and recorded for nobody
    r = upload(c, p.tokens["401001"], good)
    assert r.status_code == 422 and "414001" in r.json()["detail"]
    # a workbook of another year
    r = upload(c, p.tokens["414001"], make_wb("414001", year=2023))
    assert r.status_code == 422 and "2023" in r.json()["detail"]
    # a monitoring workbook (issued from this unit's targets) while only the targets are open
    r = upload(c, p.tokens["414001"], monitoring_wb(make_wb("414001")))
    assert r.status_code == 422 and r.json()["detail"].endswith(
        "这是绩效运行监控表，门户没有开放这一阶段的收集，请上传本次下发的工作簿。")
    # ... and sent to the targets round by name (?stage=targets)
    r = c.post("/api/submissions?lang=en&stage=targets", headers=bearer(p.tokens["414001"]),
               files={"file": ("m.xlsx", monitoring_wb(make_wb("414001")).read_bytes())})
    assert r.json()["detail"] == ("m.xlsx: this is a performance monitoring workbook, this round collects performance "
                                  "targets; upload the workbook issued for this round.")
    r = c.post("/api/submissions?stage=monitor", headers=bearer(p.tokens["414001"]),
               files={"file": ("m.xlsx", monitoring_wb(make_wb("414001")).read_bytes())})
    assert r.status_code == 422 and r.json()["detail"] == (
        "门户还没有开放绩效运行监控表的收集（开放：budgetxl portal init 门户目录 --stage monitor）。")
    status = {u["code"]: u["status"] for u in c.get("/api/status", headers=bearer(p.admin)).json()["units"]}
    assert status == {"414001": "校验未通过", "401001": "未报送", "402001": "未报送"}  # only the csv was recorded


def test_newest_valid_wins_and_reissue_supersedes(backend, make_wb):
    p, c = backend
    tok = p.tokens["414001"]
    first = upload(c, tok, make_wb("414001")).json()["submission_id"]
    second = upload(c, tok, make_wb("414001")).json()["submission_id"]
    failed = upload(c, tok, make_wb("414001", mistake=True)).json()["submission_id"]
    ledger = p.ledger()
    states = {h["row"].id: h["state"] for h in ledger.history("414001", "targets")}
    assert states == {first: "superseded", second: "submitted", failed: "invalid"}
    assert [s.id for s in ledger.current_submissions("targets")] == [second]

    from budgetxl.portal.manage import reissue_workbook

    assert reissue_workbook(ledger, "414001", "targets", True, "test") == 2
    status = {u["code"]: u for u in c.get("/api/status", headers=bearer(p.admin)).json()["units"]}
    assert status["414001"]["status"] == "已被替代"
    assert ledger.current_submissions("targets") == []
    third = upload(c, tok, make_wb("414001")).json()["submission_id"]
    assert [s.id for s in ledger.current_submissions("targets")] == [third]
    actions = [a.action for a in ledger.audit_log("414001")]
    for action in ("issued", "uploaded", "accepted", "returned", "superseded"):
        assert action in actions


def test_merge_ledger_cli(backend, make_wb, tmp_path):
    p, c = backend
    upload(c, p.tokens["414001"], make_wb("414001"))
    out = tmp_path / "汇总.xlsx"
    args = ["merge", "--ledger", str(p.folder), "-o", str(out), "--data-dir", str(tmp_path / "data")]
    if p.url:  # init recorded the database URL in the folder
        assert json.loads((p.folder / "portal.json").read_text())["db"] == p.url
    r = CliRunner().invoke(cli_app, args)
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out, read_only=True)
    status = {row[0]: row for row in wb["汇总"].iter_rows(values_only=True) if row and row[0]}
    assert "已报送" in status["414001"] and "未报送" in status["401001"]
    assert (tmp_path / "data").is_dir() and any((tmp_path / "data").iterdir())
    assert "consolidated" in [a.action for a in p.ledger().audit_log()]

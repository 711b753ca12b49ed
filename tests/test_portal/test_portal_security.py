"""Security, point by point (issue 12 §6): tokens, the admin password, CSRF, escaping, no client
path on the file system, the intake limits, security headers, and no cross-unit access."""

from __future__ import annotations

import base64
import importlib.util
import io
import re
import sys
import uuid
import warnings
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from budgetxl.cli import app as cli_app
from .portal_helpers import ROOT, unit_doc, with_mistake, workbook


def client(portal):
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from starlette.testclient import TestClient

    return TestClient(portal.app())


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html)[1]


def clerk_upload(c, link: str, path: Path, name: str | None = None, csrf: str | None = "auto"):
    if csrf == "auto":
        csrf = csrf_of(c.get(link).text)
    data = {"csrf": csrf} if csrf is not None else {}
    return c.post(link + "/upload", data=data, files={"file": (name or path.name, path.read_bytes())})


def admin_login(c, password: str):
    page = c.get("/admin/login")
    return c.post("/admin/login", data={"csrf": csrf_of(page.text), "password": password})


def count_submissions(portal) -> int:
    return sum(len(portal.ledger().history(u.code, "targets")) for u in portal.ledger().units())


def test_tokens_are_random_hashed_and_revocable(portal):
    secrets = [*portal.tokens.values(), *[link.rsplit("/", 1)[1] for link in portal.links.values()], portal.admin]
    assert len(set(secrets)) == len(secrets)
    for s in secrets:
        assert len(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))) >= 16  # at least 128 random bits
    stored = b"".join(f.read_bytes() for f in portal.folder.glob("ledger.sqlite3*"))
    assert stored and not any(s.encode() in stored for s in secrets)  # only hashes are stored
    from argon2 import PasswordHasher

    admin_hash = portal.ledger().setting("admin_hash")
    assert admin_hash.startswith("$argon2id$") and PasswordHasher().verify(admin_hash, portal.admin)

    c = client(portal)
    old_link, old_token = portal.links["401001"], portal.tokens["401001"]
    assert c.get(old_link).status_code == 200
    admin_login(c, portal.admin)
    page = c.get("/admin/unit/401001")
    r = c.post("/admin/unit/401001/reissue-link", data={"csrf": csrf_of(page.text)})
    assert r.status_code == 200
    new_link = re.search(r"<code>https?://[^/]+(/u/[^<]+)</code>", r.text)[1]
    new_token = re.findall(r"<code>([A-Za-z0-9_-]{40,})</code>", r.text)[0]
    assert c.get(old_link).status_code == 404
    assert c.get(new_link).status_code == 200
    wb = workbook(unit_doc("401001"), portal.folder.parent / "w.xlsx")
    files = {"file": ("w.xlsx", wb.read_bytes())}
    assert c.post("/api/submissions", headers={"Authorization": f"Bearer {old_token}"}, files=files).status_code == 401
    assert c.post("/api/submissions", headers={"Authorization": f"Bearer {new_token}"}, files=files).status_code == 200


def test_admin_password_and_sessions(portal):
    c = client(portal)
    for path in ("/admin", "/admin/unit/414001", "/admin/consolidated.xlsx", "/admin/audit"):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/admin/login"
    r = admin_login(c, "wrong")
    assert r.status_code == 401 and "bx_session" not in c.cookies
    r = admin_login(c, portal.admin)
    assert r.status_code == 200 and "table" in r.text
    cookie = r.history[0].headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    page = c.get("/admin")
    c.post("/admin/logout", data={"csrf": csrf_of(page.text)})
    assert c.get("/admin", follow_redirects=False).status_code == 303


def test_csrf_on_every_form(portal, tmp_path):
    c = client(portal)
    wb = workbook(unit_doc("414001"), tmp_path / "w.xlsx")
    link, other = portal.links["414001"], portal.links["401001"]
    assert clerk_upload(c, link, wb, csrf=None).status_code == 403
    assert clerk_upload(c, link, wb, csrf="0" * 64).status_code == 403
    assert clerk_upload(c, link, wb, csrf=csrf_of(c.get(other).text)).status_code == 403  # another unit's form
    assert count_submissions(portal) == 0
    assert clerk_upload(c, link, wb).status_code == 200  # the page's own token works
    assert count_submissions(portal) == 1

    page = c.get("/admin/login")
    assert c.post("/admin/login", data={"password": portal.admin}).status_code == 403
    admin_login(c, portal.admin)
    tokens_before = portal.tokens["401001"]
    for path in ("/admin/unit/401001/reissue-link", "/admin/unit/401001/reissue-workbook", "/admin/logout"):
        assert c.post(path, data={"csrf": "x"}).status_code == 403
        assert c.post(path, data={}).status_code == 403
    assert portal.ledger().unit_for("api", tokens_before) is not None  # nothing was re-issued
    assert portal.ledger().issued("401001", "targets").version == 1
    del page


def test_workbook_strings_are_escaped_everywhere(portal, tmp_path):
    data = with_mistake(unit_doc("414001")).model_dump(by_alias=True)
    data["projects"][0]["name"] = "<script>alert(1)</script>"
    data["projects"][1]["name"] = '=HYPERLINK("http://example.invalid/x","点我")'
    data["projects"][1]["budget"]["total"] += 1
    data["projects"][2]["purpose"] = "<img src=x onerror=alert(1)>"
    wb = workbook(unit_doc("414001").model_validate(data), tmp_path / "w.xlsx")
    c = client(portal)
    r = clerk_upload(c, portal.links["414001"], wb, name='"><svg onload=alert(9)>.xlsx')
    assert r.status_code == 200
    html = r.text
    assert "<script>" not in html and "<img" not in html and "<svg" not in html
    assert "&lt;script&gt;alert(1)&lt;_script&gt;" in html and "&gt;&lt;svg onload=alert(9)&gt;.xlsx" in html
    assert "=HYPERLINK(&#34;http___example.in" in html
    admin_login(c, portal.admin)
    sid = portal.ledger().history("414001", "targets")[0]["row"].id
    # the annotated copy keeps the name as text, never a formula (the summary's formulas that
    # merely name that sheet start with ='2.=HYPERLINK… and are the form's own)
    annotated = openpyxl.load_workbook(io.BytesIO(c.get(f"/admin/unit/414001/s/{sid}/annotated").content))
    cells = [cell for ws in annotated.worksheets for row in ws.iter_rows() for cell in row
             if isinstance(cell.value, str) and cell.value.startswith("=HYPERLINK")]
    assert cells and all(cell.data_type == "s" for cell in cells)
    admin_page = c.get("/admin/unit/414001").text
    assert "<svg" not in admin_page and "&lt;svg onload=alert(9)&gt;" in admin_page


def test_no_client_path_reaches_the_file_system(portal, tmp_path):
    c = client(portal)
    wb = workbook(unit_doc("414001"), tmp_path / "w.xlsx")
    marker = f"bx_evil_{uuid.uuid4().hex}"
    before = sorted(p.relative_to(portal.folder) for p in portal.folder.rglob("*") if "ledger.sqlite3" not in p.name)
    for name in (f"../../../../../tmp/{marker}.xlsx", f"..\\..\\..\\tmp\\{marker}.xlsx", f"/tmp/{marker}.xlsx"):
        r = c.post("/api/submissions", headers={"Authorization": f"Bearer {portal.tokens['414001']}"},
                   files={"file": (name, wb.read_bytes())})
        assert r.status_code == 200
        assert r.json()["files"][0]["path"] == f"{marker}.xlsx"
    assert not list(Path("/tmp").glob(f"{marker}*")) and not list(tmp_path.rglob(f"{marker}*"))
    after = sorted(p.relative_to(portal.folder) for p in portal.folder.rglob("*") if "ledger.sqlite3" not in p.name)
    assert before == after  # uploads live in the ledger, not in files named by clients
    for path in ("/static/../ledger.sqlite3", "/static/..%2fledger.sqlite3", "/static/%2e%2e/%2e%2e/etc/passwd",
                 "/u/..%2f..%2fetc%2fpasswd", "/admin/unit/..%2f..%2fetc%2fpasswd/workbook", "/static/portal.py"):
        r = c.get(path, follow_redirects=False)
        assert r.status_code in (303, 404) and b"root:" not in r.content and b"SQLite format" not in r.content
    assert c.get("/static/portal.css").status_code == 200


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("budgetxl_corpus_build", ROOT / "tests" / "corpus" / "build.py")
    build = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, build)
    build = sys.modules[spec.name]
    if not hasattr(build, "build"):
        spec.loader.exec_module(build)
    return build.build(tmp_path_factory.mktemp("hostile"), only={"xlsx-zip-bomb", "xlsx-billion-laughs"},
                       libreoffice=False)


def test_uploads_go_through_the_same_intake_limits(portal, hostile, monkeypatch):
    c = client(portal)
    for case, path in hostile.items():
        r = c.post("/api/submissions", headers={"Authorization": f"Bearer {portal.tokens['414001']}"},
                   files={"file": (path.name, path.read_bytes())})
        assert r.status_code == 422, case
        monkeypatch.chdir(path.parent)
        cli = CliRunner().invoke(cli_app, ["validate", path.name])
        assert cli.exit_code == 2
        assert r.json()["detail"] == cli.stderr.strip().splitlines()[-1]  # the CLI's own one-line refusal
    small = client(type(portal)(portal.folder, portal.admin, url=portal.url))
    small.app.app.state.max_upload = 1000  # the configured limit is enforced on the file itself
    wb = workbook(unit_doc("414001"), portal.folder.parent / "w.xlsx")
    r = small.post("/api/submissions", headers={"Authorization": f"Bearer {portal.tokens['414001']}"},
                   files={"file": ("w.xlsx", wb.read_bytes())})
    assert r.status_code == 413


def test_security_headers(portal, tmp_path):
    c = client(portal)
    wb = workbook(unit_doc("414001"), tmp_path / "w.xlsx")
    clerk_upload(c, portal.links["414001"], wb)
    responses = [c.get("/"), c.get(portal.links["414001"]), c.get(portal.links["414001"] + "/workbook"),
                 c.get("/api/status"), c.get("/healthz"), c.get("/admin/login"), c.get("/nowhere")]
    for r in responses:
        h = r.headers
        assert "default-src 'none'" in h["content-security-policy"] and "frame-ancestors 'none'" in h["content-security-policy"]
        assert h["x-content-type-options"] == "nosniff" and h["x-frame-options"] == "DENY"
        assert h["referrer-policy"] == "no-referrer" and "no-store" in h["cache-control"] or r.url.path.endswith(".css")


def test_no_cross_unit_access(portal, tmp_path):
    c = client(portal)
    mine, theirs = portal.links["414001"], portal.links["401001"]
    theirs_wb = workbook(with_mistake(unit_doc("401001")), tmp_path / "襄都区机密.xlsx")
    r = clerk_upload(c, theirs, theirs_wb)
    their_sid = int(str(r.url).rsplit("/", 1)[1])
    for suffix in ("", "/annotated", "/file"):
        assert c.get(f"{mine}/s/{their_sid}{suffix}").status_code == 404
    page = c.get(mine).text
    assert "襄都区" not in page and "401001" not in page and "机密" not in page
    # my token cannot upload for them, list, or read the city's data
    r = c.post("/api/submissions", headers={"Authorization": f"Bearer {portal.tokens['414001']}"},
               files={"file": ("x.xlsx", theirs_wb.read_bytes())})
    assert r.status_code == 422
    assert [h["row"].id for h in portal.ledger().history("401001", "targets")] == [their_sid]
    assert portal.ledger().history("414001", "targets") == []
    for path in ("/api/status", "/api/consolidated.xlsx"):
        assert c.get(path, headers={"Authorization": f"Bearer {portal.tokens['414001']}"}).status_code == 401
    # a link page cannot be used with another unit's submission id through the upload either
    r = clerk_upload(c, mine, theirs_wb)
    assert r.status_code == 422 and "401001" in r.text
    assert c.get("/admin", follow_redirects=False).status_code == 303

"""kill -9 during uploads: after a restart every acknowledged submission is there, whole, and the
current submission of each unit is right (issue 12 §7)."""

from __future__ import annotations

import hashlib
import threading
import time

import httpx
import pytest
from sqlalchemy import text

from .portal_helpers import Server, make_portal, unit_doc, with_mistake, workbook

UNITS = [(f"4{n:02d}001", f"测试县{n}市场监督管理局本级", "130529") for n in range(1, 9)]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_kill9_during_uploads_loses_nothing_acknowledged(backend, request, tmp_path):
    url = request.getfixturevalue("pg_url") if backend == "postgres" else None
    p = make_portal(tmp_path / "portal", url, units=UNITS)
    files = {}
    for code, name, region in UNITS:  # each unit alternates a valid and an invalid workbook
        good = workbook(unit_doc(code, name, region), tmp_path / f"{code}-ok.xlsx").read_bytes()
        bad = workbook(with_mistake(unit_doc(code, name, region)), tmp_path / f"{code}-bad.xlsx").read_bytes()
        files[code] = [(good, True), (bad, False)]
    srv = Server(p.folder, url).start()
    acked: list[tuple[int, str, str, bool]] = []
    lock = threading.Lock()

    def clerk(code: str) -> None:
        for n in range(40):
            data, valid = files[code][n % 2]
            try:
                r = httpx.post(srv.base + "/api/submissions", headers={"Authorization": f"Bearer {p.tokens[code]}"},
                               files={"file": (f"{code}-{n}.xlsx", data)}, timeout=60)
            except httpx.HTTPError:
                return  # the server is gone: this upload was never acknowledged
            assert r.status_code == 200
            with lock:
                acked.append((r.json()["submission_id"], code, hashlib.sha256(data).hexdigest(), valid))

    threads = [threading.Thread(target=clerk, args=(code,)) for code, _, _ in UNITS]
    try:
        for t in threads:
            t.start()
        deadline = time.monotonic() + 120
        while len(acked) < 12 and time.monotonic() < deadline:
            time.sleep(0.05)
        srv.kill9()  # mid-flight: eight clerks are uploading right now
        for t in threads:
            t.join(timeout=120)
        assert 12 <= len(acked) < 8 * 40

        srv = Server(p.folder, url).start()  # restart on the same ledger
        ledger = p.ledger()
        for sid, code, sha, valid in acked:
            sub = ledger.submission(sid)
            assert sub is not None and sub.unit_code == code and sub.sha256 == sha
            assert hashlib.sha256(ledger.blob(sub.sha256)).hexdigest() == sha  # whole bytes
            assert (sub.verdict == "valid") == valid
        current = {s.unit_code: s.id for s in ledger.current_submissions("targets")}
        for code, _, _ in UNITS:
            recorded = [h["row"] for h in ledger.history(code, "targets")]
            newest_valid = max((s.id for s in recorded if s.verdict == "valid"), default=None)
            assert current.get(code) == newest_valid
            acked_valid = [sid for sid, c, _, v in acked if c == code and v]
            if acked_valid:
                assert newest_valid is not None and newest_valid >= max(acked_valid)
        with ledger.engine.connect() as conn:
            if backend == "sqlite":
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            orphans = conn.execute(text(
                "SELECT count(*) FROM blobs WHERE sha256 NOT IN (SELECT sha256 FROM submissions) "
                "AND sha256 NOT IN (SELECT sha256 FROM issued) AND sha256 NOT IN (SELECT sha256 FROM annotated)")).scalar()
            assert orphans == 0
            no_rows = conn.execute(text("SELECT count(*) FROM submissions s LEFT JOIN blobs b ON b.sha256 = s.sha256 "
                                        "WHERE b.sha256 IS NULL")).scalar()
            assert no_rows == 0
        status = httpx.get(srv.base + "/api/status", headers={"Authorization": f"Bearer {p.admin}"}, timeout=30).json()
        by_code = {u["code"]: u["status"] for u in status["units"]}
        assert all(by_code[c] == "已报送" for c in current)
        r = httpx.post(srv.base + "/api/submissions", headers={"Authorization": f"Bearer {p.tokens[UNITS[0][0]]}"},
                       files={"file": ("again.xlsx", files[UNITS[0][0]][0][0])}, timeout=60)
        assert r.status_code == 200 and r.json()["submission_id"] > max(sid for sid, *_ in acked)
    finally:
        srv.stop()


def test_uploads_are_checked_in_the_portal_folder_and_cleared_at_start(portal, make_wb, tmp_path, monkeypatch):
    """An upload being checked sits in the portal folder's .uploads (not in the temp dir, where a
    killed portal used to leave it); what a killed portal left there goes when the portal starts."""
    import tempfile

    from budgetxl.portal.manage import UPLOAD_SPOOL, clear_upload_spool

    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    ledger = portal.ledger()
    receipt = ledger.receive("414001", "targets", "414001.xlsx", make_wb("414001").read_bytes(), "upload", "clerk")
    assert receipt.verdict == "valid"
    assert list(scratch.iterdir()) == [] and list((portal.folder / UPLOAD_SPOOL).iterdir()) == []
    left = portal.folder / UPLOAD_SPOOL / "budgetxl-upload-killed"  # as a portal killed mid-check leaves it
    left.mkdir()
    (left / "upload.xlsx").write_bytes(b"PK")
    clear_upload_spool(portal.folder)
    assert list((portal.folder / UPLOAD_SPOOL).iterdir()) == []

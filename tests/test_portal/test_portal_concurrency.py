"""Concurrent uploads of one unit (a double click, two clerks): every one recorded, one copy of
identical bytes, the newest valid current — on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading

import pytest

from .portal_helpers import make_portal, unit_doc, workbook


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_simultaneous_identical_uploads(backend, request, tmp_path):
    url = request.getfixturevalue("pg_url") if backend == "postgres" else None
    p = make_portal(tmp_path / "portal", url)
    data = workbook(unit_doc("414001"), tmp_path / "w.xlsx").read_bytes()
    ledger = p.ledger()
    start = threading.Barrier(6)
    receipts, errors = [], []

    def send() -> None:
        start.wait()
        try:
            receipts.append(ledger.receive("414001", "targets", "w.xlsx", data, "upload", "test"))
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(receipts) == 6
    ids = sorted(r.submission_id for r in receipts)
    assert [s.id for s in ledger.current_submissions("targets")] == [ids[-1]]
    from sqlalchemy import text

    with ledger.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM blobs WHERE sha256 = :s"),
                            {"s": receipts[0].record and ledger.submission(ids[0]).sha256}).scalar() == 1

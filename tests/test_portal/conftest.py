"""Portal fixtures (the helpers are in portal_helpers.py)."""

from __future__ import annotations

from pathlib import Path

import uuid

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")

from .portal_helpers import (PG_ADMIN, Portal, make_portal, pg_ok, reported,  # noqa: E402
                            start_local_postgres, unit_doc, with_mistake, workbook)


def pytest_terminal_summary(terminalreporter):
    if reported:
        terminalreporter.write_sep("-", "portal screenshots")
        for line in reported:
            terminalreporter.write_line(line)


@pytest.fixture
def make_wb(tmp_path):
    counter = iter(range(10_000))

    def make(code: str = "414001", mistake: bool = False, name: str | None = None, **kw) -> Path:
        doc = unit_doc(code, **kw)
        if mistake:
            doc = with_mistake(doc)
        return workbook(doc, tmp_path / (name or f"{code}_{next(counter)}.xlsx"))

    return make


@pytest.fixture
def portal(tmp_path) -> Portal:
    return make_portal(tmp_path / "portal")


@pytest.fixture(scope="session")
def pg_server() -> str:
    pytest.importorskip("psycopg")
    if not pg_ok(PG_ADMIN):
        start_local_postgres()
        if not pg_ok(PG_ADMIN):
            pytest.skip("no PostgreSQL server could be reached or started (set BUDGETXL_TEST_PG)")
    return PG_ADMIN


@pytest.fixture
def pg_url(pg_server):
    """A fresh database for one test, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"budgetxl_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

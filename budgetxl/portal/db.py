"""The ledger's database: engine set-up (SQLite in WAL mode by default, PostgreSQL by URL),
write transactions, and Alembic migrations packaged with the code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_NAME = "ledger.sqlite3"


def default_url(folder: str | Path) -> str:
    return f"sqlite:///{(Path(folder).resolve() / SQLITE_NAME).as_posix()}"


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None for other databases and in-memory SQLite)."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return Path(u.database) if u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:") else None


def make_engine(url: str) -> Engine:
    """An engine for the ledger. SQLite gets WAL (readers never wait for the writer), full
    fsync on commit (an acknowledged upload survives a crash), foreign keys, a generous busy
    timeout, and BEGIN IMMEDIATE for write transactions so that two writers queue instead of
    failing on a lock upgrade."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _record) -> None:
            dbapi_conn.isolation_level = None  # transactions are begun below, not by the driver
            cur = dbapi_conn.cursor()
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=60000"):
                cur.execute(f"PRAGMA {pragma}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:
            immediate = conn.get_execution_options().get("sqlite_immediate")
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """One write transaction: committed when the block ends, rolled back on any exception."""
    with Session(engine.execution_options(sqlite_immediate=True), expire_on_commit=False) as s, s.begin():
        yield s


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        yield s


def _alembic_config(connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (creating it in an empty database)."""
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")


def schema_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    with create_engine("sqlite://").connect() as conn:
        return ScriptDirectory.from_config(_alembic_config(conn)).get_current_head()


def has_ledger(engine: Engine) -> bool:
    return inspect(engine).has_table("settings")

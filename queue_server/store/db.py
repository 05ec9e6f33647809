"""Engines for SQLite (embedded, WAL) and PostgreSQL (scaled), and the schema migrations."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

MIGRATIONS = Path(__file__).parent / "migrations"


def normalise_url(url: str) -> str:
    # `postgresql://` would pick psycopg2; the project ships psycopg 3.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, pool_size: int = 10, max_overflow: int = 5) -> Engine:
    """`pool_size` and `max_overflow` bound the PostgreSQL connections this engine opens (the
    settings `db_pool_size` and `db_max_overflow` for a server's requests; see the README's sizing)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _sqlite_transactions(engine)
        return engine
    if url.startswith("postgresql"):
        return create_engine(url, pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True)
    raise ValueError(f"unsupported database URL {url!r}: use sqlite:///PATH or postgresql://...")


def _sqlite_transactions(engine: Engine) -> None:
    """pysqlite's own transaction handling begins late and DEFERRED; a write transaction must
    take the write lock at BEGIN (BEGIN IMMEDIATE) so that call-next and numbering never race."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed ticket survives a power cut too, not only a process crash.
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    command.upgrade(alembic_config(engine), "head")

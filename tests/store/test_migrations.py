"""The Alembic migrations build exactly the schema of tables.py, on SQLite and PostgreSQL: a column
or index added to the tables without its migration fails here, not on a hall's upgraded server."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from queue_server.store import tables
from queue_server.store.db import make_engine, migrate


def test_migrations_match_the_tables(db_url):
    engine = make_engine(db_url)
    try:
        migrate(engine)
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), tables.metadata)
    finally:
        engine.dispose()
    assert differences == []

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


def test_ratings_stored_before_the_five_levels_keep_their_four_level_meaning(sqlite_url):
    """0011 gives every rating already stored the scale it was given on: a 2 stays 一般, not 不满意."""
    from alembic import command
    from sqlalchemy import text

    from queue_server.domain import rating
    from queue_server.store.db import alembic_config

    engine = make_engine(sqlite_url)
    try:
        command.upgrade(alembic_config(engine), "0010")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO ratings (hall, ticket_id, matter, service, score, ts)"
                    " VALUES ('demo', 1, 0, 'tax-general', 2, '2026-11-20 02:00:00.000000')"
                )
            )
        migrate(engine)
        with engine.connect() as conn:
            scale, score, reason = conn.execute(text("SELECT scale, score, reason FROM ratings")).one()
    finally:
        engine.dispose()
    assert (scale, score, reason) == ("legacy4", 2, None)
    assert rating.level_of(scale, score) is rating.AVERAGE


def test_tickets_stored_before_0012_get_their_first_and_next_service(sqlite_url):
    from alembic import command
    from sqlalchemy import text

    from queue_server.store.db import alembic_config

    engine = make_engine(sqlite_url)
    matters = '[{"service": "biz-setup"}, {"service": "tax-general"}, {"service": "biz-cancel"}]'
    try:
        command.upgrade(alembic_config(engine), "0011")
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO halls (id, event_seq, name, config, config_hash) VALUES ('demo', 0, 'x', '{}', 'h')")
            )
            for i, current in enumerate((0, 2)):
                conn.execute(
                    text(
                        "INSERT INTO tickets (hall, day, number, token, klass, state, service, current, matters,"
                        " issued_at, queued_at, rank_key, front, recalls)"
                        " VALUES ('demo', '2026-11-24', :n, :tok, 'normal', 'waiting', 'x', :c, :m,"
                        " '2026-11-24 02:00:00.000000', '2026-11-24 02:00:00.000000', 0, 0, 0)"
                    ),
                    {"n": f"A00{i}", "tok": f"t{i}", "c": current, "m": matters},
                )
        migrate(engine)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT first_service, next_service FROM tickets ORDER BY number")).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [("biz-setup", "tax-general"), ("biz-setup", None)]

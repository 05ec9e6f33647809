"""The store: transactions on one hall, the parsed hall configuration cache, and event publishing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import Connection, Engine, bindparam, insert, select, text

from ..clock import Clock
from ..domain.hall import Hall
from ..errors import NotFound
from ..events import pg_notify
from ..events.sink import EventSink, LocalBus
from . import tables as t
from .db import is_sqlite, migrate
from .health import StorageHealth
from .repository import HallTx, Reader, add_windows, config_hash

# Built once: every change starts with it (see repository.py on prebuilt statements).
LOCK_HALL = (
    select(t.halls.c.config_hash, t.halls.c.event_seq, t.halls.c.notice, t.halls.c.shipped)
    .where(t.halls.c.id == bindparam("p_hall"))
    .with_for_update()
)
SNAPSHOT = text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
HALL_STATE = select(t.halls.c.config_hash, t.halls.c.notice).where(t.halls.c.id == bindparam("p_hall"))


def _reserve_path(engine: Engine) -> Path | None:
    """Beside a SQLite file, on the disk that fills up with it."""
    db = engine.url.database if is_sqlite(engine) else None
    return Path(db).with_name(Path(db).name + ".reserve") if db and db != ":memory:" else None


class Store:
    def __init__(self, engine: Engine, clock: Clock | None = None, sink: EventSink | None = None):
        self.engine = engine
        self.clock = clock or Clock()
        self.sink: EventSink = sink or LocalBus()
        # One writer at a time inside this process: SQLite allows one anyway, and queueing on a
        # Python lock is fairer and faster than SQLite's sleeping busy handler.
        self._write_lock = threading.Lock() if is_sqlite(engine) else None
        # The threads the busiest changes (issuing, window actions) run on. One on SQLite, where
        # writes take turns anyway: handing work to it costs less than a thread from the general
        # pool queueing on the lock. On PostgreSQL halls write in parallel.
        self.writer = ThreadPoolExecutor(1 if is_sqlite(engine) else 8, thread_name_prefix="hallq-writer")
        self._halls: dict[str, tuple[str, Hall]] = {}
        self.health = StorageHealth(self.clock, _reserve_path(engine))
        # Other server processes learn of a commit from these (SQLite has one process).
        self.notices = None if is_sqlite(engine) else pg_notify.Notices(engine)

    def migrate(self) -> None:
        migrate(self.engine)

    def close(self) -> None:
        """After the last write: its notices go out, then the connections close."""
        if self.notices is not None:
            self.notices.close()
        self.engine.dispose()

    def _hall(self, hall_id: str, digest: str, notice: str | None, conn) -> Hall:
        cached = self._halls.get(hall_id)
        if cached and cached[0] == digest:
            hall = cached[1]
        else:
            config = conn.execute(select(t.halls.c.config).where(t.halls.c.id == hall_id)).scalar_one()
            hall = Hall.model_validate(config)
            self._halls[hall_id] = (digest, hall)
        # A manager's live notice stands in for the configured one wherever the hall is read
        # (hall info, the board, its snapshots), so no reader needs to know there are two.
        return hall if notice is None else hall.model_copy(update={"notice": notice})

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction. On SQLite it takes the write lock at BEGIN: a deferred transaction
        that reads and then writes fails with "database is locked" instead of waiting."""
        with self._write_lock or nullcontext():
            with self.engine.connect() as conn:
                conn = conn.execution_options(sqlite_begin="IMMEDIATE")
                with conn.begin():
                    yield conn

    @contextmanager
    def write(self, hall_id: str) -> Iterator[HallTx]:
        """A transaction holding the hall's lock; its events are published after the commit."""
        with self.transaction() as conn:
            row = conn.execute(LOCK_HALL, {"p_hall": hall_id}).first()
            if row is None:
                raise NotFound("hall_not_found", f"没有大厅 {hall_id}", f"no hall {hall_id!r}")
            hall = self._hall(hall_id, row.config_hash, row.notice, conn)
            tx = HallTx(conn, hall_id, hall, row.event_seq, self.clock.now(), shipped=row.shipped)
            yield tx
            tx.flush_seq()
        self.health.committed()
        if tx.events:
            if self.notices is not None:
                self.notices.send(hall_id, tx.seq, tx.events)
            self.sink.publish(tx.events)

    @contextmanager
    def read(self, hall_id: str) -> Iterator[Reader]:
        """A read-only transaction that sees one snapshot: under PostgreSQL's READ COMMITTED each
        statement would see the commits made since the one before (a window whose ticket is not
        in the queue read a moment earlier)."""
        with self.engine.connect() as conn, conn.begin():
            if not is_sqlite(self.engine):
                conn.execute(SNAPSHOT)
            row = conn.execute(HALL_STATE, {"p_hall": hall_id}).first()
            if row is None:
                raise NotFound("hall_not_found", f"没有大厅 {hall_id}", f"no hall {hall_id!r}")
            yield Reader(conn, hall_id, self._hall(hall_id, row.config_hash, row.notice, conn))

    def locate_ticket(self, token: str) -> tuple[str, int] | None:
        """(hall, ticket id) for a ticket's public token."""
        with self.engine.connect() as conn:
            row = conn.execute(select(t.tickets.c.hall, t.tickets.c.id).where(t.tickets.c.token == token)).first()
        return (row.hall, row.id) if row else None

    def hall_ids(self) -> list[str]:
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(select(t.halls.c.id).order_by(t.halls.c.id))]

    def local_hall_ids(self) -> list[str]:
        """The halls this server runs: not those whose log is shipped here from their own server
        (their day boundary, expiries and alerts happen there, and arrive in the log)."""
        with self.engine.connect() as conn:
            q = select(t.halls.c.id).where(t.halls.c.shipped.is_(False)).order_by(t.halls.c.id)
            return [r[0] for r in conn.execute(q)]

    def hall_digest(self, hall_id: str) -> str | None:
        """The hash of a hall's stored configuration (None: no such hall)."""
        with self.engine.connect() as conn:
            return conn.execute(select(t.halls.c.config_hash).where(t.halls.c.id == hall_id)).scalar()

    def create_hall(self, hall: Hall, shipped: bool = False) -> None:
        config = hall.model_dump(mode="json")
        with self.transaction() as conn:
            conn.execute(
                insert(t.halls).values(
                    id=hall.id,
                    event_seq=0,
                    name=hall.name,
                    config=config,
                    config_hash=config_hash(config),
                    shipped=shipped,
                )
            )
            add_windows(conn, hall)

"""A lease: which one server process of a deployment does a job that must run once (sending the
text messages, evaluating the alerts)."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, text

from .db import is_sqlite


class Lease:
    """Held by the process holding a session advisory lock `key` on PostgreSQL (another takes over
    when it stops or its connection drops); on SQLite by the one process."""

    def __init__(self, engine: Engine, key: int):
        self.engine = engine
        self.key = key
        self._conn: Connection | None = None

    def held(self) -> bool:
        if is_sqlite(self.engine):
            return True
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1"))
                self._conn.commit()
                return True
            except Exception:  # noqa: BLE001 - a dropped connection has dropped the lock with it
                self.release()
        conn = self.engine.connect()
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar()
        conn.commit()
        if got:
            self._conn = conn
            return True
        conn.close()
        return False

    def release(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - already gone
                pass

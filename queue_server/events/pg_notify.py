"""The PostgreSQL side channel of the event log: a NOTIFY sent inside the write transaction.

PostgreSQL delivers it to every listening process only when the transaction commits, so a
notification never announces an event that is not in the log. It carries no event, only
`hall:seq:pid`: listeners read the stored log, which stays the one source of truth."""
from __future__ import annotations

import os

from sqlalchemy import Connection, text

CHANNEL = "hallq_events"


def notify(conn: Connection, hall: str, seq: int) -> None:
    conn.execute(text("SELECT pg_notify(:channel, :payload)"),
                 {"channel": CHANNEL, "payload": f"{hall}:{seq}:{os.getpid()}"})


def parse(payload: str) -> tuple[str, int, int] | None:
    """(hall, seq, pid) of a payload; None for one this version does not understand."""
    try:
        hall, seq, pid = payload.rsplit(":", 2)
        return hall, int(seq), int(pid)
    except ValueError:
        return None

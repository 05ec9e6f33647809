"""The PostgreSQL side channel of the event log: a NOTIFY sent inside the write transaction.

PostgreSQL delivers it to every listening process only when the transaction commits, so a
notification never announces an event that is not in the log. It carries the hall, the last
seq, the writer's pid and, when they fit in a notification, the events themselves, which saves
the other processes a read on the hot path. The stored log stays the one source of truth: a
listener that sees a gap (or gets a notification without events) reads the log."""

from __future__ import annotations

import json
import os
from typing import NamedTuple

from sqlalchemy import Connection, text

from ..domain.events import Recorded

CHANNEL = "hallq_events"
MAX_PAYLOAD = 7900  # bytes; PostgreSQL refuses a payload of 8000 or more


class Notice(NamedTuple):
    hall: str
    seq: int
    pid: int
    events: list[Recorded]


def payload(hall: str, seq: int, events: list[Recorded]) -> str:
    head = {"hall": hall, "seq": seq, "pid": os.getpid()}
    try:
        full = json.dumps(head | {"events": [e.to_dict() for e in events]}, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        full = ""
    return full if full and len(full.encode()) <= MAX_PAYLOAD else json.dumps(head)


def notify(conn: Connection, hall: str, seq: int, events: list[Recorded]) -> None:
    conn.execute(
        text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload(hall, seq, events)}
    )


def parse(raw: str) -> Notice | None:
    """The notice in a payload; None for one this version does not understand."""
    try:
        d = json.loads(raw)
        hall, seq, pid = str(d["hall"]), int(d["seq"]), int(d["pid"])
        events = [Recorded.from_dict(e, hall) for e in d.get("events", ())]
        return Notice(hall, seq, pid, events)
    except (ValueError, KeyError, TypeError):
        return None

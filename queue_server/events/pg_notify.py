"""The PostgreSQL side channel of the event log: a NOTIFY sent after the write transaction commits.

A NOTIFY inside the write transaction would make every commit of the database take PostgreSQL's
one notification-queue lock, held until its disk sync ends: the writes of all halls would commit
one at a time. So the notices are handed to one thread that sends whatever has gathered since its
last send in one short transaction of its own, which need not wait for its disk sync (a notice
lost in a crash announces events that the log holds anyway).

A notification never announces an event that is not in the log: it leaves after the commit. It
carries the hall, the last seq, the writer's pid and, when they fit in a notification, the
events themselves, which saves the other processes a read on the hot path. The stored log stays
the one source of truth: a listener that sees a gap (or gets a notification without events)
reads the log, and one that gets no notification at all (the writer died between its commit and
the send) reads it at the hall's next notification or at its periodic poll (events/hub.py)."""

from __future__ import annotations

import atexit
import json
import logging
import os
import threading
from typing import NamedTuple

from sqlalchemy import Engine, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import Text

from ..domain.events import Recorded

log = logging.getLogger(__name__)

CHANNEL = "hallq_events"
MAX_PAYLOAD = 7900  # bytes; PostgreSQL refuses a payload of 8000 or more
SEND = text("SELECT pg_notify(:channel, p) FROM unnest(:payloads) WITH ORDINALITY AS n(p, i) ORDER BY i").bindparams(
    bindparam("payloads", type_=ARRAY(Text))
)
NO_SYNC = text("SET LOCAL synchronous_commit TO off")


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


def parse(raw: str) -> Notice | None:
    """The notice in a payload; None for one this version does not understand."""
    try:
        d = json.loads(raw)
        hall, seq, pid = str(d["hall"]), int(d["seq"]), int(d["pid"])
        events = [Recorded.from_dict(e, hall) for e in d.get("events", ())]
        return Notice(hall, seq, pid, events)
    except (ValueError, KeyError, TypeError):
        return None


class Notices:
    """Sends the notices of committed writes from its own thread, those that gathered meanwhile in
    one transaction (in the order they were handed over)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._queue: list[tuple[str, int, list[Recorded]]] = []
        self._ready = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None

    def send(self, hall: str, seq: int, events: list[Recorded]) -> None:
        """From a writer's thread, after its commit."""
        with self._ready:
            if self._closed:
                return
            self._queue.append((hall, seq, events))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="hallq-notify", daemon=True)
                self._thread.start()
                # A command (`hallq notice`, a hall loaded) ends right after its commit: its notices still go.
                atexit.register(self.close)
            self._ready.notify()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._queue and not self._closed:
                    self._ready.wait()
                batch, self._queue = self._queue, []
                if not batch:
                    return
            try:
                self._send([payload(*notice) for notice in batch])
            except Exception:  # noqa: BLE001 - the listeners' next notification or poll reads the log
                log.warning("could not send %d event notifications", len(batch), exc_info=True)

    def _send(self, payloads: list[str]) -> None:
        with self.engine.connect() as conn, conn.begin():
            conn.execute(NO_SYNC)
            conn.execute(SEND, {"channel": CHANNEL, "payloads": payloads}).all()

    def close(self) -> None:
        """Sends what was handed over, then stops the thread."""
        with self._ready:
            self._closed = True
            self._ready.notify()
            thread = self._thread
        if thread is not None:
            thread.join(10)

"""LISTEN for other processes' commits on PostgreSQL and tell the hub to read the log.

A notification is only a hint: the hub reads the stored log, so a lost one is healed by the next
notification or the periodic poll. After every (re)connection the hub re-reads every hall,
since notifications sent while this process was not listening are gone."""

from __future__ import annotations

import asyncio
import logging

import psycopg

from .hub import Hub
from .pg_notify import CHANNEL, parse

log = logging.getLogger(__name__)


def libpq_url(sqlalchemy_url) -> str:
    """postgresql+psycopg://… (SQLAlchemy) -> postgresql://… (libpq)."""
    return sqlalchemy_url.set(drivername="postgresql").render_as_string(hide_password=False)


def listener(url: str, backoff: tuple[float, float] = (0.2, 5.0)):
    """The hub's listener task for the database at `url` (a libpq URL)."""

    async def run(hub: Hub) -> None:
        delay = backoff[0]
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    delay = backoff[0]
                    hub.resync()
                    async for note in conn.notifies():
                        notice = parse(note.payload)
                        if notice is not None:
                            hub.notified(notice.hall, notice.seq, notice.pid, notice.events)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # noqa: BLE001 - the database may be restarting: keep trying
                log.warning("event listener lost its connection (%s); retrying in %.1fs", e, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, backoff[1])

    return run

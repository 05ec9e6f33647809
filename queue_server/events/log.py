"""Reading the stored event log for the live stream, apart from the request handlers.

Catching up, replaying, snapshots and ticket views run on their own engine (a small pool) and
their own threads: under load the request threadpool and its connection pool are busy, and a
display must not wait behind kiosks to learn about a call."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from ..domain.events import Recorded
from ..store.db import make_engine
from ..store.store import Store
from .sink import LocalBus

T = TypeVar("T")


class EventLog:
    def __init__(self, store: Store, threads: int = 2):
        url = store.engine.url.render_as_string(hide_password=False)
        # A second Store on its own engine; it never writes, so its sink is never used.
        self.store = Store(make_engine(url, pool_size=threads, max_overflow=0), store.clock, LocalBus())
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="hallq-events")

    async def run(self, fn: Callable[..., T], *args) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    def _after(self, hall: str, since: int, limit: int) -> list[Recorded]:
        with self.store.read(hall) as r:
            return r.events_after(since, limit)

    def _last(self, hall: str) -> int:
        with self.store.read(hall) as r:
            return r.last_seq()

    async def after(self, hall: str, since: int, limit: int) -> list[Recorded]:
        """Stored events of a hall with seq > since, in seq order (at most `limit`)."""
        return await self.run(self._after, hall, since, limit)

    async def last_seq(self, hall: str) -> int:
        """The hall's last committed seq (NotFound for an unknown hall)."""
        return await self.run(self._last, hall)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.store.engine.dispose()

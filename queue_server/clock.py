"""The server's clock is injectable so a demo or a test can run the hall at 10:00 at any hour."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class OffsetClock(Clock):
    """Starts at `start` and runs on at real speed."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("the clock's start needs a UTC offset, e.g. 2026-11-24T10:00:00+08:00")
        self._start = start.astimezone(UTC)
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._t0)

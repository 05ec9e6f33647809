"""Whether the database can take writes. A full disk is logged once (not once per request) and
shown as an alert on the dashboard until space is freed.

On SQLite a reserve file beside the database holds a few megabytes back: when the disk fills, it
is deleted, so the alert can be recorded and the hall goes on issuing for a while; once the disk
has room again the reserve is taken back and the alert clears. On PostgreSQL (its disk is not
ours to measure) the first change that commits again ends the episode."""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import DBAPIError, OperationalError

from ..clock import Clock

log = logging.getLogger(__name__)
PG_DISK_FULL = "53100"


def is_disk_full(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", exc)
    if isinstance(orig, sqlite3.Error) and getattr(orig, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
        return True
    if getattr(orig, "sqlstate", None) == PG_DISK_FULL:
        return True
    return isinstance(orig, OSError) and orig.errno == errno.ENOSPC


def is_connection_lost(exc: BaseException) -> bool:
    # OperationalError: the server went away, refused the connection or ended the session.
    return isinstance(exc, DBAPIError) and (exc.connection_invalidated or isinstance(exc, OperationalError))


class StorageHealth:
    def __init__(self, clock: Clock, reserve: Path | None = None):
        self.clock = clock
        self.reserve = reserve
        self.reserve_bytes = 0
        self.full_since: datetime | None = None
        self._lock = threading.Lock()

    def keep_reserve(self, size: int) -> None:
        """Takes the reserve (at start, and when the disk has room again)."""
        self.reserve_bytes = size
        if self.reserve is None or size <= 0 or self.reserve.exists():
            return
        try:
            fd = os.open(self.reserve, os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                os.posix_fallocate(fd, 0, size)
            finally:
                os.close(fd)
        except OSError as e:
            self.reserve.unlink(missing_ok=True)
            log.warning("no room for the storage reserve %s (%s)", self.reserve, e)

    def full(self, exc: BaseException) -> None:
        with self._lock:
            if self.full_since is not None:
                return
            self.full_since = self.clock.now()
        released = False
        if self.reserve is not None and self.reserve.exists():
            self.reserve.unlink(missing_ok=True)
            released = True
        log.error(
            "storage full: changes are refused (503 storage_full)%s: %s",
            "; the reserve is released for the hall to go on" if released else "",
            str(getattr(exc, "orig", exc)).splitlines()[0],
        )

    def check(self) -> datetime | None:
        """When the disk filled up (None: it has room); looked at by the alert engine."""
        if self.full_since is None or self.reserve is None:
            return self.full_since
        try:
            room = shutil.disk_usage(self.reserve.parent).free
        except OSError:
            return self.full_since
        if room >= 2 * self.reserve_bytes + (1 << 20):
            self.keep_reserve(self.reserve_bytes)
            self._recovered()
        return self.full_since

    def committed(self) -> None:
        if self.full_since is not None and self.reserve is None:
            self._recovered()

    def _recovered(self) -> None:
        with self._lock:
            since, self.full_since = self.full_since, None
        if since is not None:
            log.warning("storage writable again (full since %s)", since.isoformat())

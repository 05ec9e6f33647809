"""How `hallq serve` holds up against clients that open connections and never finish a request.

Uvicorn keeps a connection that sent part of a request line for ever and accepts connections until
the process runs out of file descriptors, after which nobody (kiosk, clerk, the database file) gets
one. So: the file limit is raised to what the system allows, open connections are bounded below it,
and a connection that has not sent its request headers within `header_timeout_seconds` is closed.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from functools import lru_cache

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .settings import Settings, get_settings

log = logging.getLogger(__name__)
# Descriptors kept back from clients: database connections, the SQLite file and its WAL, the
# speech cache, log files, the event listener.
RESERVED_FILES = 200


def raise_file_limit() -> int:
    """Soft limit up to the hard one (the usual 1,024 is less than a busy hall's devices and
    phones); returns the limit in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            log.warning("could not raise the open-file limit from %d", soft)
    return soft


def connection_limit(settings: Settings, file_limit: int) -> int:
    return max(16, min(settings.max_connections, file_limit - RESERVED_FILES))


@lru_cache
def _limits() -> tuple[float, int]:
    """(header timeout, connection cap) of this process; read in each worker, as the protocol class
    is handed to worker processes by name."""
    settings = get_settings()
    return settings.header_timeout_seconds, connection_limit(settings, raise_file_limit())


class GuardedHttp(HttpToolsProtocol):
    """Uvicorn's HTTP protocol with a deadline for each request's headers and a cap on connections."""

    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > _limits()[1]:
            # Closed at once rather than left to wait: the descriptor is what is scarce.
            transport.abort()
            return
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        waiting = bool(self.pipeline)  # a pipelined request already has its headers
        super().on_response_complete()
        if not waiting and not self.transport.is_closing():
            self._arm()  # the next request on this connection gets its own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(_limits()[0], self._headers_late)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.abort()


def uvicorn_options() -> dict:
    return dict(
        http=GuardedHttp,
        # Beyond this many open connections or running requests, a request is answered 503 at once.
        limit_concurrency=_limits()[1],
        backlog=2048,
    )

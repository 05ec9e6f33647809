"""A client of the live streams (kiosk, tests, benchmarks): reconnects with back-off and
resumes from the last seq it received, so its caller sees every event once, in order.

    async with HallStream("http://127.0.0.1:8000", "demo", token=display_token) as stream:
        async for msg in stream:          # events, and a snapshot when one is sent
            ...

    async with TicketStream("http://127.0.0.1:8000", ticket_token) as stream:
        async for view in stream:         # the ticket as GET /api/tickets/{token} shows it
            ...

`StreamThread` runs either one in a background thread and calls back with each message, for
code that is not asyncio (the Kivy kiosk)."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import threading
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlencode

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

log = logging.getLogger(__name__)

REFUSED = {4400, 4401, 4403, 4404}  # retrying cannot help


class StreamRefused(Exception):
    """The server refused the stream for good (bad token, unknown hall or ticket)."""

    def __init__(self, code: int, reason: str):
        super().__init__(f"{code} {reason}")
        self.code = code
        self.reason = reason


def ws_url(base_url: str) -> str:
    if base_url.startswith("https://"):
        return "wss://" + base_url[8:]
    if base_url.startswith("http://"):
        return "ws://" + base_url[7:]
    return base_url


class _Stream:
    """Reconnection with exponential back-off and jitter; subclasses say what a message means."""

    def __init__(
        self, backoff: tuple[float, float] = (0.1, 5.0), open_timeout: float = 10.0, ping_interval: float | None = 20.0
    ):
        self.backoff = backoff
        self.open_timeout = open_timeout
        self.ping_interval = ping_interval
        self.connects = 0  # connections made so far (1 + reconnections)
        self.connected = asyncio.Event()
        self._ws: ClientConnection | None = None
        self._closed = False

    def url(self) -> str:
        raise NotImplementedError

    def headers(self) -> dict[str, str]:
        """Sent with the handshake (a credential goes here, never in the address)."""
        return {}

    def accept(self, msg: dict) -> bool:
        """Whether to hand `msg` to the caller (and remember where it leaves the stream)."""
        raise NotImplementedError

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        self._closed = True
        if self._ws is not None:
            await self._ws.close()

    async def drop_connection(self) -> None:
        """Closes the current connection as a network failure would; the stream reconnects."""
        if self._ws is not None:
            await self._ws.close()

    async def __aiter__(self) -> AsyncIterator[dict]:
        delay = self.backoff[0]
        while not self._closed:
            try:
                async with connect(
                    self.url(),
                    additional_headers=self.headers(),
                    open_timeout=self.open_timeout,
                    ping_interval=self.ping_interval,
                    compression=None,
                    max_size=2**24,
                ) as ws:
                    self._ws = ws
                    self.connects += 1
                    self.connected.set()
                    async for raw in ws:
                        msg = json.loads(raw)
                        delay = self.backoff[0]
                        if self.accept(msg):
                            yield msg
                    code, reason = ws.close_code, ws.close_reason or ""
            except ConnectionClosed as e:
                code, reason = (e.rcvd.code, e.rcvd.reason) if e.rcvd else (1006, "")
            except (TimeoutError, OSError, InvalidHandshake) as e:
                if isinstance(e, InvalidStatus) and e.response.status_code in (403, 404):
                    raise StreamRefused(e.response.status_code, "refused at the handshake") from e
                code, reason = 1006, str(e)
            finally:
                self._ws = None
                self.connected.clear()
            if self._closed:
                return
            if code in REFUSED:
                raise StreamRefused(code, reason)
            wait = delay * (0.5 + random.random())
            log.info("stream closed (%s %s); reconnecting in %.2fs", code, reason, wait)
            await asyncio.sleep(wait)
            delay = min(delay * 2, self.backoff[1])


class HallStream(_Stream):
    """A hall's events after `since` (None: a snapshot first), then live ones, across reconnections.

    `last_seq` is where the stream resumes. `duplicates` counts events the server sent twice
    (the client drops them; it should stay 0)."""

    def __init__(
        self,
        base_url: str,
        hall: str,
        *,
        token: str,
        since: int | None = None,
        topics: list[str] | tuple[str, ...] | None = None,
        **kw,
    ):
        super().__init__(**kw)
        self.base_url = base_url
        self.hall = hall
        self.token = token
        self.last_seq = since
        self.topics = tuple(topics) if topics else None
        self.duplicates = 0

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def url(self) -> str:
        query = {}
        if self.last_seq is not None:
            query["since"] = str(self.last_seq)
        if self.topics:
            query["topics"] = ",".join(self.topics)
        return f"{ws_url(self.base_url)}/ws/halls/{self.hall}" + (f"?{urlencode(query)}" if query else "")

    def accept(self, msg: dict) -> bool:
        kind = msg.get("type")
        if kind == "snapshot":
            self.last_seq = msg["seq"]
            return True
        if kind == "ping":
            # Everything up to the ping's seq that this client asked for has been sent.
            self.last_seq = max(self.last_seq or 0, msg.get("seq") or 0)
            return False
        if kind in ("pong", "error"):
            return False
        seq = msg.get("seq")
        if seq is None:
            return True
        if self.last_seq is not None and seq <= self.last_seq:
            self.duplicates += 1
            return False
        self.last_seq = seq
        return True


class TicketStream(_Stream):
    """One ticket's views: on connect and on every change (state, position, ETA, window)."""

    def __init__(self, base_url: str, token: str, **kw):
        super().__init__(**kw)
        self.base_url = base_url
        self.token = token
        self.view: dict | None = None

    def url(self) -> str:
        return f"{ws_url(self.base_url)}/ws/tickets/{self.token}"

    async def __aiter__(self) -> AsyncIterator[dict]:
        async for msg in super().__aiter__():
            yield msg["ticket"]

    def accept(self, msg: dict) -> bool:
        if msg.get("type") != "ticket":
            return False
        self.view = msg["ticket"]
        return True


class StreamThread:
    """Runs a stream in a daemon thread with its own event loop; `on_message` is called from that
    thread with each message, `on_error` with the exception that ended the stream (if any)."""

    def __init__(
        self,
        make_stream: Callable[[], _Stream],
        on_message: Callable[[dict], None],
        on_error: Callable[[BaseException], None] | None = None,
    ):
        self._make = make_stream
        self._on_message = on_message
        self._on_error = on_error
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._thread = threading.Thread(target=self._run, name="hallq-stream", daemon=True)
        self.stream: _Stream | None = None

    def start(self) -> StreamThread:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        if self._loop is not None and self._task is not None:
            self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(timeout)

    def _run(self) -> None:
        async def main() -> None:
            self._task = asyncio.current_task()
            self.stream = self._make()
            try:
                async with self.stream as stream:
                    async for msg in stream:
                        self._on_message(msg)
            except asyncio.CancelledError:
                pass
            except Exception as e:  # noqa: BLE001 - handed to the caller
                if self._on_error:
                    self._on_error(e)
                else:
                    log.exception("stream thread ended")

        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(main())
        finally:
            self._loop.close()

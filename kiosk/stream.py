"""The hall's event stream (`WS /ws/halls/{hall}`), followed in a thread: every event reaches
`on_event`, in order, resumed with `since` after a reconnect; when the connection ends, `on_lost`
hears why, so the kiosk can tell a server that has gone from a stream that merely dropped.

The device token goes in the Authorization header, never in the URL (URLs end up in logs)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from urllib.parse import urlencode

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.sync.client import ClientConnection, connect

log = logging.getLogger(__name__)

REFUSED = {4400, 4401, 4403, 4404}  # the server will not stream to this kiosk: retrying cannot help
# A silent server (a hung host, a pulled cable) is noticed after PING + PING_TIMEOUT seconds.
PING_SECONDS = 3.0
PING_TIMEOUT = 3.0


class StreamLost(Exception):
    def __init__(self, reason: str, refused: bool = False):
        super().__init__(reason)
        self.refused = refused


class HallStream:
    def __init__(
        self, server_url: str, hall: str, token: str, on_event: Callable[[dict], None], open_timeout: float = 5.0
    ):
        self.url = server_url.replace("http", "ws", 1) + f"/ws/halls/{hall}"
        self.token = token
        self.on_event = on_event
        self.open_timeout = open_timeout
        self.since: int | None = None
        self._ws: ClientConnection | None = None
        self._lock = threading.Lock()
        self._closed = False

    def run_once(self) -> StreamLost:
        """Connect and deliver events until the connection ends; returns why it ended."""
        query = f"?{urlencode({'since': self.since})}" if self.since is not None else ""
        try:
            with connect(
                self.url + query,
                open_timeout=self.open_timeout,
                additional_headers={"Authorization": f"Bearer {self.token}"},
                ping_interval=PING_SECONDS,
                ping_timeout=PING_TIMEOUT,
                close_timeout=1,
            ) as ws:
                with self._lock:
                    if self._closed:
                        return StreamLost("closed")
                    self._ws = ws
                for raw in ws:
                    msg = json.loads(raw)
                    if isinstance(msg.get("seq"), int):
                        self.since = msg["seq"]
                    self.on_event(msg)
        except InvalidStatus as exc:
            code = exc.response.status_code
            return StreamLost(f"HTTP {code}", refused=code in (401, 403, 404))
        except ConnectionClosed as exc:
            close_code = exc.rcvd.code if exc.rcvd is not None else None
            return StreamLost(f"closed ({close_code})", refused=close_code in REFUSED)
        except (OSError, TimeoutError, InvalidHandshake, ValueError) as exc:
            return StreamLost(f"{type(exc).__name__}: {exc}")
        finally:
            with self._lock:
                self._ws = None
        return StreamLost("closed")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            ws = self._ws
        if ws is not None:
            ws.close()

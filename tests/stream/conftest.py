"""Live servers with stream settings, an async API helper and a collector of stream messages."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pytest

from queue_server.client import HallStream, _Stream
from tests.support import live


@dataclass
class StreamServer(live.LiveServer):
    extra: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return super().env() | self.extra

    def hall_stream(self, since: int | None = None, **kw) -> HallStream:
        kw.setdefault("backoff", (0.05, 0.5))
        return HallStream(self.url, "demo", token=self.tokens["display"], since=since, **kw)


@pytest.fixture
def servers(tmp_path):
    """start(db_url, tokens=None, port=None, **settings): a server on the database; settings become
    HALLQ_* variables. Without `tokens` the database is prepared (demo hall, clerks, devices)."""
    started: list[StreamServer] = []

    def start(db_url: str, *, tokens: dict | None = None, port: int | None = None, **settings) -> StreamServer:
        if tokens is None:
            tokens = live.prepare(db_url)
        extra = {f"HALLQ_{k.upper()}": str(v) for k, v in settings.items()}
        srv = StreamServer(
            db_url=db_url, data_dir=tmp_path, extra=extra, tokens=tokens, **({"port": port} if port else {})
        )
        started.append(srv)
        return srv.start()

    yield start
    for srv in started:
        srv.stop()


class Api:
    """The HTTP calls the stream tests make, as kiosk, clerks and manager."""

    def __init__(self, srv: StreamServer):
        self.srv = srv
        self.http = httpx.AsyncClient(base_url=srv.url, timeout=30)
        self.kiosk = {"Authorization": f"Bearer {srv.tokens['kiosk']}"}
        self._users: dict[str, dict] = {}

    async def close(self) -> None:
        await self.http.aclose()

    async def user(self, name: str) -> dict:
        if name not in self._users:
            r = await self.http.post("/api/auth/login", json={"username": name, "password": live.PASSWORD})
            r.raise_for_status()
            self._users[name] = {"Authorization": f"Bearer {r.json()['token']}"}
        return self._users[name]

    async def issue(self, service: str = "tax-general") -> dict:
        r = await self.http.post("/api/halls/demo/tickets", json={"services": [service]}, headers=self.kiosk)
        assert r.status_code == 201, r.text
        return r.json()

    async def window(self, number: int, action: str, clerk: str, body: dict | None = None) -> httpx.Response:
        return await self.http.post(
            f"/api/halls/demo/windows/{number}/{action}", json=body or {}, headers=await self.user(clerk)
        )

    async def call_and_finish(self, number: int, clerk: str) -> dict:
        r = await self.window(number, "call-next", clerk)
        assert r.status_code == 200, r.text
        f = await self.window(number, "finish", clerk, {"result": "done"})
        assert f.status_code == 200, f.text
        return r.json()["ticket"]

    async def events(self, since: int = 0) -> list[dict]:
        out: list[dict] = []
        while True:
            r = await self.http.get(
                "/api/halls/demo/events", params={"since": since, "limit": 5000}, headers=await self.user("manager1")
            )
            r.raise_for_status()
            page = r.json()["events"]
            out += page
            if len(page) < 5000:
                return out
            since = page[-1]["seq"]

    async def last_seq(self) -> int:
        r = await self.http.get("/api/halls/demo/board")
        r.raise_for_status()
        return r.json()["seq"]

    async def stream_status(self) -> dict:
        r = await self.http.get("/api/halls/demo/stream", headers=await self.user("manager1"))
        r.raise_for_status()
        return r.json()


class Collector:
    """Runs a stream in a task and keeps every message it yields."""

    def __init__(self, stream: _Stream):
        self.stream = stream
        self.messages: list[dict] = []
        self.received: dict[int, float] = {}  # seq -> time.monotonic() on arrival
        self.error: BaseException | None = None
        self._new = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def __aenter__(self) -> Collector:
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self.stream.connected.wait(), 15)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stream.close()
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        try:
            async for msg in self.stream:
                self.messages.append(msg)
                if "seq" in msg and msg.get("type") != "snapshot":
                    self.received[msg["seq"]] = time.monotonic()
                self._new.set()
        except Exception as e:  # noqa: BLE001 - kept for the test to look at
            self.error = e
            self._new.set()

    @property
    def events(self) -> list[dict]:
        return [m for m in self.messages if m.get("type") != "snapshot"]

    @property
    def seqs(self) -> list[int]:
        return [m["seq"] for m in self.events]

    async def until(self, done: Callable[[Collector], bool], timeout: float = 30) -> None:
        async def wait() -> None:
            while not done(self):
                if self.error:
                    raise self.error
                self._new.clear()
                await self._new.wait()

        await asyncio.wait_for(wait(), timeout)

    async def until_seq(self, seq: int, timeout: float = 30) -> None:
        await self.until(lambda c: bool(c.seqs) and c.seqs[-1] >= seq, timeout)


def run(coro):
    return asyncio.run(coro)

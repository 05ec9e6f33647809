"""Supervision fixtures: a demo hall with short alert thresholds on a live server, an event log
written straight into a database, and headless Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import insert, update

from queue_server.domain.hall import Hall
from queue_server.halls import DEMO, read_hall
from queue_server.store import tables as t
from queue_server.store.db import make_engine
from queue_server.store.store import Store
from queue_server.usecases import halls
from tests.support import chromium, live

ROOT = Path(__file__).resolve().parents[2]


def demo_with(**alerts) -> Hall:
    """The demo hall with these alert thresholds."""
    data = read_hall(DEMO).model_dump(mode="json")
    data["alerts"] = data["alerts"] | alerts
    return Hall.model_validate(data)


def prepare(db_url: str, hall: Hall | None = None) -> dict[str, str]:
    """The demo hall (with `hall`'s configuration if given), its staff and device tokens."""
    tokens = live.prepare(db_url)
    if hall is not None:
        store = Store(make_engine(db_url))
        halls.load_hall(store, hall)
        store.engine.dispose()
    return tokens


def write_events(db_url: str, events: list[dict], hall: str = "demo") -> None:
    """Appends a hand-built log to a hall's stored events (seqs after the last one)."""
    from datetime import datetime

    store = Store(make_engine(db_url))
    with store.transaction() as conn:
        last = conn.execute(t.halls.select().where(t.halls.c.id == hall)).first().event_seq
        for i, e in enumerate(events, start=last + 1):
            ts = datetime.fromisoformat(e["ts"]) if isinstance(e["ts"], str) else e["ts"]
            conn.execute(
                insert(t.events).values(hall=hall, seq=i, type=e["type"], ts=ts, actor=e["actor"], data=e["data"])
            )
        conn.execute(update(t.halls).where(t.halls.c.id == hall).values(event_seq=last + len(events)))
    store.engine.dispose()


def hallq(db_url: str, data_dir: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """The `hallq` command line, as a separate process on that database."""
    env = os.environ | {
        "HALLQ_DATABASE_URL": db_url,
        "HALLQ_DATA_DIR": str(data_dir),
        "HALLQ_SECRET": "test-secret",
        "HALLQ_LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [sys.executable, "-m", "queue_server.cli", *args], env=env, cwd=ROOT, capture_output=True, timeout=timeout
    )


class Api:
    """The calls the supervision tests make against a live server."""

    def __init__(self, srv: live.LiveServer, tokens: dict[str, str]):
        self.srv = srv
        self.tokens = tokens
        self.http = httpx.Client(base_url=srv.url, timeout=30)
        self._users: dict[str, dict] = {}

    def user(self, name: str) -> dict:
        if name not in self._users:
            self._users[name] = self.srv.login(name)
        return self._users[name]

    def issue(self, *services: str) -> dict:
        r = self.http.post(
            "/api/halls/demo/tickets",
            json={"services": list(services)},
            headers={"Authorization": f"Bearer {self.tokens['kiosk']}"},
        )
        assert r.status_code == 201, r.text
        return r.json()

    def window(self, number: int, action: str, clerk: str, body: dict | None = None) -> dict:
        r = self.http.post(f"/api/halls/demo/windows/{number}/{action}", json=body or {}, headers=self.user(clerk))
        assert r.status_code == 200, r.text
        return r.json()

    def device(self, device: str, state: str, detail: str = "") -> dict:
        r = self.http.post(
            "/api/halls/demo/devices/state",
            json={"device": device, "kind": "printer", "state": state, "detail": detail},
            headers={"Authorization": f"Bearer {self.tokens['kiosk']}"},
        )
        assert r.status_code == 200, r.text
        return r.json()

    def events(self, since: int = 0) -> list[dict]:
        r = self.http.get(
            "/api/halls/demo/events", params={"since": since, "limit": 5000}, headers=self.user("manager1")
        )
        r.raise_for_status()
        return r.json()["events"]

    def alerts(self, kind: str | None = None, type_: str = "alert.raised") -> list[dict]:
        return [e for e in self.events() if e["type"] == type_ and (kind is None or e["data"]["kind"] == kind)]


@pytest.fixture
def alert_server(server_factory):
    """start(db_url, **thresholds) -> Api on a live server whose demo hall has those alert thresholds."""

    def start(db_url: str, clock: str | None = live.CLOCK, **thresholds) -> Api:
        tokens = prepare(db_url, demo_with(**thresholds))
        srv = server_factory(db_url, clock=clock, prepare=False)
        srv.tokens = tokens
        return Api(srv, tokens)

    return start


@pytest.fixture(scope="module")
def browser():
    yield from chromium.launch()

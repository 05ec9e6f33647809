"""Browser tests: headless Chromium (Debian's binary) driven by Playwright, against a live server.

`pages(path, width, height)` opens a page in its own browser context (its own storage) and
collects JavaScript errors; a test fails if any page logged one. `hall` is the live server with
a small HTTP client for setting the scene (tickets, windows, events)."""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support import chromium, live
from tests.support.csp import under_csp


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def browser():
    yield from chromium.launch()


@dataclass
class Hall:
    """The live server and the HTTP calls tests make to set the scene."""

    srv: live.LiveServer
    http: httpx.Client = field(init=False)
    _users: dict = field(default_factory=dict)

    def __post_init__(self):
        self.http = httpx.Client(base_url=self.srv.url, timeout=30)

    @property
    def url(self) -> str:
        return self.srv.url

    def token(self, kind: str) -> str:
        return self.srv.tokens[kind]

    def rating_token(self, window: int) -> str:
        return live.device_token(self.srv.db_url, "rating", window)

    def user(self, name: str) -> dict:
        if name not in self._users:
            r = self.http.post("/api/auth/login", json={"username": name, "password": live.PASSWORD})
            r.raise_for_status()
            self._users[name] = {"Authorization": f"Bearer {r.json()['token']}"}
        return self._users[name]

    def user_token(self, name: str) -> str:
        """A fresh sign-in token (as a page of that user would hold)."""
        r = self.http.post("/api/auth/login", json={"username": name, "password": live.PASSWORD})
        r.raise_for_status()
        return r.json()["token"]

    def issue(self, *services: str, priority: str | None = None) -> dict:
        """A ticket from the kiosk, or from the guide's tablet when it has a priority class."""
        body = {"services": list(services)} | ({"priority": priority} if priority else {})
        device = self.token("guide" if priority else "kiosk")
        r = self.http.post("/api/halls/demo/tickets", json=body, headers={"Authorization": f"Bearer {device}"})
        assert r.status_code == 201, r.text
        return r.json()

    def act(self, window: int, action: str, clerk: str, body: dict | None = None) -> dict:
        r = self.http.post(f"/api/halls/demo/windows/{window}/{action}", json=body or {}, headers=self.user(clerk))
        assert r.status_code == 200, r.text
        return r.json()

    def events(self, *types: str) -> list[dict]:
        r = self.http.get("/api/halls/demo/events", params={"limit": 5000}, headers=self.user("manager1"))
        r.raise_for_status()
        return [e for e in r.json()["events"] if not types or e["type"] in types]

    def kill(self) -> None:
        """SIGKILL the server (as a power cut would)."""
        self.srv.kill()

    def start_again(self, clock: str | None = None) -> None:
        """A new server on the same port and database (its hall clock starting at `clock`, if given)."""
        again = live.LiveServer(
            db_url=self.srv.db_url, data_dir=self.srv.data_dir, clock=clock or self.srv.clock, port=self.srv.port
        )
        again.tokens = self.srv.tokens
        self._restarted = getattr(self, "_restarted", []) + [again]
        deadline = time.monotonic() + 20
        while True:  # the port may linger a moment after the kill
            try:
                again.start()
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        self.srv = again
        self._users.clear()

    def close(self) -> None:
        self.http.close()
        for s in getattr(self, "_restarted", []):
            s.stop()


@pytest.fixture(scope="session")
def prepared_db(tmp_path_factory):
    """One prepared database (demo hall, users, device tokens) copied for every test: preparing
    hashes a dozen passwords, which is most of a server's start-up time."""
    path = tmp_path_factory.mktemp("browser-db") / "hallq.db"
    tokens = live.prepare(f"sqlite:///{path}")
    return path, tokens


@pytest.fixture
def hall(server_factory, prepared_db, tmp_path):
    template, tokens = prepared_db
    db = tmp_path / "hallq.db"
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{template}{suffix}").exists():
            shutil.copyfile(f"{template}{suffix}", f"{db}{suffix}")
    srv = server_factory(f"sqlite:///{db}", prepare=False)
    srv.tokens = tokens
    h = Hall(srv)
    yield h
    h.close()


class PageErrors(AssertionError):
    pass


@pytest.fixture
def pages(browser, hall):
    """open(path, width, height, allow=()) -> a Playwright page on the live server. Console errors
    and uncaught exceptions fail the test; `allow` lists regexes of expected browser messages."""
    opened = []

    def open_page(
        path: str, width: int = 1920, height: int = 1080, allow: tuple[str, ...] = (), wait_live: bool = True
    ):
        ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        ctx.set_default_timeout(30000)  # generous: a loaded 2-core machine; the timed checks measure for themselves
        page = under_csp(ctx.new_page())
        errors: list[str] = []
        page.on(
            "console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type in ("error", "assert") else None
        )
        page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
        opened.append((ctx, page, errors, allow))
        page.goto(hall.url + path)
        if wait_live:
            page.wait_for_function("document.documentElement.dataset.live === 'open'", timeout=30000)
        return page

    yield open_page
    problems = []
    for ctx, page, errors, allow in opened:
        problems += [f"{page.url}: {e}" for e in errors if not any(re.search(a, e) for a in allow)]
        ctx.close()
    if problems:
        raise PageErrors("JavaScript console errors:\n" + "\n".join(problems))

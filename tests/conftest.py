"""Shared test fixtures. `need()` is how a test says it needs a system part: it skips with the
reason on a developer machine and fails under CI=true, where every part must be present."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_addoption(parser):
    # One option for every test that saves pictures (kiosk, browser pages): `make screenshots`.
    parser.addoption("--screenshots-dir", default=None, help="save screenshots of every screen here")


@pytest.fixture(scope="session")
def screenshots_dir(request, tmp_path_factory):
    """Where tests save their screenshots: --screenshots-dir, or a temporary folder."""
    from pathlib import Path

    chosen = request.config.getoption("--screenshots-dir")
    path = Path(chosen).resolve() if chosen else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def need(condition: bool, reason: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(f"missing system part under CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture
def pty_available() -> None:
    """The device simulators serve on pseudo-terminals."""
    need(hasattr(os, "openpty") and os.path.isdir("/dev/pts"), "pseudo-terminals (/dev/pts)")


# -- databases and live servers ---------------------------------------------------------------
from tests.support import live  # noqa: E402


def _postgres_database():
    need(live.postgres_available(), f"PostgreSQL is not reachable at {live.PG_ADMIN_URL}")
    url = live.create_pg_database()
    try:
        yield url
    finally:
        live.drop_pg_database(url)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hallq.db'}"
        return
    yield from _postgres_database()


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL database, for what only runs there."""
    yield from _postgres_database()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'hallq.db'}"


@pytest.fixture
def server_factory(tmp_path):
    """Prepares a database (demo hall, clerks, device tokens) and starts servers on it."""
    started: list[live.LiveServer] = []

    def make(
        db_url: str, clock: str | None = live.CLOCK, prepare: bool = True, settings: dict | None = None, **options
    ):
        tokens = live.prepare(db_url) if prepare else {}
        srv = live.LiveServer(db_url=db_url, data_dir=tmp_path, clock=clock, settings=settings or {}, **options).start()
        srv.tokens = tokens
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.stop()

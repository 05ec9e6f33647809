"""A real queue server on a loopback port, started as its own process (so it can be killed)."""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from queue_server.halls import DEMO, read_hall
from queue_server.store.db import make_engine
from queue_server.store.store import Store
from queue_server.usecases import accounts, halls

CLOCK = "2026-11-24T10:00:00+08:00"  # a Tuesday morning: every demo service is open
PASSWORD = "test-pass-1"
PG_ADMIN_URL = os.environ.get("HALLQ_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(proc: subprocess.Popen, url: str, timeout: float, output: Callable[[], str]) -> None:
    """Until the server at `url` answers /healthz; a server that exits or never answers (then it is
    killed, so its output is complete) fails with `output()` in the message."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {output()}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    raise RuntimeError(f"server did not start: {output()}")


def postgres_available() -> bool:
    try:
        with create_engine(PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://")).connect() as c:
            c.execute(text("select 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


def create_pg_database() -> str:
    name = f"hallq_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    engine = create_engine(PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    engine = create_engine(PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def prepare(db_url: str, clerks: int = 8) -> dict[str, str]:
    """Migrate, load the demo hall, create clerks and device tokens. Returns the device tokens."""
    store = Store(make_engine(db_url))
    store.migrate()
    halls.load_hall(store, read_hall(DEMO))
    for i in range(1, clerks + 1):
        accounts.add_user(store, f"clerk{i}", PASSWORD, "clerk", "demo", f"测试员{i}", f"T{i:03d}")
    accounts.add_user(store, "guide1", PASSWORD, "guide", "demo", "引导员", "G001")
    accounts.add_user(store, "manager1", PASSWORD, "manager", "demo", "主任", "M001")
    tokens = {kind: accounts.device_token(store, "demo", kind) for kind in ("kiosk", "display", "guide")}
    store.engine.dispose()
    return tokens


def device_token(db_url: str, kind: str, window: int | None = None) -> str:
    """A further device token of the demo hall (a window's rating device, say)."""
    store = Store(make_engine(db_url))
    try:
        return accounts.device_token(store, "demo", kind, window)
    finally:
        store.engine.dispose()


@dataclass
class LiveServer:
    db_url: str
    data_dir: Path
    clock: str | None = CLOCK
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    log_path: Path | None = None
    settings: dict[str, str] = field(default_factory=dict)  # more HALLQ_* settings of this server
    file_limit: int | None = None  # the soft open-file limit it starts with (1024 on many machines)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return (
            os.environ
            | {
                "HALLQ_DATABASE_URL": self.db_url,
                "HALLQ_DATA_DIR": str(self.data_dir),
                "HALLQ_SECRET": "test-secret",
                "HALLQ_PUBLIC_URL": self.url,
                "HALLQ_LOG_LEVEL": "WARNING",
            }
            | self.settings
        )

    def start(self, timeout: float = 30) -> LiveServer:
        args = [sys.executable, "-m", "queue_server.cli", "serve", "--port", str(self.port)]
        if self.clock:
            args += ["--clock", self.clock]
        self.log_path = self.data_dir / f"server-{self.port}.log"
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            args,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=self._limit_files if self.file_limit else None,
        )
        wait_healthy(self.proc, self.url, timeout, lambda: self.log_path.read_text()[-3000:])
        return self

    def _limit_files(self) -> None:
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (self.file_limit, hard))

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flush, as a power cut or OOM kill would do."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def login(self, username: str, password: str = PASSWORD) -> dict[str, str]:
        r = httpx.post(self.url + "/api/auth/login", json={"username": username, "password": password})
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['token']}"}

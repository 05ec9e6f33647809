"""What a server process checks and takes before it serves: private files, one secret for every
process on PostgreSQL, and migrations one process at a time."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import stat
import subprocess
import sys

import httpx
import pytest

from queue_server.store.db import make_engine, migrate
from tests.conftest import need
from tests.support import live


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_data_directory_and_its_files_are_private(tmp_path, server_factory):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    url = f"sqlite:///{data / 'hallq.db'}"
    srv = server_factory(url, settings={"HALLQ_DATA_DIR": str(data), "HALLQ_SECRET": ""})  # key file made
    kiosk = {"Authorization": f"Bearer {srv.tokens['kiosk']}"}
    r = httpx.post(f"{srv.url}/api/halls/demo/tickets", json={"services": ["tax-general"]}, headers=kiosk)
    assert r.status_code == 201, r.text
    if shutil.which("espeak-ng"):  # the speech cache too
        audio = httpx.get(
            f"{srv.url}{r.json().get('audio_url') or '/api/halls/demo/announcements.wav?text=请A001号'}",
            headers=kiosk,
            timeout=30,
        )
        assert audio.status_code in (200, 404, 422), audio.text
    assert mode(data) == 0o700
    files = [p for p in data.rglob("*") if p.is_file() and not p.name.startswith("server-")]
    assert {"hallq.db", "secret.key"} <= {p.name for p in files}
    assert {p.name: oct(mode(p)) for p in files if mode(p) != 0o600} == {}
    assert all(mode(p) == 0o700 for p in data.rglob("*") if p.is_dir())


def _serve_briefly(env: dict, tmp_path) -> subprocess.CompletedProcess:
    """`hallq serve` on a port nobody asks: returns when it exits (or is stopped after a while)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "queue_server.cli", "serve", "--port", str(live.free_port())],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        out, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.terminate()
        out, err = proc.communicate(timeout=20)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.fixture
def pg_url():
    need(live.postgres_available(), f"PostgreSQL is not reachable at {live.PG_ADMIN_URL}")
    url = live.create_pg_database()
    yield url
    live.drop_pg_database(url)


def test_postgres_needs_a_shared_secret(pg_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLQ_")}
    env |= {"HALLQ_DATABASE_URL": pg_url, "HALLQ_DATA_DIR": str(tmp_path / "data"), "HALLQ_LOG_LEVEL": "WARNING"}
    refused = _serve_briefly(env, tmp_path)
    assert refused.returncode == 2, refused.stderr[-2000:]
    assert "HALLQ_SECRET" in refused.stderr and "PostgreSQL" in refused.stderr, refused.stderr
    assert not (tmp_path / "data" / "secret.key").exists()  # no key of its own made instead

    key = tmp_path / "hall.key"
    key.write_text("0123456789abcdef0123456789abcdef\n")
    srv = live.LiveServer(
        db_url=pg_url, data_dir=tmp_path, settings={"HALLQ_SECRET": "", "HALLQ_SECRET_FILE": str(key)}
    )
    try:
        srv.start()
        assert httpx.get(f"{srv.url}/healthz").status_code == 200
    finally:
        srv.stop()


def _migrate(url: str, start) -> None:
    start.wait(30)
    engine = make_engine(url)
    try:
        migrate(engine)
    finally:
        engine.dispose()


def test_processes_migrating_a_fresh_database_at_once_all_succeed():
    need(live.postgres_available(), f"PostgreSQL is not reachable at {live.PG_ADMIN_URL}")
    ctx = multiprocessing.get_context("spawn")
    for _ in range(3):  # a race: a few rounds on fresh databases
        url = live.create_pg_database()
        try:
            start = ctx.Barrier(4)
            procs = [ctx.Process(target=_migrate, args=(url, start)) for _ in range(4)]
            for p in procs:
                p.start()
            for p in procs:
                p.join(120)
            assert [p.exitcode for p in procs] == [0, 0, 0, 0]
        finally:
            live.drop_pg_database(url)

"""Invariant 6, and the schema and the server agree: a bounded schemathesis run against
/openapi.json with `--checks all` (no 500, only documented status codes, schema-invalid requests
refused, schema-valid ones accepted: see schemathesis.toml beside this file for the rules the
schema cannot say), with the credentials of every role."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from queue_server.store.db import make_engine
from queue_server.store.store import Store
from queue_server.usecases import accounts
from tests.support import live

CONFIG = Path(__file__).with_name("schemathesis.toml")


def run_schemathesis(srv, token: str, cwd: Path, examples: int) -> subprocess.CompletedProcess:
    schemathesis = Path(sys.executable).with_name("schemathesis")
    return subprocess.run(
        [
            str(schemathesis),
            "--config-file",
            str(CONFIG),
            "run",
            f"{srv.url}/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            str(examples),
            "--seed",
            "20261124",
            "--generation-database",
            "none",
            # One worker: with two threads, CPython 3.11's ast.parse (hypothesis describes filters through it)
            # can fail with "AST constructor recursion depth mismatch", a runner error, not the server's.
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--no-color",
            "--workers",
            "1",
            "--request-timeout",
            "20",
            "--max-time",
            "35",  # bounded, on a busy machine too
            # Logging out would revoke the run's own token and leave every later request at 401.
            "--exclude-path",
            "/api/auth/logout",
            "-H",
            f"Authorization: Bearer {token}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
    )


def check(srv, token: str, cwd: Path, examples: int = 5) -> None:
    run = run_schemathesis(srv, token, cwd, examples)
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
    counts = re.search(r"(\d+) generated, (\d+) passed", run.stdout)
    assert counts, run.stdout[-3000:]
    generated, passed = map(int, counts.groups())
    assert generated == passed and generated > 200, run.stdout[-3000:]
    log = Path(srv.log_path).read_text()
    assert "unexpected error" not in log, log[-4000:]


def credentials(srv, role: str) -> str:
    if role in ("kiosk", "guide", "display"):
        return srv.tokens[role]
    if role == "admin":
        store = Store(make_engine(srv.db_url))
        accounts.add_user(store, "admin1", live.PASSWORD, "admin", None, "管理员", "A001")
        store.engine.dispose()
    return srv.login({"clerk": "clerk1", "manager": "manager1", "admin": "admin1"}[role])["Authorization"].split()[1]


@pytest.mark.parametrize("role", ["kiosk", "guide", "display", "clerk", "manager", "admin"])
def test_the_schema_and_the_server_agree(role, sqlite_url, server_factory, tmp_path):
    srv = server_factory(sqlite_url)
    check(srv, credentials(srv, role), tmp_path)


def test_no_input_gives_a_server_error_on_postgres_as_manager(pg_url, server_factory, tmp_path):
    srv = server_factory(pg_url)
    check(srv, credentials(srv, "manager"), tmp_path)

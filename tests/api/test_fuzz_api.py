"""Invariant 6: no input produces a 500. A bounded schemathesis run against /openapi.json."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path



def run_schemathesis(srv, token: str, cwd: Path) -> subprocess.CompletedProcess:
    schemathesis = Path(sys.executable).with_name("schemathesis")
    return subprocess.run(
        [str(schemathesis), "run", f"{srv.url}/openapi.json",
         "--checks", "not_a_server_error",
         "--max-examples", "25", "--seed", "20261124", "--generation-database", "none",
         "--phases", "examples,coverage,fuzzing,stateful", "--no-color", "--workers", "2",
         "--request-timeout", "20",
         # Logging out would revoke the run's own token and leave every later request at 401.
         "--exclude-path", "/api/auth/logout",
         "-H", f"Authorization: Bearer {token}"],
        capture_output=True, text=True, timeout=600, cwd=cwd,
    )


def check(srv, token: str, cwd: Path) -> None:
    run = run_schemathesis(srv, token, cwd)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    counts = re.search(r"(\d+) generated, (\d+) passed", run.stdout)
    assert counts, run.stdout[-3000:]
    generated, passed = map(int, counts.groups())
    assert generated == passed and generated > 500, run.stdout[-3000:]
    log = Path(srv.log_path).read_text()
    assert "unexpected error" not in log, log[-4000:]


def test_no_input_gives_a_server_error_as_manager(db_url, server_factory, tmp_path):
    srv = server_factory(db_url)
    check(srv, srv.login("manager1")["Authorization"].split()[1], tmp_path)


def test_no_input_gives_a_server_error_as_kiosk(sqlite_url, server_factory, tmp_path):
    srv = server_factory(sqlite_url)
    check(srv, srv.tokens["kiosk"], tmp_path)

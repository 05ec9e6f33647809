"""`hallq demo` on a database that is not only the demo's is refused; run again, it resets nothing:
a disabled account stays disabled, a changed password stays changed, no further device tokens."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.live import free_port
from tests.test_cli import hallq

ROOT = Path(__file__).resolve().parents[2]


def run_demo(tmp_path) -> list[str]:
    """Starts `hallq demo`, reads what it prints, checks it serves, stops it."""
    port = free_port()
    env = os.environ | {
        "HALLQ_DATA_DIR": str(tmp_path / "data"),
        "HALLQ_SECRET": "cli-test",
        "HALLQ_LOG_LEVEL": "WARNING",
    }
    env.pop("HALLQ_DATABASE_URL", None)
    env.pop("DISPLAY", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "queue_server.cli", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not any(line.startswith("  kiosk   ") for line in lines):
            line = proc.stdout.readline()
            assert line or proc.poll() is None, "".join(lines)
            lines.append(line)
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        return lines
    finally:
        proc.terminate()
        proc.wait(10)


def printed(lines: list[str], label: str) -> str:
    return next(line.split()[-1] for line in lines if line.strip().startswith(label))


def device_tokens(tmp_path) -> list[str]:
    out = hallq(tmp_path, "tokens", "--hall", "demo").stdout.splitlines()
    return [line.split()[0] for line in out if line.split()[1] != "user"]


def test_demo_refuses_a_database_with_another_hall(tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text(
        (ROOT / "queue_server/halls/demo.yaml").read_text(encoding="utf-8").replace("id: demo", "id: town", 1),
        encoding="utf-8",
    )
    assert hallq(tmp_path, "load-hall", str(other)).returncode == 0
    refused = subprocess.run(
        [sys.executable, "-m", "queue_server.cli", "demo", "--port", str(free_port())],
        env=os.environ | {"HALLQ_DATA_DIR": str(tmp_path / "data"), "HALLQ_SECRET": "cli-test"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2 and "town" in refused.stderr, refused.stderr
    assert hallq(tmp_path, "tokens").stdout.strip() == ""  # nothing was added
    assert hallq(tmp_path, "export-day", "--hall", "demo").returncode != 0  # nor the demo hall


def test_a_second_demo_run_resets_nothing(tmp_path):
    first = run_demo(tmp_path)
    kiosk, tokens = printed(first, "kiosk token"), device_tokens(tmp_path)
    assert len(tokens) == 4  # kiosk, display, guide, the rating pad of window 21
    assert hallq(tmp_path, "user", "disable", "admin").returncode == 0
    assert hallq(tmp_path, "user", "add", "clerk1", "--password", "changed-1").returncode == 0
    second = run_demo(tmp_path)
    assert printed(second, "kiosk token") == kiosk and device_tokens(tmp_path) == tokens
    # The demo has stopped; check the accounts on a server over the same database.
    port = free_port()
    env = os.environ | {
        "HALLQ_DATA_DIR": str(tmp_path / "data"),
        "HALLQ_SECRET": "cli-test",
        "HALLQ_LOG_LEVEL": "WARNING",
    }
    env.pop("HALLQ_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "queue_server.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(base + "/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)

        def login(user: str, password: str) -> int:
            return httpx.post(base + "/api/auth/login", json={"username": user, "password": password}).status_code

        assert login("admin", "demo1234") == 401  # still disabled
        assert login("clerk1", "demo1234") == 401 and login("clerk1", "changed-1") == 200  # not reset
        assert login("clerk2", "demo1234") == 200
    finally:
        proc.terminate()
        proc.wait(10)

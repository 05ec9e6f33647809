"""The `hallq` command, run as a citizen of the shell would: load-hall, user add, device-token,
export-day, and `demo` serving the demo hall with its URLs and logins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx

from tests.support.live import LiveServer, free_port


def hallq(tmp_path, *args, **kw):
    env = os.environ | {"HALLQ_DATA_DIR": str(tmp_path / "data"), "HALLQ_SECRET": "cli-test"}
    env.pop("HALLQ_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "queue_server.cli", *args], env=env, capture_output=True, text=True, timeout=120, **kw
    )


def test_load_hall_is_idempotent_and_tokens_print_alone(tmp_path):
    first = hallq(tmp_path, "load-hall", "queue_server/halls/demo.yaml")
    assert first.returncode == 0 and "hall demo: loaded" in first.stdout
    again = hallq(tmp_path, "load-hall", "queue_server/halls/demo.yaml")
    assert again.returncode == 0 and "hall demo: unchanged" in again.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: Bad Hall\n", encoding="utf-8")
    refused = hallq(tmp_path, "load-hall", str(bad))
    assert refused.returncode == 2 and "not valid" in refused.stderr

    token = hallq(tmp_path, "device-token", "--hall", "demo", "--kind", "kiosk")
    assert token.returncode == 0 and len(token.stdout.strip()) >= 40 and "\n" not in token.stdout.strip()
    assert hallq(tmp_path, "device-token", "--hall", "nowhere", "--kind", "kiosk").returncode == 2

    added = hallq(tmp_path, "user", "add", "wang", "--role", "clerk", "--password", "secret-1", "--hall", "demo")
    assert added.returncode == 0 and "created" in added.stdout
    assert hallq(tmp_path, "user", "add", "li", "--role", "boss", "--password", "secret-1").returncode == 2


def test_demo_serves_the_demo_hall(tmp_path):
    port = free_port()
    env = os.environ | {"HALLQ_DATA_DIR": str(tmp_path / "data"), "HALLQ_LOG_LEVEL": "WARNING"}
    env.pop("HALLQ_DATABASE_URL", None)
    env.pop("DISPLAY", None)  # the server is under test here; the kiosk has tests of its own
    proc = subprocess.Popen(
        [sys.executable, "-m", "queue_server.cli", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(line.startswith("  kiosk   ") for line in lines):
            lines.append(proc.stdout.readline())
        text = "".join(lines)
        assert f"http://127.0.0.1:{port}/board.html?hall=demo#token=" in text and "demo1234" in text
        assert "no screen here" in text
        for _ in range(100):
            try:
                services = httpx.get(f"http://127.0.0.1:{port}/api/halls/demo/services").json()
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert len(services) >= 15
        # Whatever the hour, the demo runs in opening hours (it moves its clock when closed).
        assert any(s["open"] for s in services)
        kiosk = next(line.split()[-1] for line in lines if "kiosk token" in line)
        r = httpx.post(
            f"http://127.0.0.1:{port}/api/halls/demo/tickets",
            json={"services": ["biz-setup"]},
            headers={"Authorization": f"Bearer {kiosk}"},
        )
        assert r.status_code == 201
        login = httpx.post(
            f"http://127.0.0.1:{port}/api/auth/login", json={"username": "clerk1", "password": "demo1234"}
        )
        assert login.status_code == 200
    finally:
        proc.terminate()
        proc.wait(10)

    exported = hallq(tmp_path, "export-day", "--hall", "demo", "--day", r.json()["day"])
    events = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [e["type"] for e in events] == ["ticket.issued", "queue.stats"]


def test_a_lost_kiosk_token_and_a_departed_clerk_are_shut_out(tmp_path):
    assert hallq(tmp_path, "load-hall", "queue_server/halls/demo.yaml").returncode == 0
    token = hallq(tmp_path, "device-token", "--hall", "demo", "--kind", "kiosk").stdout.strip()
    assert (
        hallq(
            tmp_path,
            "user",
            "add",
            "wang",
            "--role",
            "clerk",
            "--password",
            "secret-1",
            "--hall",
            "demo",
            "--display-name",
            "王芳",
        ).returncode
        == 0
    )
    srv = LiveServer(db_url=f"sqlite:///{tmp_path / 'data' / 'hallq.db'}", data_dir=tmp_path / "data").start()
    try:
        kiosk = {"Authorization": f"Bearer {token}"}
        assert (
            httpx.post(f"{srv.url}/api/halls/demo/tickets", json={"services": ["biz-setup"]}, headers=kiosk).status_code
            == 201
        )
        session = srv.login("wang", "secret-1")

        listed = hallq(tmp_path, "tokens", "--hall", "demo").stdout.splitlines()
        assert token not in "\n".join(listed)  # only ids: the tokens themselves are not stored
        [kiosk_id] = [line.split()[0] for line in listed if line.split()[1] == "kiosk"]
        assert any(line.split()[3] == "wang" for line in listed)
        assert hallq(tmp_path, "revoke-token", kiosk_id).stdout.strip() == "revoked"
        assert hallq(tmp_path, "revoke-token", kiosk_id).returncode == 1  # gone already
        assert hallq(tmp_path, "user", "disable", "wang").stdout.strip() == "user wang: disabled"
        assert hallq(tmp_path, "user", "disable", "nobody").returncode == 2

        # The server remembers a principal for a few seconds at most.
        deadline = time.monotonic() + 20
        while True:
            issued = httpx.post(f"{srv.url}/api/halls/demo/tickets", json={"services": ["biz-setup"]}, headers=kiosk)
            me = httpx.get(f"{srv.url}/api/auth/me", headers=session)
            if issued.status_code == me.status_code == 401:
                break
            assert time.monotonic() < deadline, (issued.status_code, me.status_code)
            time.sleep(0.5)
        again = httpx.post(f"{srv.url}/api/auth/login", json={"username": "wang", "password": "secret-1"})
        assert again.status_code == 401 and again.json()["code"] == "bad_login"
    finally:
        srv.stop()

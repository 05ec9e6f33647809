"""The README's production section, run as written (its lines in order, in a fresh directory), ends
with a kiosk's ticket called at a window; and the CLI's refusals are messages, not tracebacks or a
new empty database."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.live import CLOCK, free_port, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
HALLQ = str(Path(sys.executable).parent / "hallq")


def readme_production_lines() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Going live", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def test_the_readme_production_section_reaches_a_call(tmp_path):
    port = free_port()
    data = tmp_path / "var-lib-hallq"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLQ_")}
    env |= {"HALLQ_LOG_LEVEL": "WARNING"}
    server = None
    kiosk_token = ""
    try:
        for line in readme_production_lines():
            line = (
                line.replace("/var/lib/hallq", str(data))
                .replace(".venv/bin/hallq", HALLQ)
                .replace("queue_server/halls/", str(ROOT / "queue_server" / "halls") + "/")
                .replace("192.168.1.10:8000", f"127.0.0.1:{port}")
                .replace("0.0.0.0", "127.0.0.1")
                .replace("--port 8000", f"--port {port}")
            )
            words = shlex.split(line)
            assignments = {}
            while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
                key, _, value = words.pop(0).partition("=")
                assignments[key] = value
            if words[0] == "export":
                key, _, value = words[1].partition("=")
                env[key] = value
                continue
            if words[1:2] == ["init"]:
                words += ["--password", "admin-pass-1"]
            if words[1:2] == ["serve"]:
                # At a working day's 10:00: the hall's opening hours must not make the test depend on
                # the hour it runs at.
                words += ["--clock", CLOCK]
                server = subprocess.Popen(
                    words, env=env | assignments, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
                )
                continue
            done = subprocess.run(
                words, env=env | assignments, cwd=tmp_path, capture_output=True, text=True, timeout=120
            )
            assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
            if words[1:2] == ["device-token"]:
                kiosk_token = done.stdout.strip()
        assert server is not None and kiosk_token
        base = f"http://127.0.0.1:{port}"
        wait_healthy(server, base, 60, lambda: server.stdout.read().decode())  # type: ignore[union-attr]
        with httpx.Client(base_url=base, timeout=10) as c:
            ticket = c.post(
                "/api/halls/county/tickets",
                json={"services": ["pension"]},
                headers={"Authorization": f"Bearer {kiosk_token}"},
            )
            assert ticket.status_code == 201, ticket.text
            assert ticket.json()["status_url"].startswith(base + "/t/")
            signed = c.post("/api/auth/login", json={"username": "wang", "password": "first-pass-1"}).json()
            clerk = {"Authorization": f"Bearer {signed['token']}"}
            assert c.post("/api/halls/county/windows/1/open", headers=clerk).status_code == 200
            called = c.post("/api/halls/county/windows/1/call-next", headers=clerk)
            assert called.status_code == 200 and called.json()["ticket"]["number"] == "A001", called.text
            # Nothing of the demo: no demo accounts in a production database.
            assert c.post("/api/auth/login", json={"username": "manager", "password": "demo1234"}).status_code == 401
    finally:
        if server is not None:
            server.terminate()
            server.wait(15)


def hallq(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("HALLQ_")}
    return subprocess.run([HALLQ, *args], env=base | env, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_commands_run_elsewhere_refuse_instead_of_making_a_database(tmp_path):
    for args in (["report"], ["export-day"], ["tokens"], ["user", "list"], ["device-token", "--kind", "kiosk"]):
        r = hallq(tmp_path, *args)
        assert r.returncode == 2 and "no database at" in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)
    assert not (tmp_path / "data").exists()


def test_the_hall_is_required_where_it_is_not_the_only_one_and_bad_input_is_a_message(tmp_path):
    env = {"HALLQ_DATA_DIR": str(tmp_path / "d")}
    assert hallq(tmp_path, "init", "--password", "admin-pass-1", **env).returncode == 0
    again = hallq(tmp_path, "init", "--password", "admin-pass-1", **env)
    assert again.returncode == 2 and "set up already" in again.stderr
    assert hallq(tmp_path, "load-hall", str(ROOT / "queue_server/halls/example.yaml"), **env).returncode == 0
    only = hallq(tmp_path, "export-day", "--day", "2026-11-24", **env)
    assert only.returncode == 0, only.stderr  # the only hall is meant
    unknown = hallq(tmp_path, "report", "--hall", "demo", **env)
    assert unknown.returncode == 2 and "no such hall 'demo'" in unknown.stderr and "county" in unknown.stderr
    for args in (["export-day", "--day", "24/11/2026"], ["simulate", "--windows", "abc"], ["report", "--week", "soon"]):
        r = hallq(tmp_path, *args, **env)
        assert r.returncode == 2 and "Traceback" not in r.stderr, (args, r.stderr)
    label = hallq(tmp_path, "device-token", "--kind", "kiosk", "--label", "1号自助机", **env)
    listed = hallq(tmp_path, "tokens", **env)
    assert label.returncode == 0 and "1号自助机" in listed.stdout
    users = hallq(tmp_path, "user", "list", **env)
    assert "admin" in users.stdout and "(all halls)" in users.stdout

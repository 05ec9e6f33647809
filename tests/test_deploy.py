"""The deployment files in deploy/: the systemd units pass `systemd-analyze verify`, and the TLS
proxy example, run by a real nginx on loopback in front of a live server, carries HTTPS and a
websocket through (the address on tickets then says https)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import websockets

from tests.conftest import need
from tests.support import live

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
HALLQ = Path(sys.executable).parent / "hallq"


@pytest.mark.parametrize(
    "unit,user", [("hallq.service", False), ("hallq-kiosk.service", True), ("hallq-board.service", True)]
)
def test_the_systemd_units_verify(unit, user, tmp_path):
    need(shutil.which("systemd-analyze") is not None, "systemd-analyze is not installed (package systemd)")
    text = (DEPLOY / unit).read_text().replace("/opt/hallq/.venv/bin/hallq", str(HALLQ))
    (tmp_path / unit).write_text(text)
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    args = ["systemd-analyze", *(["--user"] if user else []), "verify", str(tmp_path / unit)]
    r = subprocess.run(
        args, capture_output=True, text=True, timeout=60, env=os.environ | {"XDG_RUNTIME_DIR": str(runtime)}
    )
    assert r.returncode == 0 and "Unknown" not in r.stderr, r.stderr


def _certificate(tmp_path: Path) -> tuple[Path, Path]:
    crt, key = tmp_path / "hallq.crt", tmp_path / "hallq.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(crt),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return crt, key


def test_the_tls_proxy_example_carries_https_and_websockets(tmp_path, sqlite_url):
    need(shutil.which("nginx") is not None, "nginx is not installed (scripts/system-deps.sh installs nginx-light)")
    need(shutil.which("openssl") is not None, "openssl is not installed")
    tls_port, http_port = live.free_port(), live.free_port()
    tokens = live.prepare(sqlite_url)
    srv = live.LiveServer(db_url=sqlite_url, data_dir=tmp_path)
    public = f"https://127.0.0.1:{tls_port}"
    env = srv.env() | {"HALLQ_PUBLIC_URL": public}
    srv.env = lambda: env  # type: ignore[method-assign]
    srv.start()
    crt, key = _certificate(tmp_path)
    site = (DEPLOY / "nginx-hallq.conf").read_text()
    site = (
        site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{srv.port};")
        .replace("listen 443 ssl;", f"listen 127.0.0.1:{tls_port} ssl;")
        .replace("listen 80;", f"listen 127.0.0.1:{http_port};")
        .replace("/etc/hallq/tls/hallq.crt", str(crt))
        .replace("/etc/hallq/tls/hallq.key", str(key))
        .replace("/var/log/nginx/hallq.access.log", str(tmp_path / "access.log"))
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fcgi; uwsgi_temp_path {tmp_path}/uwsgi; scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/site.conf;
}}
""")
    nginx = subprocess.Popen(
        ["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        with httpx.Client(base_url=public, verify=False, timeout=10) as c:
            deadline = time.monotonic() + 30
            while True:
                assert nginx.poll() is None, nginx.stdout.read().decode()  # type: ignore[union-attr]
                try:
                    if c.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                time.sleep(0.2)
            ticket = c.post(
                "/api/halls/demo/tickets",
                json={"services": ["tax-general"]},
                headers={"Authorization": f"Bearer {tokens['kiosk']}"},
            ).json()
            assert ticket["status_url"].startswith(public + "/t/")
            plain = httpx.get(f"http://127.0.0.1:{http_port}/healthz", timeout=10)
            assert plain.status_code == 301 and plain.headers["location"].startswith("https://")

        async def follow() -> dict:
            context = ssl.create_default_context(cafile=str(crt))
            context.check_hostname = False
            async with websockets.connect(
                f"wss://127.0.0.1:{tls_port}/ws/tickets/{ticket['token']}", ssl=context
            ) as ws:
                return json.loads(await asyncio.wait_for(ws.recv(), 30))

        first = asyncio.run(follow())
        assert ticket["number"] in json.dumps(first, ensure_ascii=False), first
        # The proxy's own log names the requests but not the ticket's secret in their paths.
        log = (tmp_path / "access.log").read_text()
        assert "/ws/tickets/" in log and " 101 " in log and ticket["token"] not in log
    finally:
        nginx.terminate()
        nginx.wait(10)
        srv.stop()

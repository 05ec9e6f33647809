"""Reloading a running hall's file (`hallq load-hall` against the server's database while it
serves): a change reaches the API at once and is announced as `hall.changed`; a change that
would break today's tickets is refused and changes nothing."""

from __future__ import annotations

import subprocess
import sys

import httpx
import yaml

from queue_server.halls import DEMO


def load_hall(srv, path):
    return subprocess.run(
        [sys.executable, "-m", "queue_server.cli", "load-hall", str(path)],
        env=srv.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def demo_data() -> dict:
    return yaml.safe_load(DEMO.read_text(encoding="utf-8"))


def without_service(data: dict, code: str) -> dict:
    data["services"] = [s for s in data["services"] if s["code"] != code]
    for w in data["windows"]:
        w["services"].pop(code, None)
    data["windows"] = [w for w in data["windows"] if w["services"]]
    for t in data.get("topics", []):
        t["services"] = [s for s in t["services"] if s != code]
    data["topics"] = [t for t in data.get("topics", []) if t["services"]]
    return data


def write(tmp_path, data: dict, name: str):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    # The demo lists its calendar file by a name beside it; the loader also looks among the shipped ones.
    return path


def test_a_reload_that_would_strand_todays_tickets_is_refused(sqlite_url, server_factory, tmp_path):
    srv = server_factory(sqlite_url)
    kiosk = {"Authorization": f"Bearer {srv.tokens['kiosk']}"}
    with httpx.Client(base_url=srv.url, timeout=10) as c:
        ticket = c.post("/api/halls/demo/tickets", json={"services": ["biz-setup"]}, headers=kiosk).json()
        refused = load_hall(srv, write(tmp_path, without_service(demo_data(), "biz-setup"), "less.yaml"))
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert "biz-setup" in refused.stderr and "今天" in refused.stderr and "Traceback" not in refused.stderr
        # Nothing changed: the service is still offered and the citizen's page still answers.
        assert "biz-setup" in {s["code"] for s in c.get("/api/halls/demo/services").json()}
        assert c.get(f"/api/tickets/{ticket['token']}").status_code == 200

        # A service nobody holds a ticket for today may go.
        gone = load_hall(srv, write(tmp_path, without_service(demo_data(), "food-license"), "fewer.yaml"))
        assert gone.returncode == 0, gone.stderr
        assert "food-license" not in {s["code"] for s in c.get("/api/halls/demo/services").json()}


def test_a_changed_file_reaches_the_api_at_once_and_is_announced(sqlite_url, server_factory, tmp_path):
    srv = server_factory(sqlite_url)
    data = demo_data()
    data["name"] = "示范区政务服务中心（新址）"
    data["services"][0]["name"] = "企业开办一件事"
    loaded = load_hall(srv, write(tmp_path, data, "renamed.yaml"))
    assert loaded.returncode == 0 and "loaded" in loaded.stdout, loaded.stderr
    with httpx.Client(base_url=srv.url, timeout=10) as c:
        services = c.get("/api/halls/demo/services").json()
        assert services[0]["name"] == "企业开办一件事"
        events = c.get("/api/halls/demo/events", headers=srv.login("manager1")).json()["events"]
        changed = [e for e in events if e["type"] == "hall.changed"]
        assert len(changed) == 1 and changed[0]["data"]["name"] == "示范区政务服务中心（新址）"
        assert changed[0]["actor"]["kind"] == "system"
    again = load_hall(srv, write(tmp_path, data, "renamed.yaml"))
    assert again.returncode == 0 and "unchanged" in again.stdout

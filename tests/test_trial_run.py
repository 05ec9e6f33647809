"""A trial run before go-live, then `hallq clear-day`: the first citizen gets 001, the day's
figures start from nothing, the trial's tickets are gone, and the event log keeps the trial."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx

from tests.support.live import CLOCK


def clear_day(srv, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "queue_server.cli", "clear-day", "--clock", CLOCK, *args],
        env=srv.env(),
        capture_output=True,
        text=True,
        timeout=120,
        **kw,
    )


def test_a_trial_run_is_cleared_before_go_live(sqlite_url, server_factory):
    srv = server_factory(sqlite_url)
    kiosk = {"Authorization": f"Bearer {srv.tokens['kiosk']}"}
    clerk, manager = srv.login("clerk1"), srv.login("manager1")
    with httpx.Client(base_url=srv.url, timeout=10) as c:
        trial = [
            c.post("/api/halls/demo/tickets", json={"services": ["tax-general"]}, headers=kiosk).json()
            for _ in range(3)
        ]
        c.post("/api/halls/demo/windows/26/open", headers=clerk).raise_for_status()
        c.post("/api/halls/demo/windows/26/call-next", headers=clerk).raise_for_status()
        c.post("/api/halls/demo/windows/26/finish", json={"result": "done"}, headers=clerk).raise_for_status()
        assert c.post(f"/api/tickets/{trial[0]['token']}/rating", json={"score": 4}).status_code == 200
        c.post("/api/halls/demo/windows/26/call-next", headers=clerk).raise_for_status()  # one left at the window
        before = c.get("/api/halls/demo/reports/day", headers=manager).json()

        asked = clear_day(srv, input="n\n")
        assert asked.returncode == 1 and "3 tickets go" in asked.stdout and "1 windows signed in" in asked.stdout
        assert c.get(f"/api/tickets/{trial[1]['token']}").status_code == 200  # nothing happened

        done = clear_day(srv, "--yes")
        assert done.returncode == 0, done.stderr
        assert "3 tickets cleared" in done.stdout

        for t in trial:
            assert c.get(f"/api/tickets/{t['token']}").status_code == 404
        first = c.post("/api/halls/demo/tickets", json={"services": ["tax-general"]}, headers=kiosk).json()
        assert first["number"] == trial[0]["number"] and first["position"] == 0
        board = c.get("/api/halls/demo/board", headers={"Authorization": f"Bearer {srv.tokens['display']}"}).json()
        assert all(w["state"] == "closed" for w in board["windows"]) and not board.get("recent")
        # The clerk signs in again; the queue holds only the real ticket.
        c.post("/api/halls/demo/windows/26/open", headers=clerk).raise_for_status()
        called = c.post("/api/halls/demo/windows/26/call-next", headers=clerk).json()
        assert called["ticket"]["number"] == first["number"]

        report = c.get("/api/halls/demo/reports/day", headers=manager).json()
        assert before["totals"]["issued"] == 3 and before["totals"]["rated"] == 1
        assert report["totals"]["issued"] == 1 and report["totals"]["called"] == 1
        assert report["totals"]["served"] == 0 and report["totals"]["rated"] == 0
        live = c.get("/api/halls/demo/supervision", headers=manager).json()
        assert live["totals"]["tickets"] == 1 and live["totals"]["waiting"] == 0 and live["totals"]["rated"] == 0

        log = c.get("/api/halls/demo/events", params={"limit": 5000}, headers=manager).json()["events"]
        cleared = [e for e in log if e["type"] == "hall.cleared"]
        assert len(cleared) == 1 and cleared[0]["data"] == {"day": "2026-11-24", "tickets": 3}
        assert sum(e["type"] == "ticket.issued" for e in log) == 4  # the audit trail keeps the trial


def test_clear_day_names_the_hall_it_clears(sqlite_url, server_factory):
    srv = server_factory(sqlite_url)
    wrong = clear_day(srv, "--hall", "nowhere", "--yes")
    assert wrong.returncode == 2 and "no such hall 'nowhere'" in wrong.stderr
    env = srv.env() | {"HALLQ_DATA_DIR": str(srv.data_dir / "elsewhere"), "HALLQ_DATABASE_URL": ""}
    empty = subprocess.run(
        [sys.executable, "-m", "queue_server.cli", "clear-day", "--yes"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert empty.returncode != 0 and "no database" in empty.stderr
    assert os.path.exists(srv.db_url.removeprefix("sqlite:///"))

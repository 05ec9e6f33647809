"""Invariant 3: a SIGKILL in the middle of a run loses no ticket and no event; numbering goes on."""

from __future__ import annotations

import threading
import time

import httpx

from tests.support.live import LiveServer


def test_kill_in_the_middle_loses_nothing(db_url, server_factory, tmp_path):
    srv = server_factory(db_url)
    kiosk = {"Authorization": f"Bearer {srv.tokens['kiosk']}"}
    acknowledged: list[dict] = []
    stop = threading.Event()

    def issue() -> None:
        with httpx.Client(base_url=srv.url, timeout=5) as c:
            while not stop.is_set():
                try:
                    r = c.post("/api/halls/demo/tickets", json={"services": ["tax-general"]}, headers=kiosk)
                except httpx.HTTPError:
                    return  # the server is gone
                if r.status_code == 201:
                    acknowledged.append(r.json())

    clerk = srv.login("clerk1")
    httpx.post(f"{srv.url}/api/halls/demo/windows/26/open", headers=clerk).raise_for_status()
    kiosks = [threading.Thread(target=issue) for _ in range(3)]
    for t in kiosks:
        t.start()
    with httpx.Client(base_url=srv.url, timeout=5) as c:
        for _ in range(10):
            if c.post("/api/halls/demo/windows/26/call-next", headers=clerk).status_code == 200:
                c.post("/api/halls/demo/windows/26/finish", json={"result": "done"}, headers=clerk)
    time.sleep(0.5)
    srv.kill()
    stop.set()
    for t in kiosks:
        t.join()
    assert len(acknowledged) > 20

    again = LiveServer(db_url=db_url, data_dir=tmp_path, clock=srv.clock).start()
    try:
        manager = again.login("manager1")
        with httpx.Client(base_url=again.url, timeout=10) as c:
            for t in acknowledged:
                status = c.get(f"/api/tickets/{t['token']}")
                assert status.status_code == 200, t["number"]
                assert status.json()["number"] == t["number"]
            events = c.get("/api/halls/demo/events", params={"limit": 5000}, headers=manager).json()["events"]
            assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
            issued_events = {e["data"]["id"] for e in events if e["type"] == "ticket.issued"}
            assert {t["id"] for t in acknowledged} <= issued_events
            # Numbering goes on from the last number handed out, nothing reused or skipped.
            highest = max(int(n[1:]) for n in (e["data"]["number"] for e in events if e["type"] == "ticket.issued"))
            nxt = c.post(
                "/api/halls/demo/tickets",
                json={"services": ["tax-general"]},
                headers={"Authorization": f"Bearer {srv.tokens['kiosk']}"},
            )
            assert nxt.status_code == 201
            assert nxt.json()["number"] == f"E{highest + 1:03d}"
            # The window is still signed in and its queue is intact: the next call works.
            clerk = again.login("clerk1")
            called = c.post("/api/halls/demo/windows/26/call-next", headers=clerk)
            assert called.status_code == 200, called.text
    finally:
        again.stop()

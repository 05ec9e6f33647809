"""A device token reports only its own kind of part and only devices it named first: a display's
token (it sits in a public screen's address) cannot post a kiosk printer's state."""

from __future__ import annotations

import httpx

from tests.support import live

STATE = "/api/halls/demo/devices/state"


def test_device_state_reports_are_limited_to_the_tokens_own_devices(server_factory, db_url):
    srv = server_factory(db_url)
    kiosk = {"Authorization": f"Bearer {srv.tokens['kiosk']}"}
    other_kiosk = {"Authorization": f"Bearer {live.device_token(db_url, 'kiosk')}"}
    display = {"Authorization": f"Bearer {srv.tokens['display']}"}
    manager = srv.login("manager1")
    paper_out = {"device": "kiosk-1.printer", "kind": "printer", "state": "paper_out"}
    with httpx.Client(base_url=srv.url, timeout=30) as c:
        assert c.post(STATE, json=paper_out, headers=kiosk).status_code == 200
        as_display = c.post(STATE, json=paper_out | {"state": "ok"}, headers=display)
        assert as_display.status_code == 403 and as_display.json()["code"] == "device_kind"
        hijack = c.post(STATE, json=paper_out | {"state": "ok"}, headers=other_kiosk)
        assert hijack.status_code == 403 and hijack.json()["code"] == "other_device"
        own = c.post(STATE, json={"device": "board-1", "kind": "display", "state": "ok"}, headers=display)
        assert own.status_code == 200
        assert c.post(STATE, json=paper_out | {"state": "ok"}, headers=kiosk).json()["changed"] is True
        assert c.post(STATE, json=paper_out, headers=manager).status_code == 200  # a manager may
        events = c.get("/api/halls/demo/events", params={"limit": 5000}, headers=manager).json()["events"]
    states = [(e["data"]["device"], e["data"]["state"]) for e in events if e["type"] == "device.state"]
    assert states == [
        ("kiosk-1.printer", "paper_out"),
        ("board-1", "ok"),
        ("kiosk-1.printer", "ok"),
        ("kiosk-1.printer", "paper_out"),
    ]

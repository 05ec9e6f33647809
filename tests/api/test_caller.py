"""The clerk's caller over HTTP (hold and resume, finish-and-call-next, transfer to a window, a priority
raise): the contract, refusals in the one error shape, and a held ticket surviving a SIGKILL. On SQLite
and PostgreSQL, one server each."""

from __future__ import annotations

import httpx
import pytest

from tests.support.live import LiveServer

HALL = "/api/halls/demo"


@pytest.fixture
def srv(db_url, server_factory):
    return server_factory(db_url)


def issue(c: httpx.Client, srv, service: str = "tax-general") -> dict:
    r = c.post(
        f"{HALL}/tickets", json={"services": [service]}, headers={"Authorization": f"Bearer {srv.tokens['kiosk']}"}
    )
    assert r.status_code == 201, r.text
    return r.json()


def act(c: httpx.Client, who: dict, at: int, action: str, status: int = 200, **body) -> dict:
    r = c.post(f"{HALL}/windows/{at}/{action}", json=body or None, headers=who)
    assert r.status_code == status, r.text
    return r.json()


def test_the_caller_keys_over_http_and_a_hold_through_a_restart(srv, db_url, tmp_path):
    c = httpx.Client(base_url=srv.url, timeout=15)
    a, b, d = issue(c, srv), issue(c, srv), issue(c, srv)
    one, two = srv.login("clerk1"), srv.login("clerk2")
    act(c, one, 26, "open")
    act(c, two, 27, "open")

    # Bad input: the one error shape, never a 500.
    assert act(c, one, 26, "dance", 422)["code"]
    assert act(c, one, 26, "finish", 422, result="maybe")["code"]
    assert act(c, one, 26, "transfer", 422)["code"] == "service_required"
    assert act(c, one, 26, "hold", 409)["code"] == "no_current_ticket"

    called = act(c, one, 26, "call-next")
    assert called["ticket"]["number"] == a["number"] and called["ticket"]["recalls"] == 0
    assert called["max_recalls"] == 2 and called["held"] == []
    held = act(c, one, 26, "hold")
    assert held["ticket"] is None and held["held"][0]["number"] == a["number"] and held["held"][0]["held_until"]
    phone = c.get(f"/api/tickets/{a['token']}").json()
    assert phone["state"] == "held" and phone["window"] == 26 and phone["held_until"] == held["held"][0]["held_until"]

    # Finish and call the next in one request.
    act(c, one, 26, "call-next")
    step = act(c, one, 26, "finish-next", result="done")
    assert step["released"]["number"] == b["number"] and step["ticket"]["number"] == d["number"]
    assert step["queue_empty"] is False

    # To one window: window 27 alone calls it, first.
    moved = act(c, one, 26, "transfer", window=27)
    assert moved["released"]["window"] == 27 and moved["released"]["state"] == "waiting"
    assert act(c, one, 26, "transfer", 409, window=27)["code"] == "no_current_ticket"
    e = issue(c, srv)
    assert act(c, two, 27, "call-next")["ticket"]["number"] == d["number"]

    # A guide raises a waiting ticket's priority, with a reason.
    guide = srv.login("guide1")
    bad = c.post(f"{HALL}/tickets/{e['number']}/priority", json={"klass": "elderly", "reason": " "}, headers=guide)
    assert bad.status_code == 422
    r = c.post(f"{HALL}/tickets/{e['number']}/priority", json={"klass": "elderly", "reason": "78 岁"}, headers=guide)
    assert r.status_code == 200, r.text
    assert r.json()["klass"] == "elderly" and "token" not in r.json()
    again = c.post(f"{HALL}/tickets/{e['number']}/priority", json={"klass": "elderly", "reason": "x"}, headers=guide)
    assert again.status_code == 409 and set(again.json()) == {"code", "message", "message_en"}

    # The held ticket survives a SIGKILL and comes back to its window.
    srv.kill()
    again_srv = LiveServer(db_url=db_url, data_dir=tmp_path, clock=srv.clock).start()
    try:
        c = httpx.Client(base_url=again_srv.url, timeout=15)
        one = again_srv.login("clerk1")
        assert c.get(f"/api/tickets/{a['token']}").json()["state"] == "held"
        back = act(c, one, 26, "resume", number=a["number"])
        assert back["ticket"]["number"] == a["number"] and back["ticket"]["state"] == "serving"
        act(c, one, 26, "finish")
        manager = again_srv.login("manager1")
        events = c.get(f"{HALL}/events", params={"limit": 1000}, headers=manager).json()["events"]
        types = [ev["type"] for ev in events]
        for t in ("ticket.held", "ticket.resumed", "ticket.transferred_to_window", "ticket.priority_raised"):
            assert t in types
        raised = next(ev for ev in events if ev["type"] == "ticket.priority_raised")
        assert raised["actor"]["id"] == "guide1" and raised["data"]["reason"] == "78 岁"
        day = c.get(f"{HALL}/reports/day", headers=manager).json()
        totals = day["totals"]
        assert totals["held"] == 1 and totals["transferred_to_window"] == 1 and totals["priority_raised"] == 1
    finally:
        again_srv.stop()

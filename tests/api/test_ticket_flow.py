"""A ticket's whole life over HTTP against a live server, on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
import pytest


@pytest.fixture
def srv(db_url, server_factory):
    return server_factory(db_url)


def kiosk(srv):
    return {"Authorization": f"Bearer {srv.tokens['kiosk']}"}


def test_issue_call_serve_finish_rate(srv):
    c = httpx.Client(base_url=srv.url, timeout=10)
    services = c.get("/api/halls/demo/services").json()
    assert {s["code"] for s in services} >= {"biz-setup", "property-transfer"}
    assert all(s["open"] for s in services if s["code"] == "biz-setup")

    r = c.post(
        "/api/halls/demo/tickets",
        json={"services": ["biz-setup", "tax-general"]},
        headers=kiosk(srv) | {"Idempotency-Key": "k-1"},
    )
    assert r.status_code == 201, r.text
    t = r.json()
    assert t["number"] == "A001" and t["state"] == "waiting" and t["position"] == 0
    assert t["status_url"].endswith("/t/" + t["token"])

    clerk = srv.login("clerk1")
    w = 21  # a biz-setup window
    assert c.post(f"/api/halls/demo/windows/{w}/open", headers=clerk).status_code == 200
    called = c.post(f"/api/halls/demo/windows/{w}/call-next", headers=clerk)
    assert called.status_code == 200, called.text
    assert called.json()["ticket"]["number"] == "A001"
    status = c.get(f"/api/tickets/{t['token']}").json()
    assert status["state"] == "called" and status["window"] == w

    assert c.post(f"/api/halls/demo/windows/{w}/start", headers=clerk).status_code == 200
    done = c.post(f"/api/halls/demo/windows/{w}/finish", json={"result": "done"}, headers=clerk)
    assert done.status_code == 200, done.text
    status = c.get(f"/api/tickets/{t['token']}").json()
    # One whole thing: the ticket moved on to tax-general at the front of that queue, same number.
    assert status["state"] == "waiting" and status["service"] == "tax-general" and status["number"] == "A001"
    assert status["position"] == 0

    rating = c.post(f"/api/tickets/{t['token']}/rating", json={"score": 4})
    assert rating.status_code == 200 and rating.json()["matter"] == 0
    again = c.post(f"/api/tickets/{t['token']}/rating", json={"score": 1})
    assert again.status_code == 409 and again.json()["code"] == "nothing_to_rate"

    manager = srv.login("manager1")
    events = c.get("/api/halls/demo/events", headers=manager).json()["events"]
    types = [e["type"] for e in events]
    assert types[:1] == ["ticket.issued"]
    assert {"window.state", "ticket.called", "ticket.serving", "ticket.done", "rating.submitted"} <= set(types)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert all(e["actor"]["kind"] for e in events)

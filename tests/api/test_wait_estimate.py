"""The wait estimate and its p10-p90 range over HTTP, against a live server on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
import pytest

FIELDS = ("eta_seconds", "eta_low_seconds", "eta_high_seconds")
WINDOW = 21  # biz-setup 2, biz-change 1


@pytest.fixture
def srv(db_url, server_factory):
    return server_factory(db_url)


def kiosk(srv) -> dict:
    return {"Authorization": f"Bearer {srv.tokens['kiosk']}"}


def ordered(view: dict) -> tuple[int, int, int]:
    low, point, high = view["eta_low_seconds"], view["eta_seconds"], view["eta_high_seconds"]
    assert isinstance(point, int) and 0 <= low <= point <= high, view
    return low, point, high


def service(c: httpx.Client, code: str) -> dict:
    return next(s for s in c.get("/api/halls/demo/services").json() if s["code"] == code)


def test_every_view_of_a_waiting_ticket_carries_the_range(srv):
    c = httpx.Client(base_url=srv.url, timeout=10)
    # No window open: no estimate anywhere, and the range is null alike.
    first = c.post("/api/halls/demo/tickets", json={"services": ["biz-setup"]}, headers=kiosk(srv)).json()
    assert all(first[k] is None for k in FIELDS)
    assert all(service(c, "biz-setup")[k] is None for k in FIELDS)

    clerk = srv.login("clerk1")
    c.post(f"/api/halls/demo/windows/{WINDOW}/open", headers=clerk).raise_for_status()
    c.post(f"/api/halls/demo/windows/{WINDOW}/call-next", headers=clerk).raise_for_status()  # busy now
    tickets = [
        c.post("/api/halls/demo/tickets", json={"services": ["biz-setup"]}, headers=kiosk(srv)).json() for _ in range(3)
    ]
    ranges = [ordered(t) for t in tickets]
    assert [t["position"] for t in tickets] == [0, 1, 2]
    # One more person ahead: a later estimate and a later range, all three.
    for a, b in zip(ranges, ranges[1:]):
        assert all(x < y for x, y in zip(a, b)), ranges

    last = tickets[-1]
    public = c.get(f"/api/tickets/{last['token']}").json()
    staff = c.get(f"/api/halls/demo/tickets/{last['number']}", headers=srv.login("guide1")).json()
    board = c.get(f"/api/halls/demo/tickets/{last['number']}/status", headers=kiosk(srv)).json()
    for view in (public, staff, board):
        assert ordered(view) == ranges[-1], view

    # The services list estimates a ticket taken now: behind the three.
    listed = ordered(service(c, "biz-setup"))
    assert listed[1] > ranges[-1][1]

    # The events a display reads carry the range too.
    events = c.get("/api/halls/demo/events", headers=srv.login("manager1")).json()["events"]
    issued = [e["data"] for e in events if e["type"] == "ticket.issued"][-1]
    stats = [e["data"] for e in events if e["type"] == "queue.stats"][-1]["biz-setup"]
    assert ordered(issued) == ranges[-1]
    assert stats["waiting"] == 3 and all(stats[k] is not None for k in FIELDS)


def test_a_call_that_kept_the_window_briefly_shortens_the_estimate(srv):
    """The server keeps the moving mean and variance of call to release, no-shows included."""
    c = httpx.Client(base_url=srv.url, timeout=10)
    clerk = srv.login("clerk1")
    c.post(f"/api/halls/demo/windows/{WINDOW}/open", headers=clerk).raise_for_status()
    for _ in range(4):
        c.post("/api/halls/demo/tickets", json={"services": ["biz-setup"]}, headers=kiosk(srv)).raise_for_status()
    c.post(f"/api/halls/demo/windows/{WINDOW}/call-next", headers=clerk).raise_for_status()
    before = ordered(service(c, "biz-setup"))

    # Served in well under a second: the mean falls a fifth of the way from 20 minutes toward 0.
    c.post(f"/api/halls/demo/windows/{WINDOW}/finish", json={"result": "done"}, headers=clerk).raise_for_status()
    c.post(f"/api/halls/demo/windows/{WINDOW}/call-next", headers=clerk).raise_for_status()
    after_done = ordered(service(c, "biz-setup"))
    assert after_done[1] < before[1]
    assert service(c, "biz-setup")["waiting"] == 2

    # A no-show released at once counts the same way.
    c.post(f"/api/halls/demo/windows/{WINDOW}/no-show", headers=clerk).raise_for_status()
    c.post(f"/api/halls/demo/windows/{WINDOW}/call-next", headers=clerk).raise_for_status()
    after_no_show = ordered(service(c, "biz-setup"))
    assert service(c, "biz-setup")["waiting"] == 1
    assert after_no_show[1] < after_done[1]


def test_a_paused_window_is_expected_back_after_the_hall_s_break(srv):
    c = httpx.Client(base_url=srv.url, timeout=10)
    clerk = srv.login("clerk1")
    c.post(f"/api/halls/demo/windows/{WINDOW}/open", headers=clerk).raise_for_status()
    for _ in range(2):
        c.post("/api/halls/demo/tickets", json={"services": ["biz-setup"]}, headers=kiosk(srv)).raise_for_status()
    open_now = ordered(service(c, "biz-setup"))
    c.post(f"/api/halls/demo/windows/{WINDOW}/pause", json={"reason": "午休"}, headers=clerk).raise_for_status()
    paused = service(c, "biz-setup")
    assert paused["windows_open"] == 0
    # The demo hall's break is 30 minutes: the queue waits for it, then for the window's calls.
    low, point, high = ordered(paused)
    assert point >= 1800 - 60 + open_now[1] - 60 and low >= 1800 - 60


def test_openapi_documents_the_range(srv):
    spec = httpx.get(f"{srv.url}/openapi.json", timeout=10).json()
    schemas = spec["components"]["schemas"]
    for name in ("TicketOut", "TicketStatusOut", "TicketBoardStatusOut", "ServiceOut"):
        props = schemas[name]["properties"]
        assert set(FIELDS) <= set(props), name
        assert "90th percentile" in props["eta_high_seconds"]["description"]
    listed = spec["paths"]["/api/halls/{hall}/services"]["get"]["responses"]["200"]["content"]["application/json"]
    assert listed["schema"]["items"]["$ref"].endswith("/ServiceOut")

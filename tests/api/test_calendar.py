"""The hall calendar over HTTP: on 国庆 nothing is issued or bookable, on the make-up Sunday before
it the hall works as on a Monday (demo hall with the 2026 national calendar, live server)."""

from __future__ import annotations

import httpx


def test_a_public_holiday_closes_issuing_and_booking(sqlite_url, server_factory):
    srv = server_factory(sqlite_url, clock="2026-10-01T10:00:00+08:00")
    kiosk = {"Authorization": f"Bearer {srv.tokens['kiosk']}"}
    with httpx.Client(base_url=srv.url, timeout=10) as c:
        assert not any(s["open"] for s in c.get("/api/halls/demo/services").json())
        r = c.post("/api/halls/demo/tickets", json={"services": ["biz-setup"]}, headers=kiosk)
        assert r.status_code == 409 and r.json()["code"] == "service_closed"
        assert "休息" in r.json()["message"]
        slots = c.get("/api/halls/demo/services/property-transfer/slots", params={"day": "2026-10-02"})
        assert slots.status_code == 200 and slots.json() == []
        after = c.get("/api/halls/demo/services/property-transfer/slots", params={"day": "2026-10-08"})
        assert len(after.json()) > 0


def test_a_make_up_sunday_is_a_working_day(sqlite_url, server_factory):
    srv = server_factory(sqlite_url, clock="2026-09-20T16:00:00+08:00")
    kiosk = {"Authorization": f"Bearer {srv.tokens['kiosk']}"}
    with httpx.Client(base_url=srv.url, timeout=10) as c:
        services = {s["code"]: s for s in c.get("/api/halls/demo/services").json()}
        assert services["biz-setup"]["open"] and services["biz-setup"]["hours_today"] == "09:00-17:30"
        r = c.post("/api/halls/demo/tickets", json={"services": ["biz-setup"]}, headers=kiosk)
        assert r.status_code == 201 and r.json()["number"] == "A001"

"""The hall's rules where HTTP is part of them: the Idempotency-Key header, a double click racing
over two connections, the sweep when a server starts on a new day, sign-in, who may ask what.
Live server on SQLite. The rules themselves are tested on the use cases (tests/usecases); the
storage-specific behaviour on both databases by test_concurrency and test_restart."""

from __future__ import annotations

import threading
from datetime import date

import httpx
import pytest

from queue_server.domain.identity import check_digit
from tests.support.live import LiveServer


def id_number(birth: date, serial: int) -> str:
    first17 = f"510114{birth:%Y%m%d}{serial:03d}"
    return first17 + check_digit(first17)


@pytest.fixture
def srv(sqlite_url, server_factory):
    return server_factory(sqlite_url)


@pytest.fixture
def c(srv):
    with httpx.Client(base_url=srv.url, timeout=10) as client:
        yield client


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def issue(c, srv, body: dict, who: str = "kiosk", **headers):
    return c.post("/api/halls/demo/tickets", json=body, headers=bearer(srv.tokens[who]) | headers)


def test_same_idempotency_key_gives_the_same_ticket(c, srv):
    first = issue(c, srv, {"services": ["biz-setup"]}, **{"Idempotency-Key": "tap-1"})
    again = issue(c, srv, {"services": ["biz-setup"]}, **{"Idempotency-Key": "tap-1"})
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.json()["number"] == "A001"
    other = issue(c, srv, {"services": ["biz-change"]}, **{"Idempotency-Key": "tap-1"})
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"
    assert issue(c, srv, {"services": ["biz-setup"]}).json()["number"] == "A002"


def test_double_click_on_call_next_calls_one_ticket(c, srv):
    for _ in range(3):
        issue(c, srv, {"services": ["tax-general"]})
    clerk = srv.login("clerk1")
    c.post("/api/halls/demo/windows/26/open", headers=clerk).raise_for_status()
    results = []
    barrier = threading.Barrier(2)

    def click():
        with httpx.Client(base_url=srv.url, timeout=10) as own:
            barrier.wait()
            results.append(own.post("/api/halls/demo/windows/26/call-next", headers=clerk))

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409]
    assert next(r for r in results if r.status_code == 409).json()["code"] == "ticket_in_progress"
    waiting = [s for s in c.get("/api/halls/demo/services").json() if s["code"] == "tax-general"][0]["waiting"]
    assert waiting == 2


def test_closed_hours_and_the_day_boundary(sqlite_url, server_factory, tmp_path):
    night = server_factory(sqlite_url, clock="2026-11-24T22:00:00+08:00")
    with httpx.Client(base_url=night.url, timeout=10) as c:
        services = c.get("/api/halls/demo/services").json()
        assert not any(s["open"] for s in services)
        r = issue(c, night, {"services": ["biz-setup"]})
        assert r.status_code == 409 and r.json()["code"] == "service_closed"
        assert "17:30" in r.json()["message"]
    night.stop()

    day1 = LiveServer(db_url=sqlite_url, data_dir=tmp_path, clock="2026-11-24T16:00:00+08:00").start()
    with httpx.Client(base_url=day1.url, timeout=10) as c:
        t = issue(c, night, {"services": ["biz-setup"]}).json()
        # Two clerks go home without closing their windows: one open, one paused.
        c.post("/api/halls/demo/windows/21/open", headers=day1.login("clerk1")).raise_for_status()
        clerk2 = day1.login("clerk2")
        c.post("/api/halls/demo/windows/22/open", headers=clerk2).raise_for_status()
        c.post("/api/halls/demo/windows/22/pause", json={"reason": "会议"}, headers=clerk2).raise_for_status()
    day1.stop()
    # Next business day: the sweep at start expires yesterday's waiting ticket and closes the windows
    # left open; numbering restarts.
    day2 = LiveServer(db_url=sqlite_url, data_dir=tmp_path, clock="2026-11-25T10:00:00+08:00").start()
    try:
        with httpx.Client(base_url=day2.url, timeout=10) as c:
            for _ in range(50):
                if c.get(f"/api/tickets/{t['token']}").json()["state"] == "expired":
                    break
                threading.Event().wait(0.1)
            assert c.get(f"/api/tickets/{t['token']}").json()["state"] == "expired"
            assert issue(c, night, {"services": ["biz-setup"]}).json()["number"] == "A001"
            board = c.get("/api/halls/demo/board", headers=bearer(night.tokens["display"])).json()
            assert {w["number"]: w["state"] for w in board["windows"] if w["number"] in (21, 22)} == {
                21: "closed",
                22: "closed",
            }
            log = c.get("/api/halls/demo/events", params={"limit": 5000}, headers=day2.login("manager1")).json()
            closed = [e for e in log["events"] if e["type"] == "window.state" and e["actor"]["kind"] == "system"]
            assert sorted(e["data"]["window"] for e in closed) == [21, 22]
            # The morning's clerk signs in at the window yesterday's clerk left open.
            assert c.post("/api/halls/demo/windows/21/open", headers=day2.login("clerk3")).status_code == 200
    finally:
        day2.stop()


def test_sign_in_and_out(c, srv):
    assert (
        c.post("/api/auth/login", json={"username": "clerk1", "password": "wrong-pass"}).json()["code"] == "bad_login"
    )
    me = srv.login("clerk1")
    assert c.get("/api/auth/me", headers=me).json()["role"] == "clerk"
    assert c.post("/api/auth/logout", headers=me).status_code == 204
    assert c.get("/api/auth/me", headers=me).status_code == 401
    assert c.get("/api/auth/me").json()["code"] == "unauthorized"


def test_appointment_found_by_the_bookers_id_card(c, srv):
    person, other = id_number(date(1985, 3, 2), 11), id_number(date(1990, 7, 9), 12)
    booked = []
    for slot in ("15:00", "10:00"):
        r = c.post(
            "/api/halls/demo/appointments",
            json={"service": "biz-setup", "day": "2026-11-24", "slot": slot, "id_number": person},
        )
        assert r.status_code == 201, r.text
        booked.append(r.json()["code"])
    tomorrow = c.post(
        "/api/halls/demo/appointments",
        json={"service": "biz-setup", "day": "2026-11-25", "slot": "10:00", "id_number": person},
    )
    c.post(
        "/api/halls/demo/appointments",
        json={"service": "biz-setup", "day": "2026-11-24", "slot": "11:00", "phone": "13800138000"},
    )

    def find(number: str, who: str = "kiosk"):
        return c.post(
            "/api/halls/demo/appointments/by-id-card",
            json={"id_number": number},
            headers=bearer(srv.tokens[who]) if who else {},
        )

    found = find(person)
    assert found.status_code == 200, found.text
    # Today's bookings only, in slot order; the ID number is nowhere in the answer.
    assert [(a["code"], a["slot"], a["state"]) for a in found.json()] == [
        (booked[1], "10:00", "booked"),
        (booked[0], "15:00", "booked"),
    ]
    assert tomorrow.json()["code"] not in found.text and person not in found.text
    assert find(other).json() == []
    assert find(person, who="guide").status_code == 200
    assert find(person, who=None).status_code == 401
    # Only a POST: a GET would put the ID number in an address; the address is not mistaken for a code.
    wrong_method = c.get("/api/halls/demo/appointments/by-id-card", headers=bearer(srv.tokens["kiosk"]))
    assert wrong_method.status_code == 405 and wrong_method.headers["Allow"] == "POST", wrong_method.text
    bad = find(person[:-1] + ("0" if person[-1] != "0" else "1"))
    assert bad.status_code == 422 and bad.json()["code"] == "bad_id_number"

    # Checked in with the card, the booking shows as used.
    t = issue(c, srv, {"services": ["biz-setup"], "appointment": booked[1], "id_card": {"id_number": person}})
    assert t.status_code == 201 and t.json()["klass"] == "appointment"
    assert [a["state"] for a in find(person).json()] == ["checked_in", "booked"]


def test_a_kiosk_looks_up_a_number_issued_elsewhere_and_sees_only_what_the_board_shows(c, srv):
    for _ in range(2):
        issue(c, srv, {"services": ["biz-setup"]})
    person = {"id_number": id_number(date(1985, 6, 1), 21), "name": "李小四"}
    t = issue(c, srv, {"services": ["biz-setup", "tax-general"], "id_card": person}, who="guide").json()
    kiosk = bearer(srv.tokens["kiosk"])
    path = f"/api/halls/demo/tickets/{t['number']}/status"

    r = c.get(path.lower(), headers=kiosk)
    assert r.status_code == 200, r.text
    seen = r.json()
    staff = c.get(f"/api/halls/demo/tickets/{t['number']}", headers=srv.login("guide1")).json()
    assert seen["number"] == t["number"] and seen["state"] == "waiting" and seen["state_name"] == "等候中"
    assert seen["position"] == staff["position"] == 2 and seen["eta_seconds"] == staff["eta_seconds"]
    assert [(m["service"], m["state"]) for m in seen["matters"]] == [
        ("biz-setup", "waiting"),
        ("tax-general", "pending"),
    ]
    assert not {"token", "status_url", "masked_name", "id", "klass"} & set(seen)
    assert t["token"] not in r.text and "李" not in r.text and person["id_number"] not in r.text

    clerk = srv.login("clerk1")
    c.post("/api/halls/demo/windows/21/open", headers=clerk).raise_for_status()
    c.post("/api/halls/demo/windows/21/call", json={"number": t["number"]}, headers=clerk).raise_for_status()
    called = c.get(path, headers=kiosk).json()
    assert called["state"] == "called" and called["window"] == 21 and called["matters"][0]["window"] == 21

    unknown = c.get("/api/halls/demo/tickets/A999/status", headers=kiosk)
    assert unknown.status_code == 404 and unknown.json()["code"] == "ticket_not_found"
    assert unknown.json()["message"] == "今日没有 A999 号"
    assert c.get(path).status_code == 401 and c.get(path).json()["code"] == "unauthorized"
    assert c.get(path, headers=bearer(srv.tokens["display"])).status_code == 403
    # The full ticket, with the token that cancels it, stays staff-only.
    assert c.get(f"/api/halls/demo/tickets/{t['number']}", headers=kiosk).status_code == 403

"""The hall's rules over HTTP: idempotency, caps, opening hours, ID cards, priorities, appointments,
window sign-in, transfers, no-shows and privacy. Live server on SQLite (the storage-specific
behaviour is covered on both databases by test_concurrency and test_restart)."""
from __future__ import annotations

import sqlite3
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


def test_id_card_rules(c, srv):
    elderly = {"id_number": id_number(date(1950, 3, 1), 11), "name": "张小三"}
    t = issue(c, srv, {"services": ["hukou"], "id_card": elderly})
    assert t.status_code == 201, t.text
    assert t.json()["klass"] == "elderly"
    again = issue(c, srv, {"services": ["hukou"], "id_card": elderly})
    assert again.status_code == 409 and again.json()["code"] == "per_person_cap"
    assert "户" in again.json()["message"] or "今天" in again.json()["message"]
    assert issue(c, srv, {"services": ["hukou"]}).json()["code"] == "id_card_required"
    bad = dict(elderly, id_number=elderly["id_number"][:-1] + ("0" if elderly["id_number"][-1] != "0" else "1"))
    r = issue(c, srv, {"services": ["biz-setup"], "id_card": bad})
    assert r.status_code == 422 and r.json()["code"] == "bad_id_number"

    # The clerk's lookup shows the masked name; events and the database never hold the name or number.
    guide = srv.login("guide1")
    looked = c.get(f"/api/halls/demo/tickets/{t.json()['number']}", headers=guide).json()
    assert looked["masked_name"] == "张*三"
    events = c.get("/api/halls/demo/events", headers=srv.login("manager1")).text
    assert "张小三" not in events and elderly["id_number"] not in events
    db = srv.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        dump = "\n".join(conn.iterdump())
    assert elderly["id_number"] not in dump and "张小三" not in dump


def test_priority_classes_need_a_guide(c, srv):
    r = issue(c, srv, {"services": ["biz-setup"], "priority": "green"})
    assert r.status_code == 403 and r.json()["code"] == "priority_needs_guide"
    assert issue(c, srv, {"services": ["biz-setup"], "priority": "green"}, who="guide").json()["klass"] == "green"
    assert issue(c, srv, {"services": ["biz-setup"], "priority": "pregnant"}).json()["klass"] == "pregnant"
    r = issue(c, srv, {"services": ["biz-setup"], "priority": "nobody"}, who="guide")
    assert r.status_code == 422 and r.json()["code"] == "bad_priority"


def test_daily_cap(c, srv):
    for i in range(100):
        r = issue(c, srv, {"services": ["exit-entry"], "id_card": {"id_number": id_number(date(1990, 1, 1), i)}})
        assert r.status_code == 201, r.text
    r = issue(c, srv, {"services": ["exit-entry"], "id_card": {"id_number": id_number(date(1990, 1, 1), 100)}})
    assert r.status_code == 409 and r.json()["code"] == "daily_cap_reached"
    row = [s for s in c.get("/api/halls/demo/services").json() if s["code"] == "exit-entry"][0]
    assert row["remaining_today"] == 0


def test_window_sign_in_rules(c, srv):
    one, two = srv.login("clerk1"), srv.login("clerk2")
    assert c.post("/api/halls/demo/windows/21/open", headers=one).status_code == 200
    assert c.post("/api/halls/demo/windows/21/open", headers=two).json()["code"] == "window_taken"
    assert c.post("/api/halls/demo/windows/22/open", headers=one).json()["code"] == "clerk_elsewhere"
    assert c.post("/api/halls/demo/windows/21/call-next", headers=two).json()["code"] == "not_your_window"
    assert c.post("/api/halls/demo/windows/21/call-next", headers=bearer(srv.tokens["kiosk"])).status_code == 403
    paused = c.post("/api/halls/demo/windows/21/pause", json={"reason": "午间交接"}, headers=one).json()
    assert paused["state"] == "paused" and paused["pause_reason"] == "午间交接"
    assert c.post("/api/halls/demo/windows/21/call-next", headers=one).json()["code"] == "window_not_open"
    assert c.post("/api/halls/demo/windows/21/close", headers=one).json()["state"] == "closed"
    assert c.post("/api/halls/demo/windows/22/open", headers=one).status_code == 200


def test_transfer_recall_no_show_and_reactivate(c, srv):
    a = issue(c, srv, {"services": ["biz-setup"]}).json()
    for _ in range(4):
        issue(c, srv, {"services": ["tax-general"]})
    clerk = srv.login("clerk1")
    c.post("/api/halls/demo/windows/21/open", headers=clerk).raise_for_status()
    c.post("/api/halls/demo/windows/21/call-next", headers=clerk).raise_for_status()
    moved = c.post("/api/halls/demo/windows/21/transfer", json={"service": "tax-general"}, headers=clerk)
    assert moved.status_code == 200, moved.text
    status = c.get(f"/api/tickets/{a['token']}").json()
    assert status["service"] == "tax-general" and status["position"] == 0 and status["number"] == a["number"]
    assert [m["state"] for m in status["matters"]] == ["transferred", "waiting"]

    tax = srv.login("clerk2")
    c.post("/api/halls/demo/windows/26/open", headers=tax).raise_for_status()
    called = c.post("/api/halls/demo/windows/26/call-next", headers=tax).json()
    assert called["ticket"]["number"] == a["number"]  # transferred tickets go first
    for _ in range(2):
        assert c.post("/api/halls/demo/windows/26/recall", headers=tax).status_code == 200
    assert c.post("/api/halls/demo/windows/26/recall", headers=tax).json()["code"] == "recall_limit"
    assert c.post("/api/halls/demo/windows/26/no-show", headers=tax).status_code == 200
    assert c.get(f"/api/tickets/{a['token']}").json()["state"] == "no_show"

    back = c.post(f"/api/halls/demo/tickets/{a['number']}/reactivate", headers=srv.login("guide1"))
    assert back.status_code == 200, back.text
    assert back.json()["state"] == "waiting" and back.json()["position"] == 3  # behind 3 people

    c.post("/api/halls/demo/windows/26/call-next", headers=tax).raise_for_status()
    unresolved = c.post("/api/halls/demo/windows/26/finish", json={"result": "unresolved"}, headers=tax)
    assert unresolved.status_code == 409 and unresolved.json()["code"] == "reason_required"
    ok = c.post("/api/halls/demo/windows/26/finish", json={"result": "unresolved", "reason": "缺少营业执照原件"},
                headers=tax)
    assert ok.status_code == 200


def test_appointment_booking_and_check_in(c, srv):
    slots = c.get("/api/halls/demo/services/biz-setup/slots", params={"day": "2026-11-24"}).json()
    ten = next(s for s in slots if s["slot"] == "10:00")
    assert ten["free"] == 2
    codes = []
    for i in range(2):
        r = c.post("/api/halls/demo/appointments",
                   json={"service": "biz-setup", "day": "2026-11-24", "slot": "10:00", "phone": f"1380013800{i}"})
        assert r.status_code == 201, r.text
        codes.append(r.json()["code"])
    full = c.post("/api/halls/demo/appointments",
                  json={"service": "biz-setup", "day": "2026-11-24", "slot": "10:00", "phone": "13800138002"})
    assert full.status_code == 409 and full.json()["code"] == "slot_full"
    later = c.post("/api/halls/demo/appointments",
                   json={"service": "biz-setup", "day": "2026-11-24", "slot": "15:00", "phone": "13800138003"})
    early = issue(c, srv, {"services": ["biz-setup"], "appointment": later.json()["code"]})
    assert early.status_code == 409 and early.json()["code"] == "appointment_early"

    t = issue(c, srv, {"services": ["biz-setup"], "appointment": codes[0]})
    assert t.status_code == 201 and t.json()["klass"] == "appointment"
    used = issue(c, srv, {"services": ["biz-setup"], "appointment": codes[0]})
    assert used.json()["code"] == "appointment_used"
    assert c.post(f"/api/halls/demo/appointments/{codes[1]}/cancel").json()["state"] == "cancelled"
    assert issue(c, srv, {"services": ["biz-setup"], "appointment": codes[1]}).json()["code"] == "appointment_not_found"
    # The cancelled booking frees its place; the checked-in one keeps it.
    slots = c.get("/api/halls/demo/services/biz-setup/slots", params={"day": "2026-11-24"}).json()
    assert next(s for s in slots if s["slot"] == "10:00")["free"] == 1


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
                21: "closed", 22: "closed"}
            log = c.get("/api/halls/demo/events", params={"limit": 5000}, headers=day2.login("manager1")).json()
            closed = [e for e in log["events"] if e["type"] == "window.state" and e["actor"]["kind"] == "system"]
            assert sorted(e["data"]["window"] for e in closed) == [21, 22]
            # The morning's clerk signs in at the window yesterday's clerk left open.
            assert c.post("/api/halls/demo/windows/21/open", headers=day2.login("clerk3")).status_code == 200
    finally:
        day2.stop()


def test_a_manager_ends_what_a_clerk_left_at_a_window(c, srv):
    t = issue(c, srv, {"services": ["tax-general"]}).json()
    clerk = srv.login("clerk1")
    c.post("/api/halls/demo/windows/26/open", headers=clerk).raise_for_status()
    c.post("/api/halls/demo/windows/26/call-next", headers=clerk).raise_for_status()
    # The clerk leaves with a ticket at the window: nobody else can sign in there.
    other = srv.login("clerk2")
    assert c.post("/api/halls/demo/windows/26/open", headers=other).json()["code"] == "window_taken"
    manager = srv.login("manager1")
    issue(c, srv, {"services": ["tax-general"]})
    # A manager may clear the window but not call anyone to it.
    assert c.post("/api/halls/demo/windows/26/call-next", headers=manager).json()["code"] == "not_your_window"
    assert c.post("/api/halls/demo/windows/26/close", headers=manager).json()["code"] == "ticket_in_progress"
    assert c.post("/api/halls/demo/windows/26/no-show", headers=manager).status_code == 200
    assert c.post("/api/halls/demo/windows/26/close", headers=manager).json()["state"] == "closed"
    assert c.post("/api/halls/demo/windows/26/open", headers=other).status_code == 200
    assert c.get(f"/api/tickets/{t['token']}").json()["state"] == "no_show"


def test_sign_in_and_out(c, srv):
    assert c.post("/api/auth/login", json={"username": "clerk1", "password": "wrong-pass"}).json()["code"] == "bad_login"
    me = srv.login("clerk1")
    assert c.get("/api/auth/me", headers=me).json()["role"] == "clerk"
    assert c.post("/api/auth/logout", headers=me).status_code == 204
    assert c.get("/api/auth/me", headers=me).status_code == 401
    assert c.get("/api/auth/me").json()["code"] == "unauthorized"


def test_appointment_found_by_the_bookers_id_card(c, srv):
    person, other = id_number(date(1985, 3, 2), 11), id_number(date(1990, 7, 9), 12)
    booked = []
    for slot in ("15:00", "10:00"):
        r = c.post("/api/halls/demo/appointments",
                   json={"service": "biz-setup", "day": "2026-11-24", "slot": slot, "id_number": person})
        assert r.status_code == 201, r.text
        booked.append(r.json()["code"])
    tomorrow = c.post("/api/halls/demo/appointments",
                      json={"service": "biz-setup", "day": "2026-11-25", "slot": "10:00", "id_number": person})
    c.post("/api/halls/demo/appointments", json={"service": "biz-setup", "day": "2026-11-24", "slot": "11:00",
                                                 "phone": "13800138000"})

    def find(number: str, who: str = "kiosk"):
        return c.post("/api/halls/demo/appointments/by-id-card", json={"id_number": number},
                      headers=bearer(srv.tokens[who]) if who else {})

    found = find(person)
    assert found.status_code == 200, found.text
    # Today's bookings only, in slot order; the ID number is nowhere in the answer.
    assert [(a["code"], a["slot"], a["state"]) for a in found.json()] == [
        (booked[1], "10:00", "booked"), (booked[0], "15:00", "booked")]
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
        ("biz-setup", "waiting"), ("tax-general", "pending")]
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

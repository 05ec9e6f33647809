"""Text messages over HTTP: a number given at issue or on the phone page (checked, answered masked,
never in events or on the board), a sender's failure as a device state and an alert on the
dashboard, and a hall without a sender refusing numbers. One server with a modem simulator on a pty."""

from __future__ import annotations

import re
import time
import uuid

import httpx
import pytest

from devices.sim.gsm import ModemSim
from tests.support import live


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    modem = ModemSim()
    port = modem.start_pty()
    data = tmp_path_factory.mktemp("sms-server")
    url = f"sqlite:///{data / 'hallq.db'}"
    tokens = live.prepare(url, clerks=1)
    server = live.LiveServer(
        db_url=url, data_dir=data, settings={"HALLQ_SMS_MODEM_URL": f"gsm+serial://{port.path}?timeout=5"}
    ).start(120)
    server.tokens, server.modem = tokens, modem
    yield server
    server.stop()
    modem.stop()


def issue(srv, **body) -> httpx.Response:
    return httpx.post(
        f"{srv.url}/api/halls/demo/tickets",
        json={"services": ["biz-change"]} | body,
        headers={"Authorization": f"Bearer {srv.tokens['kiosk']}", "Idempotency-Key": uuid.uuid4().hex},
    )


def wait(predicate, what: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_numbers_are_checked_masked_and_kept_out_of_events_and_the_board(srv):
    assert httpx.get(f"{srv.url}/api/halls/demo").json()["sms"] is True
    bad = issue(srv, notify={"phone": "12345678901"})
    assert bad.status_code == 422 and bad.json()["code"] == "bad_phone" and bad.json()["message_en"]
    t = issue(srv, notify={"phone": "+86 137-0000-2222", "family": True})
    assert t.status_code == 201 and t.json()["notify"] == {"phone": "137****2222", "family": True}
    wait(
        lambda: (
            ("13700002222", "【示范区政务服务中心】您的B001号前面已没有人，即将叫到，请到等候区留意叫号。")
            in srv.modem.messages
        ),
        "the message",
    )

    later = issue(srv).json()
    assert later["notify"] is None
    answer = httpx.post(f"{srv.url}/api/tickets/{later['token']}/notify", json={"phone": "13600003333"})
    assert answer.status_code == 200 and answer.json() == {"phone": "136****3333", "family": False}
    assert httpx.get(f"{srv.url}/api/tickets/{later['token']}").json()["notify"]["phone"] == "136****3333"
    wait(lambda: any(to == "13600003333" for to, _ in srv.modem.messages), "the phone page's number to get its message")
    refused = httpx.post(f"{srv.url}/api/tickets/{later['token']}/notify", json={"phone": "1360000"})
    assert refused.status_code == 422

    manager = srv.login("manager1")
    log = httpx.get(f"{srv.url}/api/halls/demo/events", params={"since": 0, "limit": 5000}, headers=manager).text
    board = httpx.get(
        f"{srv.url}/api/halls/demo/board", headers={"Authorization": f"Bearer {srv.tokens['display']}"}
    ).text
    for text in (log, board):
        assert "13700002222" not in text and "13600003333" not in text and "****" not in text


def test_a_modem_out_of_credit_is_a_device_alert_on_the_dashboard(srv):
    srv.modem.state = "no_credit"
    try:
        assert issue(srv, notify={"phone": "13500004444"}).status_code == 201
        manager = srv.login("manager1")

        def alert():
            active = httpx.get(f"{srv.url}/api/halls/demo/alerts", params={"only": "active"}, headers=manager).json()
            return next((a for a in active["alerts"] if a["key"] == "device:sms"), None)

        found = wait(alert, "the device_trouble alert of the SMS sender")
        assert found["kind"] == "device_trouble" and found["data"]["state"] == "no_credit"
        assert "余额不足" in found["message"]
        assert not any(to == "13500004444" for to, _ in srv.modem.messages)
    finally:
        srv.modem.state = "ok"


def test_a_hall_without_a_sender_takes_no_numbers(server_factory, sqlite_url):
    plain = server_factory(sqlite_url)
    assert httpx.get(f"{plain.url}/api/halls/demo").json()["sms"] is False
    r = issue(plain, notify={"phone": "13800001111"})
    assert r.status_code == 409 and r.json()["code"] == "sms_off"


@pytest.mark.postgres
def test_two_processes_send_each_message_once_and_one_takes_over(pg_url, tmp_path, pty_available):
    modem = ModemSim()
    port = modem.start_pty()
    tokens = live.prepare(pg_url, clerks=1)
    settings = {"HALLQ_SMS_MODEM_URL": f"gsm+serial://{port.path}?timeout=5"}
    # Both run the hall on the same Tuesday morning (the real clock closes it in the evening and at
    # weekends). Their clocks differ by the second's start-up, which orders nothing here: with four
    # tickets, each has at most three ahead, and every one is "near" (the demo hall's notify.ahead 3).
    first, second = (live.LiveServer(db_url=pg_url, data_dir=tmp_path, settings=settings).start(120) for _ in range(2))
    try:
        for srv in (first, second):
            srv.tokens = tokens
        phones = [f"1370000{i:04d}" for i in range(4)]
        for i, phone in enumerate(phones[:3]):
            assert issue((first, second)[i % 2], notify={"phone": phone}).status_code == 201
        wait(lambda: {to for to, _ in modem.messages} >= set(phones[:3]), "a message for each")
        first.kill()  # the lease holder, most likely; either way the other process sends on
        assert issue(second, notify={"phone": phones[3]}).status_code == 201
        wait(lambda: phones[3] in {to for to, _ in modem.messages}, "the message after the first process died")
        assert sorted(to for to, _ in modem.messages) == phones
    finally:
        first.stop()
        second.stop()
        modem.stop()


def test_a_phone_proven_by_an_sms_code_takes_a_ticket_on_the_phone(srv):
    phone = "13700005555"
    r = httpx.post(f"{srv.url}/api/halls/demo/phone-codes", json={"phone": phone})
    assert r.status_code == 202 and r.json()["resend_after_seconds"] == 60
    again = httpx.post(f"{srv.url}/api/halls/demo/phone-codes", json={"phone": phone})
    assert again.status_code == 429 and again.json()["code"] == "code_too_soon"
    text = wait(lambda: next((m for to, m in srv.modem.messages if to == phone), None), "the code's message")
    code = re.search(r"验证码是(\d{6})", text).group(1)
    body = {"services": ["tax-general"], "phone": phone, "sms_code": code}
    taken = httpx.post(f"{srv.url}/api/halls/demo/phone-tickets", json=body)  # from outside: no entry code
    assert taken.status_code == 201, taken.text
    assert taken.json()["absent"] == "remote" and taken.json()["notify"] == {"phone": "137****5555", "family": False}
    twice = httpx.post(f"{srv.url}/api/halls/demo/phone-tickets", json=body)
    assert twice.status_code == 409 and twice.json()["code"] == "per_person_cap"
    manager = srv.login("manager1")
    log = httpx.get(f"{srv.url}/api/halls/demo/events", params={"since": 0, "limit": 5000}, headers=manager).text
    assert phone not in log and code not in log


def test_a_booking_may_ask_for_a_reminder_where_the_hall_sends_messages(srv, server_factory, sqlite_url):
    slot = {"service": "biz-setup", "day": "2026-11-25", "slot": "10:30"}
    r = httpx.post(f"{srv.url}/api/halls/demo/appointments", json=slot | {"phone": "13700006666", "remind": True})
    assert r.status_code == 201, r.text
    bare = httpx.post(
        f"{srv.url}/api/halls/demo/appointments", json=slot | {"id_number": "11010519491231002X", "remind": True}
    )
    assert bare.status_code == 422 and bare.json()["code"] == "phone_required"
    plain = server_factory(sqlite_url)
    off = httpx.post(f"{plain.url}/api/halls/demo/appointments", json=slot | {"phone": "13700006666", "remind": True})
    assert off.status_code == 409 and off.json()["code"] == "sms_off"

"""Text messages, end to end: a ticket taken at the real kiosk with a phone number, the tickets
ahead called at a window, and the GSM modem simulator (on a pty, speaking AT and PDU) receiving
the "3 ahead" and "called" messages in Chinese, once each across server restarts."""

from __future__ import annotations

import uuid

import httpx
import pytest

from devices.sim.gsm import ModemSim
from tests.support import live

from .conftest import SERVER_START_SECONDS
from .test_contrast import unchecked_text_colours
from .test_kiosk import confirm_and_wait_printed, start, take_from_department

pytestmark = pytest.mark.kiosk

HALL = "【示范区政务服务中心】"


@pytest.fixture
def sms_server(tmp_path, pty_available):
    modem = ModemSim()
    port = modem.start_pty()
    url = f"sqlite:///{tmp_path / 'hallq.db'}"
    tokens = live.prepare(url)
    srv = live.LiveServer(
        db_url=url, data_dir=tmp_path, settings={"HALLQ_SMS_MODEM_URL": f"gsm+serial://{port.path}?timeout=5"}
    )
    srv.start(SERVER_START_SECONDS)
    srv.tokens, srv.modem = tokens, modem
    yield srv
    srv.stop()
    modem.stop()


def issue(srv, phone: str | None = None) -> dict:
    body: dict = {"services": ["biz-setup"]}
    if phone:
        body["notify"] = {"phone": phone}
    r = httpx.post(
        f"{srv.url}/api/halls/demo/tickets",
        json=body,
        headers={"Authorization": f"Bearer {srv.tokens['kiosk']}", "Idempotency-Key": uuid.uuid4().hex},
    )
    assert r.status_code == 201, r.text
    return r.json()


def window(srv, clerk: dict, action: str, **body) -> dict:
    r = httpx.post(f"{srv.url}/api/halls/demo/windows/21/{action}", json=body or None, headers=clerk)
    assert r.status_code == 200, r.text
    return r.json()


def next_ticket(srv, clerk: dict) -> dict:
    called = window(srv, clerk, "call-next")
    window(srv, clerk, "finish", result="done")
    return called


def tidy(d, name: str) -> None:
    """No text cut off, no button over another, only checked colours; and a picture of it."""
    d.pump(frames=2)
    assert d.layout_problems() == [], f"{name}: {d.layout_problems()}"
    assert unchecked_text_colours(d.widgets()) == [], name
    d.shot(name)


def restart(srv) -> None:
    srv.stop()
    srv.start(SERVER_START_SECONDS)


def test_kiosk_phone_number_gets_3_ahead_and_called_once_each_across_restarts(make_kiosk, sms_server):
    srv, modem = sms_server, sms_server.modem
    for _ in range(4):
        issue(srv)
    d = make_kiosk(srv)
    start(d)
    take_from_department(d, "scjg", "biz-setup")
    ticket = confirm_and_wait_printed(d)
    assert ticket["position"] == 4
    tidy(d, "sms-ticket-offer")
    d.tap("ticket_sms")
    d.wait_screen("phone")
    for ch in "13812341234":
        d.tap(f"key:{ch}")
    assert d.text("sms_entry") == "138 1234 1234"
    d.tap("sms_family")
    tidy(d, "sms-phone-entry")
    app = d.app
    app.lang, app.scale = "en", app.cfg.elderly_scale  # the largest text, the longer language
    app.sm.current_screen.render()
    tidy(d, "sms-phone-entry-en-large")
    app.lang, app.scale = "zh", 1.0
    app.sm.current_screen.render()
    d.pump(frames=5)
    d.tap("sms_submit")
    d.wait_screen("ticket")
    d.wait(lambda: d.has("ticket_sms_on"), 10, "the ticket screen to show where messages go")
    assert d.text("ticket_sms_on") == "短信将发送至 138****1234"
    d.shot("sms-ticket")
    number = ticket["number"]
    on_server = httpx.get(f"{srv.url}/api/tickets/{ticket['token']}").json()
    assert on_server["notify"] == {"phone": "138****1234", "family": True}

    near = ("13812341234", f"{HALL}您的{number}号前面还有3人，请回到等候区留意叫号。")
    called = ("13812341234", f"{HALL}请{number}号到2楼21号窗口办理。")
    clerk = srv.login("clerk1")
    window(srv, clerk, "open")
    next_ticket(srv, clerk)
    d.wait(lambda: near in modem.messages, 30, "the '3 ahead' message at the modem")
    restart(srv)
    clerk = srv.login("clerk1")
    for _ in range(3):
        next_ticket(srv, clerk)
    assert window(srv, clerk, "call-next")["ticket"]["number"] == number
    d.wait(lambda: called in modem.messages, 30, "the 'called' message at the modem")
    restart(srv)
    # A sentinel: once the notifier has sent this, it has read everything before it again.
    issue(srv, phone="13900001111")
    d.wait(lambda: any(to == "13900001111" for to, _ in modem.messages), 30, "the next ticket's message")
    mine = [m for m in modem.messages if m[0] == "13812341234"]
    assert mine == [near, called]

    log = httpx.get(
        f"{srv.url}/api/halls/demo/events", params={"since": 0, "limit": 5000}, headers=srv.login("manager1")
    ).json()["events"]
    assert "13812341234" not in str(log) and "13900001111" not in str(log)

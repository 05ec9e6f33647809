"""The kiosk tells the truth about itself: a device that fails in any way is a state the visitor and
staff see, not a dead thread and a screen that waits for paper forever."""

from __future__ import annotations

import re
import time
import uuid

import httpx
import pytest

from queue_server.halls import DEMO, read_hall
from queue_server.store.db import make_engine
from queue_server.store.store import Store
from queue_server.usecases.halls import load_hall

from .conftest import SERVER_START_SECONDS, events, start_server
from .test_kiosk import last_seq, server_ticket, start, take_from_department

pytestmark = pytest.mark.kiosk


def without_libusb(monkeypatch) -> None:
    """As on a machine without the libusb library: pyusb finds no backend (NoBackendError)."""
    import usb.backend.libusb0
    import usb.backend.libusb1
    import usb.backend.openusb

    for backend in (usb.backend.libusb1, usb.backend.libusb0, usb.backend.openusb):
        monkeypatch.setattr(backend, "get_backend", lambda *args, **kw: None)


@pytest.mark.parametrize("machine", ["no-such-printer", "no-libusb"])
def test_a_usb_printer_that_cannot_be_opened_is_a_state_and_the_ticket_is_shown_instead(
    make_kiosk, hall_server, monkeypatch, machine
):
    # Either way opening the printer fails; each case is its own kiosk, as the server records only
    # a device's changes of state.
    if machine == "no-libusb":
        without_libusb(monkeypatch)
    kiosk_id = f"kiosk-usb-{machine}"
    since = last_seq(hall_server)
    d = make_kiosk(
        hall_server,
        printer_url="escpos+usb://0x0416:0x5011",
        wait_devices=False,
        device_retry_seconds=1,
        kiosk_id=kiosk_id,
    )
    state = d.wait(
        lambda: [
            e
            for e in events(hall_server, since)
            if e["type"] == "device.state"
            and e["data"]["device"] == f"{kiosk_id}.printer"
            and e["data"]["state"] == "unreachable"
        ],
        15,
        "a device.state event for the printer",
    )
    if machine == "no-libusb":  # pyusb's words: this really was the missing library, and what to install
        detail = state[0]["data"]["detail"]
        assert "No backend available" in detail and "libusb (scripts/system-deps.sh)" in detail
    assert d.app.printer_state == "unreachable"
    assert d.shows("打印机暂停服务")  # the attract screen says so before anyone takes a ticket
    threads = {t.name for t in d.app.kiosk._threads if t.is_alive()}
    assert "kiosk-devices" in threads
    start(d)
    take_from_department(d, "gcjs", "build-permit")
    d.tap("confirm_go")
    d.wait_screen("ticket")
    d.wait(lambda: d.has("print_state") and "二维码" in d.text("print_state"), 10, "the on-screen ticket")
    ticket = d.app.sm.get_screen("ticket").params["ticket"]
    assert server_ticket(hall_server, ticket["token"])["state"] == "waiting"
    assert "kiosk-devices" in {t.name for t in d.app.kiosk._threads if t.is_alive()}


def issue_elsewhere(srv, code: str) -> dict:
    """A ticket taken at another kiosk of the hall."""
    response = httpx.post(
        f"{srv.url}/api/halls/demo/tickets",
        json={"services": [code]},
        headers={"Authorization": f"Bearer {srv.tokens['kiosk']}", "Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 201, response.text
    return response.json()


def waiting(d, code: str) -> int:
    return int(re.search(r"等候 (\d+) 人", d.text(f"svc:{code}:meta")).group(1))


def test_waiting_counts_follow_the_halls_event_stream(make_kiosk, hall_server):
    d = make_kiosk(hall_server, refresh_seconds=600)  # no polling to explain a change
    start(d)
    d.tap("dept:gcjs")
    d.wait_screen("services")
    before = waiting(d, "plan-permit")
    issue_elsewhere(hall_server, "plan-permit")
    issue_elsewhere(hall_server, "plan-permit")
    d.wait(lambda: waiting(d, "plan-permit") == before + 2, 10, "the waiting count to follow the stream")


def test_closures_and_notices_follow_the_halls_event_stream(make_kiosk, tmp_path):
    """A matter whose last tickets go at another kiosk greys here at once; a notice the manager puts up
    shows on the attract screen at once. No polling could explain either."""
    srv = start_server(tmp_path)
    try:
        demo = read_hall(DEMO)
        capped = [s.model_copy(update={"daily_cap": 2}) if s.code == "biz-cancel" else s for s in demo.services]
        store = Store(make_engine(srv.db_url))
        load_hall(store, demo.model_copy(update={"services": capped}))
        store.engine.dispose()
        d = make_kiosk(srv, refresh_seconds=600)
        notice = "三楼窗口今日下午暂停办理，请到二楼咨询"
        r = httpx.put(f"{srv.url}/api/halls/demo/notice", json={"text": notice}, headers=srv.login("manager1"))
        assert r.status_code == 200, r.text
        d.wait(lambda: d.has("notice") and d.text("notice") == notice, 10, "the notice on the attract screen")
        start(d)
        d.tap("dept:scjg")
        d.wait_screen("services")
        assert not d.find("svc:biz-cancel:take").disabled
        issue_elsewhere(srv, "biz-cancel")
        issue_elsewhere(srv, "biz-cancel")
        d.wait(lambda: d.find("svc:biz-cancel:take").disabled, 10, "the sold-out matter greyed")
        assert d.text("svc:biz-cancel:meta") == "今日号已取完" and d.find("svc:biz-cancel:add").disabled
        assert d.layout_problems() == []
        d.shot("sold-out-live")
    finally:
        srv.stop()


def test_the_maintenance_screen_comes_within_10_seconds_of_the_server_stopping(make_kiosk, tmp_path):
    srv = start_server(tmp_path)
    try:
        d = make_kiosk(srv, refresh_seconds=600)  # nobody at the kiosk, no polling: the stream must tell
        d.pump(1.0)
        srv.stop()
        stopped = time.monotonic()
        d.wait_screen("maintenance", 12)
        assert time.monotonic() - stopped <= 10
        srv.start(SERVER_START_SECONDS)
        d.wait_screen("attract", 20)  # nobody was using it: back to the attract screen
    finally:
        srv.stop()


def test_a_wrong_token_is_a_clear_out_of_service_screen_at_start(make_kiosk, hall_server, caplog):
    d = make_kiosk(hall_server, token="not-a-kiosk-token", first_screen="maintenance", wait_devices=False)
    d.wait(lambda: d.app.kiosk.refusal is not None, 15, "the token check")
    # Reported in its log, where staff look (the server takes nothing more from this token).
    assert any(r.levelname == "ERROR" and "refuses this kiosk's token" in r.getMessage() for r in caplog.records)
    d.pump(frames=3)
    assert d.text("maintenance_title") == "本机暂停服务"
    assert "设备令牌无效或已停用" in d.text("maintenance_sub") and "kiosk-t1" in d.text("maintenance_sub")
    assert not d.has("maintenance_retry")
    d.shot("out-of-service-wrong-token")
    d.pump(1.5)
    assert d.screen == "maintenance"


def test_a_token_revoked_while_running_takes_the_kiosk_out_of_service(make_kiosk, hall_server):
    from queue_server.store.db import make_engine
    from queue_server.store.store import Store
    from queue_server.usecases import accounts

    store = Store(make_engine(hall_server.db_url))
    try:
        token = accounts.device_token(store, "demo", "kiosk")
        d = make_kiosk(hall_server, token=token, token_check_seconds=1)
        start(d)
        accounts.revoke_token(store, token)
        d.wait_screen("maintenance", 15)
        d.wait(lambda: d.text("maintenance_title") == "本机暂停服务", 5)
    finally:
        store.engine.dispose()


def test_the_idle_warning_counts_down_and_continue_keeps_the_visit(make_kiosk, hall_server):
    d = make_kiosk(hall_server, idle_seconds=6, idle_warning_seconds=4)
    start(d)
    d.tap("dept:gcjs")
    d.wait_screen("services")
    d.tap("svc:build-permit:add")
    d.wait(lambda: d.has("idle_warning"), 8, "the idle warning")
    assert d.text("idle_title") == "还在吗？"
    assert re.fullmatch(r"[1-4] 秒后返回首页，本次选择将清除", d.text("idle_countdown"))
    d.shot("idle-warning")
    d.tap("idle_continue", check=False)  # any touch goes on; it reaches nothing under the warning
    assert not d.has("idle_warning") and d.screen == "services"
    assert list(d.app.session.basket) == ["build-permit"]
    d.wait(lambda: d.has("idle_warning"), 8)
    d.wait_screen("attract", 8)  # nobody answered this time
    assert not d.has("idle_warning") and len(d.app.session.basket) == 0


def test_a_ticket_finished_after_an_outage_is_shown_for_the_full_ticket_time(make_kiosk, tmp_path):
    srv = start_server(tmp_path)
    try:
        d = make_kiosk(srv, idle_seconds=3, idle_warning_seconds=0, ticket_seconds=6)
        start(d)
        take_from_department(d, "gcjs", "build-permit")
        srv.stop()
        d.tap("confirm_go")  # cut off by the outage
        d.wait_screen("maintenance", 15)
        d.pump(3.5)  # the visitor waits longer than idle_seconds without touching
        srv.start(SERVER_START_SECONDS)
        d.wait_screen("ticket", 20)
        deadline = d.app.sm.get_screen("ticket").deadline
        after = []
        d.app.sm.bind(current=lambda sm, name: after.append((name, time.monotonic())))
        d.wait(lambda: after, 30, "the ticket screen to end by itself")
        # It ended at its own deadline (the full ticket_seconds), for home, not at the idle
        # timeout, for the attract screen.
        name, when = after[0]
        assert name == "home" and when >= deadline - 0.5
    finally:
        srv.stop()

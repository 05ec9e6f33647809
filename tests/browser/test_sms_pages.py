"""Text messages in the browser: the phone page takes a number and shows it back masked; the
dashboard shows a modem out of credit as a device alert. The server sends through the GSM modem
simulator on a pty."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from devices.sim.gsm import ModemSim
from tests.support import live

from .conftest import Hall

PHONE = (360, 740)


@pytest.fixture
def modem(pty_available):
    sim = ModemSim()
    sim.start_pty()
    yield sim
    sim.stop()


@pytest.fixture
def hall(server_factory, prepared_db, tmp_path, modem):
    """The browser tests' hall, with a modem."""
    template, tokens = prepared_db
    db = tmp_path / "hallq.db"
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{template}{suffix}").exists():
            shutil.copyfile(f"{template}{suffix}", f"{db}{suffix}")
    port = modem.endpoints[0].path
    srv = server_factory(
        f"sqlite:///{db}", prepare=False, settings={"HALLQ_SMS_MODEM_URL": f"gsm+serial://{port}?timeout=5"}
    )
    srv.tokens = tokens
    h = Hall(srv)
    yield h
    h.close()


def test_the_phone_page_takes_a_number_and_shows_it_masked(hall, pages, modem, screenshots_dir):
    hall.issue("tax-general")
    mine = hall.issue("tax-general")
    page = pages(urlsplit(mine["status_url"]).path, *PHONE, allow=(r"status of 422",))
    page.wait_for_selector("#t-sms:not([hidden])")
    page.screenshot(path=str(screenshots_dir / "ticket-sms-form.png"), full_page=True)
    page.fill("#t-sms-phone", "1381234")
    page.click("#t-sms-form button[type=submit]")
    page.wait_for_selector("#t-sms-error:not([hidden])")
    assert "11位手机号码" in page.locator("#t-sms-error").inner_text()
    page.fill("#t-sms-phone", "138 1234 1234")
    page.check("#t-sms-family")
    page.click("#t-sms-form button[type=submit]")
    page.wait_for_selector("#t-sms-on:not([hidden])")
    assert page.locator("#t-sms-on").inner_text() == "短信将发送至 138****1234"
    assert page.locator("#t-sms-form").is_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    page.screenshot(path=str(screenshots_dir / "ticket-sms.png"), full_page=True)
    again = pages(urlsplit(mine["status_url"]).path, *PHONE)  # opened again: the number stays masked
    again.wait_for_selector("#t-sms-on:not([hidden])")
    assert "13812341234" not in again.content()
    near = ("13812341234", f"【示范区政务服务中心】您的{mine['number']}号前面还有1人，请回到等候区留意叫号。")
    deadline = time.monotonic() + 30
    while near not in modem.messages and time.monotonic() < deadline:
        time.sleep(0.1)
    assert near in modem.messages


def test_the_dashboard_shows_a_modem_out_of_credit(hall, pages, modem, screenshots_dir):
    modem.state = "no_credit"
    r = hall.http.post(
        "/api/halls/demo/tickets",
        json={"services": ["tax-general"], "notify": {"phone": "13500004444"}},
        headers={"Authorization": f"Bearer {hall.token('kiosk')}"},
    )
    assert r.status_code == 201, r.text
    dash = pages("/dashboard.html?hall=demo", 1440, 1000, wait_live=False)
    dash.fill("#username", "manager1")
    dash.fill("#password", live.PASSWORD)
    dash.click("#login-btn")
    dash.wait_for_selector("#alerts li:has-text('余额不足')", timeout=30_000)
    assert "sms" in dash.locator("#alerts li:has-text('余额不足')").first.inner_text()
    dash.screenshot(path=str(screenshots_dir / "dashboard-sms.png"))


def test_the_guide_takes_a_number_for_an_elderly_visitor(hall, pages, modem, screenshots_dir):
    page = pages(f"/guide.html?hall=demo#token={hall.token('guide')}", 1280, 800)
    page.wait_for_selector("#sms-row:not([hidden])")
    page.click("#services [data-service='tax-general']")
    page.fill("#sms-phone", "13900002222")
    page.check("#sms-family")
    page.screenshot(path=str(screenshots_dir / "guide-sms.png"))
    page.click("#issue-btn")
    page.wait_for_selector("#dlg-issued[open]")
    assert page.locator("#issued-sms").inner_text() == "短信将发送至 139****2222"
    page.screenshot(path=str(screenshots_dir / "guide-sms-issued.png"))
    page.click("#dlg-issued button[value='ok']")
    assert page.input_value("#sms-phone") == ""
    deadline = time.monotonic() + 30
    while not any(to == "13900002222" for to, _ in modem.messages) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert any(to == "13900002222" for to, _ in modem.messages)

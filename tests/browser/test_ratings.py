"""好差评 in the browser: the clerk enters the case number at finish, the window's rating pad asks on the
five national levels and for a 差评's reason, and the dashboard follows the follow-up to its close, with
the overdue alert once it is past its 15 working days."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from .test_console import console, until

DASHBOARD = (1440, 1000)


def test_case_number_pad_reason_and_the_dashboard_follow_up(hall, pages, screenshots_dir):
    mine = hall.issue("tax-general")
    page = console(hall, pages, "clerk1", 26)
    pad = pages(f"/rate.html?hall=demo&window=26#token={hall.rating_token(26)}", 1024, 600)
    pad.wait_for_function("document.querySelector('#r-clerk').textContent === '测试员1'")

    page.keyboard.press("F1")
    until(page, f"document.querySelector('#cur-number').textContent === '{mine['number']}'")
    page.fill("#case-no", "SZ2026-000777")
    page.screenshot(path=str(screenshots_dir / "ratings-console-case-no-1366x768.png"))
    page.keyboard.press("F4")
    until(page, "document.querySelector('#cur-number').textContent === '—'")
    assert page.input_value("#case-no") == ""  # cleared for the next matter

    # The pad: five levels, best first; a 差评 asks for its reason before anything is sent.
    pad.wait_for_function("document.body.dataset.screen === 'ask'")
    assert pad.locator("#r-buttons button").all_inner_texts() == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]
    assert pad.evaluate(
        "document.documentElement.scrollWidth <= innerWidth && document.documentElement.scrollHeight <= innerHeight"
    )
    pad.screenshot(path=str(screenshots_dir / "ratings-pad-five-1024x600.png"))
    pad.click("#lang")  # the longest words are the English ones: each fits its button
    pad.wait_for_function("document.documentElement.lang === 'en'")
    fits = "[...document.querySelectorAll('#r-buttons > button')].every((b) => b.scrollWidth <= b.clientWidth)"
    assert pad.evaluate(fits)
    pad.screenshot(path=str(screenshots_dir / "ratings-pad-five-en-1024x600.png"))
    pad.click("#lang")
    pad.wait_for_function("document.documentElement.lang === 'zh-CN'")
    pad.locator("#r-buttons button[data-level='very_dissatisfied']").click()
    pad.wait_for_selector(".reason-form")
    assert not hall.events("rating.submitted")
    send = pad.locator(".reason-form button[data-act='send']")
    assert send.is_disabled()
    pad.locator(".reasons button[data-reason='other']").click()
    assert send.is_disabled()  # 「其他」 needs words
    pad.fill(".reason-text", "等了很久没人叫号")
    pad.screenshot(path=str(screenshots_dir / "ratings-pad-reason-1024x600.png"))
    assert pad.evaluate("document.documentElement.scrollHeight <= innerHeight")
    send.click()
    pad.wait_for_function("document.body.dataset.screen === 'thanks'")
    [rating] = hall.events("rating.submitted")
    assert (rating["data"]["score"], rating["data"]["level"], rating["data"]["reason"]) == (
        1,
        "very_dissatisfied",
        "other",
    )
    assert rating["actor"] == {"kind": "device", "id": "rating", "window": 26}

    # The dashboard: the follow-up is there, assigned, called back and closed.
    dash = pages("/dashboard.html?hall=demo", *DASHBOARD, wait_live=False)
    dash.fill("#username", "manager1")
    dash.fill("#password", "test-pass-1")
    dash.click("#login-btn")
    row = dash.locator(f"#followups tr:has-text('{mine['number']}')")
    row.wait_for()
    assert "等了很久没人叫号" in row.inner_text() and "2026-12-15" in row.inner_text()
    assert row.get_attribute("data-overdue") == "false"

    # Past its last day (the database says so), the engine raises the overdue alert and the row is marked.
    with sqlite3.connect(hall.srv.db_url.removeprefix("sqlite:///")) as db:
        db.execute("UPDATE followups SET due = ?", (date(2026, 11, 23).isoformat(),))
    dash.wait_for_selector(".alert[data-kind=followup_overdue]", timeout=30_000)
    dash.reload()
    dash.wait_for_selector("#followups tr[data-overdue=true]")
    dash.locator("#followups").scroll_into_view_if_needed()
    dash.screenshot(path=str(screenshots_dir / "ratings-dashboard-followup-1440x1000.png"), full_page=True)

    row = dash.locator("#followups tr[data-overdue=true]")
    row.locator(".fu-assignee").fill("李科长")
    row.locator(".fu-called").check()
    row.locator(".fu-save").click()
    dash.wait_for_selector("#followups tr .fu-called:disabled")
    dash.locator("#followups tr .fu-result").fill("已核实：叫号屏故障，已修复并回访致歉")
    dash.locator("#followups tr .fu-save").click()
    dash.wait_for_selector("#followups-empty:not([hidden])")
    steps = hall.events("followup.updated")
    assert [s["data"]["state"] for s in steps] == ["open", "closed"] and steps[-1]["data"]["assignee"] == "李科长"
    dash.wait_for_selector(".alert[data-kind=followup_overdue].cleared", timeout=30_000)

    # The export carries the case number the clerk typed: from the dashboard's reports panel, and the API.
    with dash.expect_download() as download:
        dash.click("#report-form button[value=ratings]")
    assert download.value.suggested_filename == "ratings-demo-2026-11-24-2026-11-24.csv"
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert exported.startswith("case_no,") and "SZ2026-000777" in exported
    manager = hall.user("manager1")
    rows = hall.http.get("/api/halls/demo/ratings/export", params={"first": "2026-11-24"}, headers=manager).json()
    assert [(r["case_no"], r["level_name"], r["reason_text"]) for r in rows] == [
        ("SZ2026-000777", "非常不满意", "等了很久没人叫号")
    ]

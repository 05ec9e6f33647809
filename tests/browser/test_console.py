"""The clerk console drives tickets through the window's work, one request at a time; the rating
pad at the window collects the citizen's rating."""

from __future__ import annotations

import time

import httpx


def until(page, condition: str) -> None:
    """Waits for `condition` with no request in flight (keys are ignored while one is)."""
    page.wait_for_function(f"!document.body.classList.contains('busy') && ({condition})")


def sign_in(page, username: str, window: int) -> None:
    page.fill("#username", username)
    page.fill("#password", "test-pass-1")
    page.click("#login-btn")
    page.locator(f"[data-window='{window}']").click()
    page.wait_for_function(f"document.querySelector('#c-window').textContent === '{window}'")


def console(hall, pages, username: str, window: int):
    page = pages("/console.html?hall=demo", 1366, 768, wait_live=False)
    sign_in(page, username, window)
    page.wait_for_function("document.documentElement.dataset.live === 'open'")
    page.keyboard.press("Alt+o")  # open the window
    until(page, "document.querySelector('#c-state').classList.contains('open')")
    return page


def test_the_console_drives_a_ticket_through_call_start_finish_and_rating(hall, pages):
    first = hall.issue("tax-general", "biz-setup")  # one whole thing: two matters
    hall.issue("tax-general", priority="elderly")
    page = console(hall, pages, "clerk1", 26)
    page.wait_for_function("document.querySelectorAll('#q-body tr').length === 2")
    assert page.locator("#q-count").inner_text() == "2"
    pad = pages(f"/rate.html?hall=demo&window=26#token={hall.rating_token(26)}", 1024, 600)
    pad.wait_for_function("document.querySelector('#r-clerk').textContent === '测试员1'")  # from the stream's snapshot

    page.keyboard.press("F9")  # call a specific number
    page.fill("#call-number", first["number"])
    page.keyboard.press("Enter")
    until(page, f"document.querySelector('#cur-number').textContent === '{first['number']}'")
    assert page.locator("#cur-state").inner_text() == "已叫号"
    assert page.locator("#cur-matters li").count() == 2
    assert page.locator("#btn-start").is_enabled() and page.locator("#btn-call-next").is_disabled()

    page.keyboard.press("F2")  # recall
    until(page, "document.querySelector('#c-message').textContent.includes('已重呼')")
    page.keyboard.press("F3")  # start
    until(page, "document.querySelector('#cur-state').textContent === '办理中'")
    page.keyboard.press("F4")  # done: the ticket moves on to its second matter
    until(page, "document.querySelector('#cur-number').textContent === '—'")
    assert "下一事项" in page.locator("#c-message").inner_text()

    pad.wait_for_function("document.body.dataset.screen === 'ask'")
    assert pad.locator("#r-number").inner_text() == first["number"]
    assert "涉税综合业务" in pad.locator("#r-matter").inner_text()
    pad.locator("#r-buttons button[data-score='4']").click()
    pad.wait_for_function("document.body.dataset.screen === 'thanks'")

    [rating] = hall.events("rating.submitted")
    assert rating["data"] | {"id": None} == {
        "id": None,
        "number": first["number"],
        "matter": 0,
        "service": "tax-general",
        "window": 26,
        "clerk": "clerk1",
        "score": 4,
        "scale": "national5",
        "level": "satisfied",
        "reason": None,
    }
    assert rating["actor"] == {"kind": "device", "id": "rating", "window": 26}  # the pad, not the clerk
    [done] = hall.events("ticket.done")
    assert done["data"]["next_service"] == "biz-setup"
    assert [e["type"] for e in hall.events("ticket.called", "ticket.recalled", "ticket.serving", "ticket.done")] == [
        "ticket.called",
        "ticket.recalled",
        "ticket.serving",
        "ticket.done",
    ]


def test_a_double_click_on_call_next_calls_one_ticket(hall, pages):
    hall.issue("tax-general")
    hall.issue("tax-general")
    page = console(hall, pages, "clerk2", 27)
    page.wait_for_function("document.querySelectorAll('#q-body tr').length === 2")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and r.url.endswith("/call-next") else None)

    page.locator("#btn-call-next").dblclick()
    until(page, "document.querySelector('#cur-number').textContent === 'E001'")
    page.wait_for_function("document.querySelectorAll('#q-body tr').length === 1")
    page.keyboard.press("F1")  # a ticket is at the window: F1 does nothing
    page.wait_for_timeout(300)

    assert len(posts) == 1
    assert [e["data"]["number"] for e in hall.events("ticket.called")] == ["E001"]
    assert page.locator("#c-message").get_attribute("class") == "c-message ok"


def test_unresolved_no_show_transfer_and_pause_from_the_keyboard(hall, pages):
    a, b, c = hall.issue("tax-general"), hall.issue("tax-general"), hall.issue("tax-general")
    page = console(hall, pages, "clerk3", 26)
    screen = pages(f"/window.html?hall=demo&window=26#token={hall.token('display')}", 800, 480)

    page.keyboard.press("F1")
    until(page, f"document.querySelector('#cur-number').textContent === '{a['number']}'")
    page.keyboard.press("F6")  # 未办成: a reason is required
    page.locator("#dlg-unresolved .chips button").first.click()
    page.locator("#dlg-unresolved button[value='ok']").click()
    until(page, "document.querySelector('#cur-number').textContent === '—'")

    page.keyboard.press("F1")
    until(page, f"document.querySelector('#cur-number').textContent === '{b['number']}'")
    page.keyboard.press("F7")  # no-show
    until(page, "document.querySelector('#cur-number').textContent === '—'")

    page.keyboard.press("F1")
    until(page, f"document.querySelector('#cur-number').textContent === '{c['number']}'")
    page.keyboard.press("F8")  # transfer
    page.select_option("#transfer-target", "s:biz-change")
    page.locator("#dlg-transfer button[value='ok']").click()
    until(page, "document.querySelector('#cur-number').textContent === '—'")

    page.keyboard.press("F10")  # pause with a reason
    page.fill("#pause-reason", "系统维护")
    page.keyboard.press("Enter")
    until(page, "document.querySelector('#c-state').classList.contains('paused')")
    screen.wait_for_function("document.querySelector('#w-reason').textContent === '系统维护'", timeout=3000)
    assert page.locator("#btn-call-next").is_disabled()

    [unresolved] = hall.events("ticket.done")
    assert unresolved["data"]["result"] == "unresolved" and unresolved["data"]["reason"] == "材料不齐"
    assert [e["data"]["number"] for e in hall.events("ticket.no_show")] == [b["number"]]
    [moved] = hall.events("ticket.transferred")
    assert moved["data"]["service"] == "biz-change"
    [paused] = [e for e in hall.events("window.state") if e["data"]["state"] == "paused"]
    assert paused["data"]["reason"] == "系统维护"


def test_a_guide_account_is_refused_at_the_console_and_its_session_ended(hall, pages):
    page = pages("/console.html?hall=demo", 1366, 768, wait_live=False)
    with page.expect_response(lambda r: r.url.endswith("/api/auth/login")) as login:
        page.fill("#username", "guide1")
        page.fill("#password", "test-pass-1")
        page.click("#login-btn")
    token = login.value.json()["token"]
    page.wait_for_function("document.querySelector('#login-error').textContent !== ''")
    assert page.locator("#login-error").inner_text() == "此账号不是窗口工作人员"
    assert page.locator("#view-login").is_visible()
    # The sign-in the page refused does not stay valid on the server.
    end = time.monotonic() + 10
    while httpx.get(f"{hall.url}/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code != 401:
        assert time.monotonic() < end, "the refused session is still valid"
        page.wait_for_timeout(100)


# One line: every part of the header inside the page's width, centred on one line, nothing cut short.
HEADER_FITS = """(() => {
  const bar = document.querySelector('.topbar');
  const kids = [...bar.children].filter((k) => k.offsetParent !== null && k.getBoundingClientRect().height > 0);
  const mid = (k) => { const r = k.getBoundingClientRect(); return (r.top + r.bottom) / 2; };
  return document.documentElement.scrollWidth <= innerWidth && bar.getBoundingClientRect().height <= 60
    && kids.every((k) => k.getBoundingClientRect().right <= innerWidth && Math.abs(mid(k) - mid(kids[0])) < 4
                         && k.scrollWidth <= k.clientWidth + 1);
})()"""


def test_the_caller_at_1024x768_hold_finish_next_transfer_to_a_window_and_a_priority(hall, pages, screenshots_dir):
    a, b, c = (hall.issue("tax-general") for _ in range(3))
    hall.act(27, "open", "clerk2")
    page = pages("/console.html?hall=demo", 1024, 768, wait_live=False)
    sign_in(page, "clerk1", 26)
    page.wait_for_function("document.documentElement.dataset.live === 'open'")
    page.keyboard.press("Alt+o")
    until(page, "document.querySelector('#c-state').classList.contains('open')")
    assert page.evaluate(HEADER_FITS), "the console header wraps or overflows at 1024x768"

    page.keyboard.press("F1")
    until(page, f"document.querySelector('#cur-number').textContent === '{a['number']}'")
    for n in (1, 2):
        page.keyboard.press("F2")
        until(page, f"document.querySelector('#btn-recall span').textContent === '重呼 {n}/2'")
    assert page.locator("#btn-recall").is_disabled()  # at the hall's limit

    page.keyboard.press("F5")  # hold: the citizen steps away
    until(page, "document.querySelector('#cur-number').textContent === '—'")
    assert page.locator("#held-list li b").all_inner_texts() == [a["number"]]
    assert "前回来" in page.locator("#held-list li").inner_text()
    phone = pages(f"/t/{a['token']}", 390, 844, wait_live=False)
    phone.wait_for_function("document.querySelector('#t-call').textContent.includes('暂离中')")
    until_time = page.locator("#held-list li span").inner_text().split(" ")[0]
    assert until_time in phone.locator("#t-call").inner_text() and "26" in phone.locator("#t-call").inner_text()
    assert phone.locator("#t-state").inner_text() == "暂离"
    phone.screenshot(path=str(screenshots_dir / "ticket-held.png"))

    page.keyboard.press("F1")
    until(page, f"document.querySelector('#cur-number').textContent === '{b['number']}'")
    page.keyboard.press("F11")  # done and the next, in one request
    until(page, f"document.querySelector('#cur-number').textContent === '{c['number']}'")
    assert "已办结" in page.locator("#c-message").inner_text()

    page.keyboard.press("F8")
    page.select_option("#transfer-target", "w:27")
    page.click("#dlg-transfer button[value=ok]")
    until(page, "document.querySelector('#c-message').textContent.includes('27 号窗口')")
    assert page.locator("#cur-number").inner_text() == "—"

    d = hall.issue("tax-general")
    page.wait_for_function(f"!!document.querySelector('#q-body tr[data-number=\"{d['number']}\"]')")
    page.locator(f"#q-body tr[data-number='{d['number']}'] button[data-act='raise']").click()
    page.select_option("#priority-klass", "elderly")
    page.fill("#priority-reason", "行动不便")
    page.keyboard.press("Enter")
    until(page, "document.querySelector('#c-message').textContent.includes('已提级')")

    page.screenshot(path=str(screenshots_dir / "console-1024x768-held.png"))
    assert page.evaluate(
        "document.querySelector('.q-table').scrollWidth <= document.querySelector('.queue').clientWidth"
    )
    assert page.locator("#held-list li").inner_text().count(":") == 1  # the hall's hh:mm
    page.keyboard.press("Alt+r")  # the held citizen is back
    until(page, f"document.querySelector('#cur-number').textContent === '{a['number']}'")
    assert page.locator("#held-box").is_hidden() and page.locator("#cur-state").inner_text() == "办理中"
    assert page.evaluate(HEADER_FITS)
    page.screenshot(path=str(screenshots_dir / "console-1024x768.png"))

    [moved] = hall.events("ticket.transferred_to_window")
    assert moved["data"]["number"] == c["number"] and moved["data"]["to_window"] == 27
    [raised] = hall.events("ticket.priority_raised")
    assert raised["data"]["klass"] == "elderly" and raised["data"]["reason"] == "行动不便"
    assert raised["actor"]["id"] == "clerk1"
    assert [e["data"]["number"] for e in hall.events("ticket.held", "ticket.resumed")] == [a["number"]] * 2
    assert hall.http.get(f"/api/tickets/{c['token']}").json()["window"] == 27

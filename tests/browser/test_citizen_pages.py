"""What citizens hold: the ticket page on their phone (position, then the window, then a rating)
and the appointment booking page."""

from __future__ import annotations

from urllib.parse import urlsplit

PHONE = (360, 740)


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_the_ticket_page_shows_the_position_then_the_window_then_asks_for_a_rating(hall, pages, screenshots_dir):
    hall.issue("tax-general"), hall.issue("tax-general")  # two people ahead
    mine = hall.issue("tax-general")
    path = urlsplit(mine["status_url"]).path
    assert path == f"/t/{mine['token']}"
    page = pages(path, *PHONE)
    ahead = "document.querySelector('#t-ahead').dataset.position"
    page.wait_for_function(f"{ahead} === '2'")
    assert "前面还有 2 人" in page.locator("#t-ahead").inner_text()
    assert page.locator("#t-number").inner_text() == mine["number"]
    assert "涉税综合业务" in page.locator("#t-matters").inner_text()
    no_sideways_scroll(page)

    hall.act(26, "open", "clerk1")
    hall.act(26, "call-next", "clerk1")  # a is called: one fewer ahead
    page.wait_for_function(f"{ahead} === '1'", timeout=5000)
    hall.act(26, "finish", "clerk1", {"result": "done"})
    hall.act(26, "call", "clerk1", {"number": mine["number"]})
    page.wait_for_function("document.querySelector('#t-card').dataset.state === 'called'", timeout=5000)
    assert page.locator("#t-call").inner_text().replace("\n", "") == "请到 26 号窗口"
    no_sideways_scroll(page)

    hall.act(26, "start", "clerk1")
    hall.act(26, "finish", "clerk1", {"result": "done"})
    page.wait_for_function("document.querySelector('#t-card').dataset.state === 'done'", timeout=5000)
    buttons = page.locator("#t-matters .rate button")
    assert buttons.all_inner_texts() == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]  # 国办发〔2019〕51号
    # A 差评 asks for its reason (a short list and words); back, the five levels again.
    page.locator("#t-matters .rate button[data-score='2']").click()
    page.wait_for_selector("#t-matters .reason-form")
    page.locator(".reason-form button[data-act='back']").click()
    page.locator("#t-matters .rate button[data-score='2']").click()
    send = page.locator(".reason-form button[data-act='send']")
    assert send.is_disabled()
    page.locator(".reasons button[data-reason='again']").click()
    page.fill(".reason-text", "材料要求前后不一致")
    no_sideways_scroll(page)
    page.screenshot(path=str(screenshots_dir / "ratings-phone-reason-360x740.png"), full_page=True)
    send.click()
    page.wait_for_selector("#t-matters .rated")
    assert "不满意" in page.locator("#t-matters .rated").inner_text()
    [rating] = hall.events("rating.submitted")
    assert rating["data"]["score"] == 2 and rating["data"]["window"] == 26 and rating["data"]["clerk"] == "clerk1"
    assert (rating["data"]["level"], rating["data"]["reason"]) == ("dissatisfied", "again")
    [opened] = hall.events("followup.opened")
    assert opened["data"]["number"] == mine["number"] and opened["data"]["due"] == "2026-12-15"
    no_sideways_scroll(page)

    page.click("#lang")  # the English switch
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert "Rated" in page.locator("#t-matters .rated").inner_text()

    unknown = pages("/t/NoSuchTicket0000", *PHONE, wait_live=False, allow=(r"status of 404",))
    unknown.wait_for_selector("#t-error:not([hidden])")
    assert unknown.locator("#t-error").inner_text() == "没有找到这张排队票"


def test_booking_an_appointment_and_cancelling_it(hall, pages):
    page = pages("/book.html?hall=demo&service=biz-setup", *PHONE, wait_live=False)
    page.wait_for_selector("#slots button[data-slot='14:00']")
    assert page.locator("#slots button[data-slot='09:00']").is_disabled()  # the hall's clock says 10:00
    page.click("#slots button[data-slot='14:00']")
    page.click("#book-btn")  # nobody named: refused in the page
    assert page.locator("#book-error").inner_text() == "请填写身份证号码或手机号码"
    page.fill("#phone", "13800138000")
    page.click("#book-btn")
    page.wait_for_selector("#pane-done:not([hidden])")
    code = page.locator("#done-code").inner_text()
    assert len(code) == 12
    assert "13:45–14:45" in page.locator("#done-when").inner_text()
    page.wait_for_function("document.querySelector('#done-qr').naturalWidth > 0")  # the server's QR (SVG)
    no_sideways_scroll(page)

    page.click("#tab-manage")
    page.locator(f"#mine button:text('{code}')").click()
    page.wait_for_selector(f".appt[data-code='{code}'][data-state='booked']")
    page.once("dialog", lambda d: d.accept())
    page.click("#cancel-btn")
    page.wait_for_selector(f".appt[data-code='{code}'][data-state='cancelled']")
    [cancelled] = hall.events("appointment.cancelled")
    assert cancelled["data"] == {"service": "biz-setup", "day": "2026-11-24", "slot": "14:00"}  # the code is a secret


def test_the_ticket_page_shows_the_estimates_range(hall, pages):
    hall.act(26, "open", "clerk1")
    for _ in range(6):
        hall.issue("tax-general")
    mine = hall.issue("tax-general")
    view = hall.http.get(f"/api/tickets/{mine['token']}").json()
    low, high = round(view["eta_low_seconds"] / 60), round(view["eta_high_seconds"] / 60)
    assert view["eta_low_seconds"] <= view["eta_seconds"] <= view["eta_high_seconds"] and high - low >= 2, view
    page = pages(urlsplit(mine["status_url"]).path, *PHONE)
    page.wait_for_function("document.querySelector('#t-eta').textContent.includes('–')")
    assert f"约 {low}–{high} 分钟" in page.locator("#t-eta").inner_text()

"""Tickets on the phone in the browser: the board shows the hall's entry code as a QR that changes
each minute; the phone page it opens takes a ticket, and refuses a code older than its lifetime; a
place taken from outside is not called before its holder checks in (scanning the board's code
again) and is called after; 暂离 on the ticket page keeps the place and skips the calls."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from tests.support import live

from .conftest import Hall

PHONE = (360, 740)
ID_NUMBER = "11010519491231002X"  # a valid check digit; born 1949: the elderly class by age


def board_code(pages, hall: Hall, allow: tuple[str, ...] = ()) -> str:
    """The entry code as the board shows it: the QR's own address carries the take page's URL."""
    board = pages(f"/board.html?hall=demo#token={hall.token('display')}", allow=allow)
    board.wait_for_selector("#entry:not([hidden]) #entry-qr[data-code]")
    src = board.get_attribute("#entry-qr", "src")
    url = parse_qs(urlsplit(src).query)["data"][0]
    assert urlsplit(url).path == "/take.html"
    code = parse_qs(urlsplit(url).query)["code"][0]
    assert code == board.get_attribute("#entry-qr", "data-code")
    return code


def take(page, service: str, id_number: str = ID_NUMBER) -> str:
    """Chooses a matter and the ID number, takes the ticket; returns the ticket page's token."""
    page.wait_for_selector(f"#tk-services li[data-code='{service}'] input")
    page.check(f"#tk-services li[data-code='{service}'] input")
    page.fill("#tk-id-number", id_number)
    page.click("#tk-submit")
    page.wait_for_url("**/t/*")
    page.wait_for_selector("#t-number:not(:text('—'))")
    return urlsplit(page.url).path.rsplit("/", 1)[1]


def test_a_ticket_from_the_boards_code_and_a_code_past_its_lifetime(hall, pages, screenshots_dir):
    down = (r"ERR_CONNECTION_REFUSED",)  # the pages open while the server restarts
    code = board_code(pages, hall, allow=down)
    phone = pages(f"/take.html?hall=demo&code={code}", *PHONE, wait_live=False, allow=down)
    phone.wait_for_selector("#tk-form:not([hidden])")
    assert "手机取号" in phone.locator("#tk-title").inner_text()
    phone.screenshot(path=str(screenshots_dir / "take-phone.png"), full_page=True)
    token = take(phone, "biz-setup")
    view = hall.http.get(f"/api/tickets/{token}").json()
    assert view["state"] == "waiting" and view["absent"] is None and view["klass"] == "elderly"
    assert view["number"] in phone.locator("#t-number").inner_text()

    # The same code, photographed and opened five minutes later.
    later = datetime.fromisoformat(live.CLOCK) + timedelta(minutes=5)
    hall.kill()
    hall.start_again(clock=later.isoformat())
    stale = pages(f"/take.html?hall=demo&code={code}", *PHONE, wait_live=False, allow=(r"status of 409",))
    take_refused = stale.locator("#tk-error")
    stale.check("#tk-services li[data-code='biz-change'] input")
    stale.fill("#tk-id-number", ID_NUMBER)
    stale.click("#tk-submit")
    stale.wait_for_selector("#tk-error:not([hidden])")
    assert "二维码已过期" in take_refused.inner_text()
    assert all(e["data"]["service"] != "biz-change" for e in hall.events("ticket.issued"))


def test_a_place_from_outside_is_called_only_after_checking_in(hall, pages, screenshots_dir):
    phone = pages("/take.html?hall=demo", *PHONE, wait_live=False)
    phone.wait_for_selector("#tk-form:not([hidden])")
    assert "线上取号" in phone.locator("#tk-title").inner_text()
    token = take(phone, "biz-setup")
    phone.wait_for_selector("#t-away:not([hidden])")
    assert "尚未签到" in phone.locator("#t-away").inner_text()
    phone.screenshot(path=str(screenshots_dir / "ticket-remote.png"), full_page=True)
    number = hall.http.get(f"/api/tickets/{token}").json()["number"]

    hall.act(21, "open", "clerk1")
    r = hall.http.post("/api/halls/demo/windows/21/call-next", json={}, headers=hall.user("clerk1"))
    assert r.status_code == 409 and r.json()["code"] == "queue_empty"

    # In the hall: the phone scans the board's code, which checks in the places it took from outside.
    phone.goto(f"{hall.url}/take.html?hall=demo&code={board_code(pages, hall)}")
    phone.wait_for_selector(f"#tk-mine li[data-arrived='{number}']")
    assert hall.http.get(f"/api/tickets/{token}").json()["absent"] is None
    assert hall.act(21, "call-next", "clerk1")["ticket"]["number"] == number
    assert [e["data"]["via"] for e in hall.events("ticket.arrived")] == ["entry_code"]


def test_stepping_out_on_the_ticket_page_keeps_the_place(hall, pages):
    mine = hall.issue("biz-setup")
    other = hall.issue("biz-setup")
    page = pages(urlsplit(mine["status_url"]).path, *PHONE)
    page.click("#t-step button[data-minutes='10']")
    page.wait_for_selector("#t-away[data-absent='out']:not([hidden])")
    assert "暂离中" in page.locator("#t-away").inner_text()
    hall.act(21, "open", "clerk1")
    assert hall.act(21, "call-next", "clerk1")["ticket"]["number"] == other["number"]
    hall.act(21, "finish", "clerk1", {"result": "done"})
    page.click("#t-back")
    page.wait_for_selector("#t-away", state="hidden")
    assert hall.act(21, "call-next", "clerk1")["ticket"]["number"] == mine["number"]
    page.wait_for_selector("#t-card[data-state='called']")

    page.goto(f"{hall.url}{urlsplit(other['status_url']).path}")
    page.wait_for_selector("#t-card[data-state='done']")
    assert page.locator("#t-acts").is_hidden()


def test_cancelling_on_the_ticket_page(hall, pages):
    mine = hall.issue("tax-general")
    page = pages(urlsplit(mine["status_url"]).path, *PHONE)
    page.click("#t-cancel")
    page.click("#t-cancel-yes")
    page.wait_for_selector("#t-card[data-state='cancelled']")
    assert hall.http.get(f"/api/tickets/{mine['token']}").json()["state"] == "cancelled"


def test_the_guide_checks_in_a_place_whose_phone_cannot_scan(hall, pages):
    r = hall.http.post(
        "/api/halls/demo/phone-tickets", json={"services": ["biz-change"], "id_card": {"id_number": ID_NUMBER}}
    )
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    page = pages(f"/guide.html?hall=demo#token={hall.token('guide')}", 1280, 800)
    page.fill("#lookup-number", number)
    page.click("#lookup-btn")
    page.wait_for_selector("#arrive-btn")
    assert "尚未签到" in page.locator("#lk-absent").inner_text()
    page.click("#arrive-btn")
    page.wait_for_selector("#arrive-btn", state="detached")
    assert hall.http.get(f"/api/tickets/{r.json()['token']}").json()["absent"] is None
    assert [e["data"]["via"] for e in hall.events("ticket.arrived")] == ["guide"]

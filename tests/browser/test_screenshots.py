"""Pictures of every page at its target size, in a busy hall (`make screenshots` collects them
into screenshots/displays/)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.screenshots


@pytest.fixture
def shots(screenshots_dir):
    folder = screenshots_dir / "displays"
    folder.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> None:
        page.wait_for_timeout(200)  # the last paint
        page.screenshot(path=str(folder / f"{name}.png"))

    save.folder = folder
    return save


def busy_hall(hall) -> dict:
    """Tickets waiting for many services, eight windows at work, one paused."""
    wanted = [
        ("tax-general", 6),
        ("biz-setup", 5),
        ("biz-change", 3),
        ("tax-property", 7),
        ("property-query", 2),
        ("property-transfer", 4),
        ("food-license", 1),
        ("gjj-loan", 2),
    ]
    with ThreadPoolExecutor(4) as pool:  # kiosks issue at the same time
        issued = list(pool.map(hall.issue, [service for service, n in wanted for _ in range(n)]))
    tickets = {}
    for tk in sorted(issued, key=lambda tk: tk["number"]):
        tickets.setdefault(tk["service"], []).append(tk)
    for window, clerk in [
        (26, "clerk1"),
        (27, "clerk2"),
        (21, "clerk3"),
        (23, "clerk4"),
        (5, "clerk5"),
        (6, "clerk6"),
        (4, "clerk7"),
        (1, "clerk8"),
    ]:
        hall.act(window, "open", clerk)
        hall.act(window, "call-next", clerk)
    hall.act(26, "start", "clerk1")
    hall.act(27, "start", "clerk2")
    hall.act(27, "finish", "clerk2", {"result": "done"})
    hall.act(27, "call-next", "clerk2")
    hall.act(6, "start", "clerk6")
    hall.act(6, "finish", "clerk6", {"result": "done"})
    hall.act(6, "pause", "clerk6", {"reason": "业务培训，10:30 恢复"})
    return tickets


def sign_in(page, username: str) -> None:
    page.fill("#username", username)
    page.fill("#password", "test-pass-1")
    page.click("#login-btn")


def test_screenshots_of_every_page(hall, pages, shots):
    tickets = busy_hall(hall)
    display = hall.token("display")

    board = pages(f"/board.html?hall=demo&voice=off#token={display}")
    board.wait_for_function("document.querySelectorAll('#recent li[data-number]').length === 8")
    board_en = pages(f"/board.html?hall=demo&voice=off&floor=2&lang=en#token={display}")
    shots(board_en, "02-board-floor2-en-1920x1080")
    board_new = pages(f"/board.html?hall=demo#token={hall.token('display')}")
    shots(board_new, "03-board-voice-button-1920x1080")
    for lang in ("zh", "en"):
        by_window = pages(f"/board.html?hall=demo&voice=off&mode=windows&lang={lang}#token={display}")
        by_window.wait_for_selector("#windows li[data-state='paused']")
        shots(by_window, f"03-board-windows-{lang}-1920x1080")

    screen = pages(f"/window.html?hall=demo&window=26#token={display}", 800, 480)
    shots(screen, "04-window-serving-800x480")
    paused = pages(f"/window.html?hall=demo&window=6#token={display}", 800, 480)
    shots(paused, "05-window-paused-800x480")

    console = pages("/console.html?hall=demo", 1366, 768, wait_live=False)
    shots(console, "06-console-login-1366x768")
    sign_in(console, "clerk3")
    console.wait_for_function("document.querySelector('#c-window').textContent === '21'")
    console.wait_for_function("document.querySelectorAll('#q-body tr').length > 0")
    shots(console, "07-console-1366x768")
    console.click("#btn-unresolved")
    console.locator("#dlg-unresolved .chips button").first.click()
    shots(console, "08-console-unresolved-1366x768")
    console.keyboard.press("Escape")

    guide = pages(f"/guide.html?hall=demo#token={hall.token('guide')}", 1280, 800)
    guide.click("#topics button >> nth=1")
    guide.click("#classes [data-klass='elderly']")
    shots(guide, "09-guide-1280x800")
    guide.click("#issue-btn")
    guide.wait_for_selector("#dlg-issued[open]")
    guide.wait_for_function("document.querySelector('#issued-qr').naturalWidth > 0")
    shots(guide, "10-guide-issued-1280x800")
    upright = pages(f"/guide.html?hall=demo#token={hall.token('guide')}", 800, 1280)
    upright.click("#services [data-service='hukou']")
    shots(upright, "10-guide-upright-800x1280")

    waiting = tickets["tax-general"][-1]
    phone = pages(urlsplit(waiting["status_url"]).path, 360, 740)
    phone.wait_for_selector("#t-wait:not([hidden])")
    shots(phone, "11-ticket-waiting-360x740")
    called = hall.act(26, "finish", "clerk1", {"result": "done"})
    called = tickets["tax-general"][3]  # the kiosk's answer holds the token; the clerk's does not
    hall.act(26, "call", "clerk1", {"number": called["number"]})
    phone_called = pages(f"/t/{called['token']}", 360, 740)
    shots(phone_called, "12-ticket-called-360x740")
    pad = pages(f"/rate.html?hall=demo&window=26#token={hall.rating_token(26)}", 1024, 600)
    pad.wait_for_function("document.querySelector('#r-clerk').textContent !== '—'")
    shots(pad, "13-rate-idle-1024x600")
    hall.act(26, "start", "clerk1")
    hall.act(26, "finish", "clerk1", {"result": "done"})
    phone_called.wait_for_selector("#t-matters .rate")
    shots(phone_called, "14-ticket-rate-360x740")
    pad.wait_for_function("document.body.dataset.screen === 'ask'")
    shots(pad, "15-rate-ask-1024x600")

    book = pages("/book.html?hall=demo", 360, 740, wait_live=False)
    book.wait_for_selector("#slots button[data-slot='10:30']")
    book.click("#slots button[data-slot='10:30']")
    book.fill("#phone", "13800138000")
    shots(book, "16-book-360x740")
    book.click("#book-btn")
    book.wait_for_selector("#pane-done:not([hidden])")
    book.wait_for_function("document.querySelector('#done-qr').naturalWidth > 0")
    shots(book, "17-book-done-360x740")

    dashboard = pages("/dashboard.html?hall=demo", 1920, 1080, wait_live=False)
    sign_in(dashboard, "manager1")
    dashboard.wait_for_selector("#live-dot[data-status=open]")
    dashboard.wait_for_selector("#windows tr[data-window='26']")
    shots(dashboard, "18-dashboard-1920x1080")

    shots(board, "01-board-1920x1080")  # long after the newest call stopped flashing
    assert len(list(shots.folder.glob("*.png"))) >= 18

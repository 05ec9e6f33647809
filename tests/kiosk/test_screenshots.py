"""The kiosk's main screens at full size, portrait 1080x1920 and landscape 1920x1080, saved for
`make screenshots` (kiosk/portrait/, kiosk/landscape/ under --screenshots-dir). Each screen is
checked for a tidy layout: no text cut off or split mid-word, no button outside the window or on
top of another."""
from __future__ import annotations

import httpx
import pytest

from .conftest import LANDSCAPE, PIN, PORTRAIT

pytestmark = [pytest.mark.kiosk, pytest.mark.screenshots]


@pytest.fixture(scope="module")
def busy_hall(hall_server):
    """Open windows, so that waits are estimated, and a short queue."""
    for clerk, window in (("clerk1", 21), ("clerk2", 1), ("clerk3", 26)):
        headers = hall_server.login(clerk)
        r = httpx.post(f"{hall_server.url}/api/halls/demo/windows/{window}/open", headers=headers)
        assert r.status_code in (200, 409), r.text
    headers = {"Authorization": f"Bearer {hall_server.tokens['guide']}"}
    for code in ("biz-setup", "biz-setup", "tax-general", "property-transfer", "biz-setup"):
        httpx.post(f"{hall_server.url}/api/halls/demo/tickets", json={"services": [code]}, headers=headers)
    return hall_server


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_main_screens_are_tidy_in_portrait_and_landscape(make_kiosk, busy_hall, screenshots_dir, size):
    d = make_kiosk(busy_hall, size=size)
    d.shots = screenshots_dir / "kiosk" / ("portrait" if size == PORTRAIT else "landscape")
    seen = []

    def picture(name: str) -> None:
        problems = d.layout_problems()
        assert problems == [], f"{name}: {problems}"
        d.shot(f"{len(seen) + 1:02d}-{name}")
        seen.append(name)

    picture("attract")
    d.tap("start")
    d.wait_screen("home")
    picture("home")
    d.tap("elderly")
    picture("home-large-text")
    d.tap("dept:scjg")
    d.wait_screen("services")
    picture("services-large-text")
    d.tap("back")
    d.wait_screen("home")
    d.tap("language")
    picture("home-english-large-text")
    d.tap("elderly")
    d.tap("dept:scjg")
    d.wait_screen("services")
    picture("services-english")
    d.tap("language")
    d.tap("back")
    d.wait_screen("home")

    d.tap("topic:1")  # 我要开餐馆: three matters, one ticket
    d.wait_screen("services")
    picture("life-event")
    d.tap("basket_go")
    d.wait_screen("confirm")
    person, other = ("扎西多吉", "张建国") if size == PORTRAIT else ("欧阳诗琪", "张建国")
    d.app.kiosk.devices.reader.simulator.place(person)
    d.wait(lambda: d.has("identity_name"), 5)
    picture("confirm-basket-with-card")
    d.tap("confirm_go")
    d.wait_screen("ticket")
    d.wait(lambda: "请取走号票" in d.text("print_state"), 10)
    picture("ticket")
    d.tap("elderly")
    picture("ticket-large-text")
    d.tap("elderly")
    d.tap("ticket_done")
    d.wait_screen("home")

    d.tap("search_box")
    d.wait_screen("search")
    for key in "BDC":
        d.tap(f"key:{key}")
    picture("search-bdc")
    d.tap("svc:property-transfer:guide")
    d.wait_screen("guide")
    d.wait(lambda: d.has("guide_materials"), 5)
    picture("guide")
    d.tap("back")
    d.wait_screen("search")
    d.app.kiosk.devices.printer.simulator.state = "paper_out"
    d.tap("svc:property-transfer:take")
    d.wait_screen("confirm")
    d.tap("confirm_go")
    d.wait_screen("ticket")
    d.wait(lambda: "打印机" in d.text("print_state"), 10)
    picture("ticket-on-screen-qr")
    ticket = d.app.sm.get_screen("ticket").params["ticket"]
    d.app.kiosk.devices.printer.simulator.state = "ok"
    d.tap("ticket_done")
    d.wait_screen("home")

    d.tap("action:card")
    d.wait_screen("card")
    picture("card-prompt")
    d.app.kiosk.devices.reader.simulator.fault = "lift_mid_read"
    d.app.kiosk.devices.reader.simulator.lift()
    d.pump(0.8)
    d.app.kiosk.devices.reader.simulator.place(other)
    d.wait(lambda: d.has("card_error"), 5)
    picture("card-error")
    d.tap("back")
    d.wait_screen("home")

    d.tap("action:status")
    d.wait_screen("status")
    d.type(ticket["status_url"], enter=True)
    d.wait(lambda: d.has("status_result"), 5)
    picture("status")
    d.tap("back")
    d.wait_screen("home")

    d.tap("action:appointment")
    d.wait_screen("appointment")
    for ch in "ACD34":
        d.tap(f"key:{ch}")
    picture("appointment")

    d.app.go("maintenance")  # the outage itself is tested in test_kiosk; here only its picture
    d.app.sm.current_screen.retrying(3, 4.0)
    picture("maintenance")
    d.tap("hall_name")
    for _ in range(4):
        d.tap("hall_name")
    d.wait_screen("admin")
    for key in PIN:
        d.tap(f"key:{key}")
    d.tap("admin_ok")
    picture("admin")
    assert len(seen) == 19

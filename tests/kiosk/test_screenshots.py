"""Every kiosk screen at full size, portrait 1080x1920 and landscape 1920x1080, in Chinese and English,
at normal and large text size, saved for `make screenshots` (kiosk/<orientation>-<language>-<size>/
under --screenshots-dir). Each is checked for a tidy layout: no text cut off or split mid-word, no
button outside the window or on top of another, no text in a colour whose contrast is unchecked."""

from __future__ import annotations

import httpx
import pytest

from kiosk.api_client import ApiError

from .conftest import LANDSCAPE, PIN, PORTRAIT
from .test_contrast import unchecked_text_colours

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


MODES = [(size, lang, large) for size in (PORTRAIT, LANDSCAPE) for lang in ("zh", "en") for large in (False, True)]


def mode_id(mode) -> str:
    size, lang, large = mode
    return f"{'portrait' if size == PORTRAIT else 'landscape'}-{lang}-{'large' if large else 'normal'}"


@pytest.mark.parametrize("mode", MODES, ids=[mode_id(m) for m in MODES])
def test_every_screen_is_tidy_in_both_text_sizes_languages_and_orientations(
    make_kiosk, busy_hall, screenshots_dir, mode
):
    size, lang, large = mode
    d = make_kiosk(busy_hall, size=size)
    d.shots = screenshots_dir / "kiosk" / mode_id(mode)
    app = d.app
    seen = []

    def visitor_mode() -> None:
        """The visitor's language and text size (a finished visit resets both)."""
        app.lang, app.scale = lang, (app.cfg.elderly_scale if large else 1.0)
        app.sm.current_screen.render()
        d.pump(frames=2)

    def picture(name: str) -> None:
        problems = d.layout_problems()
        assert problems == [], f"{name}: {problems}"
        assert unchecked_text_colours(d.widgets()) == [], name
        d.shot(f"{len(seen) + 1:02d}-{name}")
        seen.append(name)

    def printed() -> bool:
        return app.sm.get_screen("ticket").printed is not None

    reader = app.kiosk.devices.reader.simulator
    visitor_mode()
    picture("attract")
    d.tap("start")
    d.wait_screen("home")
    visitor_mode()
    picture("home")
    d.tap("dept:scjg")
    d.wait_screen("services")
    picture("services")
    d.tap("svc:biz-cancel:take")
    d.wait_screen("confirm")
    picture("confirm-without-card")
    d.tap("back")
    d.wait_screen("services")
    d.tap("back")
    d.wait_screen("home")

    d.tap("topic:1")  # 我要开餐馆: three matters, one ticket
    d.wait_screen("services")
    picture("life-event")
    d.tap("basket_go")
    d.wait_screen("confirm")
    person, other = ("扎西多吉", "张建国") if size == PORTRAIT else ("欧阳诗琪", "张建国")
    reader.place(person)
    d.wait(lambda: d.has("identity_name"), 5)
    picture("confirm-basket-with-card")
    d.tap("clear_identity")  # eight tours share the hall, and each person may take a matter once a day
    d.tap("confirm_go")
    d.wait_screen("ticket")
    d.wait(printed, 10)
    picture("ticket")
    d.tap("ticket_done")
    d.wait_screen("home")
    visitor_mode()

    reader.lift()
    d.pump(0.8)
    d.tap("action:card")
    d.wait_screen("card")
    picture("card-prompt")
    reader.place("李秀英")  # 70: her matters next, with large type offered
    d.wait(lambda: d.has("card_name"), 5)
    picture("card-read")
    d.wait_screen("services", 10)
    picture("services-for-the-card-holder")
    d.tap("home")
    d.wait_screen("home")
    picture("home-with-card")
    d.tap("dept:rsj")
    d.wait_screen("services")
    picture("department-with-card")
    d.tap("clear_identity")
    d.tap("svc:ss-retire:take")  # needs the card, and she took it away
    d.wait_screen("confirm")
    d.tap("confirm_go")
    d.wait_screen("card")
    picture("card-needed-no-card")
    reader.fault = "lift_mid_read"
    reader.lift()
    d.pump(0.8)
    reader.place(other)
    d.wait(lambda: d.has("card_error"), 5)
    picture("card-error")
    reader.fault = None
    d.tap("back")
    d.wait(lambda: d.screen != "card", 5)
    d.tap("home")
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
    app.kiosk.devices.printer.simulator.state = "paper_out"
    d.tap("svc:property-transfer:take")
    d.wait_screen("confirm")
    d.tap("confirm_go")
    d.wait_screen("ticket")
    d.wait(lambda: printed() and not app.sm.get_screen("ticket").printed.printed, 10)
    picture("ticket-on-screen-qr")
    ticket = app.sm.get_screen("ticket").params["ticket"]
    app.kiosk.devices.printer.simulator.state = "ok"
    d.tap("ticket_done")
    d.wait_screen("home")
    visitor_mode()

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
    d.tap("home")
    d.wait_screen("home")

    d.tap("action:guides")
    d.wait_screen("services")
    app._warn_idle(9)  # "还在吗？" as the idle timeout shows it
    picture("idle-warning")
    app.touched()
    assert not d.has("idle_warning")

    app.go("maintenance")  # the outage itself is tested in test_kiosk; here only its picture
    app.sm.current_screen.retrying(3, 4.0)
    picture("maintenance")
    app.kiosk.refusal = ApiError(401, "unauthorized", "令牌无效或已停用", "the token is wrong or revoked")
    app.sm.current_screen.render()
    picture("out-of-service")
    app.kiosk.refusal = None
    app.sm.current_screen.render()
    d.pump(frames=3)  # laid out before it is touched
    d.tap("hall_name")
    for _ in range(4):
        d.tap("hall_name")
    d.wait_screen("admin")
    for key in PIN:
        d.tap(f"key:{key}")
    d.tap("admin_ok")
    picture("admin")
    assert len(seen) == 23

"""Tickets on the phone at the real kiosk: the home screen shows the hall's entry code as a QR (the
code the server gives this minute, decoded from the screen), and a card placed on the check-in
screen checks in the place its holder took from outside, which the window then calls."""

from __future__ import annotations

import httpx
import pytest

from .test_kiosk import card_sim, decode_qr, start

pytestmark = pytest.mark.kiosk

OUYANG = "440305199803050628"  # 欧阳诗琪 in the simulator's cards


def test_the_home_screen_shows_the_halls_entry_code(make_kiosk, hall_server):
    d = make_kiosk(hall_server)
    start(d)
    d.wait(lambda: d.has("entry_qr"), 20, "the entry code on the home screen")

    def servers_code() -> str:
        return httpx.get(
            f"{hall_server.url}/api/halls/demo/entry-code",
            headers={"Authorization": f"Bearer {hall_server.tokens['kiosk']}"},
        ).json()["url"]

    # The code the server gives this minute (when the minute turns, the screen follows within seconds).
    d.wait(lambda: d.find("entry_qr").payload == servers_code(), 10, "the server's code of this minute")
    assert d.find("entry_qr").payload.startswith(f"{hall_server.url}/take.html?hall=demo&code=")
    assert d.find("entry_qr").payload in decode_qr(d.shot("home-entry-code"))
    # In large text and English, portrait and landscape, the panel holds its words.
    d.tap("elderly")
    d.tap("language")
    d.wait(lambda: d.has("entry_qr"), 10)
    assert d.layout_problems() == []
    d.shot("home-entry-code-large-english")


def test_a_card_checks_in_a_place_taken_from_outside(make_kiosk, hall_server):
    r = httpx.post(
        f"{hall_server.url}/api/halls/demo/phone-tickets",
        json={"services": ["biz-setup"], "id_card": {"id_number": OUYANG}},
    )
    assert r.status_code == 201, r.text
    remote = r.json()
    assert remote["absent"] == "remote"
    d = make_kiosk(hall_server)
    start(d)
    d.tap("action:appointment")
    d.wait_screen("appointment")
    card_sim(d).place("欧阳诗琪")
    kid = f"arrived:{remote['number']}"
    d.wait(lambda: d.has(kid), 10, "the note that the place is checked in")
    assert f"{remote['number']} 号（企业设立登记）已签到" in d.text(kid)
    assert not d.has("appt_error")  # no booking today, but nothing to complain about
    d.shot("check-in-remote")
    assert httpx.get(f"{hall_server.url}/api/tickets/{remote['token']}").json()["absent"] is None

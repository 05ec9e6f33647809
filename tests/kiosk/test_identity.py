"""Nobody inherits anyone's identity: whatever card is placed next (read or refused) replaces the
one before, and a card taken away ends its owner's visit once nobody touches the screen."""

from __future__ import annotations

import pytest

from .test_kiosk import card_sim, confirm_and_wait_printed, server_ticket, take_from_department

pytestmark = pytest.mark.kiosk


def test_a_refused_card_after_an_unfinished_visitor_shows_and_issues_nothing_of_them(make_kiosk, hall_server):
    d = make_kiosk(hall_server)
    reader = card_sim(d)
    reader.place("李秀英")  # 70: the elderly class; she reads her card and walks away without a ticket
    d.wait_screen("home")
    assert "李*英" in d.text("identity")

    reader.lift()
    d.pump(0.8)
    reader.place("马晓燕")  # the next visitor, within the idle time: an expired card
    d.wait_screen("card", 5)
    d.wait(lambda: d.has("card_error"), 5, "the expired card's refusal")
    assert d.text("card_error").startswith("该身份证已过有效期")
    assert not d.has("identity") and not any("李*英" in t or "老年人" in t for t in d.texts())
    assert d.app.session.identity is None
    d.shot("refused-card-no-earlier-identity")

    d.tap("card_without")
    d.wait_screen("home")
    assert not d.has("identity")
    take_from_department(d, "gcjs", "plan-permit")
    assert d.shows("未刷身份证") and not any("李*英" in t for t in d.texts())
    ticket = confirm_and_wait_printed(d)
    assert server_ticket(hall_server, ticket["token"])["klass"] == "normal"
    assert not d.has("ticket_klass")
    d.tap("ticket_done")
    d.wait_screen("home")

    # The first visitor comes back: her per-person cap for the matter was not used by anyone else.
    reader.lift()
    d.pump(0.8)
    reader.place("李秀英")
    d.wait(lambda: d.has("identity"), 5, "her card read again")
    take_from_department(d, "gcjs", "plan-permit")
    ticket = confirm_and_wait_printed(d)
    assert server_ticket(hall_server, ticket["token"])["klass"] == "elderly"

    # A card that reads replaces the one before just as a refused one does.
    d.tap("ticket_done")
    d.wait_screen("home")
    reader.lift()
    d.pump(0.8)
    reader.place("李秀英")
    d.wait(lambda: d.has("identity"), 5, "her card on the home screen")
    reader.lift()
    d.pump(0.8)
    reader.place("扎西多吉")  # 25: no priority
    d.wait(lambda: d.app.session.identity is not None and d.app.session.identity.name == "扎西多吉", 5)
    d.pump(frames=3)
    assert d.text("identity") == "已刷卡：扎**吉" and not any("李*英" in t for t in d.texts())


def test_a_card_taken_away_ends_its_owners_visit_when_nobody_touches_the_screen(make_kiosk, hall_server):
    d = make_kiosk(hall_server, card_gone_seconds=2)
    reader = card_sim(d)
    reader.place("扎西多吉")
    d.wait_screen("home")
    assert "扎**吉" in d.text("identity")
    d.tap("dept:gcjs")  # still using the kiosk with the card on the reader: nothing ends
    d.wait_screen("services")
    d.pump(2.5)
    assert d.screen == "services" and d.app.session.identity is not None

    reader.lift()
    d.wait_screen("attract", 10)
    assert d.app.session.identity is None and len(d.app.session.basket) == 0
    d.tap("start")
    d.wait_screen("home")
    assert not d.has("identity")

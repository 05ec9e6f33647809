"""Text messages: which moments put one in the outbox, once each, and what it says; the number is
kept masked in views, never in events, and only until the day ends."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from queue_server.domain.hall import NotifyRules
from queue_server.halls import DEMO, read_hall
from queue_server.store import tables as t
from queue_server.usecases import followup, halls, notify, queries

from .conftest import refused

PHONE = "13812341234"


def outbox(hall) -> list[tuple[str, str, str]]:
    with hall.store.engine.connect() as conn:
        rows = conn.execute(select(t.notify_outbox).order_by(t.notify_outbox.c.id))
        return [(r.kind, r.state, r.text) for r in rows]


def send_all(hall) -> list[tuple[str, str]]:
    """One notifier pass without a modem: what it would send."""
    notify.plan(hall.store, "demo")
    sent = []
    for notice_id, phone, text in notify.claim(hall.store, "demo"):
        notify.finish(hall.store, "demo", notice_id, "sent")
        sent.append((phone, text))
    return sent


def test_near_called_recalled_no_show_once_each(hall):
    notify.plan(hall.store, "demo")  # the notifier starts with the server: the cursor at the log's end
    ahead = [hall.issue("biz-setup") for _ in range(5)]
    mine = hall.issue("biz-setup", phone="13812341234", family=True)
    assert mine["notify"] == {"phone": "138****1234", "family": True}
    assert followup.status(hall.store, mine["token"])["notify"]["phone"] == "138****1234"
    assert send_all(hall) == []  # five ahead: not near yet

    clerk = hall.person("clerk1")
    hall.act(21, "open", clerk)
    hall.act(21, "call-next", clerk)
    assert send_all(hall) == []  # four ahead
    hall.act(21, "finish", clerk, result="done")
    hall.act(21, "call-next", clerk)
    near = send_all(hall)
    assert near == [(PHONE, "【示范区政务服务中心】您的A006号前面还有3人，请回到等候区留意叫号。")]
    for _ in ahead[2:]:
        hall.act(21, "finish", clerk, result="done")
        hall.act(21, "call-next", clerk)
    assert send_all(hall) == []  # "near" is sent once per ticket, however the queue moves
    hall.act(21, "finish", clerk, result="done")
    hall.act(21, "call-next", clerk)
    assert send_all(hall) == [(PHONE, "【示范区政务服务中心】请A006号到2楼21号窗口办理。")]
    hall.act(21, "recall", clerk)
    assert send_all(hall) == [(PHONE, "【示范区政务服务中心】再次呼叫：请A006号尽快到2楼21号窗口办理。")]
    hall.act(21, "recall", clerk)
    send_all(hall)
    hall.act(21, "no-show", clerk)
    (no_show,) = send_all(hall)
    assert "已过号" in no_show[1] and "30分钟内" in no_show[1]
    assert send_all(hall) == []
    assert [k for k, _, _ in outbox(hall)] == ["near", "called", "recalled", "recalled", "no_show"]

    log = queries.events(hall.store, "demo", 0, 5000)["events"]
    assert PHONE not in str(log) and "1234" not in str([e for e in log if e["data"].get("id") == mine["id"]])


def test_a_message_claimed_when_the_server_stopped_is_not_sent_again(hall):
    notify.plan(hall.store, "demo")
    hall.issue("biz-setup", phone=PHONE)
    notify.plan(hall.store, "demo")
    assert len(notify.claim(hall.store, "demo")) == 1  # claimed; then the process dies
    assert notify.abandon_in_flight(hall.store, "demo") == 1
    assert send_all(hall) == []
    assert outbox(hall)[0][:2] == ("near", "unknown")


def test_a_refused_message_waits_then_goes_stale(hall):
    notify.plan(hall.store, "demo")
    hall.issue("biz-setup", phone=PHONE)
    notify.plan(hall.store, "demo")
    ((notice_id, _, _),) = notify.claim(hall.store, "demo")
    notify.finish(hall.store, "demo", notice_id, "pending", "no credit")
    hall.clock.advance(minutes=5)
    assert len(notify.claim(hall.store, "demo")) == 1  # tried again, still news
    notify.finish(hall.store, "demo", notice_id, "pending", "no credit")
    hall.clock.advance(minutes=11)
    assert notify.claim(hall.store, "demo") == []
    assert outbox(hall)[0][1] == "expired"


def test_the_number_is_gone_with_the_day(hall):
    hall.clock.at = datetime.fromisoformat("2026-11-24T16:00:00+08:00")
    notify.plan(hall.store, "demo")
    hall.issue("biz-setup", phone=PHONE)
    send_all(hall)
    hall.clock.at = datetime.fromisoformat("2026-11-25T10:00:00+08:00")
    followup.expire_past_days(hall.store, "demo")
    with hall.store.engine.connect() as conn:
        assert conn.execute(select(t.notify_phones)).all() == []
        assert conn.execute(select(t.notify_outbox)).all() == []


def test_phone_numbers_are_checked_and_masked(hall):
    assert notify.valid_phone("+86 138-1234-1234") == PHONE
    for bad in ("12812341234", "1381234123", "abc", "138123412345"):
        assert refused(notify.valid_phone, bad).code == "bad_phone"
    t1 = hall.issue("biz-setup")
    assert t1["notify"] is None
    assert notify.give_phone(hall.store, t1["token"], "13900001111", False) == {"phone": "139****1111", "family": False}
    assert notify.give_phone(hall.store, t1["token"], PHONE, True) == {"phone": "138****1234", "family": True}


def test_the_hall_file_says_how_many_ahead_is_near(hall):
    halls.load_hall(hall.store, read_hall(DEMO).model_copy(update={"notify": NotifyRules(ahead=1)}))
    notify.plan(hall.store, "demo")
    hall.issue("biz-setup"), hall.issue("biz-setup")
    hall.issue("biz-setup", phone=PHONE)
    assert send_all(hall) == []  # two ahead
    clerk = hall.person("clerk1")
    hall.act(21, "open", clerk)
    hall.act(21, "call-next", clerk)
    ((_, text),) = send_all(hall)
    assert "前面还有1人" in text


def test_a_poor_ratings_follow_up_is_told_and_its_close_even_on_a_later_day(hall):
    from queue_server.usecases import ratings
    from queue_server.usecases.followup import Given, rate

    notify.plan(hall.store, "demo")
    tk = hall.issue("tax-general", phone=PHONE)
    clerk = hall.person("clerk1")
    hall.act(26, "open", clerk)
    hall.act(26, "call-next", clerk)
    hall.act(26, "finish", clerk)
    send_all(hall)  # its turn, its call
    rate(hall.store, tk["token"], Given(2, reason="attitude"))
    assert send_all(hall) == [
        (PHONE, "【示范区政务服务中心】您对「涉税综合业务（新办纳税人套餐、发票领用、清税证明）」的评价已收到，"
         "我们将在12月15日前核实整改并回访，感谢您的监督。")
    ]  # fmt: skip
    # Days later the number is still kept for the follow-up (other tickets' numbers are gone)...
    other = hall.issue("biz-setup", phone="13900002222")
    hall.clock.at = datetime.fromisoformat("2026-11-27T10:00:00+08:00")
    followup.expire_past_days(hall.store, "demo")
    with hall.store.read("demo") as r:
        assert set(r.phones()) == {tk["id"]} and other["id"] not in r.phones()
    # ...until the close is told, after which the day boundary lets it go.
    (fu,) = ratings.followups(hall.store, "demo")
    manager = hall.person("manager1")
    ratings.record(hall.store, "demo", fu["id"], manager, {"called_back": True, "result": "已核实整改"})
    followup.expire_past_days(hall.store, "demo")  # within the hour: kept for the close's message
    assert send_all(hall) == [
        (
            PHONE,
            "【示范区政务服务中心】您反映的「涉税综合业务（新办纳税人套餐、发票领用、清税证明）」办理问题已核实处理，感谢您的监督。",
        )
    ]
    hall.clock.advance(hours=2)
    followup.expire_past_days(hall.store, "demo")
    with hall.store.read("demo") as r:
        assert r.phones() == {}


def test_a_booking_is_reminded_the_day_before_once(hall):
    from queue_server.usecases import appointments

    from .conftest import SECRET

    booked = appointments.book(
        hall.store, "demo", "biz-setup", datetime(2026, 11, 25).date(), "10:30", None, SECRET, PHONE, remind=True
    )
    appointments.book(
        hall.store, "demo", "biz-setup", datetime(2026, 11, 25).date(), "11:00", None, SECRET, "13900003333"
    )
    assert notify.plan_reminders(hall.store, "demo") == 0  # 10:00 the day before: not yet
    hall.clock.at = datetime.fromisoformat("2026-11-24T18:05:00+08:00")
    assert notify.plan_reminders(hall.store, "demo") == 1
    assert notify.plan_reminders(hall.store, "demo") == 0
    sent = send_all(hall)
    assert sent == [
        (PHONE, f"【示范区政务服务中心】温馨提醒：您预约了明天（11月25日）10:30办理「企业设立登记」，请按时到大厅凭预约码{booked['code']}签到取号。")
    ]  # fmt: skip
    with hall.store.engine.connect() as conn:  # the number the booking held for its reminder went with it
        assert [r.phone for r in conn.execute(select(t.notify_outbox))] == [None]
    hall.clock.at = datetime.fromisoformat("2026-11-26T10:00:00+08:00")
    followup.expire_past_days(hall.store, "demo")
    with hall.store.engine.connect() as conn:
        assert conn.execute(select(t.booking_phones)).all() == []

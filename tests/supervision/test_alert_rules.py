"""The alert rules as a pure function of the hall's present state, and the engine's bookkeeping
of which episodes are open (read back from the events it wrote)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from queue_server.supervision.alerts import Device, HallNow, Rating, WindowNow, evaluate
from queue_server.supervision.engine import changes
from queue_server.supervision.figures import Fold
from queue_server.supervision.source import Current, Waiting
from tests.supervision.conftest import demo_with

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=CST)
HALL = demo_with(
    wait_minutes=30,
    queue_waiting=4,
    idle_minutes=5,
    break_minutes=20,
    service_factor=2,
    service_minutes={"tax-general": 12},
)


def ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def waiting(i: int, service: str, minutes: float) -> Waiting:
    return Waiting(i, f"X{i:03d}", service, "normal", ago(minutes))


def kinds(conditions) -> dict[str, str]:
    return {c.key: c.kind for c in conditions}


def test_waits_and_the_next_moment_to_look():
    state = HallNow(NOW, [waiting(1, "tax-general", 31), waiting(2, "tax-general", 29.5)], [])
    conds, due = evaluate(HALL, state)
    assert kinds(conds) == {"wait:1": "wait_long"}
    assert "已等候 31 分钟" in conds[0].message and conds[0].data["number"] == "X001"
    assert due == ago(29.5) + timedelta(minutes=30)  # ticket 2 crosses the line in 30 s


def test_unstaffed_queue_with_hysteresis():
    five = [waiting(i, "marriage", 1) for i in range(1, 6)]
    closed = [WindowNow(19, "closed", ago(60), None), WindowNow(20, "paused", ago(1), "张三")]
    conds, _ = evaluate(HALL, HallNow(NOW, five, closed))
    assert kinds(conds) == {"queue:marriage": "queue_unstaffed"}
    # once raised it holds until the queue halves (2 of the limit 4), not at 4
    three = five[:3]
    assert kinds(evaluate(HALL, HallNow(NOW, three, closed), {"queue:marriage"})[0]) == {
        "queue:marriage": "queue_unstaffed"
    }
    assert kinds(evaluate(HALL, HallNow(NOW, three, closed))[0]) == {}
    assert kinds(evaluate(HALL, HallNow(NOW, five[:2], closed), {"queue:marriage"})[0]) == {}
    # a window open for it ends it
    opened = [
        WindowNow(19, "open", ago(0.1), "李四", current=Current(9, "M009", "serving", "marriage", ago(0.1), ago(0.1)))
    ]
    assert kinds(evaluate(HALL, HallNow(NOW, five, opened), {"queue:marriage"})[0]) == {}


def test_idle_window_counts_from_the_latest_of_open_release_and_first_waiting():
    people = [waiting(1, "tax-general", 7)]
    w = WindowNow(26, "open", ago(30), "陈晨", released_at=ago(6))
    conds, _ = evaluate(HALL, HallNow(NOW, people, [w]))
    assert kinds(conds) == {"idle:26": "window_idle"}
    # idle for 30 minutes, but the first person has waited only 4: not yet
    conds, due = evaluate(HALL, HallNow(NOW, [waiting(1, "tax-general", 4)], [w]))
    assert kinds(conds) == {} and due == ago(4) + timedelta(minutes=5)
    # nobody waiting for its services: an idle window is no alert
    assert kinds(evaluate(HALL, HallNow(NOW, [waiting(1, "marriage", 9)], [w]))[0]) == {}


def test_long_service_limits_and_breaks():
    tax = WindowNow(
        26, "open", ago(60), "陈晨", current=Current(5, "E005", "serving", "tax-general", ago(13), ago(12.5))
    )
    setup = WindowNow(21, "open", ago(60), "王芳", current=Current(6, "A006", "serving", "biz-setup", ago(39), ago(39)))
    called = WindowNow(22, "open", ago(60), "刘洋", current=Current(7, "A007", "called", "biz-setup", ago(50), None))
    paused = WindowNow(23, "paused", ago(21), "张静", pause_reason="午餐")
    conds, due = evaluate(HALL, HallNow(NOW, [], [tax, setup, called, paused]))
    # tax-general's own limit is 12 min; biz-setup's is 2 x its 20-minute average; a called ticket is not a service
    assert kinds(conds) == {"service:26:5": "service_long", "break:23": "break_long"}
    assert "午餐" in next(c.message for c in conds if c.kind == "break_long")
    assert due == ago(39) + timedelta(minutes=40)


def test_ratings_are_sticky_and_devices_have_levels():
    state = HallNow(
        NOW,
        [],
        [],
        ratings=[
            Rating(1, 0, "A001", 1, "biz-setup", 21, "clerk1"),
            Rating(2, 0, "A002", 3, "biz-setup", 21, "clerk1"),
        ],
        devices=[
            Device("k1.printer", "printer", "near_end", "", ago(1)),
            Device("k2.printer", "printer", "paper_out", "缺纸", ago(1)),
            Device("k3.printer", "printer", "ok", "", ago(1)),
        ],
    )
    conds, _ = evaluate(HALL, state)
    by_key = {c.key: c for c in conds}
    assert set(by_key) == {"rating:1:0", "device:k1.printer", "device:k2.printer"}
    assert by_key["rating:1:0"].sticky and "不满意" in by_key["rating:1:0"].message
    assert by_key["device:k1.printer"].level == "warning" and by_key["device:k2.printer"].level == "critical"


def test_open_episodes_come_from_the_events():
    fold = Fold()
    conds, _ = evaluate(
        HALL,
        HallNow(NOW, [waiting(1, "tax-general", 40)], [], ratings=[Rating(3, 0, "A003", 1, "biz-setup", 21, "clerk1")]),
    )
    raise_, clear = changes(fold, conds)
    assert {c.key for c in raise_} == {"wait:1", "rating:3:0"} and clear == []
    for seq, c in enumerate(raise_, start=1):
        fold.add({"seq": seq, "type": "alert.raised", "ts": NOW.isoformat(), "actor": {}, "data": c.event().data()})
    # the same conditions again: nothing new
    assert changes(fold, conds) == ([], [])
    # the wait ended (the ticket was called); the rating stays, it is never "over"
    raise_, clear = changes(fold, [c for c in conds if c.kind == "rating_low"])
    assert raise_ == [] and clear == [1]
    fold.add(
        {"seq": 3, "type": "alert.cleared", "ts": NOW.isoformat(), "actor": {}, "data": {"alert": 1, "key": "wait:1"}}
    )
    # a new episode of the same wait is a new alert; a rating already raised today is not raised again
    fold.open_alerts.pop("rating:3:0")
    raise_, _ = changes(fold, conds)
    assert [c.key for c in raise_] == ["wait:1"]

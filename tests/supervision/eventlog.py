"""A hand-built event log of one morning in the demo hall, and the figures it must give, worked out
by hand (see the comments): the report tests compare against these numbers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

CST = timezone(timedelta(hours=8))
DAY = "2026-11-24"


def at(h: int, m: int, s: int = 0) -> datetime:
    return datetime(2026, 11, 24, h, m, s, tzinfo=CST)


def clerk(n: int) -> dict:
    return {"kind": "clerk", "id": f"clerk{n}", "name": {1: "王芳", 2: "陈晨"}[n]}


KIOSK = {"kind": "device", "id": "kiosk"}
CITIZEN = {"kind": "citizen", "id": "ticket"}


def _issued(i, number, services, klass):
    return {
        "id": i,
        "number": number,
        "services": services,
        "service": services[0],
        "klass": klass,
        "state": "waiting",
        "position": 0,
        "eta_seconds": 0,
    }


def _called(i, number, service, window):
    return {
        "id": i,
        "number": number,
        "service": service,
        "window": window,
        "floor": 2,
        "recall": 0,
        "text": "",
        "speech": "",
        "audio_url": "",
    }


def _done(i, number, service, window, matter, result="done", reason=None, next_service=None):
    return {
        "id": i,
        "number": number,
        "window": window,
        "state": "waiting" if next_service else "done",
        "service": service,
        "matter": matter,
        "result": result,
        "reason": reason,
        "next_service": next_service,
        "service_seconds": 0,
    }


RAW = [
    (
        at(9, 0),
        "window.state",
        clerk(1),
        {"window": 21, "state": "open", "reason": None, "clerk": "王芳", "staff_no": "C001"},
    ),
    (
        at(9, 0),
        "window.state",
        clerk(2),
        {"window": 26, "state": "open", "reason": None, "clerk": "陈晨", "staff_no": "C002"},
    ),
    (at(9, 0), "ticket.issued", KIOSK, _issued(1, "A001", ["biz-setup", "tax-general"], "normal")),
    (at(9, 5), "ticket.issued", KIOSK, _issued(2, "A002", ["biz-setup"], "normal")),
    (at(9, 6), "ticket.issued", KIOSK, _issued(3, "E001", ["tax-general"], "elderly")),
    (at(9, 10), "ticket.called", clerk(1), _called(1, "A001", "biz-setup", 21)),  # wait 600
    (at(9, 11), "ticket.serving", clerk(1), {"id": 1, "number": "A001", "service": "biz-setup", "window": 21}),
    (at(9, 12), "ticket.called", clerk(2), _called(3, "E001", "tax-general", 26)),  # wait 360
    (at(9, 12, 30), "ticket.serving", clerk(2), {"id": 3, "number": "E001", "service": "tax-general", "window": 26}),
    (at(9, 20, 30), "ticket.done", clerk(2), _done(3, "E001", "tax-general", 26, 0, "unresolved", "材料不全")),  # 480
    (
        at(9, 21),
        "rating.submitted",
        CITIZEN,
        {"id": 3, "number": "E001", "matter": 0, "service": "tax-general", "window": 26, "clerk": "clerk2", "score": 1},
    ),
    (at(9, 30), "ticket.done", clerk(1), _done(1, "A001", "biz-setup", 21, 0, next_service="tax-general")),  # 1140
    (at(9, 31), "ticket.called", clerk(1), _called(2, "A002", "biz-setup", 21)),  # wait 1560
    (
        at(9, 31, 30),
        "rating.submitted",
        CITIZEN,
        {"id": 1, "number": "A001", "matter": 0, "service": "biz-setup", "window": 21, "clerk": "clerk1", "score": 4},
    ),
    (
        at(9, 34),
        "ticket.no_show",
        clerk(1),
        {"id": 2, "number": "A002", "window": 21, "state": "no_show", "service": "biz-setup", "matter": 0},
    ),
    (at(9, 35), "ticket.called", clerk(2), _called(1, "A001", "tax-general", 26)),  # wait 300 (since 09:30)
    (at(9, 45), "ticket.done", clerk(2), _done(1, "A001", "tax-general", 26, 1)),  # 600 (no start: from the call)
    (
        at(9, 46),
        "rating.submitted",
        CITIZEN,
        {"id": 1, "number": "A001", "matter": 1, "service": "tax-general", "window": 26, "clerk": "clerk2", "score": 3},
    ),
    (at(10, 10), "ticket.issued", KIOSK, _issued(4, "B001", ["biz-change"], "agent")),
    (at(10, 15), "ticket.issued", KIOSK, _issued(5, "A003", ["biz-setup"], "normal")),
    (at(10, 20), "ticket.cancelled", CITIZEN, {"id": 4, "number": "B001", "service": "biz-change"}),
    (at(10, 25), "ticket.called", clerk(1), _called(5, "A003", "biz-setup", 21)),  # wait 600
    (at(10, 26), "ticket.serving", clerk(1), {"id": 5, "number": "A003", "service": "biz-setup", "window": 21}),
    (
        at(10, 30),
        "ticket.transferred",
        clerk(1),
        {"id": 5, "number": "A003", "window": 21, "state": "waiting", "from": "biz-setup", "service": "biz-change"},
    ),
    (
        at(11, 0),
        "window.state",
        clerk(1),
        {"window": 21, "state": "paused", "reason": "午休", "clerk": "王芳", "staff_no": "C001"},
    ),
    (
        at(11, 0),
        "window.state",
        clerk(2),
        {"window": 26, "state": "closed", "reason": None, "clerk": "陈晨", "staff_no": "C002"},
    ),
]


def events(first_seq: int = 1) -> list[dict]:
    return [
        {"seq": first_seq + i, "hall": "demo", "type": typ, "ts": ts.isoformat(), "actor": actor, "data": data}
        for i, (ts, typ, actor, data) in enumerate(RAW)
    ]


# What the report must say, worked out by hand from the log above.
EXPECTED_SERVICES = {
    # waits 600, 1560, 600: mean 920, p90 (nearest rank: ceil(0.9 x 3) = 3rd) 1560; one service of 1140 s
    "biz-setup": dict(
        issued=3,
        called=3,
        served=1,
        done=1,
        unresolved=0,
        no_show=1,
        cancelled=0,
        transferred=1,
        transferred_in=0,
        wait_avg_s=920.0,
        wait_p90_s=1560.0,
        wait_max_s=1560.0,
        service_avg_s=1140.0,
        service_p90_s=1140.0,
        rated=1,
        rating_satisfied=1,
        rating_dissatisfied=0,
        satisfaction=1.0,
    ),
    # waits 360, 300: mean 330, p90 (2nd) 360; services 480 and 600; ratings 1 and 3 -> 1 of 2 satisfied
    "tax-general": dict(
        issued=2,
        called=2,
        served=2,
        done=1,
        unresolved=1,
        no_show=0,
        cancelled=0,
        transferred=0,
        wait_avg_s=330.0,
        wait_p90_s=360.0,
        service_avg_s=540.0,
        service_p90_s=600.0,
        rated=2,
        rating_basically_satisfied=1,
        rating_dissatisfied=1,
        satisfaction=0.5,
        reasons={"材料不全": 1},
    ),
    "biz-change": dict(
        issued=1, transferred_in=1, called=0, served=0, cancelled=1, wait_avg_s=None, rated=0, satisfaction=None
    ),
}
EXPECTED_WINDOWS = {
    # open 09:00-11:00 = 7200 s; busy 09:10-09:30 + 09:31-09:34 + 10:25-10:30 = 1200 + 180 + 300 = 1680
    21: dict(
        called=3,
        served=1,
        no_show=1,
        transferred=1,
        wait_avg_s=920.0,
        service_avg_s=1140.0,
        rated=1,
        satisfaction=1.0,
        open_s=7200,
        busy_s=1680,
        utilisation=0.2333,
    ),
    # busy 09:12-09:20:30 + 09:35-09:45 = 510 + 600 = 1110
    26: dict(
        called=2,
        served=2,
        done=1,
        unresolved=1,
        wait_avg_s=330.0,
        service_avg_s=540.0,
        rated=2,
        satisfaction=0.5,
        open_s=7200,
        busy_s=1110,
        utilisation=0.1542,
    ),
}
EXPECTED_CLERKS = {
    "clerk1": dict(name="王芳", staff_no="C001", called=3, served=1, no_show=1, wait_avg_s=920.0, satisfaction=1.0),
    "clerk2": dict(
        name="陈晨", staff_no="C002", called=2, served=2, unresolved=1, service_avg_s=540.0, satisfaction=0.5
    ),
}
# Five tickets; waits 600, 360, 1560, 300, 600 -> mean 684, p90 (5th of 5) 1560; services 1140, 480, 600 ->
# mean 740, p90 (3rd of 3) 1140; ratings 4, 1, 3 -> 2 of 3 satisfied.
EXPECTED_TOTALS = dict(
    issued=5,
    called=5,
    served=3,
    done=2,
    unresolved=1,
    no_show=1,
    cancelled=1,
    transferred=1,
    wait_avg_s=684.0,
    wait_p90_s=1560.0,
    wait_max_s=1560.0,
    service_avg_s=740.0,
    service_p90_s=1140.0,
    rated=3,
    rating_satisfied=1,
    rating_basically_satisfied=1,
    rating_average=0,
    rating_dissatisfied=1,
    satisfaction=0.6667,
)
EXPECTED_CLASSES = {
    "normal": dict(issued=3, called=4, wait_avg_s=765.0),  # 600, 1560, 300, 600
    "elderly": dict(issued=1, called=1, wait_avg_s=360.0, unresolved=1),
    "agent": dict(issued=1, called=0, cancelled=1),
}
EXPECTED_HOURS = {
    9: dict(issued=3, called=4, wait_avg_s=705.0),  # 600, 360, 1560, 300
    10: dict(issued=2, called=1, wait_avg_s=600.0),
}

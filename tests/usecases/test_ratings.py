"""好差评 end to end on the store: five-level ratings, a 差评's reason and follow-up (15 working days by
the hall calendar, the return call, the result), its overdue alert, the case number and the export."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from queue_server.store import tables as t
from queue_server.supervision.engine import AlertEngine
from queue_server.supervision.export import ratings_csv
from queue_server.supervision.source import Tracker, report_for
from queue_server.usecases import ratings
from queue_server.usecases.followup import Given, rate, rate_at_window
from queue_server.usecases.principal import Principal

from .conftest import refused

PAD = Principal(kind="rating", hall="demo", window=26)  # the browser rating page of window 26
AGENT = Principal(kind="window", hall="demo", window=26)  # the window agent with its RS-485 pad


def served(hall, case_no: str | None = None) -> dict:
    """A tax-general ticket taken, called and finished at window 26 (clerk1)."""
    clerk = hall.person("clerk1")
    tk = hall.issue("tax-general")
    if not getattr(hall, "_open", False):
        hall.act(26, "open", clerk)
        hall._open = True
    hall.act(26, "call-next", clerk)
    hall.act(26, "start", clerk)
    hall.clock.advance(minutes=4)
    hall.act(26, "finish", clerk, **({"case_no": case_no} if case_no else {}))
    return tk


def events(hall, kind: str) -> list:
    with hall.store.read("demo") as r:
        return [e for e in r.events_after(0) if e.type == kind]


def test_five_levels_a_poor_rating_needs_a_reason_and_opens_a_follow_up(hall):
    good, bad = served(hall), served(hall)
    assert rate(hall.store, good["token"], Given(5))["level"] == "very_satisfied"
    assert not events(hall, "followup.opened")
    assert refused(rate, hall.store, bad["token"], Given(1)).code == "reason_required"
    assert refused(rate, hall.store, bad["token"], Given(6, reason="slow")).code == "bad_score"
    out = rate(hall.store, bad["token"], Given(1, reason="other", reason_text="材料清单与窗口要求不一致"))
    # Tuesday 2026-11-24 + 15 working days (no holiday in between in the 2026 calendar): Tuesday 12-15.
    assert out["level"] == "very_dissatisfied" and out["followup_due"] == "2026-12-15"
    (opened,) = events(hall, "followup.opened")
    assert opened.actor == {"kind": "system", "id": "server"}
    assert opened.data | {"followup": 0, "ticket": 0} == {
        "followup": 0, "ticket": 0, "number": bad["number"], "matter": 0, "service": "tax-general",
        "window": 26, "clerk": "clerk1", "level": "very_dissatisfied", "reason": "other", "due": "2026-12-15",
    }  # fmt: skip
    # The citizen's own words stay off the event stream, kept for the follow-up.
    assert "材料清单" not in str([e.data for e in events(hall, "rating.submitted")])
    (fu,) = ratings.followups(hall.store, "demo")
    assert fu["reason_text"] == "材料清单与窗口要求不一致" and fu["state"] == "open" and not fu["overdue"]


def test_the_follow_up_is_assigned_called_back_and_closed_or_it_raises_an_alert_when_overdue(hall):
    tk = served(hall)
    rate(hall.store, tk["token"], Given(2, reason="attitude"))
    manager = hall.person("manager1")
    (fu,) = ratings.followups(hall.store, "demo", open_only=True)
    assert refused(ratings.record, hall.store, "demo", fu["id"], manager, {}).code == "nothing_to_record"
    assert refused(ratings.record, hall.store, "demo", 999, manager, {"result": "x"}).code == "followup_not_found"
    assert ratings.record(hall.store, "demo", fu["id"], manager, {"assignee": "李科长"})["state"] == "open"

    # The day after its last day the follow-up is overdue: one alert, which the close clears.
    engine = AlertEngine(hall.store, Tracker())
    engine.check("demo")
    assert not [e for e in events(hall, "alert.raised") if e.data["kind"] == "followup_overdue"]
    hall.clock.at = hall.clock.at.replace(year=2026, month=12, day=16)
    engine.check("demo")
    engine.check("demo")
    (alert,) = [e for e in events(hall, "alert.raised") if e.data["kind"] == "followup_overdue"]
    assert alert.data["due"] == "2026-12-15" and alert.data["assignee"] == "李科长"
    assert ratings.followups(hall.store, "demo")[0]["overdue"]

    ratings.record(hall.store, "demo", fu["id"], manager, {"called_back": True})
    done = ratings.record(hall.store, "demo", fu["id"], manager, {"result": "已核实，窗口人员已批评教育"})
    assert done["state"] == "closed" and done["called_back"] and not done["overdue"]
    assert refused(ratings.record, hall.store, "demo", fu["id"], manager, {"result": "again"}).code == "followup_closed"
    assert ratings.followups(hall.store, "demo", open_only=True) == []
    engine.check("demo")
    cleared = [e for e in events(hall, "alert.cleared") if e.data["kind"] == "followup_overdue"]
    assert [c.data["alert"] for c in cleared] == [alert.seq]
    steps = events(hall, "followup.updated")
    assert [s.data["state"] for s in steps] == ["open", "open", "closed"]
    assert steps[-1].actor["id"] == "manager1" and steps[-1].data["result"] is True
    assert "批评教育" not in str([s.data for s in steps])  # the result's words stay off the stream

    # Reports count them: opened on the rating's day, closed (late) on the 16th.
    first = report_for(hall.store, "demo", "day", date(2026, 11, 24))["totals"]
    assert (first["followups_opened"], first["rating_dissatisfied"], first["satisfaction"]) == (1, 1, 0.0)
    later = report_for(hall.store, "demo", "day", date(2026, 12, 16))["totals"]
    assert (later["followups_closed"], later["followups_late"]) == (1, 1)


def test_the_window_pad_an_old_four_key_pad_and_the_old_ratings_keep_their_meaning(hall):
    a, b, c = served(hall), served(hall), served(hall)
    # The browser pad asks for a reason like the phone; the hardware pad has no reason keys.
    assert refused(rate_at_window, hall.store, "demo", a["number"], Given(1), PAD).code == "reason_required"
    out = rate_at_window(hall.store, "demo", a["number"], Given(1, scale="legacy4"), AGENT)
    assert (out["scale"], out["level"]) == ("legacy4", "dissatisfied")
    assert ratings.followups(hall.store, "demo")[0]["reason"] == "unstated"
    # On the old scale a 2 is 一般: neither 好评 nor 差评, no follow-up.
    assert rate_at_window(hall.store, "demo", b["number"], Given(2, scale="legacy4"), AGENT)["level"] == "average"
    assert len(ratings.followups(hall.store, "demo")) == 1
    rate_at_window(hall.store, "demo", c["number"], Given(3), PAD)
    # A rating stored before the five levels (the migration's default scale) reads as the old level.
    with hall.store.engine.begin() as conn:
        conn.execute(t.ratings.update().where(t.ratings.c.score == 3).values(scale="legacy4"))
    rows = {r["ticket"]: r for r in ratings.export(hall.store, "demo", date(2026, 11, 24), date(2026, 11, 24))}
    assert rows[c["number"]]["level_name"] == "基本满意"
    totals = report_for(hall.store, "demo", "day", date(2026, 11, 24))["totals"]
    assert (totals["rating_dissatisfied"], totals["rating_average"], totals["rating_basically_satisfied"]) == (1, 1, 1)


def test_the_case_number_at_finish_and_the_export_for_the_provincial_platform(hall):
    with_case, without = served(hall, case_no="SZ2026-0001"), served(hall)
    rate(hall.store, with_case["token"], Given(4))
    rate(hall.store, without["token"], Given(1, reason="other", reason_text="=HYPERLINK(1)"))
    rows = ratings.export(hall.store, "demo", date(2026, 11, 24), date(2026, 11, 24))
    assert [r["case_no"] for r in rows] == ["SZ2026-0001", None]
    assert rows[0] | {"rated_at": None} == {
        "case_no": "SZ2026-0001", "ticket": with_case["number"], "matter": 0, "service": "tax-general",
        "service_name": rows[0]["service_name"], "window": 26, "staff_no": "CLERK1", "scale": "national5",
        "score": 4, "level": "satisfied", "level_name": "满意", "reason": None, "reason_name": None,
        "reason_text": "", "rated_at": None,
    }  # fmt: skip
    assert rows[0]["rated_at"].startswith("2026-11-24T") and rows[0]["rated_at"].endswith("+08:00")
    assert ratings.export(hall.store, "demo", date(2026, 11, 25), date(2026, 11, 30)) == []
    assert refused(ratings.export, hall.store, "demo", date(2026, 11, 25), date(2026, 11, 24)).code == "bad_period"
    assert refused(ratings.export, hall.store, "demo", date(2024, 1, 1), date(2025, 1, 1)).code == "period_too_long"
    text = ratings_csv(rows, ratings.EXPORT_FIELDS).decode("utf-8")
    assert text.startswith("\ufeffcase_no,ticket,matter,") and "'=HYPERLINK(1)" in text
    with hall.store.engine.connect() as conn:
        assert conn.execute(select(t.ratings.c.reason_text).where(t.ratings.c.reason == "other")).scalar_one()

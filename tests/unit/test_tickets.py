"""The ticket state machine: every allowed transition, every refused one, and the rules
around them (recall limit, unresolved reasons, multi-matter tickets, transfer, no-show,
cancel, expire, ratings)."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta

import pytest

from queue_server.domain.errors import DomainError
from queue_server.domain.tickets import (
    ACTION_NAMES,
    FINAL_STATES,
    OPEN_STATES,
    STATE_NAMES,
    FinishResult,
    HoldEnd,
    Matter,
    State,
    Ticket,
)

T0 = datetime(2026, 3, 2, 9, 0, 0)
DAY = date(2026, 3, 2)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def make(*services: str, klass: str = "normal") -> Ticket:
    return Ticket(number="A001", day=DAY, matters=[Matter(s) for s in services], klass=klass, issued_at=T0)


# Drivers that bring a fresh ticket into each state through legal transitions only.
def to_waiting(t: Ticket) -> Ticket:
    return t


def to_called(t: Ticket) -> Ticket:
    t.call(window=3, clerk="clerk-3", now=at(1))
    return t


def to_serving(t: Ticket) -> Ticket:
    to_called(t).start(at(2))
    return t


def to_done(t: Ticket) -> Ticket:
    to_serving(t).finish(FinishResult.done, None, at(10))
    return t


def to_no_show(t: Ticket) -> Ticket:
    to_called(t).no_show(at(3))
    return t


def to_held(t: Ticket) -> Ticket:
    to_called(t).hold(at(3))
    return t


def to_cancelled(t: Ticket) -> Ticket:
    t.cancel()
    return t


def to_expired(t: Ticket) -> Ticket:
    t.expire()
    return t


DRIVERS = {
    State.waiting: to_waiting,
    State.called: to_called,
    State.serving: to_serving,
    State.done: to_done,
    State.no_show: to_no_show,
    State.held: to_held,
    State.cancelled: to_cancelled,
    State.expired: to_expired,
}

# Every action with the arguments it needs, written so that it succeeds whenever the state allows it
# (the no-show is re-activated one minute after it was marked, well inside the limit).
ACTIONS = {
    "call": lambda t: t.call(window=5, clerk=None, now=at(20)),
    "recall": lambda t: t.recall(max_recalls=2),
    "start": lambda t: t.start(at(21)),
    "finish": lambda t: t.finish(FinishResult.done, None, at(22)),
    "transfer": lambda t: t.transfer("other", at(22)),
    "no_show": lambda t: t.no_show(at(22)),
    "reactivate": lambda t: t.reactivate(at(4), limit_minutes=30, queued_at=at(4)),
    "cancel": lambda t: t.cancel(),
    "expire": lambda t: t.expire(),
    "hold": lambda t: t.hold(at(22)),
    "resume": lambda t: t.resume(window=3),
    "end_hold": lambda t: t.end_hold(HoldEnd.queue, at(30)),
    "raise_priority": lambda t: t.raise_priority("green"),
    "step_out": lambda t: t.step_out(at(20), 10),
    "come_back": lambda t: t.come_back(),
    "arrive": lambda t: t.arrive(),
}

# The state machine of the module docstring: which action is allowed from which state, and where it goes.
ALLOWED = {
    (State.waiting, "call"): State.called,
    (State.waiting, "step_out"): State.waiting,
    (State.waiting, "come_back"): State.waiting,
    (State.waiting, "arrive"): State.waiting,
    (State.waiting, "cancel"): State.cancelled,
    (State.waiting, "expire"): State.expired,
    (State.called, "recall"): State.called,
    (State.called, "start"): State.serving,
    (State.called, "finish"): State.done,
    (State.called, "transfer"): State.waiting,
    (State.called, "no_show"): State.no_show,
    (State.called, "expire"): State.expired,
    (State.serving, "finish"): State.done,
    (State.serving, "transfer"): State.waiting,
    (State.serving, "expire"): State.expired,
    (State.no_show, "reactivate"): State.waiting,
    (State.no_show, "cancel"): State.cancelled,
    (State.no_show, "expire"): State.expired,
    (State.waiting, "raise_priority"): State.waiting,
    (State.called, "hold"): State.held,
    (State.serving, "hold"): State.held,
    (State.held, "resume"): State.serving,
    (State.held, "end_hold"): State.waiting,
    (State.held, "expire"): State.expired,
}

ALL_PAIRS = [(s, a) for s in DRIVERS for a in ACTIONS]


def test_the_drivers_reach_the_state_they_are_named_for():
    for state, drive in DRIVERS.items():
        assert drive(make("svc")).state is state


@pytest.mark.parametrize("state,action", [p for p in ALL_PAIRS if p in ALLOWED], ids=lambda x: str(x))
def test_allowed_transition(state, action):
    t = DRIVERS[state](make("svc"))
    ACTIONS[action](t)
    assert t.state is ALLOWED[(state, action)]
    if t.is_open:
        # While the ticket is open its current matter tells the same story.
        assert t.matter.state is t.state


@pytest.mark.parametrize("state,action", [p for p in ALL_PAIRS if p not in ALLOWED], ids=lambda x: str(x))
def test_refused_transition(state, action):
    t = DRIVERS[state](make("svc"))
    before = copy.deepcopy(t)
    with pytest.raises(DomainError) as e:
        ACTIONS[action](t)
    err = e.value
    assert err.code == "invalid_transition"
    # Both languages name the ticket and the state it is in, so a clerk sees why.
    assert "A001" in err.message and STATE_NAMES[state] in err.message
    assert ACTION_NAMES[action] in err.message
    assert "A001" in err.message_en and state.value in err.message_en and action in err.message_en
    assert str(err) == err.message_en
    # A refusal writes nothing.
    assert t == before


def test_state_and_action_names_are_complete():
    assert set(STATE_NAMES) == set(State)
    assert set(ACTION_NAMES) == set(ACTIONS)
    assert OPEN_STATES.isdisjoint(FINAL_STATES)


# -- creation -------------------------------------------------------------------------------


def test_new_ticket_waits_in_its_first_service_and_the_rest_are_pending():
    t = make("a", "b", "c")
    assert t.state is State.waiting and t.current == 0 and t.service == "a"
    assert t.queued_at == T0 and t.matters[0].queued_at == T0
    assert [m.state for m in t.matters] == [State.waiting, State.pending, State.pending]
    assert t.services() == ["a", "b", "c"]
    assert t.is_open and not t.front


def test_a_ticket_without_matters_is_refused():
    with pytest.raises(ValueError):
        Ticket(number="A001", day=DAY, matters=[], klass="normal", issued_at=T0)


# -- call, recall, start ------------------------------------------------------------------------


def test_call_records_window_clerk_and_time():
    t = to_called(make("svc"))
    assert t.window == 3 and t.matter.window == 3 and t.matter.clerk == "clerk-3"
    assert t.matter.called_at == at(1) and t.recalls == 0


def test_recall_up_to_the_limit_then_refused():
    t = to_called(make("svc"))
    t.recall(max_recalls=2)
    t.recall(max_recalls=2)
    assert t.recalls == 2 and t.state is State.called
    with pytest.raises(DomainError) as e:
        t.recall(max_recalls=2)
    assert e.value.code == "recall_limit"
    assert "2" in e.value.message and "no-show" in e.value.message_en
    assert t.recalls == 2  # the refused recall is not counted
    t.no_show(at(5))  # what the message tells the clerk to do instead
    assert t.state is State.no_show


def test_recall_limit_zero_refuses_the_first_recall():
    t = to_called(make("svc"))
    with pytest.raises(DomainError) as e:
        t.recall(max_recalls=0)
    assert e.value.code == "recall_limit"


def test_a_new_call_resets_the_recall_count():
    t = to_called(make("svc"))
    t.recall(2)
    t.no_show(at(3))
    t.reactivate(at(4), 30, at(4))
    t.call(window=1, clerk=None, now=at(5))
    assert t.recalls == 0
    t.recall(2)
    t.recall(2)  # two fresh recalls are available again


def test_start_records_the_time():
    t = to_serving(make("svc"))
    assert t.matter.state is State.serving and t.matter.started_at == at(2)


# -- finish -------------------------------------------------------------------------------------


def test_finish_done_ends_a_single_matter_ticket():
    t = to_serving(make("svc"))
    assert t.finish(FinishResult.done, None, at(10)) is False
    assert t.state is State.done and not t.is_open and t.window is None
    m = t.matter
    assert m.state is State.done and m.finished_at == at(10) and m.reason is None


def test_finish_straight_from_called_counts_the_service_from_the_call():
    # A clerk who skips "start" still served the citizen from the call on: the service time is
    # call -> finish, not zero.
    t = to_called(make("svc"))
    t.finish(FinishResult.done, None, at(7))
    assert t.matter.started_at == at(1) and t.matter.finished_at == at(7)


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_unresolved_needs_a_reason(reason):
    t = to_serving(make("svc"))
    before = copy.deepcopy(t)
    with pytest.raises(DomainError) as e:
        t.finish(FinishResult.unresolved, reason, at(10))
    assert e.value.code == "reason_required"
    assert e.value.message and e.value.message_en
    assert t == before


def test_unresolved_with_reason_closes_the_ticket_and_keeps_the_trimmed_reason():
    t = to_serving(make("svc"))
    assert t.finish(FinishResult.unresolved, "  材料不全 ", at(10)) is False
    assert t.state is State.done  # the ticket is over, the matter says how it went
    assert t.matter.state is State.unresolved and t.matter.reason == "材料不全"


def test_a_reason_given_with_done_is_kept():
    t = to_serving(make("svc"))
    t.finish(FinishResult.done, " 当场办结 ", at(10))
    assert t.matter.reason == "当场办结"


# -- several matters ----------------------------------------------------------------------------


def test_next_matter_waits_at_the_front_with_the_same_number():
    t = make("a", "b", "c")
    to_serving(t)
    assert t.finish(FinishResult.done, None, at(10)) is True
    assert t.number == "A001" and t.current == 1 and t.service == "b"
    assert t.state is State.waiting and t.front is True
    assert t.queued_at == at(10) and t.matter.queued_at == at(10) and t.matter.state is State.waiting
    assert t.window is None and t.recalls == 0
    assert t.matters[0].state is State.done and t.matters[2].state is State.pending

    # Being called clears `front`: the next matter jumped the queue once, not for ever.
    t.call(window=7, clerk=None, now=at(11))
    assert t.front is False
    t.start(at(12))
    # An unresolved matter still moves the ticket on to the next one.
    assert t.finish(FinishResult.unresolved, "缺材料", at(15)) is True
    assert t.current == 2 and t.front and t.state is State.waiting

    t.call(window=7, clerk=None, now=at(16))
    t.start(at(17))
    assert t.finish(FinishResult.done, None, at(20)) is False
    assert t.state is State.done and t.current == 2
    assert [m.state for m in t.matters] == [State.done, State.unresolved, State.done]


# -- transfer -----------------------------------------------------------------------------------


@pytest.mark.parametrize("drive", [to_called, to_serving])
def test_transfer_inserts_a_matter_and_goes_to_the_front(drive):
    t = drive(make("a", "c"))
    t.transfer("b", at(8))
    assert t.services() == ["a", "b", "c"]
    assert t.number == "A001" and t.current == 1 and t.service == "b"
    assert t.state is State.waiting and t.front and t.queued_at == at(8)
    first = t.matters[0]
    assert first.state is State.transferred and first.finished_at == at(8)
    assert first.started_at is not None
    assert t.matters[2].state is State.pending  # the original next matter still follows


def test_transfer_keeps_the_start_time_when_service_had_started():
    t = to_serving(make("a"))
    t.transfer("b", at(8))
    assert t.matters[0].started_at == at(2)


def test_transfer_to_the_same_service_is_refused():
    t = to_serving(make("a"))
    before = copy.deepcopy(t)
    with pytest.raises(DomainError) as e:
        t.transfer("a", at(8))
    assert e.value.code == "same_service"
    assert t == before


def test_transferred_ticket_finishes_after_the_inserted_matter():
    t = to_serving(make("a"))
    t.transfer("b", at(8))
    t.call(window=2, clerk=None, now=at(9))
    assert t.finish(FinishResult.done, None, at(12)) is False
    assert t.state is State.done
    assert [m.state for m in t.matters] == [State.transferred, State.done]


# -- no-show and re-activation ------------------------------------------------------------------


def test_no_show_records_the_time():
    t = to_no_show(make("svc"))
    assert t.no_show_at == at(3) and t.matter.state is State.no_show and t.matter.finished_at == at(3)
    assert t.is_open  # it can still come back


@pytest.mark.parametrize("late_by", [0, 1, 29, 30])
def test_reactivate_within_the_limit(late_by):
    t = to_no_show(make("svc"))
    t.reactivate(at(3 + late_by), limit_minutes=30, queued_at=at(1))
    assert t.state is State.waiting and t.no_show_at is None and t.window is None
    assert t.queued_at == at(1)  # placed where the caller decided (behind N people)
    m = t.matter
    assert m.state is State.waiting and m.queued_at == at(1)
    assert m.window is None and m.clerk is None and m.called_at is None and m.finished_at is None


@pytest.mark.parametrize("late_by", [30.01, 31, 600])
def test_reactivate_after_the_limit_is_refused(late_by):
    t = to_no_show(make("svc"))
    before = copy.deepcopy(t)
    with pytest.raises(DomainError) as e:
        t.reactivate(at(3 + late_by), limit_minutes=30, queued_at=at(40))
    assert e.value.code == "reactivate_too_late"
    assert "30" in e.value.message and "30" in e.value.message_en
    assert t == before


# -- cancel and expire --------------------------------------------------------------------------


def test_cancel_closes_the_remaining_matters_but_not_the_finished_ones():
    t = make("a", "b", "c")
    to_serving(t).finish(FinishResult.done, None, at(5))
    t.cancel()
    assert t.state is State.cancelled and not t.is_open
    assert [m.state for m in t.matters] == [State.done, State.cancelled, State.cancelled]


def test_cancel_after_no_show_keeps_the_no_show_on_the_matter():
    t = to_no_show(make("a", "b"))
    t.cancel()
    assert t.state is State.cancelled
    assert [m.state for m in t.matters] == [State.no_show, State.cancelled]


@pytest.mark.parametrize("drive", [to_waiting, to_called, to_serving, to_no_show])
def test_expire_closes_every_open_state(drive):
    t = drive(make("a", "b"))
    t.expire()
    assert t.state is State.expired and t.window is None and not t.is_open
    assert t.matters[1].state is State.expired
    assert t.matter.state in (State.expired, State.no_show)


# -- ratings ------------------------------------------------------------------------------------


def finished_two_matters() -> Ticket:
    t = make("a", "b")
    to_serving(t).finish(FinishResult.done, None, at(5))
    t.call(1, None, at(6))
    t.finish(FinishResult.unresolved, "缺件", at(8))
    return t


def test_rating_without_index_rates_the_latest_unrated_matter():
    t = finished_two_matters()
    assert t.rate(4, None) == 1
    assert t.rate(3, None) == 0
    assert [m.rating for m in t.matters] == [3, 4]
    with pytest.raises(DomainError) as e:
        t.rate(4, None)
    assert e.value.code == "nothing_to_rate"


def test_one_rating_per_matter():
    t = finished_two_matters()
    assert t.rate(2, 0) == 0
    with pytest.raises(DomainError) as e:
        t.rate(4, 0)
    assert e.value.code == "already_rated" and t.matters[0].rating == 2


def test_nothing_to_rate_before_anything_is_finished():
    for drive in (to_waiting, to_called, to_serving, to_no_show):
        t = drive(make("a"))
        with pytest.raises(DomainError) as e:
            t.rate(4, None)
        assert e.value.code == "nothing_to_rate"


def test_transferred_matter_cannot_be_rated_but_the_next_one_can():
    t = to_serving(make("a"))
    t.transfer("b", at(5))
    with pytest.raises(DomainError) as e:
        t.rate(4, 0)
    assert e.value.code == "nothing_to_rate"
    t.call(2, None, at(6))
    t.finish(FinishResult.done, None, at(7))
    assert t.rate(4, None) == 1


@pytest.mark.parametrize("index", [1, 5, -1])
def test_rating_a_matter_that_is_not_finished_or_does_not_exist(index):
    t = make("a", "b")
    to_serving(t).finish(FinishResult.done, None, at(5))
    with pytest.raises(DomainError) as e:
        t.rate(3, index)
    assert e.value.code == "nothing_to_rate"
    assert all(m.rating is None for m in t.matters)


@pytest.mark.parametrize("score", [1, 2, 3, 4])
def test_every_score_on_the_scale_is_accepted(score):
    t = to_done(make("a"))
    assert t.rate(score, None) == 0 and t.matter.rating == score


# -- Matter serialisation -----------------------------------------------------------------------


def test_matter_round_trip_with_every_field_set():
    m = Matter(
        service="svc",
        state=State.unresolved,
        window=4,
        clerk="王*",
        called_at=at(1),
        started_at=at(2),
        finished_at=at(9),
        reason="缺件",
        rating=3,
        queued_at=T0,
    )
    d = m.to_dict()
    assert d["called_at"] == at(1).isoformat() and d["state"] == "unresolved"
    back = Matter.from_dict(d)
    assert back == m and type(back.state) is State


def test_matter_round_trip_with_defaults_and_aware_times():
    from datetime import timezone

    aware = datetime(2026, 3, 2, 1, 0, tzinfo=timezone(timedelta(hours=8)))
    for m in (Matter("svc"), Matter("svc", state=State.waiting, queued_at=aware)):
        assert Matter.from_dict(m.to_dict()) == m


def test_round_trip_of_every_matter_of_a_worked_ticket():
    t = finished_two_matters()
    t.rate(4, 0)
    assert [Matter.from_dict(m.to_dict()) for m in t.matters] == t.matters


# -- hold (挂起) ------------------------------------------------------------------------------------
def test_a_held_ticket_comes_back_to_its_own_window_only():
    t = to_held(make("svc"))
    assert t.window == 3 and t.matter.held_at == at(3) and t.matter.started_at is not None
    assert not t.hold_due(15, at(18)) and t.hold_due(15, at(18.5))
    with pytest.raises(DomainError) as err:
        t.resume(window=6)
    assert err.value.code == "held_elsewhere"
    t.resume(window=3)
    assert (t.state, t.matter.state, t.window, t.matter.held_at) == (State.serving, State.serving, 3, None)


@pytest.mark.parametrize(
    "end,state,window,front",
    [(HoldEnd.queue, State.waiting, None, True), (HoldEnd.no_show, State.no_show, 3, False)],
)
def test_a_hold_past_its_limit_ends_as_the_hall_says(end, state, window, front):
    t = to_held(make("svc"))
    t.end_hold(end, at(20))
    assert (t.state, t.matter.state, t.window, t.front) == (state, state, window, front)
    if end is HoldEnd.no_show:
        t.reactivate(at(25), limit_minutes=30, queued_at=at(25))  # a missed call like any other
        assert t.state is State.waiting


def test_a_transfer_to_a_window_waits_for_that_window():
    t = to_serving(make("svc"))
    with pytest.raises(DomainError) as err:
        t.transfer("svc", at(4), window=3)
    assert err.value.code == "same_window"
    t.transfer("svc", at(4), window=7)  # the same service, at a colleague's window
    assert (t.state, t.front, t.window, t.service) == (State.waiting, True, 7, "svc")
    assert [m.state for m in t.matters] == [State.transferred, State.waiting]

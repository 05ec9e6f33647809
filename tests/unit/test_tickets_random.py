"""Random action sequences against one ticket: whatever a clerk, a kiosk or the day boundary
throws at it, the ticket stays a consistent record."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta

from hypothesis import given, settings, strategies as st

from queue_server.domain.errors import DomainError
from queue_server.domain.tickets import FINAL_STATES, OPEN_STATES, FinishResult, Matter, State, Ticket

T0 = datetime(2026, 3, 2, 9, 0, 0)
SERVICES = ["a", "b", "c"]

# One action as data: (name, argument). Times come from a clock the sequence advances, so
# re-activation is sometimes inside and sometimes past its limit.
action = st.one_of(
    st.tuples(st.just("call"), st.integers(1, 4)),
    st.tuples(st.just("recall"), st.integers(0, 3)),
    st.tuples(st.just("start"), st.none()),
    st.tuples(st.just("finish_done"), st.none()),
    st.tuples(st.just("finish_unresolved"), st.sampled_from([None, "", "缺件"])),
    st.tuples(st.just("transfer"), st.sampled_from(SERVICES)),
    st.tuples(st.just("no_show"), st.none()),
    st.tuples(st.just("reactivate"), st.integers(0, 60)),
    st.tuples(st.just("cancel"), st.none()),
    st.tuples(st.just("expire"), st.none()),
    st.tuples(st.just("rate"), st.tuples(st.integers(1, 5), st.one_of(st.none(), st.integers(-1, 5)))),
    st.tuples(st.just("wait"), st.integers(1, 40)),
)


def apply(t: Ticket, name: str, arg, now: datetime) -> None:
    if name == "call":
        t.call(window=arg, clerk=f"c{arg}", now=now)
    elif name == "recall":
        t.recall(max_recalls=arg)
    elif name == "start":
        t.start(now)
    elif name == "finish_done":
        t.finish(FinishResult.done, None, now)
    elif name == "finish_unresolved":
        t.finish(FinishResult.unresolved, arg, now)
    elif name == "transfer":
        t.transfer(arg, now)
    elif name == "no_show":
        t.no_show(now)
    elif name == "reactivate":
        t.reactivate(now, limit_minutes=arg, queued_at=now - timedelta(minutes=1))
    elif name == "cancel":
        t.cancel()
    elif name == "expire":
        t.expire()
    elif name == "rate":
        score, index = arg
        t.rate(score, index)


def check_invariants(t: Ticket) -> None:
    assert isinstance(t.state, State)
    assert t.state is not State.pending and t.state not in (State.unresolved, State.transferred)
    assert 0 <= t.current < len(t.matters)
    assert all(isinstance(m.state, State) for m in t.matters)
    # Matters already left behind are settled: never pending, waiting, called or serving again.
    for m in t.matters[: t.current]:
        assert m.state not in (State.pending, State.waiting, State.called, State.serving)
    # Matters not reached yet are pending, or closed along with the ticket.
    for m in t.matters[t.current + 1 :]:
        assert m.state in (State.pending, State.cancelled, State.expired)
        assert m.rating is None
    if t.is_open:
        assert t.matter.state is t.state
    # Only a ticket at a window has a window; a no-show still names the window that gave up on it.
    if t.state in (State.waiting,) or t.state in FINAL_STATES:
        assert t.window is None
    elif t.state in (State.called, State.serving):
        assert t.window is not None and t.matter.window == t.window
    # `front` is earned only by moving on from a matter.
    if t.front:
        assert t.current > 0
    # The no-show time is what the re-activation limit runs from; a closed ticket keeps it as history.
    if t.state is State.no_show:
        assert t.no_show_at is not None
    elif t.state in (State.waiting, State.called, State.serving):
        assert t.no_show_at is None
    # Ratings live only on matters that were finished, on the 1..4 scale.
    for m in t.matters:
        if m.rating is not None:
            assert m.state in (State.done, State.unresolved)
            assert m.rating in (1, 2, 3, 4, 5)  # scores are checked on their scale before (domain.rating)
    if t.state is State.done:
        assert t.current == len(t.matters) - 1
        assert t.matter.state in (State.done, State.unresolved)


@settings(max_examples=400, deadline=None)
@given(
    services=st.lists(st.sampled_from(SERVICES), min_size=1, max_size=3),
    actions=st.lists(action, max_size=40),
)
def test_random_action_sequences_keep_the_ticket_consistent(services, actions):
    t = Ticket(number="B042", day=date(2026, 3, 2), matters=[Matter(s) for s in services], klass="normal", issued_at=T0)
    now = T0
    check_invariants(t)
    for name, arg in actions:
        if name == "wait":
            now += timedelta(minutes=arg)
            continue
        before = copy.deepcopy(t)
        try:
            apply(t, name, arg, now)
        except DomainError as e:
            # Refused: nothing written, and the refusal says why in both languages.
            assert t == before
            assert e.code and e.message and e.message_en
            continue
        check_invariants(t)
        assert t.number == before.number
        assert t.current >= before.current
        assert len(t.matters) >= len(before.matters)
        # A closed ticket stays closed; the only way back into the queue is no_show -> waiting.
        if before.state in FINAL_STATES:
            assert t.state is before.state
        if before.state not in (State.waiting,) and t.state is State.waiting:
            assert before.state is State.no_show or t.current == before.current + 1
        if before.state is State.no_show and t.state is State.waiting:
            assert name == "reactivate"
        # The matters before the current one are history and never change, except for a rating.
        for old, new in zip(before.matters[: before.current], t.matters[: before.current]):
            assert old.state == new.state and old.finished_at == new.finished_at
        now += timedelta(seconds=30)
    check_invariants(t)


@settings(max_examples=100, deadline=None)
@given(actions=st.lists(action, max_size=40))
def test_open_and_closed_states_partition_the_ticket_states(actions):
    # Whatever happens, a ticket is either open (in a queue or at a window) or in a final state.
    t = Ticket(number="B001", day=date(2026, 3, 2), matters=[Matter("a"), Matter("b")], klass="normal", issued_at=T0)
    now = T0
    for name, arg in actions:
        if name == "wait":
            now += timedelta(minutes=arg)
            continue
        try:
            apply(t, name, arg, now)
        except DomainError:
            pass
        assert (t.state in OPEN_STATES) != (t.state in FINAL_STATES)
        assert t.is_open == (t.state in OPEN_STATES)
        now += timedelta(seconds=30)

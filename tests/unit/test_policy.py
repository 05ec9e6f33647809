"""The calling policy: exact scores on fixed examples, and the properties the design promises
(no double call, FIFO within a class, determinism, bounded overtaking, fronts first,
appointments only inside their slot, window weights, the priority streak)."""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings, strategies as st

from queue_server.domain.hall import APPOINTMENT, NORMAL
from queue_server.domain.policy import (
    Candidate,
    Choice,
    Rules,
    choose,
    effective_class,
    order_key,
    queue_order,
    score,
    shortlist,
)

T0 = datetime(2026, 3, 2, 9, 0, 0)
MIN = 60.0
RULES = Rules(
    boosts={"green": 60 * MIN, "priority": 30 * MIN, "agent": 5 * MIN, APPOINTMENT: 45 * MIN}, priority_ratio=3
)
CLASSES = [NORMAL, "green", "priority", "agent", APPOINTMENT]


def s(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def cand(
    id: int,
    service: str = "a",
    klass: str = NORMAL,
    queued: float = 0,
    front: bool = False,
    slot: tuple[float, float] | None = None,
) -> Candidate:
    return Candidate(
        id=id,
        service=service,
        klass=klass,
        queued_at=s(queued),
        front=front,
        slot=(s(slot[0]), s(slot[1])) if slot else None,
    )


# -- exact scores -------------------------------------------------------------------------------


def test_score_is_waited_seconds_times_weight_plus_boost():
    now = s(600)
    assert score(cand(1, queued=0), 1.0, RULES, now) == 600.0
    assert score(cand(1, queued=0), 2.0, RULES, now) == 1200.0
    assert score(cand(1, queued=0), 0.5, RULES, now) == 300.0
    assert score(cand(1, klass="priority", queued=300), 1.0, RULES, now) == 300.0 + 1800.0
    assert score(cand(1, klass="green", queued=500), 2.0, RULES, now) == 200.0 + 3600.0
    # A class the rules do not know earns no boost (it is treated as waiting time alone).
    assert score(cand(1, klass="unknown", queued=0), 1.0, RULES, now) == 600.0


def test_appointment_score_inside_and_outside_the_slot():
    c = cand(1, klass=APPOINTMENT, queued=0, slot=(1000, 2800))
    assert score(c, 1.0, RULES, s(999)) == 999.0
    assert score(c, 1.0, RULES, s(1000)) == 1000.0 + 2700.0
    assert score(c, 1.0, RULES, s(2800)) == 2800.0 + 2700.0
    assert score(c, 1.0, RULES, s(2801)) == 2801.0
    # An appointment ticket without a slot never earns the boost.
    assert score(cand(2, klass=APPOINTMENT), 1.0, RULES, s(100)) == 100.0


def test_a_priority_ticket_counts_as_if_it_had_waited_its_boost_longer():
    normal = cand(1, queued=0)
    prio = cand(2, klass="priority", queued=1000)
    # 29 minutes after the priority ticket arrived: normal 2740 s vs priority 1740 + 1800 = 3540 s.
    assert choose([normal, prio], {"a": 1}, RULES, s(2740)).ticket == prio
    # The normal ticket's lead grows with time only if it arrived more than the boost earlier.
    early = cand(3, queued=-1801)
    assert choose([early, prio], {"a": 1}, RULES, s(2740)).ticket == early


def test_ties_fall_to_issue_order():
    a, b = cand(7, queued=10), cand(3, queued=10)
    assert choose([a, b], {"a": 1}, RULES, s(100)).ticket == b
    # Equal scores from different arrival times and boosts: still the smaller id.
    p = cand(9, klass="agent", queued=300)  # at now=300: waited 0 + boost 300
    n = cand(4, queued=0)  # waited 300, no boost
    assert score(p, 1.0, RULES, s(300)) == score(n, 1.0, RULES, s(300))
    assert choose([p, n], {"a": 1}, RULES, s(300)).ticket == n


def test_no_candidate_for_this_window():
    assert choose([], {"a": 1}, RULES, s(0)) is None
    assert choose([cand(1, service="b")], {"a": 1}, RULES, s(0)) is None


# -- (g) window weights -------------------------------------------------------------------------


def test_weight_two_prefers_that_services_tickets_as_the_formula_says():
    a = cand(1, service="a", queued=400)  # waited 600 s at now=1000 -> 1200 with weight 2
    b = cand(2, service="b", queued=0)  # waited 1000 s -> 1000 with weight 1
    assert choose([a, b], {"a": 2, "b": 1}, RULES, s(1000)).ticket == a
    # The same tickets at a window weighting both alike go in arrival order.
    assert choose([a, b], {"a": 1, "b": 1}, RULES, s(1000)).ticket == b
    # Break-even: the b ticket wins once its wait beats twice a's wait (b waited 1201 vs 2 x 600).
    b_older = cand(3, service="b", queued=-201)
    assert choose([a, b_older], {"a": 2, "b": 1}, RULES, s(1000)).ticket == b_older
    b_equal = cand(4, service="b", queued=-200)  # 1200 vs 1200: tie -> issue order, a has id 1
    assert choose([a, b_equal], {"a": 2, "b": 1}, RULES, s(1000)).ticket == a


def test_weight_multiplies_the_wait_not_the_boost():
    # a: weight 2, normal, waited 1000 -> 2000. b: weight 1, priority, waited 100 -> 100 + 1800 = 1900.
    a = cand(1, service="a", queued=0)
    b = cand(2, service="b", klass="priority", queued=900)
    assert choose([a, b], {"a": 2, "b": 1}, RULES, s(1000)).ticket == a
    # With weight 1 on a, the priority ticket wins: 1000 < 1900.
    assert choose([a, b], {"a": 1, "b": 1}, RULES, s(1000)).ticket == b


def test_a_window_calls_only_its_services():
    mine = cand(5, service="a", queued=500)
    other = cand(1, service="z", klass="green", queued=0, front=True)
    assert choose([other, mine], {"a": 1}, RULES, s(1000)).ticket == mine


# -- (e) fronts first ---------------------------------------------------------------------------


def test_front_tickets_go_first_in_the_order_they_got_there():
    green = cand(1, klass="green", queued=0)
    f_late = cand(2, queued=900, front=True)
    f_early = cand(3, queued=800, front=True)
    ch = choose([green, f_late, f_early], {"a": 1}, RULES, s(1000), priority_streak=2)
    assert ch.ticket == f_early and ch.priority_streak == 2
    order = queue_order([green, f_late, f_early], RULES, s(1000))
    assert order == [f_early, f_late, green]


def test_a_front_ticket_of_another_service_does_not_count():
    f_other = cand(1, service="b", queued=0, front=True)
    n = cand(2, service="a", queued=10)
    assert choose([f_other, n], {"a": 1}, RULES, s(100)).ticket == n


# -- (f) appointments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "now,expected",
    [(1799, "normal"), (1800, "appt"), (2500, "appt"), (3600, "appt"), (3601, "normal")],
)
def test_an_appointment_jumps_only_inside_its_slot_window(now, expected):
    normal = cand(1, queued=0)
    appt = cand(2, klass=APPOINTMENT, queued=1000, slot=(1800, 3600))
    got = choose([normal, appt], {"a": 1}, RULES, s(now))
    assert got.ticket == (appt if expected == "appt" else normal)
    # Outside its slot it is not a priority call either: the streak resets.
    assert got.priority_streak == (1 if expected == "appt" else 0)


def test_an_appointment_outside_its_slot_is_not_protected_by_the_ratio():
    # Ratio reached: only normals may be called, and an early appointment counts as a normal.
    appt = cand(1, klass=APPOINTMENT, queued=0, slot=(5000, 6000))
    prio = cand(2, klass="priority", queued=0)
    ch = choose([appt, prio], {"a": 1}, RULES, s(100), priority_streak=3)
    assert ch.ticket == appt and ch.priority_streak == 0


@settings(max_examples=200, deadline=None)
@given(
    start=st.integers(-5000, 5000), length=st.integers(0, 5000), now=st.integers(-10000, 10000), has_slot=st.booleans()
)
def test_appointment_class_is_effective_exactly_inside_the_slot(start, length, now, has_slot):
    slot = (start, start + length) if has_slot else None
    c = cand(1, klass=APPOINTMENT, queued=-20000, slot=slot)
    inside = has_slot and start <= now <= start + length
    assert effective_class(c, s(now)) == (APPOINTMENT if inside else NORMAL)
    boost = RULES.boosts[APPOINTMENT] if inside else 0.0
    assert score(c, 1.0, RULES, s(now)) == (now + 20000) + boost
    # Other classes do not depend on a slot at all.
    assert effective_class(cand(2, klass="priority", slot=slot), s(now)) == "priority"


# -- (h) the priority streak --------------------------------------------------------------------


def test_ratio_caps_priority_calls_while_a_normal_waits():
    normal = cand(1, queued=0)
    prios = [cand(10 + i, klass="green", queued=i) for i in range(10)]
    now = s(100)
    streak, called = 0, []
    pool = [normal] + prios
    for _ in range(4):
        ch = choose(pool, {"a": 1}, RULES, now, streak)
        pool.remove(ch.ticket)
        called.append(ch.ticket.klass)
        streak = ch.priority_streak
    assert called == ["green", "green", "green", NORMAL] and streak == 0


def test_streak_keeps_growing_when_no_normal_waits():
    prios = [cand(i, klass="priority", queued=i) for i in range(6)]
    ch = choose(prios, {"a": 1}, RULES, s(100), priority_streak=5)
    assert ch.ticket == prios[0] and ch.priority_streak == 6


def test_ratio_zero_always_prefers_normals():
    rules = Rules(boosts=RULES.boosts, priority_ratio=0)
    n, p = cand(2, queued=50), cand(1, klass="green", queued=0)
    ch = choose([n, p], {"a": 1}, rules, s(100))
    assert ch.ticket == n and ch.priority_streak == 0
    assert choose([p], {"a": 1}, rules, s(100)).ticket == p


# -- generators ---------------------------------------------------------------------------------


def _build(rows) -> list[Candidate]:
    out = []
    for i, (svc, klass, queued, front, slot) in enumerate(rows, start=1):
        span = (slot[0], slot[0] + slot[1]) if slot else None
        out.append(cand(i, svc, klass, queued, front, span))
    return out


def candidate_lists(services=("a", "b", "c"), max_size=25):
    """Candidates with distinct ids (issue order = list order); times in whole seconds after T0."""
    row = st.tuples(
        st.sampled_from(services),
        st.sampled_from(CLASSES),
        st.integers(0, 3600),  # queued at
        st.integers(0, 9).map(lambda x: x == 0),  # front: rare, as in a real hall
        st.one_of(st.none(), st.tuples(st.integers(0, 4000), st.integers(0, 3600))),  # slot start, length
    )
    return st.lists(row, max_size=max_size).map(_build)


weights_st = st.dictionaries(st.sampled_from(["a", "b", "c"]), st.sampled_from([0.5, 1.0, 2.0, 3.0]), min_size=1)
rules_st = st.builds(
    Rules,
    boosts=st.fixed_dictionaries({k: st.sampled_from([0.0, 300.0, 1800.0, 3600.0]) for k in CLASSES[1:]}),
    priority_ratio=st.integers(0, 4),
)


# -- (c) determinism ----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    cands=candidate_lists(),
    weights=weights_st,
    rules=rules_st,
    now=st.integers(3600, 8000),
    streak=st.integers(0, 6),
    seed=st.integers(0, 2**32 - 1),
)
def test_choice_is_deterministic_and_ignores_candidate_order(cands, weights, rules, now, streak, seed):
    first = choose(cands, weights, rules, s(now), streak)
    assert choose(list(cands), weights, rules, s(now), streak) == first
    shuffled = list(cands)
    random.Random(seed).shuffle(shuffled)
    assert choose(shuffled, weights, rules, s(now), streak) == first
    assert queue_order(shuffled, rules, s(now)) == queue_order(cands, rules, s(now))
    # And the choice is one of this window's candidates, or None only when it has none.
    mine = [c for c in cands if c.service in weights]
    assert (first is None) == (not mine)
    if first is not None:
        assert first.ticket in mine


# -- (e) and (h) as properties ------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    cands=candidate_lists(), weights=weights_st, rules=rules_st, now=st.integers(3600, 8000), streak=st.integers(0, 6)
)
def test_fronts_first_and_the_streak_follows_the_rules(cands, weights, rules, now, streak):
    ch = choose(cands, weights, rules, s(now), streak)
    mine = [c for c in cands if c.service in weights]
    if not mine:
        return
    fronts = [c for c in mine if c.front]
    t = ch.ticket
    if fronts:
        # The earliest front ticket, and a front call leaves the streak alone.
        assert t == min(fronts, key=lambda c: (c.queued_at, c.id))
        assert ch.priority_streak == streak
        return
    normal_waits = any(effective_class(c, s(now)) == NORMAL for c in mine)
    if effective_class(t, s(now)) == NORMAL:
        assert ch.priority_streak == 0
    else:
        assert ch.priority_streak == streak + 1
        # A priority call while a normal waits happens only below the ratio.
        if normal_waits:
            assert streak < rules.priority_ratio
    # Within the pool the policy allowed, nobody scores higher than the one chosen.
    pool = mine
    if normal_waits and streak >= rules.priority_ratio:
        pool = [c for c in mine if effective_class(c, s(now)) == NORMAL]
    assert t in pool
    best = score(t, weights[t.service], rules, s(now))
    for c in pool:
        other = score(c, weights[c.service], rules, s(now))
        assert other < best or (other == best and c.id >= t.id)


@settings(max_examples=200, deadline=None)
@given(cands=candidate_lists(services=("a",)), rules=rules_st, now=st.integers(3600, 8000))
def test_queue_order_head_is_what_a_fresh_window_calls(cands, rules, now):
    order = queue_order(cands, rules, s(now))
    assert sorted(c.id for c in order) == sorted(c.id for c in cands)
    # Fronts lead the displayed queue.
    n_front = sum(c.front for c in cands)
    assert all(c.front for c in order[:n_front])
    if cands and rules.priority_ratio > 0:
        assert choose(cands, {"a": 1.0}, rules, s(now), 0).ticket == order[0]
    assert order == sorted(cands, key=lambda c: order_key(c, 1.0, rules, s(now)))


# -- (a) and (b): a simulated hall --------------------------------------------------------------

WINDOWS = [
    {"a": 1.0},
    {"a": 2.0, "b": 1.0},
    {"b": 1.0, "c": 3.0},
    {"c": 0.5},
]

event = st.one_of(
    # Arrivals: service, class, and a short pause before the next event.
    st.tuples(st.just("arrive"), st.sampled_from(["a", "b", "c"]), st.sampled_from(CLASSES), st.integers(0, 90)),
    st.tuples(st.just("call"), st.integers(0, len(WINDOWS) - 1), st.none(), st.integers(0, 90)),
)


@settings(max_examples=200, deadline=None)
@given(events=st.lists(event, max_size=80), rules=rules_st)
def test_simulated_hall_calls_each_ticket_once_and_fifo_within_class_and_service(events, rules):
    waiting: list[Candidate] = []
    streaks = [0] * len(WINDOWS)
    called: list[Candidate] = []
    now = 0
    next_id = 1

    def call(w: int) -> Candidate | None:
        ch: Choice | None = choose(waiting, WINDOWS[w], rules, s(now), streaks[w])
        if ch is None:
            assert not any(c.service in WINDOWS[w] for c in waiting)
            return None
        assert ch.ticket in waiting and ch.ticket.service in WINDOWS[w]
        waiting.remove(ch.ticket)
        streaks[w] = ch.priority_streak
        called.append(ch.ticket)
        return ch.ticket

    for kind, x, klass, pause in events:
        if kind == "arrive":
            # Appointments arrive with a slot around now, so some are boosted and some not.
            slot = (s(now - 600), s(now + 1200)) if klass == APPOINTMENT and next_id % 2 else None
            waiting.append(Candidate(id=next_id, service=x, klass=klass, queued_at=s(now), slot=slot))
            next_id += 1
        else:
            call(x)
        now += pause
    # Drain: every window calls until none has anyone left.
    while any(call(w) for w in range(len(WINDOWS))):
        now += 30

    # (a) nobody is called twice, and everyone issued is called once.
    ids = [c.id for c in called]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == list(range(1, next_id)) and not waiting
    # (b) among tickets of one class and one service (appointments aside, whose boost depends on
    # their slot), calls follow issue order.
    for svc in "abc":
        for klass in CLASSES:
            if klass == APPOINTMENT:
                continue
            seq = [c.id for c in called if c.service == svc and c.klass == klass]
            assert seq == sorted(seq), (svc, klass, seq)


# -- (d) fairness -------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    k=st.integers(0, 5),
    normals_ahead=st.integers(0, 6),
    prios_before=st.integers(0, 10),
    per_step=st.integers(1, 3),
    start_streak=st.integers(0, 7),
    boost=st.sampled_from([600.0, 3600.0, 10**6]),
    normals_behind=st.booleans(),
)
def test_a_normal_ticket_is_called_within_the_bound_however_many_priority_tickets_arrive(
    k, normals_ahead, prios_before, per_step, start_streak, boost, normals_behind
):
    rules = Rules(boosts={"green": boost}, priority_ratio=k)
    weights = {"a": 1.0}
    ids = iter(range(1, 10**6))
    # The queue when the target arrives: some normals ahead of it and some priority tickets.
    waiting = [Candidate(next(ids), "a", NORMAL, s(i)) for i in range(normals_ahead)]
    waiting += [Candidate(next(ids), "a", "green", s(i)) for i in range(prios_before)]
    target = Candidate(next(ids), "a", NORMAL, s(normals_ahead))
    waiting.append(target)
    bound = (normals_ahead + 1) * (k + 1)
    streak, now = start_streak, normals_ahead + 1
    for _ in range(bound):
        # Adversary: before every call, fresh priority tickets (and maybe later normals) arrive.
        for _ in range(per_step):
            waiting.append(Candidate(next(ids), "a", "green", s(now)))
        if normals_behind:
            waiting.append(Candidate(next(ids), "a", NORMAL, s(now)))
        ch = choose(waiting, weights, rules, s(now), streak)
        waiting.remove(ch.ticket)
        streak = ch.priority_streak
        if ch.ticket == target:
            break
        now += 1
    else:
        pytest.fail(f"normal ticket not called within {bound} calls")


def test_fairness_bound_is_tight_for_the_adversarial_stream():
    # K=3, one normal ahead: P P P N1 P P P N(target) -> exactly (1+1)*(3+1) = 8 calls.
    rules = Rules(boosts={"green": 10**6}, priority_ratio=3)
    waiting = [Candidate(1, "a", NORMAL, s(0)), Candidate(2, "a", NORMAL, s(1))]
    streak, ids, seen = 0, iter(range(100, 1000)), []
    for now in range(2, 20):
        waiting.append(Candidate(next(ids), "a", "green", s(now)))
        ch = choose(waiting, {"a": 1.0}, rules, s(now), streak)
        waiting.remove(ch.ticket)
        streak = ch.priority_streak
        seen.append(ch.ticket.klass)
        if ch.ticket.id == 2:
            break
    assert seen == ["green"] * 3 + [NORMAL] + ["green"] * 3 + [NORMAL]


# -- away from the queue: not arrived (线上取号), stepped out (暂离) --------------------------------


@settings(max_examples=300, deadline=None)
@given(
    cands=candidate_lists(),
    away=st.lists(st.sampled_from([None, None, "remote", "out-past", "out-later"]), min_size=25, max_size=25),
    weights=weights_st,
    rules=rules_st,
    now=st.integers(3600, 8000),
    streak=st.integers(0, 6),
)
def test_away_tickets_keep_their_place_and_are_passed_over(cands, away, weights, rules, now, streak):
    def mark(c: Candidate, how: str | None) -> Candidate:
        if how == "remote":
            return dataclasses.replace(c, arrived=False)
        if how is not None:
            return dataclasses.replace(c, back_at=s(now - 1 if how == "out-past" else now + 60))
        return c

    marked = [mark(c, how) for c, how in zip(cands, away, strict=False)]
    callable_now = [c for c in marked if c.callable_at(s(now))]
    ch = choose(marked, weights, rules, s(now), streak)
    # The same as if the away ones were not there; a ticket back from stepping out counts again.
    assert ch == choose(callable_now, weights, rules, s(now), streak)
    assert ch is None or ch.ticket.callable_at(s(now))
    assert choose(shortlist(marked, s(now)), weights, rules, s(now), streak) == ch
    # Their place is kept: the citizens' view of the queue still holds them, in the same order.
    assert [c.id for c in queue_order(marked, rules, s(now))] == [c.id for c in queue_order(cands, rules, s(now))]


def test_a_stepped_out_ticket_is_called_again_once_its_time_is_up():
    back = cand(1, queued=0)
    back = dataclasses.replace(back, back_at=s(600))
    later = cand(2, queued=100)
    assert choose([back, later], {"a": 1.0}, RULES, s(599)).ticket.id == 2
    assert choose([back, later], {"a": 1.0}, RULES, s(600)).ticket.id == 1
    remote = dataclasses.replace(cand(3, queued=0), arrived=False)
    assert choose([remote], {"a": 1.0}, RULES, s(10_000)) is None

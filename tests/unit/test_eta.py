"""Estimated wait, its range, and the moving mean and variance of call times."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings, strategies as st

from queue_server.domain.eta import (
    EWMA_ALPHA,
    JOIN_SPAN,
    CallTime,
    Estimate,
    OpenWindow,
    Overtaking,
    Snapshot,
    back_in,
    estimate_wait,
    first_call,
    overtaking,
    update_call_time,
)

EXP = CallTime.prior(600.0)  # mean 600 s with an exponential's spread (cv 1)


def one_service(n: int, idle: int = 0, weights: dict | None = None) -> list[OpenWindow]:
    return [OpenWindow(weights or {"s": 1.0}, i < idle) for i in range(n)]


def wait(ahead: int, windows: list[OpenWindow], times: dict | None = None, waiting: dict | None = None, **kw):
    return estimate_wait("s", ahead, windows, times or {"s": EXP}, waiting or {}, **kw)


# -- when there is nothing to estimate ------------------------------------------------------------


def test_no_window_serving_the_service_means_no_estimate():
    assert wait(5, []) is None
    assert wait(0, [OpenWindow({"other": 1.0}, True)], {"s": EXP, "other": EXP}) is None


def test_an_idle_window_calls_the_first_people_at_once():
    assert wait(0, one_service(1, idle=1)) == Estimate(0, 0, 0)
    assert wait(2, one_service(3, idle=3)) == Estimate(0, 0, 0)
    assert wait(3, one_service(3, idle=3)).seconds > 0  # the fourth waits for a busy window


# -- the mean ---------------------------------------------------------------------------------------


def test_one_busy_window_the_first_call_is_the_residual_of_the_service_in_progress():
    # cv 1: the residual of an exponential time is a whole mean; cv 0: half of it.
    assert wait(0, one_service(1)).seconds == 600
    assert wait(0, one_service(1), {"s": CallTime(600.0, 0.0)}).seconds == 300


@pytest.mark.parametrize(
    "ahead,windows,expected",
    [
        (4, 1, 3000),  # four calls, then the residual of one (cv 1: a whole call): 5 x 600
        (4, 2, 1500),  # the same five calls at two windows
        (9, 3, 2000),  # ten calls at three
        (5, 2, 1500),  # with one idle window the first of six goes at once: five calls at two
    ],
)
def test_mean_is_calls_over_the_windows_rate(ahead, windows, expected):
    idle = 1 if (ahead, windows) == (5, 2) else 0
    assert wait(ahead, one_service(windows, idle)).seconds == expected


def test_first_call_follows_the_number_of_busy_windows():
    assert first_call(0.36, 1) == pytest.approx(0.68)
    assert first_call(1.0, 1) == first_call(1.0, 7) == 1.0  # exponential: memoryless at any count
    assert first_call(0.36, 2) < first_call(0.36, 4) < first_call(0.36, 16) < 1.0


def test_first_call_matches_a_simulation_of_log_normal_calls():
    """From a random instant, the first of c windows to free itself (each in a length-biased call)."""
    rng = random.Random(7)
    cv = 0.6
    s2 = math.log(1 + cv * cv)
    for c in (2, 4):
        total = 0.0
        n = 6000
        for _ in range(n):
            residuals = []
            for _ in range(c):
                while True:  # length-biased draw: a random instant falls in long calls more often
                    x = rng.lognormvariate(-s2 / 2, math.sqrt(s2))
                    if rng.random() < x / 8:
                        break
                residuals.append(x * rng.random())
            total += min(residuals)
        assert first_call(cv * cv, c) == pytest.approx(total / n * c, abs=0.05)


def test_a_shared_window_gives_its_weight_share_to_services_queued_there():
    times = {"s": EXP, "r": EXP}
    shared = [OpenWindow({"s": 1.0, "r": 1.0})]
    alone = wait(4, shared, times, {"r": 0})
    assert alone == wait(4, one_service(1))  # the rival's queue is empty: the window is all ours
    assert wait(4, shared, times, {"r": 3}).seconds == 2 * alone.seconds  # half its calls
    heavy = [OpenWindow({"s": 2.0, "r": 1.0})]
    assert wait(4, heavy, times, {"r": 3}).seconds == pytest.approx(1.5 * alone.seconds, abs=1)


def test_a_rival_with_longer_calls_slows_a_shared_window_more():
    quick = {"s": EXP, "r": CallTime.prior(600.0)}
    slow = {"s": EXP, "r": CallTime.prior(1800.0)}
    shared = [OpenWindow({"s": 1.0, "r": 1.0})]
    assert wait(4, shared, slow, {"r": 3}).seconds > wait(4, shared, quick, {"r": 3}).seconds


def test_a_paused_window_adds_its_calls_from_its_return():
    open_one = one_service(1)
    with_paused = open_one + [OpenWindow({"s": 1.0}, False, back_in=1200.0)]
    a, b = wait(6, open_one), wait(6, with_paused)
    assert b.seconds < a.seconds
    assert b.seconds > wait(6, one_service(2)).seconds  # not as good as two open windows
    # Only a paused window: the wait starts at its return.
    assert wait(0, [OpenWindow({"s": 1.0}, False, back_in=900.0)]).seconds >= 900


def test_back_in_is_the_rest_of_the_hall_s_break():
    assert back_in(600.0, 1800.0) == 1200.0
    assert back_in(2400.0, 1800.0) == 0.0


def test_next_matters_at_windows_go_first():
    assert wait(2, one_service(1), coming=2).seconds == wait(4, one_service(1)).seconds


def test_later_arrivals_with_a_larger_boost_lengthen_the_wait():
    base = wait(10, one_service(2))
    jumped = wait(10, one_service(2), overtakers=[Overtaking(6 / 3600, 1800.0)])
    assert jumped.seconds > base.seconds
    # They overtake only while their lead lasts: six an hour for half an hour is about three more.
    assert jumped.seconds - base.seconds == pytest.approx(3 * 300, rel=0.1)


def test_overtaking_counts_only_classes_with_a_larger_boost():
    boosts = {"green": 7200.0, "elderly": 1800.0, "agent": 600.0}
    joined = {"normal": 30, "elderly": 6, "agent": 3, "green": 0}
    normal = overtaking("normal", joined, JOIN_SPAN, boosts)
    assert sorted((o.rate * JOIN_SPAN, o.within) for o in normal) == [(3, 600.0), (6, 1800.0)]
    assert overtaking("elderly", joined, JOIN_SPAN, boosts) == []  # nobody issued with more
    assert overtaking("agent", joined, JOIN_SPAN, boosts) == [Overtaking(6 / JOIN_SPAN, 1200.0)]


def test_the_snapshot_gives_a_front_ticket_no_overtakers():
    snap = Snapshot(one_service(1), {"s": EXP}, {"s": 3}, {"s": {"elderly": 12}}, {"s": 2}, {"elderly": 1800.0})
    assert snap.wait("s", "normal", 3).seconds > snap.wait("s", "normal", 3, front=True).seconds
    assert snap.wait("s", "normal", 3, front=True) == wait(3, one_service(1))
    assert snap.wait("s", "elderly", 3) == wait(5, one_service(1))  # only the two coming next go first


def test_tickets_waiting_upstream_with_this_service_next_join_its_front_as_they_are_served():
    windows = one_service(1) + [OpenWindow({"u": 1.0})]
    times = {"s": EXP, "u": CallTime.prior(300.0)}
    plain = Snapshot(windows, times, {"s": 10, "u": 4}, {}, {}, {})
    fed = Snapshot(windows, times, {"s": 10, "u": 4}, {}, {}, {}, upstream={"s": {"u": 4}})
    # Queue u drains its four (and serves them) in about half an hour, well before the tenth here
    # is called: all four go ahead.
    assert fed.wait("s", "normal", 10).seconds == pytest.approx(plain.wait("s", "normal", 14).seconds, rel=0.02)
    # A queue no window serves sends nobody.
    stuck = Snapshot(one_service(1), times, {"s": 10, "u": 4}, {}, {}, {}, upstream={"s": {"u": 4}})
    assert stuck.wait("s", "normal", 10) == plain.wait("s", "normal", 10)


def test_a_queue_that_never_drains_is_capped():
    est = wait(0, one_service(1), overtakers=[Overtaking(10 / 600, 1e9)])
    assert est.seconds == 86400


# -- the range --------------------------------------------------------------------------------------


def test_the_range_of_exponential_calls_is_the_gamma_s():
    # One busy window, nobody ahead, cv 1: the residual is exponential with mean 600 s, whose
    # 10th and 90th percentiles are 63 and 1382 s; the moving mean's own error widens it a little.
    est = wait(0, one_service(1))
    assert est.seconds == 600
    assert 40 <= est.low <= 70 and 1380 <= est.high <= 1500


def test_steady_call_times_give_a_narrow_range():
    steady = wait(20, one_service(2), {"s": CallTime(600.0, 600.0**2 * 0.01)})
    spread = wait(20, one_service(2), {"s": CallTime(600.0, 600.0**2)})
    assert abs(steady.seconds - spread.seconds) <= 300  # only the residual of the call in progress differs
    assert steady.high - steady.low < (spread.high - spread.low) / 2


def test_the_range_grows_slower_than_the_wait():
    short, long = wait(2, one_service(2)), wait(50, one_service(2))
    assert (long.high - long.low) / long.seconds < (short.high - short.low) / short.seconds


times_st = st.builds(lambda m, cv: CallTime(m, (m * cv) ** 2), st.floats(30, 7200), st.floats(0, 2))


@st.composite
def halls(draw):
    n = draw(st.integers(1, 6))
    windows = []
    for _ in range(n):
        weights = {"s": draw(st.sampled_from([1.0, 2.0]))}
        if draw(st.booleans()):
            weights["r"] = draw(st.sampled_from([1.0, 2.0]))
        paused = draw(st.booleans()) and draw(st.booleans())
        windows.append(
            OpenWindow(weights, draw(st.booleans()) and not paused, draw(st.floats(1, 3600)) if paused else 0.0)
        )
    times = {"s": draw(times_st), "r": draw(times_st)}
    waiting = {"r": draw(st.integers(0, 20))}
    over = draw(st.lists(st.builds(Overtaking, st.floats(0, 0.002), st.floats(1, 7200)), max_size=3))
    return windows, times, waiting, over


@settings(max_examples=300, deadline=None)
@given(hall=halls(), ahead=st.integers(0, 300))
def test_low_point_high_are_ordered_whole_seconds(hall, ahead):
    windows, times, waiting, over = hall
    est = estimate_wait("s", ahead, windows, times, waiting, over)
    assert est is not None
    assert all(isinstance(x, int) for x in (est.low, est.seconds, est.high))
    assert 0 <= est.low <= est.seconds <= est.high


@settings(max_examples=300, deadline=None)
@given(hall=halls(), ahead=st.integers(0, 300))
def test_one_more_person_ahead_never_shortens_the_wait(hall, ahead):
    windows, times, waiting, over = hall
    here = estimate_wait("s", ahead, windows, times, waiting, over)
    there = estimate_wait("s", ahead + 1, windows, times, waiting, over)
    assert there.seconds >= here.seconds and there.high >= here.high


@settings(max_examples=200, deadline=None)
@given(hall=halls(), ahead=st.integers(0, 300), extra=st.integers(1, 3))
def test_more_open_windows_never_lengthen_the_wait(hall, ahead, extra):
    windows, times, waiting, over = hall
    more = windows + [OpenWindow({"s": 1.0}) for _ in range(extra)]
    assert (
        estimate_wait("s", ahead, more, times, waiting, over).seconds
        <= estimate_wait("s", ahead, windows, times, waiting, over).seconds + 1
    )


@settings(max_examples=200, deadline=None)
@given(hall=halls(), ahead=st.integers(0, 300))
def test_overtakers_never_shorten_the_wait(hall, ahead):
    windows, times, waiting, over = hall
    assert (
        estimate_wait("s", ahead, windows, times, waiting, over).seconds
        >= estimate_wait("s", ahead, windows, times, waiting).seconds
    )


@settings(max_examples=200, deadline=None)
@given(hall=halls(), ahead=st.integers(0, 300))
def test_a_busier_rival_never_shortens_the_wait(hall, ahead):
    windows, times, waiting, over = hall
    busier = {"r": waiting["r"] + 1}
    assert (
        estimate_wait("s", ahead, windows, times, busier, over).seconds
        >= estimate_wait("s", ahead, windows, times, waiting, over).seconds
    )


# -- the moving mean and variance -------------------------------------------------------------------


def test_the_first_sample_is_the_mean_with_an_exponential_spread():
    assert update_call_time(None, 420.0) == CallTime(420.0, 420.0**2)
    assert CallTime.prior(300.0).cv2 == 1.0


def test_each_sample_moves_the_mean_by_alpha():
    after = update_call_time(CallTime(600.0, 0.0), 300.0)
    assert after.mean == pytest.approx(600.0 - EWMA_ALPHA * 300.0)
    # West's form: (1 - alpha) (var + diff x alpha x diff)
    assert after.var == pytest.approx((1 - EWMA_ALPHA) * EWMA_ALPHA * 300.0**2)
    assert update_call_time(CallTime(600.0, 0.0), 600.0) == CallTime(600.0, 0.0)


def test_the_variance_follows_the_spread_of_recent_calls():
    steady = CallTime.prior(600.0)
    for _ in range(60):
        steady = update_call_time(steady, 300.0)
    assert steady.mean == pytest.approx(300.0, abs=1.0) and steady.var < 1.0
    rng = random.Random(3)
    mixed = CallTime.prior(600.0)
    samples = []
    for _ in range(2000):
        x = rng.choice([200.0, 1000.0])
        samples.append(x)
        mixed = update_call_time(mixed, x)
    # The samples' variance is 400^2; a moving estimate wanders around it.
    assert 0.5 * 400.0**2 < mixed.var < 1.5 * 400.0**2


@settings(max_examples=200, deadline=None)
@given(mean=st.floats(0, 1e5), var=st.floats(0, 1e9), sample=st.floats(0, 1e5))
def test_the_mean_moves_toward_the_sample_and_the_variance_stays_positive(mean, var, sample):
    new = update_call_time(CallTime(mean, var), sample)
    lo, hi = min(mean, sample), max(mean, sample)
    assert lo - 1e-6 <= new.mean <= hi + 1e-6
    assert new.var >= 0

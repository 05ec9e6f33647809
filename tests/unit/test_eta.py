"""Estimated wait and the moving average of service times."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.domain.eta import EWMA_ALPHA, estimate_wait, update_average


@pytest.mark.parametrize("windows_open", [0, -1])
def test_no_open_window_means_no_estimate(windows_open):
    assert estimate_wait(5, 600, windows_open) is None
    assert estimate_wait(0, 600, windows_open, windows_idle=2) is None


def test_an_idle_window_calls_the_first_people_at_once():
    assert estimate_wait(0, 600, 1, windows_idle=1) == 0
    assert estimate_wait(2, 600, 3, windows_idle=3) == 0
    # The fourth person waits for a busy window: (3 - 3 + 1) / 3 rounds of 600 s, minus half a service.
    assert estimate_wait(3, 600, 3, windows_idle=3) == 0  # 200 - 300 -> clamped to 0
    assert estimate_wait(3, 600, 1, windows_idle=1) == 1500  # 3 rounds x 600 - 300


@pytest.mark.parametrize(
    "ahead,avg,open_,idle,expected",
    [
        (0, 600, 1, 0, 300),    # the one window is half-way through someone else
        (1, 600, 1, 0, 900),
        (4, 600, 1, 0, 2700),
        (4, 600, 2, 0, 1200),   # 5/2 rounds x 600 - 300
        (9, 300, 3, 0, 850),    # 10/3 x 300 - 150 = 850
        (5, 600, 2, 1, 1200),   # one idle window takes the first: (5 - 1 + 1)/2 x 600 - 300
    ],
)
def test_estimate_examples(ahead, avg, open_, idle, expected):
    assert estimate_wait(ahead, avg, open_, idle) == expected


def test_estimate_is_whole_seconds():
    assert isinstance(estimate_wait(2, 123.4, 3), int)


ahead_st = st.integers(0, 500)
avg_st = st.floats(1, 7200, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(ahead=ahead_st, avg=avg_st, open_=st.integers(1, 20), data=st.data())
def test_estimate_does_not_decrease_with_more_people_ahead(ahead, avg, open_, data):
    idle = data.draw(st.integers(0, open_))
    here = estimate_wait(ahead, avg, open_, idle)
    assert here is not None and here >= 0
    assert estimate_wait(ahead + 1, avg, open_, idle) >= here


@settings(max_examples=300, deadline=None)
@given(ahead=ahead_st, avg=avg_st, open_=st.integers(1, 20), extra=st.integers(1, 5), data=st.data())
def test_estimate_does_not_increase_with_more_windows_open(ahead, avg, open_, extra, data):
    idle = data.draw(st.integers(0, open_))
    assert estimate_wait(ahead, avg, open_ + extra, idle) <= estimate_wait(ahead, avg, open_, idle)


@settings(max_examples=200, deadline=None)
@given(ahead=ahead_st, avg=avg_st, open_=st.integers(1, 20), data=st.data())
def test_more_idle_windows_never_lengthen_the_wait(ahead, avg, open_, data):
    idle = data.draw(st.integers(0, open_ - 1))
    assert estimate_wait(ahead, avg, open_, idle + 1) <= estimate_wait(ahead, avg, open_, idle)


# -- moving average -----------------------------------------------------------------------------

def test_the_first_sample_is_the_average():
    assert update_average(None, 420.0) == 420.0


def test_each_sample_moves_the_average_by_alpha():
    assert update_average(600.0, 300.0) == pytest.approx(600.0 - EWMA_ALPHA * 300.0)
    assert update_average(600.0, 600.0) == 600.0


def test_the_average_follows_a_new_steady_service_time():
    avg = 600.0
    for _ in range(50):
        avg = update_average(avg, 300.0)
    assert avg == pytest.approx(300.0, abs=1.0)


@settings(max_examples=200, deadline=None)
@given(prev=st.floats(0, 1e5), sample=st.floats(0, 1e5))
def test_the_average_moves_toward_the_sample_without_passing_it(prev, sample):
    new = update_average(prev, sample)
    lo, hi = min(prev, sample), max(prev, sample)
    assert lo - 1e-9 <= new <= hi + 1e-9
    assert abs(new - sample) <= abs(prev - sample) + 1e-9

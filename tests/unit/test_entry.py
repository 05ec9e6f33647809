"""The boards' entry code: one a minute, good for the hall's lifetime, and only for its hall."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, strategies as st

from queue_server.domain import entry

KEY = b"k" * 32
T = datetime(2026, 11, 24, 2, 0, 30, tzinfo=UTC)


@given(offset=st.integers(-120, 1200), lifetime=st.integers(1, 10))
def test_a_code_is_good_exactly_until_it_says(offset, lifetime):
    shown = entry.current(KEY, "demo", T, lifetime)
    at = T + timedelta(seconds=offset)
    good = entry.check(KEY, "demo", shown.code, at, lifetime)
    started = T.replace(second=0)
    # Good from a minute before it is shown (another server's clock may be ahead) to valid_until.
    assert good == (started - timedelta(minutes=1) <= at < shown.valid_until)


def test_codes_change_every_minute_and_belong_to_one_hall():
    a = entry.current(KEY, "demo", T, 3)
    b = entry.current(KEY, "demo", T + timedelta(seconds=60), 3)
    assert a.code != b.code and a.shown_until == b.shown_until - timedelta(seconds=60)
    assert entry.current(KEY, "demo", T + timedelta(seconds=29), 3) == a  # the same within its minute
    assert entry.check(KEY, "other", a.code, T, 3) is None
    assert entry.check(b"x" * 32, "demo", a.code, T, 3) is None
    for forged in ("", "zz", "1.2", a.code[:-1] + ("0" if a.code[-1] != "0" else "1")):
        assert entry.check(KEY, "demo", forged, T, 3) is None

"""The window's state machine: who may sign in, what a pause keeps, when it may close."""

from __future__ import annotations

from datetime import datetime

import pytest

from queue_server.domain.errors import DomainError
from queue_server.domain.window import DEFAULT_PAUSE_REASON, Window, WindowStatus

NOW = datetime(2026, 11, 24, 2, 0)


def refused(fn, *args) -> str:
    with pytest.raises(DomainError) as err:
        fn(*args)
    return err.value.code


def test_one_clerk_at_a_window_until_it_closes():
    w = Window(21)
    assert refused(w.require_free) == "window_not_open"
    w.open(1, NOW)
    assert (w.state, w.clerk_id, w.state_since) == (WindowStatus.open, 1, NOW)
    assert refused(w.open, 2, NOW) == "window_taken"
    w.open(1, NOW)  # signing in again is harmless
    w.close(NOW)
    w.open(2, NOW)
    assert w.clerk_id == 2


def test_a_pause_keeps_the_clerk_and_says_why():
    w = Window(21)
    w.open(1, NOW)
    w.pause("  ", NOW)
    assert (w.state, w.pause_reason, w.clerk_id) == (WindowStatus.paused, DEFAULT_PAUSE_REASON, 1)
    assert refused(w.require_free) == "window_not_open"
    w.pause("午" * 300, NOW)
    assert len(w.pause_reason or "") == 200
    w.open(1, NOW)
    assert w.pause_reason is None


def test_a_ticket_at_the_window_keeps_it_open():
    w = Window(21)
    w.open(1, NOW)
    assert refused(w.current) == "no_current_ticket"
    w.take(7, 2, NOW)
    assert (w.current(), w.priority_streak, w.last_call_at) == (7, 2, NOW)
    assert refused(w.take, 8, 0, NOW) == "ticket_in_progress"
    assert refused(w.close, NOW) == "ticket_in_progress"
    w.release()
    w.close(NOW)
    assert (w.state, w.clerk_id, w.priority_streak) == (WindowStatus.closed, None, 0)

"""Notification payloads: the events ride along when they fit, and only the seq otherwise."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from queue_server.domain.events import Recorded
from queue_server.events.pg_notify import MAX_PAYLOAD, parse, payload


def event(seq: int, text: str = "请A001号到26号窗口办理") -> Recorded:
    return Recorded(
        "demo",
        seq,
        "ticket.called",
        datetime(2026, 11, 24, 2, 0, tzinfo=UTC),
        {"kind": "clerk", "id": "clerk1"},
        {"number": "A001", "window": 26, "text": text},
    )


def test_events_ride_along_when_they_fit():
    events = [event(41), event(42)]
    notice = parse(payload("demo", 42, events))
    assert notice.hall == "demo" and notice.seq == 42 and notice.pid == os.getpid()
    assert [e.to_dict() for e in notice.events] == [e.to_dict() for e in events]


def test_a_big_batch_sends_only_the_seq():
    events = [event(seq, "号" * 400) for seq in range(1, 12)]
    raw = payload("demo", 11, events)
    assert len(raw.encode()) < MAX_PAYLOAD
    notice = parse(raw)
    assert notice.seq == 11 and notice.events == []


def test_a_payload_from_elsewhere_is_ignored():
    assert parse("demo:12:345") is None and parse('{"hall": "demo"}') is None

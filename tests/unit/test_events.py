"""The event vocabulary: one list of types, which the pages' list and the README's table follow, and
payloads whose keys are those the log and the stream have always carried."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from queue_server.domain.events import EVENTS, AlertRaised, QueueStats, Recorded, TicketTransferred, WindowState, table

ROOT = Path(__file__).resolve().parents[2]


def test_every_type_says_when_it_happens():
    for name, cls in EVENTS.items():
        assert cls.type == name
        assert cls.__doc__ and not cls.__doc__.startswith(f"{cls.__name__}("), f"{cls.__name__} has no docstring"


def test_a_payload_keeps_its_keys_in_order():
    moved = TicketTransferred(id=7, number="A007", window=21, state="waiting", source="biz-setup", service="biz-change")
    assert list(moved.data().items()) == [
        ("id", 7),
        ("number", "A007"),
        ("window", 21),
        ("state", "waiting"),
        ("from", "biz-setup"),
        ("service", "biz-change"),
    ]
    stats = QueueStats({"biz-setup": {"waiting": 3}, "tax-general": {"waiting": 0}})
    assert stats.data() == {"biz-setup": {"waiting": 3}, "tax-general": {"waiting": 0}}
    raised = AlertRaised(
        key="wait:7",
        kind="wait_long",
        level="warning",
        message="m",
        message_en="e",
        sticky=False,
        details={"ticket": 7, "threshold_s": 1800},
    )
    assert list(raised.data()) == ["key", "kind", "level", "message", "message_en", "sticky", "ticket", "threshold_s"]


def test_a_recorded_event_reads_back_from_its_dict():
    ev = Recorded(
        "demo",
        12,
        WindowState.type,
        datetime(2026, 11, 24, 1, 0, tzinfo=UTC),
        {"kind": "clerk", "id": "clerk1"},
        WindowState(window=21, state="open", reason=None, clerk="王芳", staff_no="C001").data(),
    )
    assert Recorded.from_dict(ev.to_dict()) == ev and ev.kind is WindowState
    assert Recorded.from_dict(ev.to_dict() | {"type": "ticket.later"}).kind is None  # a newer server's type


def test_the_pages_list_the_same_types():
    text = (ROOT / "displays" / "js" / "events.js").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\s+([A-Z_]+): '([a-z_.]+)',$", text, re.M))
    assert listed == {name.upper().replace(".", "_"): name for name in EVENTS}


def test_the_readme_table_is_the_modules():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("| type | when | fields |\n")
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    assert "".join(lines[start:end]) == table(), "README.md: paste queue_server.domain.events.table() again"

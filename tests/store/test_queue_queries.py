"""The store's SQL shortcuts agree with the pure policy: Reader.shortlist is policy.shortlist (away
tickets, not arrived or stepped out, left out as the policy leaves them),
Reader.ahead_of is the position in policy.queue_order, and choosing from the shortlist is
choosing from the whole queue. Random queues, on SQLite and PostgreSQL."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import delete

from queue_server.domain import policy
from queue_server.domain.tickets import Absence, Matter, Ticket
from queue_server.halls import DEMO, read_hall
from queue_server.store import tables
from queue_server.store.db import make_engine
from queue_server.store.store import Store
from queue_server.usecases import halls

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in the hall
SERVICES = ["biz-setup", "biz-change", "biz-cancel"]
CLASSES = ["normal", "normal", "normal", "elderly", "green", "agent", "appointment"]

ticket_specs = st.lists(
    st.tuples(
        st.sampled_from(SERVICES),
        st.sampled_from(CLASSES),
        st.integers(0, 7200),  # seconds waited
        st.integers(0, 3).map(lambda n: n == 0),  # front, now and then
        st.integers(-60, 90),  # appointment slot start, minutes from now
        st.sampled_from([None, None, None, "remote", "out-past", "out-later"]),  # away from the queue
    ),
    min_size=1,
    max_size=30,
)


@pytest.fixture
def store(db_url):
    s = Store(make_engine(db_url))
    s.migrate()
    halls.load_hall(s, read_hall(DEMO))
    yield s
    s.engine.dispose()


def fill(store: Store, specs) -> list[Ticket]:
    made = []
    with store.write("demo") as tx:
        tx.conn.execute(delete(tables.tickets))
        for i, (service, klass, waited, front, slot_at, away) in enumerate(specs):
            queued = NOW - timedelta(seconds=waited)
            slot = (
                (NOW + timedelta(minutes=slot_at - 15), NOW + timedelta(minutes=slot_at + 45))
                if klass == "appointment"
                else None
            )
            tk = Ticket(
                number=f"A{i + 1:03d}",
                day=date(2026, 11, 24),
                matters=[Matter(service=service)],
                klass=klass,
                issued_at=queued,
                queued_at=queued,
                front=front,
                slot=slot,
                token=secrets.token_hex(8),
                absent=None if away is None else Absence.remote if away == "remote" else Absence.out,
                back_at={
                    "remote": NOW + timedelta(hours=1),
                    "out-past": NOW,
                    "out-later": NOW + timedelta(minutes=5),
                }.get(away or ""),
            )
            tx.add_ticket(tk, issued_by="test")
            made.append(tk)
    return made


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    specs=ticket_specs,
    streak=st.integers(0, 4),
    weights=st.lists(st.sampled_from([0.5, 1.0, 2.0]), min_size=3, max_size=3),
)
def test_sql_queue_queries_match_the_policy(store, specs, streak, weights):
    made = fill(store, specs)
    with store.read("demo") as r:
        rules = r.rules
        full = r.candidates(SERVICES)
        assert sorted(c.id for c in r.shortlist(SERVICES, NOW)) == sorted(c.id for c in policy.shortlist(full, NOW))
        w = dict(zip(SERVICES, weights))
        whole = policy.choose(full, w, rules, NOW, streak)
        short = policy.choose(r.shortlist(SERVICES, NOW), w, rules, NOW, streak)
        if whole is None:  # everyone is away
            assert short is None and not any(c.callable_at(NOW) for c in full)
        else:
            assert short is not None and whole.ticket.callable_at(NOW)
            assert (whole.ticket.id, whole.priority_streak) == (short.ticket.id, short.priority_streak)
        for service in SERVICES:
            order = [c.id for c in policy.queue_order([c for c in full if c.service == service], rules, NOW)]
            for tk in made:
                if tk.service == service:
                    assert r.ahead_of(tk, NOW) == order.index(tk.id)

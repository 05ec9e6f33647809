"""The use cases called directly on a real Store over a temporary SQLite file, with a clock the test
moves: the hall's rules in milliseconds each, without a server process (the HTTP contract has its
own tests in tests/api)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from queue_server.clock import Clock
from queue_server.domain.errors import DomainError
from queue_server.domain.tickets import FinishResult
from queue_server.halls import DEMO, read_hall
from queue_server.store import tables as t
from queue_server.store.db import make_engine
from queue_server.store.store import Store
from queue_server.usecases import accounts, halls, issuing, windows
from queue_server.usecases.principal import Principal

SECRET = b"use-case tests' ID-hash key"
TUESDAY_10 = datetime.fromisoformat("2026-11-24T10:00:00+08:00")  # every demo service is open
KIOSK = Principal(kind="kiosk", hall="demo")
GUIDE_DESK = Principal(kind="guide", hall="demo")
USERS = [(f"clerk{i}", "clerk") for i in range(1, 5)] + [("guide1", "guide"), ("manager1", "manager")]


class HallClock(Clock):
    """Stands still until the test moves it: a rule about time is tested at the instant it names."""

    def __init__(self, at: datetime):
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    """Migrated, with the demo hall and its staff: made once (argon2 hashes take ~0.2 s each) and
    copied for every test."""
    path = tmp_path_factory.mktemp("template") / "hallq.db"
    store = Store(make_engine(f"sqlite:///{path}"))
    store.migrate()
    halls.load_hall(store, read_hall(DEMO))
    for username, role in USERS:
        accounts.add_user(store, username, "use-case-pass", role, "demo", f"{username} 的名字", username.upper())
    store.engine.dispose()
    return path


@dataclass
class Hall:
    """The demo hall at the test's disposal: its store, its clock and the people acting in it."""

    store: Store
    clock: HallClock

    def person(self, username: str) -> Principal:
        with self.store.engine.connect() as conn:
            u = conn.execute(select(t.users).where(t.users.c.username == username)).one()
        return Principal(
            kind="user",
            hall=u.hall,
            user_id=u.id,
            username=u.username,
            role=u.role,
            name=u.display_name,
            staff_no=u.staff_no,
        )

    def issue(self, *services: str, who: Principal = KIOSK, **fields) -> dict:
        """A ticket, a second after the one before: queues order by the instant of issue, as in a hall."""
        self.clock.advance(seconds=1)
        id_card = fields.pop("id_card", None)
        req = issuing.IssueRequest(
            services=list(services), id_card=issuing.IdCard(**id_card) if id_card else None, **fields
        )
        return issuing.issue(self.store, "demo", req, who, SECRET)[0]

    def act(self, window: int, action: str, who: Principal, **body) -> dict:
        """A window action by the name the API routes it by, with the body's fields."""
        fn, *args = {
            "open": [windows.open_window],
            "pause": [windows.pause, body.get("reason")],
            "close": [windows.close],
            "call-next": [windows.call_next],
            "call": [windows.call_number, body.get("number")],
            "recall": [windows.recall],
            "start": [windows.start],
            "finish": [windows.finish, finish_of(body)],
            "finish-next": [windows.finish_and_call_next, finish_of(body)],
            "no-show": [windows.no_show],
            "transfer": [windows.transfer, body.get("service")],
            "transfer-window": [windows.transfer_to_window, body.get("to"), body.get("service")],
            "hold": [windows.hold],
            "resume": [windows.resume, body.get("number")],
        }[action]
        return fn(self.store, "demo", window, who, *args)


def finish_of(body: dict) -> windows.Finish:
    return windows.Finish(FinishResult(body.get("result", "done")), body.get("reason"), body.get("case_no"))


@pytest.fixture
def hall(template_db, tmp_path) -> Hall:
    path = tmp_path / "hallq.db"
    shutil.copy(template_db, path)
    clock = HallClock(TUESDAY_10)
    store = Store(make_engine(f"sqlite:///{path}"), clock)
    yield Hall(store, clock)
    store.writer.shutdown()
    store.engine.dispose()


def refused(fn, *args, **kwargs) -> DomainError:
    """The error a rule refuses with (and a failure if it does not refuse)."""
    with pytest.raises(DomainError) as caught:
        fn(*args, **kwargs)
    return caught.value

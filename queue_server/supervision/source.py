"""What supervision reads from the store: the events of a stretch of time, today's figures kept up
to date (`Tracker`), and the few rows of the hall's present state the alerts look at."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select

from ..domain.calendar import business_day, day_start
from ..domain.events import HallCleared, Recorded
from ..domain.hall import Hall
from ..domain.tickets import Absence
from ..store import tables as t
from ..store.repository import Reader, recorded
from ..store.store import Store
from .figures import Fold

PAGE = 2000


def seq_before(reader: Reader, instant: datetime) -> int:
    """The seq of the hall's last event before `instant` (0 if none). The log is read backwards from
    its end, so this is quick for a recent instant (today's start)."""
    e = t.events.c
    seq = reader.conn.execute(
        select(e.seq).where(e.hall == reader.hall_id, e.ts < instant).order_by(e.seq.desc()).limit(1)
    ).scalar()
    return seq or 0


def events_between(reader: Reader, start: datetime, end: datetime) -> list[Recorded]:
    """The hall's events with start <= ts < end, in seq order, without those a `hall.cleared` voids."""
    e = t.events.c
    since = seq_before(reader, start)
    rows = reader.conn.execute(
        select(t.events).where(e.hall == reader.hall_id, e.seq > since, e.ts >= start, e.ts < end).order_by(e.seq)
    )
    return without_cleared(reader.hall, [recorded(r) for r in rows])


def without_cleared(hall: Hall, events: list[Recorded]) -> list[Recorded]:
    """A trial run cleared before go-live (`hallq clear-day`) is no part of the figures: the events of
    a business day before its `hall.cleared` are left out (the log keeps them)."""
    cleared = {e.data["day"]: e.seq for e in events if e.kind is HallCleared}
    if not cleared:
        return events
    return [e for e in events if e.seq >= cleared.get(today(hall, e.ts).isoformat(), 0)]


def days_span(hall: Hall, first: date, last: date) -> tuple[datetime, datetime]:
    return day_start(first, hall.timezone, hall.day_boundary_hour), day_start(
        last + timedelta(days=1), hall.timezone, hall.day_boundary_hour
    )


def period_events(store: Store, hall_id: str, first: date, last: date) -> tuple[Hall, list[Recorded]]:
    with store.read(hall_id) as r:
        start, end = days_span(r.hall, first, last)
        return r.hall, events_between(r, start, end)


def today(hall: Hall, now: datetime) -> date:
    return business_day(now, hall.timezone, hall.day_boundary_hour)


def report_for(store: Store, hall_id: str, period: str, day: date | None) -> dict:
    """The report of the day, week or month holding `day` (default today), from the stored log."""
    from . import reports

    if day is None:
        with store.read(hall_id) as r:
            day = today(r.hall, store.clock.now())
    first, last = reports.period_days(period, day)
    hall, events = period_events(store, hall_id, first, last)
    return reports.build(events, hall, period, first, last)


class Tracker:
    """Today's `Fold` of each hall, caught up from the stored log whenever it is used.

    Shared by the alert engine and the dashboard requests of one server process; hold `lock` while
    using a fold. Take it inside a store transaction, never the other way round."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._folds: dict[str, tuple[date, Fold]] = {}

    def current(self, reader: Reader, now: datetime) -> Fold:
        """The fold of the hall's business day at `now`, with every event `reader` sees."""
        hall = reader.hall
        day = today(hall, now)
        held = self._folds.get(reader.hall_id)
        if held is None or held[0] != day or held[1].tz != hall.timezone:
            fold = Fold(hall.timezone)
            fold.seq = seq_before(reader, day_start(day, hall.timezone, hall.day_boundary_hour))
            held = self._folds[reader.hall_id] = (day, fold)
        while True:
            batch = reader.events_after(held[1].seq, PAGE)
            cleared = [i for i, e in enumerate(batch) if e.kind is HallCleared]
            if cleared:  # today starts over (see without_cleared)
                fresh = Fold(hall.timezone)
                fresh.seq, batch = batch[cleared[-1]].seq - 1, batch[cleared[-1] :]
                held = self._folds[reader.hall_id] = (day, fresh)
            held[1].add_all(batch)
            if len(batch) < PAGE:
                return held[1]


# -- the present state, as alerts see it ---------------------------------------------------------------
@dataclass(frozen=True)
class Waiting:
    id: int
    number: str
    service: str
    klass: str
    queued_at: datetime


@dataclass(frozen=True)
class Current:
    """The ticket at a window and its current matter."""

    id: int
    number: str
    state: str
    service: str
    called_at: datetime | None
    started_at: datetime | None


def waiting(reader: Reader) -> list[Waiting]:
    """Who waits in the hall: a place taken from outside counts once its holder has checked in."""
    c = t.tickets.c
    here = or_(c.absent.is_(None), c.absent != Absence.remote.value)
    rows = reader.conn.execute(
        select(c.id, c.number, c.service, c.klass, c.queued_at).where(
            c.hall == reader.hall_id, c.state == "waiting", here
        )
    )
    return [Waiting(r.id, r.number, r.service, r.klass, r.queued_at) for r in rows]


def at_windows(reader: Reader, ids: list[int]) -> dict[int, Current]:
    if not ids:
        return {}
    c = t.tickets.c
    rows = reader.conn.execute(
        select(c.id, c.number, c.state, c.service, c.current, c.matters).where(c.hall == reader.hall_id, c.id.in_(ids))
    )
    out = {}
    for r in rows:
        m = r.matters[r.current] if r.current < len(r.matters) else {}
        out[r.id] = Current(r.id, r.number, r.state, r.service, _ts(m.get("called_at")), _ts(m.get("started_at")))
    return out


def _ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None

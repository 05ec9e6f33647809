"""Reading and writing one hall's records inside a transaction.

`HallTx` is the unit of work of every change: it holds the hall's lock from the first statement
to the commit, so numbering, call-next and the event sequence are serialised per hall on both
databases (BEGIN IMMEDIATE on SQLite, a row lock on the hall on PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Select,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)

from ..domain import policy
from ..domain.calendar import day_start
from ..domain.eta import CallTime
from ..domain.events import Event, Recorded
from ..domain.hall import APPOINTMENT, Hall
from ..domain.policy import Candidate
from ..domain.tickets import OPEN_STATES, Absence, Matter, State, Ticket
from ..domain.window import Window, WindowStatus
from ..errors import Conflict
from . import tables as t

# The statements of the hot paths (issuing, calling, finishing) are built once, with bound
# parameters: SQLAlchemy then reuses their cache key and compiled form, where building the
# expression on every call cost more than running it on SQLite.
_c = t.tickets.c
_HALL: BindParameter[str] = bindparam("p_hall")
_WAITING = and_(_c.hall == _HALL, _c.state == State.waiting.value)
_SAME_QUEUE = and_(_WAITING, _c.service == bindparam("p_service"), _c.id != bindparam("p_id"))
_EARLIER = or_(_c.rank_key < bindparam("p_rank"), and_(_c.rank_key == bindparam("p_rank"), _c.id < bindparam("p_id")))
_CANDIDATE_COLUMNS = (
    *(_c.id, _c.service, _c.klass, _c.queued_at, _c.front, _c.slot_start, _c.slot_end, _c.window),
    *(_c.absent, _c.back_at),
)
# policy.Candidate.callable_at in SQL: not away from the queue at p_now.
_CALLABLE = or_(_c.absent.is_(None), and_(_c.absent == Absence.out.value, _c.back_at <= bindparam("p_now")))

TICKET_BY_ID = select(t.tickets).where(_c.hall == _HALL, _c.id == bindparam("p_id"))
FRONT_AHEAD = select(func.count()).where(_SAME_QUEUE, _c.front, _EARLIER)
OTHERS_AHEAD = select(
    func.coalesce(func.sum(case((_c.front, 1), else_=0)), 0),
    func.coalesce(func.sum(case((and_(~_c.front, _c.klass != APPOINTMENT, _EARLIER), 1), else_=0)), 0),
).where(_SAME_QUEUE)
APPOINTMENTS_QUEUED = select(*_CANDIDATE_COLUMNS).where(_SAME_QUEUE, ~_c.front, _c.klass == APPOINTMENT)
WAITING_COUNTS = select(_c.service, func.count()).where(_WAITING).group_by(_c.service)
ISSUED_TODAY = select(t.counters.c.service, t.counters.c.last).where(
    t.counters.c.hall == _HALL, t.counters.c.day == bindparam("p_day")
)
WINDOWS = select(t.windows).where(t.windows.c.hall == _HALL)
WINDOW = select(t.windows).where(t.windows.c.hall == _HALL, t.windows.c.number == bindparam("p_number"))
SERVICE_TIMES = select(
    t.service_stats.c.service, t.service_stats.c.avg_service_s, t.service_stats.c.var_service_s
).where(t.service_stats.c.hall == _HALL)
WITH_NEXT_MATTER = select(_c.state, _c.service, _c.next_service).where(
    _c.hall == _HALL,
    _c.state.in_([State.waiting.value, State.called.value, State.serving.value]),
    _c.next_service.is_not(None),
)
ISSUED_SINCE = (
    select(_c.first_service, _c.klass, func.count())
    .where(
        _c.hall == _HALL,
        _c.klass.in_(bindparam("p_classes", expanding=True)),
        _c.issued_at >= bindparam("p_since"),
        _c.day == bindparam("p_day"),
    )
    .group_by(_c.first_service, _c.klass)
)
INSERT_EVENT = insert(t.events)
INSERT_TICKET = insert(t.tickets)
SAVE_TICKET = update(t.tickets).where(_c.id == bindparam("p_id"))
SAVE_WINDOW = update(t.windows).where(t.windows.c.hall == _HALL, t.windows.c.number == bindparam("p_number"))
FLUSH_SEQ = update(t.halls).where(t.halls.c.id == _HALL).values(event_seq=bindparam("p_seq"))
_COUNTER = and_(
    t.counters.c.hall == _HALL, t.counters.c.service == bindparam("p_service"), t.counters.c.day == bindparam("p_day")
)
LAST_NUMBER = select(t.counters.c.last).where(_COUNTER)
BUMP_NUMBER = update(t.counters).where(_COUNTER).values(last=t.counters.c.last + 1)
INSERT_COUNTER = insert(t.counters)
IDEMPOTENT = select(t.idempotency).where(t.idempotency.c.hall == _HALL, t.idempotency.c.key == bindparam("p_key"))
INSERT_IDEMPOTENCY = insert(t.idempotency)


REMOTE = "remote"  # tickets.issued_by of a place taken from outside the hall (线上取号)


def _personal_data_before(
    hall_id: str, hall: Hall, day: date, now: datetime
) -> tuple[ColumnElement[bool], ColumnElement[bool], ColumnElement[bool], ColumnElement[bool]]:
    """What the day boundary drops, as conditions on notify_phones, booking_phones, phone_codes and
    notify_outbox: numbers given for an earlier day's tickets (unless a 差评's follow-up of the ticket
    is open or closed within the hour: its messages still to go), bookings' numbers once their day has
    passed, and SMS codes of earlier days with their messages (a day's codes count against the
    number's daily limit)."""
    p, f, b, c, o = t.notify_phones.c, t.followups.c, t.booking_phones.c, t.phone_codes.c, t.notify_outbox.c
    following = select(f.ticket_id).where(
        f.hall == hall_id, or_(f.state == "open", f.closed_at > now - timedelta(hours=1))
    )
    started = day_start(day, hall.timezone, hall.day_boundary_hour)
    return (
        and_(p.hall == hall_id, p.day < day, p.ticket_id.not_in(following)),
        and_(b.hall == hall_id, b.day < day),
        and_(c.hall == hall_id, c.created_at < started),
        and_(o.hall == hall_id, o.ticket_id == 0, o.created_at < started),
    )


def _shortlist() -> Select:
    """policy.shortlist: of the tickets callable now, per service, class (front tickets as a class of
    their own) and window a ticket was transferred to, the first in issue order, and every
    appointment (whose boost depends on the clock)."""
    group = case((_c.front, literal("~front")), else_=_c.klass)
    rn = func.row_number().over(partition_by=[_c.service, group, _c.window], order_by=[_c.queued_at, _c.id]).label("rn")
    inner = (
        select(*_CANDIDATE_COLUMNS, rn)
        .where(_WAITING, _CALLABLE, _c.service.in_(bindparam("p_services", expanding=True)))
        .subquery()
    )
    return select(inner).where(or_(inner.c.rn == 1, and_(inner.c.klass == APPOINTMENT, ~inner.c.front)))


SHORTLIST = _shortlist()


def recorded(row: Any) -> Recorded:
    """An event from a row of the events table."""
    return Recorded(row.hall, row.seq, row.type, row.ts, row.actor, row.data)


def _candidate(r: Any) -> Candidate:
    slot = (r.slot_start, r.slot_end) if r.slot_start else None
    back_at = r.back_at if r.absent == Absence.out.value else None
    return Candidate(
        r.id, r.service, r.klass, r.queued_at, r.front, slot, r.window, r.absent != Absence.remote.value, back_at
    )


def ticket_from_row(row: Any) -> Ticket:
    tk = Ticket(
        id=row.id,
        number=row.number,
        day=row.day,
        matters=[Matter.from_dict(m) for m in row.matters],
        klass=row.klass,
        issued_at=row.issued_at,
        current=row.current,
        state=State(row.state),
        queued_at=row.queued_at,
        front=row.front,
        window=row.window,
        recalls=row.recalls,
        no_show_at=row.no_show_at,
        slot=(row.slot_start, row.slot_end) if row.slot_start else None,
        token=row.token,
        id_hash=row.id_hash,
        masked_name=row.masked_name,
        phone_hash=row.phone_hash,
        absent=Absence(row.absent) if row.absent else None,
        back_at=row.back_at,
    )
    return tk


def _ticket_values(tk: Ticket, rules: policy.Rules) -> dict:
    assert tk.queued_at is not None
    return {
        "rank_key": policy.rank_key(tk.klass, tk.queued_at, tk.front, rules),
        "klass": tk.klass,
        "state": tk.state.value,
        "service": tk.service,
        "current": tk.current,
        "matters": [m.to_dict() for m in tk.matters],
        "next_service": tk.matters[tk.current + 1].service if tk.current + 1 < len(tk.matters) else None,
        "queued_at": tk.queued_at,
        "front": tk.front,
        "window": tk.window,
        "recalls": tk.recalls,
        "no_show_at": tk.no_show_at,
        "absent": tk.absent.value if tk.absent else None,
        "back_at": tk.back_at,
    }


class Reader:
    """Queries that need no lock; shared by read-only requests and by HallTx."""

    def __init__(self, conn: Connection, hall_id: str, hall: Hall):
        self.conn = conn
        self.hall_id = hall_id
        self.hall = hall

    @property
    def rules(self) -> policy.Rules:
        return policy.rules_for(self.hall)

    # -- tickets --------------------------------------------------------------------------
    def _tickets(self, *where) -> list[Ticket]:
        rows = self.conn.execute(select(t.tickets).where(t.tickets.c.hall == self.hall_id, *where))
        return [ticket_from_row(r) for r in rows]

    def ticket(self, ticket_id: int) -> Ticket | None:
        row = self.conn.execute(TICKET_BY_ID, {"p_hall": self.hall_id, "p_id": ticket_id}).first()
        return ticket_from_row(row) if row else None

    def numbers(self, ids: Iterable[int]) -> dict[int, str]:
        """Tickets' numbers by id, and nothing else of them (what a board may show)."""
        c = t.tickets.c
        q = select(c.id, c.number).where(c.hall == self.hall_id, c.id.in_(list(ids)))
        return {row.id: row.number for row in self.conn.execute(q)}

    def ticket_by_number(self, day: date, number: str) -> Ticket | None:
        found = self._tickets(t.tickets.c.day == day, t.tickets.c.number == number.upper())
        return found[0] if found else None

    def waiting(self, services: Iterable[str] | None = None) -> list[Ticket]:
        where = [t.tickets.c.state == State.waiting.value]
        if services is not None:
            where.append(t.tickets.c.service.in_(list(services)))
        return self._tickets(*where)

    def lapsing(self, by: datetime) -> list[Ticket]:
        """Places taken from outside still not checked in at `by`, their time to arrive over."""
        c = t.tickets.c
        return self._tickets(c.state == State.waiting.value, c.absent == Absence.remote.value, c.back_at <= by)

    def candidates(self, services: Iterable[str]) -> list[Candidate]:
        """Every waiting ticket of these services, as the calling policy sees them."""
        c = t.tickets.c
        q = select(*_CANDIDATE_COLUMNS).where(
            c.hall == self.hall_id, c.state == State.waiting.value, c.service.in_(list(services))
        )
        return [_candidate(r) for r in self.conn.execute(q)]

    def shortlist(self, services: Iterable[str], now: datetime) -> list[Candidate]:
        """policy.shortlist in SQL: the few tickets call-next can pick now, however long the queue."""
        rows = self.conn.execute(SHORTLIST, {"p_hall": self.hall_id, "p_services": list(services), "p_now": now})
        return [_candidate(r) for r in rows]

    def ahead_of(self, tk: Ticket, now: datetime) -> int:
        """How many waiting tickets of its service would be called before this one (weight 1):
        counted on the rank_key index; only appointments, whose boost depends on the clock,
        are compared one by one."""
        rules = self.rules
        assert tk.queued_at is not None and tk.id is not None
        me = Candidate(tk.id, tk.service, tk.klass, tk.queued_at, tk.front, tk.slot)
        params: dict[str, Any] = {
            "p_hall": self.hall_id,
            "p_service": tk.service,
            "p_id": tk.id,
            "p_rank": policy.rank_key(tk.klass, tk.queued_at, tk.front, rules),
        }
        if tk.front:  # front tickets go in their own order, whatever their class
            return self.conn.execute(FRONT_AHEAD, params).scalar_one()
        if policy.effective_class(me, now) == APPOINTMENT:
            params["p_rank"] -= rules.boosts.get(APPOINTMENT, 0.0)
        fronts, others = self.conn.execute(OTHERS_AHEAD, params).one()
        my_key = policy.order_key(me, 1.0, rules, now)
        booked = sum(
            policy.order_key(_candidate(r), 1.0, rules, now) < my_key
            for r in self.conn.execute(APPOINTMENTS_QUEUED, params)
        )
        return int(fronts) + int(others) + booked

    def in_states(self, states: Iterable[State], day: date | None = None, before: date | None = None) -> list[Ticket]:
        """Tickets in these states: of `day`, or of the days before `before`, or of any day."""
        where: list[ColumnElement[bool]] = [t.tickets.c.state.in_([s.value for s in states])]
        if day is not None:
            where.append(t.tickets.c.day == day)
        if before is not None:
            where.append(t.tickets.c.day < before)
        return self._tickets(*where)

    def personal_data_before(self, day: date, now: datetime) -> bool:
        """Whether the day boundary has personal data to drop (HallTx.drop_phones)."""
        tables = (t.notify_phones, t.booking_phones, t.phone_codes, t.notify_outbox)
        gone = _personal_data_before(self.hall_id, self.hall, day, now)
        return any(
            self.conn.execute(select(literal(1)).select_from(tb).where(w).limit(1)).first() is not None
            for tb, w in zip(tables, gone, strict=True)
        )

    def tickets_of_day(self, day: date) -> list[Ticket]:
        return self._tickets(t.tickets.c.day == day)

    def person_tickets(self, day: date, id_hash: str | None, phone_hash: str | None = None) -> list[Ticket]:
        """The day's tickets of one person, known by their ID number or their confirmed phone."""
        c = t.tickets.c
        who = [col == h for col, h in ((c.id_hash, id_hash), (c.phone_hash, phone_hash)) if h]
        return self._tickets(c.day == day, or_(*who)) if who else []

    def remote_issued(self, day: date, since: datetime) -> dict[str, int]:
        """Places taken from outside since then, by the service of their first matter."""
        c = t.tickets.c
        q = select(c.matters).where(c.hall == self.hall_id, c.day == day, c.issued_by == REMOTE, c.issued_at >= since)
        out: dict[str, int] = {}
        for (matters,) in self.conn.execute(q):
            out[matters[0]["service"]] = out.get(matters[0]["service"], 0) + 1
        return out

    def bookings_to_remind(self, day: date) -> list[Any]:
        """That day's bookings still booked with a number to remind: id, code, service, slot, phone."""
        a, p = t.appointments, t.booking_phones
        q = (
            select(a.c.id, a.c.code, a.c.service, a.c.slot, p.c.phone)
            .join(p, p.c.appointment_id == a.c.id)
            .where(a.c.hall == self.hall_id, a.c.day == day, a.c.state == "booked")
            .order_by(a.c.slot, a.c.id)
        )
        return list(self.conn.execute(q))

    def phone_codes(self, phone_hash: str) -> list[Any]:
        """The codes sent to this number, the latest first."""
        p = t.phone_codes
        q = select(p).where(p.c.hall == self.hall_id, p.c.phone_hash == phone_hash).order_by(p.c.id.desc())
        return list(self.conn.execute(q))

    def waiting_counts(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.conn.execute(WAITING_COUNTS, {"p_hall": self.hall_id})}

    def issued_today(self, day: date) -> dict[str, int]:
        return {r[0]: r[1] for r in self.conn.execute(ISSUED_TODAY, {"p_hall": self.hall_id, "p_day": day})}

    # -- windows --------------------------------------------------------------------------
    def windows(self) -> dict[int, Window]:
        return {r.number: Window.from_row(r) for r in self.conn.execute(WINDOWS, {"p_hall": self.hall_id})}

    def window(self, number: int) -> Window | None:
        row = self.conn.execute(WINDOW, {"p_hall": self.hall_id, "p_number": number}).first()
        return Window.from_row(row) if row is not None else None

    def window_of_clerk(self, clerk_id: int) -> Any:
        return self.conn.execute(
            select(t.windows).where(t.windows.c.clerk_id == clerk_id, t.windows.c.state != WindowStatus.closed)
        ).first()

    def call_times(self) -> dict[str, CallTime]:
        """Per service, how long a call keeps a window: the moving mean and variance, or the hall's
        configured average (with an exponential's spread) before the first one is recorded."""
        times = {s.code: CallTime.prior(s.avg_service_minutes * 60) for s in self.hall.services}
        for code, avg, var in self.conn.execute(SERVICE_TIMES, {"p_hall": self.hall_id}):
            times[code] = CallTime(avg, avg * avg if var is None else var)
        return times

    def next_matters(self) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
        """The tickets whose next matter is a service (they will join its front): per service, those
        at a window now, and per service and queue, those still waiting in that queue."""
        at_windows: dict[str, int] = {}
        upstream: dict[str, dict[str, int]] = {}
        for state, service, code in self.conn.execute(WITH_NEXT_MATTER, {"p_hall": self.hall_id}):
            if state == State.waiting.value:
                per = upstream.setdefault(code, {})
                per[service] = per.get(service, 0) + 1
            else:
                at_windows[code] = at_windows.get(code, 0) + 1
        return at_windows, upstream

    def issued_since(self, day: date, since: datetime) -> dict[str, dict[str, int]]:
        """Per first service, the tickets issued since `since` by class, of the classes that can
        overtake another (a boost above the lowest): the others are most of the tickets and never do."""
        boosts = self.rules.boosts
        lowest = min(0.0, *boosts.values())
        classes = [code for code, boost in boosts.items() if boost > lowest]
        if not classes:
            return {}
        out: dict[str, dict[str, int]] = {}
        params = {"p_hall": self.hall_id, "p_day": day, "p_since": since, "p_classes": classes}
        for first, klass, n in self.conn.execute(ISSUED_SINCE, params):
            out.setdefault(first, {})[klass] = n
        return out

    # -- events ---------------------------------------------------------------------------
    def events_after(self, since: int, limit: int | None = None) -> list[Recorded]:
        q = select(t.events).where(t.events.c.hall == self.hall_id, t.events.c.seq > since).order_by(t.events.c.seq)
        if limit:
            q = q.limit(limit)
        return [recorded(r) for r in self.conn.execute(q)]

    def last_seq(self) -> int:
        return self.conn.execute(select(t.halls.c.event_seq).where(t.halls.c.id == self.hall_id)).scalar_one()

    def live_notice(self) -> str | None:
        return self.conn.execute(select(t.halls.c.notice).where(t.halls.c.id == self.hall_id)).scalar_one()

    # -- appointments, ratings, devices ---------------------------------------------------
    def appointment(self, code: str) -> Any:
        return self.conn.execute(
            select(t.appointments).where(t.appointments.c.hall == self.hall_id, t.appointments.c.code == code)
        ).first()

    def person_appointments(self, day: date, id_hash: str) -> list[Any]:
        a = t.appointments.c
        return list(
            self.conn.execute(select(t.appointments).where(a.hall == self.hall_id, a.day == day, a.id_hash == id_hash))
        )

    def slot_bookings(self, service: str, day: date) -> dict[str, int]:
        rows = self.conn.execute(
            select(t.appointments.c.slot, func.count())
            .where(
                t.appointments.c.hall == self.hall_id,
                t.appointments.c.service == service,
                t.appointments.c.day == day,
                t.appointments.c.state != "cancelled",
            )
            .group_by(t.appointments.c.slot)
        )
        return {r[0]: r[1] for r in rows}

    def rating_scores(self, day: date) -> list[tuple[str, int]]:
        """(scale, score) of each rating of the day's tickets."""
        rows = self.conn.execute(
            select(t.ratings.c.scale, t.ratings.c.score)
            .join(t.tickets, t.tickets.c.id == t.ratings.c.ticket_id)
            .where(t.ratings.c.hall == self.hall_id, t.tickets.c.day == day)
        )
        return [(r[0], r[1]) for r in rows]

    def ratings_between(self, start: datetime, end: datetime) -> list[Any]:
        """Ratings given in [start, end), oldest first, with their ticket's number and matters and the
        clerk's staff number (the 好差评 export)."""
        r, tk, u = t.ratings.c, t.tickets.c, t.users.c
        return list(
            self.conn.execute(
                select(t.ratings, tk.number, tk.matters, u.staff_no)
                .join(t.tickets, tk.id == r.ticket_id)
                .outerjoin(t.users, u.username == r.clerk)
                .where(r.hall == self.hall_id, r.ts >= start, r.ts < end)
                .order_by(r.ts, r.id)
            )
        )

    def followups(self, open_only: bool = False, followup_id: int | None = None) -> list[Any]:
        """The follow-ups of 差评, with their rating and ticket number, earliest due first."""
        f, r, tk = t.followups.c, t.ratings.c, t.tickets.c
        q = (
            select(t.followups, tk.number, r.service, r.window, r.clerk, r.scale, r.score, r.reason, r.reason_text)
            .join(t.ratings, (r.ticket_id == f.ticket_id) & (r.matter == f.matter))
            .join(t.tickets, tk.id == f.ticket_id)
            .where(f.hall == self.hall_id)
            .order_by(f.due, f.id)
        )
        if open_only:
            q = q.where(f.state == "open")
        if followup_id is not None:
            q = q.where(f.id == followup_id)
        return list(self.conn.execute(q))

    def user(self, user_id: int) -> Any:
        return self.conn.execute(select(t.users).where(t.users.c.id == user_id)).first()

    def staff(self) -> dict[int, Any]:
        return {r.id: r for r in self.conn.execute(select(t.users.c.id, t.users.c.display_name, t.users.c.staff_no))}

    def devices(self) -> list[Any]:
        return list(self.conn.execute(select(t.devices).where(t.devices.c.hall == self.hall_id)))

    def phones(self, ticket_ids: Iterable[int] | None = None) -> dict[int, Any]:
        """The phone numbers given for text messages, by ticket (today's, and those a 差评 follow-up keeps)."""
        p = t.notify_phones
        query = select(p).where(p.c.hall == self.hall_id)
        if ticket_ids is not None:
            query = query.where(p.c.ticket_id.in_(list(ticket_ids)))
        return {r.ticket_id: r for r in self.conn.execute(query)}

    def notice_keys(self, ticket_ids: Iterable[int]) -> set[tuple[int, str, int]]:
        """(ticket, kind, key) of the messages in the outbox for these tickets, whatever their state."""
        o = t.notify_outbox
        where = and_(o.c.hall == self.hall_id, o.c.ticket_id.in_(list(ticket_ids)))
        return {
            (r.ticket_id, r.kind, r.key)
            for r in self.conn.execute(select(o.c.ticket_id, o.c.kind, o.c.key).where(where))
        }

    def notify_cursor(self) -> int | None:
        c = t.notify_cursor
        return self.conn.execute(select(c.c.seq).where(c.c.hall == self.hall_id)).scalar()

    def notices(self, state: str, limit: int = 50) -> list[Any]:
        o = t.notify_outbox
        where = and_(o.c.hall == self.hall_id, o.c.state == state)
        return list(self.conn.execute(select(o).where(where).order_by(o.c.id).limit(limit)))


@dataclass
class HallTx(Reader):
    """A write transaction on one hall (the lock is held by the caller, see Store.write)."""

    conn: Connection
    hall_id: str
    hall: Hall
    seq: int
    now: datetime
    shipped: bool = False  # see tables.halls.shipped
    events: list[Recorded] = field(default_factory=list)

    @property
    def next_seq(self) -> int:
        """The seq the next emitted event gets (a call's audio URL names its own event)."""
        return self.seq + 1

    def emit(self, event: Event, actor: dict) -> Recorded:
        if self.shipped:
            # Every change emits an event, so this one refusal keeps a shipped hall read-only here:
            # a local event would take a seq its own server's log is about to send.
            raise Conflict(
                "hall_shipped",
                "本大厅在自己的服务器上运行，这里只接收它传来的记录",
                "this hall runs on its own server, which ships its log here: nothing changes it here",
            )
        self.seq += 1
        ev = Recorded(self.hall_id, self.seq, event.type, self.now, actor, event.data())
        self.conn.execute(INSERT_EVENT, ev.__dict__)
        self.events.append(ev)
        return ev

    def append_shipped(self, ev: Recorded) -> None:
        """The next event of the log the hall's own server ships here."""
        assert self.shipped and ev.seq == self.seq + 1 and ev.hall == self.hall_id
        self.seq = ev.seq
        self.conn.execute(INSERT_EVENT, ev.__dict__)
        self.events.append(ev)

    def mark_shipped(self) -> None:
        """From now on the hall's events come from its own server's log only (see `emit`)."""
        self.conn.execute(update(t.halls).where(t.halls.c.id == self.hall_id).values(shipped=True))
        self.shipped = True

    def replace_hall(self, hall: Hall) -> None:
        """Stores a new configuration of this hall (the caller has checked it breaks nothing)."""
        config = hall.model_dump(mode="json")
        self.conn.execute(
            update(t.halls)
            .where(t.halls.c.id == self.hall_id)
            .values(name=hall.name, config=config, config_hash=config_hash(config))
        )
        add_windows(self.conn, hall)
        self.hall = hall

    def services_carried(self, codes: set[str], since: date) -> set[str]:
        """Which of these services the tickets of `since` and later, or any still open, carry in any
        of their matters."""
        if not codes:
            return set()
        c = t.tickets.c
        rows = self.conn.execute(
            select(c.matters).where(
                c.hall == self.hall_id, or_(c.day >= since, c.state.in_([s.value for s in OPEN_STATES]))
            )
        )
        return codes & {m["service"] for row in rows for m in row.matters}

    def windows_in_use(self, numbers: set[int]) -> list[int]:
        w = t.windows.c
        return sorted(
            self.conn.execute(
                select(w.number).where(
                    w.hall == self.hall_id,
                    w.number.in_(numbers),
                    or_(w.state != WindowStatus.closed, w.ticket_id.is_not(None)),
                )
            ).scalars()
        )

    def flush_seq(self) -> None:
        if self.events:
            self.conn.execute(FLUSH_SEQ, {"p_hall": self.hall_id, "p_seq": self.seq})

    def set_notice(self, text: str | None) -> str:
        """Stores the live notice (None: back to the configured one); returns the notice shown now."""
        hall = t.halls.c
        self.conn.execute(update(t.halls).where(hall.id == self.hall_id).values(notice=text))
        if text is None:
            # self.hall carries the live notice being replaced: the configured one is in the config.
            text = self.conn.execute(select(hall.config).where(hall.id == self.hall_id)).scalar_one().get("notice", "")
        self.hall = self.hall.model_copy(update={"notice": text})
        return text

    def next_number(self, service: str, day: date) -> int:
        # Two statements rather than UPDATE … RETURNING, which SQLite has only since 3.35 (and older
        # system libraries are still about); the hall's lock makes the pair atomic.
        key = {"p_hall": self.hall_id, "p_service": service, "p_day": day}
        last = self.conn.execute(LAST_NUMBER, key).scalar()
        if last is None:  # the service's first ticket of the day
            self.conn.execute(INSERT_COUNTER, {"hall": self.hall_id, "service": service, "day": day, "last": 1})
            return 1
        self.conn.execute(BUMP_NUMBER, key)
        return last + 1

    def add_ticket(self, tk: Ticket, issued_by: str) -> int:
        values = _ticket_values(tk, self.rules) | {
            "hall": self.hall_id,
            "day": tk.day,
            "number": tk.number,
            "token": tk.token,
            "issued_at": tk.issued_at,
            "first_service": tk.matters[0].service,
            "slot_start": tk.slot[0] if tk.slot else None,
            "slot_end": tk.slot[1] if tk.slot else None,
            "id_hash": tk.id_hash,
            "masked_name": tk.masked_name,
            "phone_hash": tk.phone_hash,
            "issued_by": issued_by,
        }
        key = self.conn.execute(INSERT_TICKET, values).inserted_primary_key
        assert key is not None  # an INSERT's result
        ticket_id: int = key[0]
        tk.id = ticket_id
        return ticket_id

    def save_ticket(self, tk: Ticket) -> None:
        self.conn.execute(SAVE_TICKET, {"p_id": tk.id, **_ticket_values(tk, self.rules)})

    def save_window(self, w: Window) -> None:
        values = {k: v for k, v in w.__dict__.items() if k != "number"}
        self.conn.execute(SAVE_WINDOW, {"p_hall": self.hall_id, "p_number": w.number, **values})

    def record_window_time(self, service: str, time: CallTime) -> None:
        s = t.service_stats
        key = and_(s.c.hall == self.hall_id, s.c.service == service)
        values = {"avg_service_s": time.mean, "var_service_s": time.var}
        if self.conn.execute(update(s).where(key).values(samples=s.c.samples + 1, **values)).rowcount == 0:
            self.conn.execute(insert(s).values(hall=self.hall_id, service=service, samples=1, **values))

    def idempotent_ticket(self, key: str) -> Any:
        return self.conn.execute(IDEMPOTENT, {"p_hall": self.hall_id, "p_key": key}).first()

    def remember_idempotency(self, key: str, request_hash: str, ticket_id: int) -> None:
        self.conn.execute(
            INSERT_IDEMPOTENCY,
            {
                "hall": self.hall_id,
                "key": key,
                "request_hash": request_hash,
                "ticket_id": ticket_id,
                "created_at": self.now,
            },
        )

    def add_appointment(self, **values: Any) -> None:
        self.conn.execute(insert(t.appointments).values(hall=self.hall_id, created_at=self.now, **values))

    def save_appointment(self, code: str, **values: Any) -> None:
        self.conn.execute(
            update(t.appointments)
            .where(t.appointments.c.hall == self.hall_id, t.appointments.c.code == code)
            .values(**values)
        )

    def add_rating(self, **values: Any) -> None:
        self.conn.execute(insert(t.ratings).values(hall=self.hall_id, ts=self.now, **values))

    def add_followup(self, ticket_id: int, matter: int, due: date) -> int:
        key = self.conn.execute(
            insert(t.followups).values(
                hall=self.hall_id, ticket_id=ticket_id, matter=matter, opened_at=self.now, due=due, state="open"
            )
        ).inserted_primary_key
        assert key is not None  # an insert of one row
        return int(key[0])

    def save_followup(self, followup_id: int, **values: Any) -> None:
        self.conn.execute(update(t.followups).where(t.followups.c.id == followup_id).values(**values))

    def device(self, device: str) -> Any:
        d = t.devices
        return self.conn.execute(select(d).where(d.c.hall == self.hall_id, d.c.device == device)).first()

    def set_device(self, device: str, kind: str, state: str, detail: str, owner: str | None = None) -> bool:
        """Returns True when the device's state changed. `owner`: the token id reporting a new device."""
        d = t.devices
        key = and_(d.c.hall == self.hall_id, d.c.device == device)
        row = self.conn.execute(select(d).where(key)).first()
        if row is None:
            self.conn.execute(
                insert(d).values(
                    hall=self.hall_id, device=device, kind=kind, state=state, detail=detail, since=self.now, owner=owner
                )
            )
            return True
        if owner is not None and row.owner is None:  # one known before devices had owners: the first to report it
            self.conn.execute(update(d).where(key).values(owner=owner))
        if (row.state, row.detail) == (state, detail):
            return False
        self.conn.execute(update(d).where(key).values(kind=kind, state=state, detail=detail, since=self.now))
        return True

    def set_booking_phone(self, appointment_id: int, day: date, phone: str) -> None:
        self.conn.execute(
            insert(t.booking_phones).values(
                appointment_id=appointment_id, hall=self.hall_id, day=day, phone=phone, created_at=self.now
            )
        )

    def set_phone(self, ticket_id: int, day: date, phone: str, family: bool) -> None:
        p = t.notify_phones
        self.conn.execute(delete(p).where(p.c.ticket_id == ticket_id))
        self.conn.execute(
            insert(p).values(
                ticket_id=ticket_id, hall=self.hall_id, day=day, phone=phone, family=family, created_at=self.now
            )
        )

    def drop_phones(self, before: date) -> int:
        """The day boundary: numbers given for an earlier day's tickets are kept no longer, nor
        their messages (which hold the ticket's number and window, not the phone), unless a 差评's
        follow-up of the ticket is open or closed within the hour (its messages still to go)."""
        phones, bookings, codes, messages = _personal_data_before(self.hall_id, self.hall, before, self.now)
        o = t.notify_outbox
        old = select(t.notify_phones.c.ticket_id).where(phones).scalar_subquery()
        self.conn.execute(delete(o).where(o.c.hall == self.hall_id, o.c.ticket_id.in_(old)))
        self.conn.execute(delete(t.booking_phones).where(bookings))
        self.conn.execute(delete(t.phone_codes).where(codes))
        self.conn.execute(delete(o).where(messages))
        return self.conn.execute(delete(t.notify_phones).where(phones)).rowcount

    def set_notify_cursor(self, seq: int) -> None:
        c = t.notify_cursor
        if self.conn.execute(update(c).where(c.c.hall == self.hall_id).values(seq=seq)).rowcount == 0:
            self.conn.execute(insert(c).values(hall=self.hall_id, seq=seq))

    def queue_notice(self, ticket_id: int, kind: str, key: int, text: str, phone: str | None = None) -> None:
        """A message into the outbox; its (ticket, kind, key) is unique, so a second is refused.
        Without a ticket (0), `phone` says where it goes."""
        self.conn.execute(
            insert(t.notify_outbox).values(
                hall=self.hall_id,
                ticket_id=ticket_id,
                kind=kind,
                key=key,
                text=text,
                state="pending",
                detail="",
                created_at=self.now,
                phone=phone,
            )
        )

    def set_notice_state(self, notice_id: int, state: str, detail: str = "") -> None:
        o = t.notify_outbox
        values: dict[str, Any] = {"state": state, "detail": detail, "sent_at": self.now if state == "sent" else None}
        if state not in ("pending", "sending"):  # done with: a number it held for itself goes
            values["phone"] = None
        self.conn.execute(update(o).where(o.c.id == notice_id).values(**values))

    def add_phone_code(self, phone_hash: str, code_hash: str, expires_at: datetime) -> int:
        key = self.conn.execute(
            insert(t.phone_codes).values(
                hall=self.hall_id,
                phone_hash=phone_hash,
                code_hash=code_hash,
                created_at=self.now,
                expires_at=expires_at,
                attempts=0,
            )
        ).inserted_primary_key
        assert key is not None
        code_id: int = key[0]
        return code_id

    def save_phone_code(self, code_id: int, **values: Any) -> None:
        p = t.phone_codes
        self.conn.execute(update(p).where(p.c.id == code_id).values(**values))

    def clear_day(self, day: date) -> int:
        """Removes the day's tickets with what hangs on them (ratings and their follow-ups, idempotency keys, the day's
        numbering, bookings' check-ins, the windows' hold on them) and what their calls taught the
        waiting-time estimate; closes every window. Returns how many tickets went. The events stay:
        the audit trail keeps what happened, and the reports leave out what a `hall.cleared` voids."""
        c = t.tickets.c
        day_tickets = select(c.id).where(c.hall == self.hall_id, c.day == day).scalar_subquery()
        gone = self.conn.execute(select(func.count()).where(c.hall == self.hall_id, c.day == day)).scalar_one()
        self.conn.execute(delete(t.followups).where(t.followups.c.ticket_id.in_(day_tickets)))
        self.conn.execute(delete(t.ratings).where(t.ratings.c.ticket_id.in_(day_tickets)))
        i, a, n = t.idempotency.c, t.appointments.c, t.counters.c
        self.conn.execute(delete(t.idempotency).where(i.hall == self.hall_id, i.ticket_id.in_(day_tickets)))
        self.conn.execute(
            update(t.appointments)
            .where(a.hall == self.hall_id, a.ticket_id.in_(day_tickets))
            .values(state="booked", ticket_id=None)
        )
        self.conn.execute(delete(t.notify_outbox).where(t.notify_outbox.c.ticket_id.in_(day_tickets)))
        self.conn.execute(delete(t.notify_phones).where(t.notify_phones.c.ticket_id.in_(day_tickets)))
        self.conn.execute(delete(t.tickets).where(c.hall == self.hall_id, c.day == day))
        self.conn.execute(delete(t.counters).where(n.hall == self.hall_id, n.day == day))
        self.conn.execute(delete(t.service_stats).where(t.service_stats.c.hall == self.hall_id))
        self.conn.execute(
            update(t.windows)
            .where(t.windows.c.hall == self.hall_id)
            .values(
                state=WindowStatus.closed,
                pause_reason=None,
                clerk_id=None,
                ticket_id=None,
                priority_streak=0,
                state_since=self.now,
            )
        )
        return int(gone)


def config_hash(config: dict) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def add_windows(conn: Connection, hall: Hall) -> None:
    """Rows for the hall's windows not stored yet (a window removed from the file keeps its row,
    and so its history)."""
    existing = set(conn.execute(select(t.windows.c.number).where(t.windows.c.hall == hall.id)).scalars())
    for w in hall.windows:
        if w.number not in existing:
            conn.execute(insert(t.windows).values(hall=hall.id, number=w.number, state=WindowStatus.closed))

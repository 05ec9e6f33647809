"""Text messages to citizens who gave a phone number: taking the number, and turning the hall's
events into outbox rows the notifier sends (queue_server/notifier.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from ..domain.calendar import business_day, local_time
from ..domain.events import DeviceStateChanged, FollowUpOpened, FollowUpUpdated, Recorded
from ..domain.notices import (
    CALLED,
    FOLLOWUP,
    FOLLOWUP_CLOSED,
    NEAR,
    NO_SHOW,
    RECALLED,
    REMINDER,
    Notice,
    normalise_phone,
)
from ..domain.tickets import State
from ..errors import Conflict, Invalid
from ..store.repository import Reader
from ..store.store import Store
from .body import Body
from .followup import by_token
from .principal import SYSTEM
from .views import phone_view

DEVICE = "sms"  # the hall's one text-message sender, as the dashboard lists it
STALE = timedelta(minutes=10)  # a message that could not go out by then is no news any more
# Read this far behind before the cursor is moved on (a write on the hall): re-reading the few
# events since is cheaper than a write after every change, and the outbox's key makes it harmless.
CURSOR_LAG = 200
EVENT_KINDS = {"ticket.called": CALLED, "ticket.recalled": RECALLED, "ticket.no_show": NO_SHOW}
REMIND_HOUR = 18  # a booking's reminder goes out from this hour of the day before (hall time)


def valid_phone(text: str) -> str:
    phone = normalise_phone(text)
    if phone is None:
        raise Invalid("bad_phone", "请输入11位手机号码", "enter an 11-digit mainland mobile number")
    return phone


def give_phone(store: Store, token: str, phone: str, family: bool) -> Body:
    """The citizen (their ticket's token) asks for text messages about it."""
    hall_id, ticket_id = by_token(store, token)
    number = valid_phone(phone)
    with store.write(hall_id) as tx:
        tk = tx.ticket(ticket_id)
        assert tk is not None
        if tk.state not in (State.waiting, State.called, State.no_show):
            raise Conflict("ticket_closed", "此号已办结，无需短信提醒", "this ticket is finished: no messages to send")
        tx.set_phone(ticket_id, tk.day, number, family)
        return phone_view(tx.phones([ticket_id])[ticket_id]) or {}


def _planned(r: Reader, events: list[Recorded], now: datetime) -> list[tuple[int, str, int, str]]:
    """(ticket, kind, key, text) of the messages the events and the queues call for, less those
    already in the outbox."""
    phones = r.phones()
    if not phones:
        return []
    hall = r.hall
    floors = {w.number: w.floor for w in hall.windows}
    out = []
    for ev in events:
        if ev.type in (FollowUpOpened.type, FollowUpUpdated.type):
            out += _about_followup(r, ev, phones)
            continue
        kind = EVENT_KINDS.get(ev.type)
        ticket_id = ev.data.get("id")
        if kind is None or ticket_id not in phones:
            continue
        window: int | None = ev.data.get("window")
        notice = Notice(
            kind,
            hall.name,
            ev.data["number"],
            window=window,
            floor=ev.data.get("floor", floors.get(window) if window is not None else None),
            minutes=hall.calling.reactivate_minutes,
        )
        out.append((ticket_id, kind, ev.seq, notice.text()))
    for ticket_id in phones:
        tk = r.ticket(ticket_id)
        if tk is None or tk.state != State.waiting:
            continue
        ahead = r.ahead_of(tk, now)
        if ahead <= hall.notify.ahead:
            out.append((ticket_id, NEAR, 0, Notice(NEAR, hall.name, tk.number, ahead=ahead).text()))
    known = r.notice_keys(phones)
    return [m for m in out if m[:3] not in known]


def _about_followup(r: Reader, ev: Recorded, phones: dict[int, Any]) -> list[tuple[int, str, int, str]]:
    """A 差评's follow-up opened (we will look into it and call you back) or closed, to the number the
    ticket gave, which is kept until then (Repository.drop_phones)."""
    d = ev.data
    ticket_id: int | None
    if ev.type == FollowUpOpened.type:
        ticket_id, kind = d.get("ticket"), FOLLOWUP
    elif d.get("state") == "closed":
        rows = r.followups(followup_id=d["followup"])
        ticket_id, kind = (rows[0].ticket_id if rows else None), FOLLOWUP_CLOSED
    else:
        return []
    if ticket_id is None or ticket_id not in phones:
        return []
    service = r.hall.service(d["service"]).name
    return [(ticket_id, kind, ev.seq, Notice(kind, r.hall.name, d["number"], service=service, due=d["due"]).text())]


def plan(store: Store, hall_id: str) -> int:
    """Queues the messages the events since the cursor call for; returns how many were new.
    The look is a read; the hall is written only when there is something to queue."""
    with store.read(hall_id) as r:
        cursor = r.notify_cursor()
        # A number given after the ticket changes no event, and may already be near: look even
        # when no event is new.
        if cursor is not None and not _planned(r, r.events_after(cursor), store.clock.now()):
            if r.last_seq() - cursor < CURSOR_LAG:
                return 0
    with store.write(hall_id) as tx:
        cursor = tx.notify_cursor()
        if cursor is None:  # the first run: what happened before is nobody's news
            tx.set_notify_cursor(tx.last_seq())
            return 0
        events = tx.events_after(cursor)
        for m in _planned(tx, events, tx.now):
            tx.queue_notice(*m)
        if events:
            tx.set_notify_cursor(events[-1].seq)
        return len(events)


def claim(store: Store, hall_id: str, limit: int = 20) -> list[tuple[int, str, str]]:
    """(outbox id, phone, text) of pending messages, marked `sending` in the same transaction so
    that no other pass or process sends them again; stale ones are dropped instead."""
    with store.read(hall_id) as r:
        if not r.notices("pending", 1):
            return []
    with store.write(hall_id) as tx:
        phones = tx.phones()
        out = []
        for row in tx.notices("pending", limit):
            to = row.phone or (phones[row.ticket_id].phone if row.ticket_id in phones else None)
            if to is None or tx.now - row.created_at > STALE:
                tx.set_notice_state(row.id, "expired")
                continue
            tx.set_notice_state(row.id, "sending")
            out.append((row.id, to, row.text))
        return out


def finish(store: Store, hall_id: str, notice_id: int, state: str, detail: str = "") -> None:
    """`sent`, `failed`, or back to `pending` when the sender refused it before it left."""
    with store.write(hall_id) as tx:
        tx.set_notice_state(notice_id, state, detail)


def abandon_in_flight(store: Store, hall_id: str) -> int:
    """At start: messages a crash left `sending` may have gone out; they are not sent again."""
    with store.read(hall_id) as r:
        if not r.notices("sending", 1):
            return 0
    with store.write(hall_id) as tx:
        rows = tx.notices("sending", 1000)
        for row in rows:
            tx.set_notice_state(row.id, "unknown", "the server stopped while sending")
        return len(rows)


def report_sender(store: Store, hall_id: str, state: str, detail: str) -> None:
    """The sender's health as a device of the hall (the dashboard's devices, device_trouble alerts)."""
    with store.write(hall_id) as tx:
        if tx.set_device(DEVICE, "sms", state, detail):
            tx.emit(DeviceStateChanged(device=DEVICE, kind="sms", state=state, detail=detail), SYSTEM)


def plan_reminders(store: Store, hall_id: str) -> int:
    """The day before a booking with a number to remind, from REMIND_HOUR: its reminder into the
    outbox (once: keyed by the booking). Returns how many were new."""
    with store.read(hall_id) as r:
        now = store.clock.now()
        hall = r.hall
        if local_time(now, hall.timezone).hour < REMIND_HOUR:
            return 0
        tomorrow = business_day(now, hall.timezone, hall.day_boundary_hour) + timedelta(days=1)
        if not _reminders_due(r, tomorrow):
            return 0
    with store.write(hall_id) as tx:
        due = _reminders_due(tx, tomorrow)
        for booking in due:
            slot = f"明天（{tomorrow.month}月{tomorrow.day}日）{booking.slot}"
            service = tx.hall.service(booking.service).name
            text = Notice(REMINDER, tx.hall.name, "", service=service, slot=slot, code=booking.code).text()
            tx.queue_notice(0, REMINDER, booking.id, text, phone=booking.phone)
        return len(due)


def _reminders_due(r: Reader, day: date) -> list[Any]:
    sent = r.notice_keys([0])
    return [b for b in r.bookings_to_remind(day) if (0, REMINDER, b.id) not in sent]

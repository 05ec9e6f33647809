"""Tickets on the phone: taking one in the hall by the boards' entry code, a same-day place from
outside (线上取号) checked in on arrival, stepping out (暂离), and proving a phone number by SMS code.

A phone ticket follows the kiosk's rules (usecases/issuing.py: matters, hours, caps, the priority
classes a citizen may choose) with one more: the holder says who they are, by ID number or by a
phone number confirmed with a code, so that one person cannot take the hall's numbers by the dozen
from a photographed code."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..domain import entry
from ..domain.calendar import business_day, day_start, local_time
from ..domain.events import QueueStats, TicketArrived, TicketBack, TicketLapsed, TicketSteppedOut
from ..domain.hall import Hall
from ..domain.notices import CODE, Notice
from ..domain.privacy import phone_hash
from ..domain.tickets import Absence, State, Ticket
from ..errors import Conflict, Invalid, TooMany
from ..store.repository import HallTx
from ..store.store import Store
from . import issuing, lookups
from .body import Body
from .followup import by_token
from .notify import valid_phone
from .principal import CITIZEN, PHONE, SYSTEM, Actor, Principal
from .queue_view import QueueView
from .views import citizen_view, staff_view

CODE_MINUTES = 5  # an SMS code is good this long
CODE_ATTEMPTS = 5  # wrong guesses before a code is spent
RESEND_SECONDS = 60  # a second code to the same number no sooner
CODES_PER_DAY = 5  # codes one number is sent in a day


def _entry_key(secret: bytes) -> bytes:
    return hmac.new(secret, b"hallq entry codes", hashlib.sha256).digest()


def entry_code(store: Store, hall_id: str, secret: bytes, public_url: str) -> Body:
    """What the boards and kiosks show: the code of this minute and the page it opens."""
    with store.read(hall_id) as r:
        lifetime = r.hall.phone.code_minutes
    now = store.clock.now()
    code = entry.current(_entry_key(secret), hall_id, now, lifetime)
    return {
        "code": code.code,
        "url": f"{public_url.rstrip('/')}/take.html?hall={hall_id}&code={code.code}",
        "shown_until": code.shown_until.isoformat(),
        "valid_until": code.valid_until.isoformat(),
        "lifetime_minutes": lifetime,
        "next_in_seconds": round((code.shown_until - now).total_seconds(), 1),
    }


def _check_entry(hall: Hall, code: str, now: datetime, secret: bytes) -> None:
    good = entry.check(_entry_key(secret), hall.id, code, now, hall.phone.code_minutes)
    if good is None:
        raise Invalid("bad_entry_code", "二维码无效，请扫描本大厅屏幕上的二维码", "not this hall's entry code")
    if not good:
        raise Conflict(
            "entry_code_expired",
            "二维码已过期，请重新扫描大厅屏幕上的二维码",
            "this code has expired: scan the one on the hall's screens again",
        )


# -- proving a phone number ------------------------------------------------------------------------
def _code_hash(secret: bytes, code_id: int, code: str) -> str:
    return hmac.new(secret, f"sms-code:{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def send_code(store: Store, hall_id: str, phone: str, secret: bytes) -> Body:
    """A six-digit code by text message to `phone` (the notifier sends it), good for CODE_MINUTES."""
    number = valid_phone(phone)
    key = phone_hash(secret, number)
    with store.write(hall_id) as tx:
        sent = tx.phone_codes(key)
        hall = tx.hall
        today = day_start(
            business_day(tx.now, hall.timezone, hall.day_boundary_hour), hall.timezone, hall.day_boundary_hour
        )
        if sent and (tx.now - sent[0].created_at).total_seconds() < RESEND_SECONDS:
            wait = RESEND_SECONDS - int((tx.now - sent[0].created_at).total_seconds())
            raise TooMany(
                "code_too_soon", f"验证码已发送，请 {wait} 秒后再试", f"a code was just sent: wait {wait} s", wait
            )
        if sum(row.created_at >= today for row in sent) >= CODES_PER_DAY:
            raise TooMany(
                "code_limit", "此号码今日获取验证码次数已达上限", "this number has had its codes for today", 3600
            )
        code = f"{secrets.randbelow(10**6):06d}"
        expires = tx.now + timedelta(minutes=CODE_MINUTES)
        code_id = tx.add_phone_code(key, "", expires)  # the row's id keys the code's hash
        tx.save_phone_code(code_id, code_hash=_code_hash(secret, code_id, code))
        tx.queue_notice(
            0, CODE, code_id, Notice(CODE, tx.hall.name, "", code=code, minutes=CODE_MINUTES).text(), phone=number
        )
        return {"sent": True, "expires_in_seconds": CODE_MINUTES * 60, "resend_after_seconds": RESEND_SECONDS}


def _confirm(store: Store, hall_id: str, phone: str, code: str, secret: bytes) -> str:
    """The keyed hash of `phone` when `code` is the latest one sent to it and still good. The code
    stays good until it expires (a ticket refused for a closed service may be retried with it):
    it proves the number, and the per-person cap bounds what the number may take."""
    key = phone_hash(secret, phone)
    with store.write(hall_id) as tx:
        rows = tx.phone_codes(key)
        live = rows[0] if rows and rows[0].expires_at > tx.now else None
        if live is None or live.attempts >= CODE_ATTEMPTS:
            raise Conflict(
                "code_expired", "验证码已失效，请重新获取", "no live code for this number: ask for a new one"
            )
        right = hmac.compare_digest(live.code_hash, _code_hash(secret, live.id, code.strip()))
        if not right:  # counted, so committed: the refusal is raised after the transaction
            tx.save_phone_code(live.id, attempts=live.attempts + 1)
    if not right:
        raise Invalid("bad_code", "验证码不正确", "wrong code")
    return key


# -- taking a ticket -------------------------------------------------------------------------------
@dataclass(frozen=True)
class PhoneIssue:
    services: list[str]
    priority: str | None = None
    entry_code: str | None = None  # in the hall; without it, a place from outside (线上取号)
    id_card: issuing.IdCard | None = None  # the ID number typed (no card reader on a phone)
    phone: str | None = None  # with sms_code: who the holder is, and where messages go
    sms_code: str | None = None


def issue(store: Store, hall_id: str, req: PhoneIssue, secret: bytes, idempotency_key: str | None) -> tuple[Body, bool]:
    """Returns (ticket view, created), as issuing.issue."""
    if req.id_card is None and not (req.phone and req.sms_code):
        raise Invalid(
            "identity_required",
            "请填写身份证号码，或用手机验证码确认手机号",
            "give an ID number, or a phone number with the code sent to it",
        )
    if req.entry_code:
        with store.read(hall_id) as r:
            _check_entry(r.hall, req.entry_code, store.clock.now(), secret)
    phone = valid_phone(req.phone) if req.phone else None
    confirmed = _confirm(store, hall_id, phone, req.sms_code, secret) if phone and req.sms_code else None
    base = issuing.IssueRequest(
        services=req.services,
        priority=req.priority,
        id_card=req.id_card,
        phone=phone if confirmed else None,
        phone_hash=confirmed,
        remote=not req.entry_code,
    )
    return issuing.issue(store, hall_id, base, PHONE, secret, idempotency_key)


# -- arriving, stepping out ------------------------------------------------------------------------
def _changed(tx: HallTx, tk: Ticket, actor: Actor) -> Body:
    tx.save_ticket(tk)
    queue = QueueView.load(tx, tx.now)
    tx.emit(QueueStats(queue.stats([tk.service])), actor)
    return citizen_view(tk, tx.hall, queue)


def arrive_by_code(store: Store, token: str, code: str, secret: bytes) -> Body:
    """The holder of a place taken from outside scans the hall's entry code: checked in."""
    hall_id, ticket_id = by_token(store, token)
    with store.write(hall_id) as tx:
        _check_entry(tx.hall, code, tx.now, secret)
        tk = tx.ticket(ticket_id)
        assert tk is not None and tk.id is not None
        if not tk.arrive():
            return citizen_view(tk, tx.hall, QueueView.load(tx, tx.now))
        tx.emit(TicketArrived(id=tk.id, number=tk.number, service=tk.service, via="entry_code"), CITIZEN)
        return _changed(tx, tk, CITIZEN)


def _via(who: Principal) -> str:
    """How a check-in came: the kiosk, a guide (a tablet's token or a signed-in guide)."""
    return (who.role or who.kind) if who.is_user else who.kind


def arrive_by_number(store: Store, hall_id: str, number: str, who: Principal) -> Body:
    """A guide checks in today's place `number` taken from outside, having seen its holder (their
    phone's page, an ID card): for a phone that cannot scan the hall's code."""
    with store.write(hall_id) as tx:
        tk = lookups.ticket_today(tx, tx.now, number)
        assert tk.id is not None
        if tk.arrive():
            tx.save_ticket(tk)
            tx.emit(TicketArrived(id=tk.id, number=tk.number, service=tk.service, via=_via(who)), who.actor())
            queue = QueueView.load(tx, tx.now)
            tx.emit(QueueStats(queue.stats([tk.service])), who.actor())
        return staff_view(tk, tx.hall, QueueView.load(tx, tx.now))


def arrive_by_id_card(store: Store, hall_id: str, id_number: str, secret: bytes, who: Principal) -> list[Body]:
    """The kiosk (or a guide) reads the ID card of someone who took places from outside: all of
    today's not yet arrived are checked in."""
    key = lookups.id_person(id_number, secret)
    with store.write(hall_id) as tx:
        day = business_day(tx.now, tx.hall.timezone, tx.hall.day_boundary_hour)
        mine = [tk for tk in tx.person_tickets(day, key) if tk.state is State.waiting and tk.absent is Absence.remote]
        for tk in mine:
            assert tk.id is not None
            tk.arrive()
            tx.save_ticket(tk)
            tx.emit(TicketArrived(id=tk.id, number=tk.number, service=tk.service, via=_via(who)), who.actor())
        if not mine:
            return []
        queue = QueueView.load(tx, tx.now)
        tx.emit(QueueStats(queue.stats(sorted({tk.service for tk in mine}))), who.actor())
        return [citizen_view(tk, tx.hall, queue) for tk in mine]


def step_out(store: Store, token: str, minutes: int) -> Body:
    """暂离: keep my place, don't call me for the next `minutes` (one of the hall's choices)."""
    hall_id, ticket_id = by_token(store, token)
    with store.write(hall_id) as tx:
        choices = tx.hall.phone.step_out_minutes
        if minutes not in choices:
            raise Invalid(
                "bad_minutes",
                f"暂离时长可选 {'、'.join(map(str, choices))} 分钟",
                f"step out for one of {choices} minutes",
            )
        tk = tx.ticket(ticket_id)
        assert tk is not None and tk.id is not None
        tk.step_out(tx.now, minutes)
        assert tk.back_at is not None
        until = local_time(tk.back_at, tx.hall.timezone).isoformat()
        tx.emit(TicketSteppedOut(id=tk.id, number=tk.number, service=tk.service, until=until), CITIZEN)
        return _changed(tx, tk, CITIZEN)


def come_back(store: Store, token: str) -> Body:
    hall_id, ticket_id = by_token(store, token)
    with store.write(hall_id) as tx:
        tk = tx.ticket(ticket_id)
        assert tk is not None and tk.id is not None
        if not tk.come_back():
            return citizen_view(tk, tx.hall, QueueView.load(tx, tx.now))
        tx.emit(TicketBack(id=tk.id, number=tk.number, service=tk.service), CITIZEN)
        return _changed(tx, tk, CITIZEN)


def lapse_overdue(store: Store, hall_id: str) -> int:
    """Places from outside not checked in within the hall's `phone.remote.arrive_minutes` end."""
    with store.read(hall_id) as r:
        if not r.lapsing(store.clock.now()):
            return 0  # the sweep's usual pass: no write transaction
    with store.write(hall_id) as tx:
        due = [tk for tk in tx.lapsing(tx.now) if tk.lapse_due(tx.now)]
        for tk in due:
            assert tk.id is not None
            tk.cancel()
            tx.save_ticket(tk)
            tx.emit(TicketLapsed(id=tk.id, number=tk.number, service=tk.service), SYSTEM)
        if due:
            tx.emit(QueueStats(QueueView.load(tx, tx.now).stats(sorted({tk.service for tk in due}))), SYSTEM)
        return len(due)

"""Taking a ticket: at the kiosk, by a floor guide, or by checking in an appointment."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..domain.calendar import business_day, day_start, local_time
from ..domain.events import QueueStats, TicketIssued
from ..domain.hall import APPOINTMENT, NORMAL, Hall, Service
from ..domain.identity import birth_date
from ..domain.numbering import format_number
from ..domain.privacy import id_hash, mask_name
from ..domain.tickets import Absence, Matter, State, Ticket
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..store.repository import REMOTE, HallTx
from ..store.store import Store
from . import lookups
from .body import Body
from .principal import Principal
from .queue_view import QueueView
from .views import citizen_view, phone_view

MAX_MATTERS = 5


@dataclass(frozen=True)
class IdCard:
    id_number: str
    name: str = ""


@dataclass(frozen=True)
class IssueRequest:
    services: list[str]
    priority: str | None = None
    appointment: str | None = None
    id_card: IdCard | None = None
    phone: str | None = None  # for text messages (usecases/notify.py), already checked
    family: bool = False
    # Taken on a phone (usecases/phone.py): the holder's number confirmed by an SMS code, as its
    # keyed hash, and whether the place was taken from outside the hall (called once it arrives).
    phone_hash: str | None = None
    remote: bool = False

    def digest(self, secret: bytes) -> str:
        """What an Idempotency-Key is checked against. Keyed: the body holds the raw ID number, and an
        unkeyed hash of it is brute-forced in seconds (the ID space is small)."""
        body: dict[str, object] = {
            "services": self.services,
            "priority": self.priority,
            "appointment": self.appointment,
            "id": self.id_card.id_number.upper() if self.id_card else None,
            "phone": [self.phone, self.family] if self.phone else None,
        }
        # Only when set: a kiosk's retry across an upgrade still matches the key it stored before.
        if self.phone_hash:
            body["confirmed"] = self.phone_hash
        if self.remote:
            body["remote"] = True
        return hmac.new(secret, json.dumps(body, sort_keys=True).encode(), hashlib.sha256).hexdigest()


def issue(
    store: Store, hall_id: str, req: IssueRequest, who: Principal, secret: bytes, idempotency_key: str | None = None
) -> tuple[Body, bool]:
    """Returns (ticket view, created). The same Idempotency-Key returns the first ticket again."""
    with store.write(hall_id) as tx:
        if idempotency_key:
            seen = tx.idempotent_ticket(idempotency_key)
            if seen is not None:
                if seen.request_hash != req.digest(secret):
                    raise Conflict(
                        "idempotency_conflict",
                        "同一请求编号用于了不同的取号内容",
                        "this Idempotency-Key was used for a different request",
                    )
                tk = tx.ticket(seen.ticket_id)
                assert tk is not None
                return _with_phone(tx, tk, citizen_view(tk, tx.hall, QueueView.load(tx, tx.now))), False
        tk = _new_ticket(tx, req, who, secret)
        ticket_id = tx.add_ticket(tk, issued_by=REMOTE if req.remote else who.actor()["id"] or who.kind)
        if idempotency_key:
            tx.remember_idempotency(idempotency_key, req.digest(secret), ticket_id)
        if req.appointment:
            tx.save_appointment(req.appointment.upper(), state="checked_in", ticket_id=ticket_id)
        if req.phone:
            tx.set_phone(ticket_id, tk.day, req.phone, req.family)
        queue = QueueView.load(tx, tx.now)
        view = citizen_view(tk, tx.hall, queue)
        tx.emit(_issued(view, req.remote), who.actor())
        tx.emit(QueueStats(queue.stats([tk.service])), who.actor())
        return _with_phone(tx, tk, view), True


def _with_phone(tx: HallTx, tk: Ticket, view: Body) -> Body:
    """The holder's view shows the number given for messages, masked; events never carry it."""
    assert tk.id is not None
    return view | {"notify": phone_view(tx.phones([tk.id]).get(tk.id))}


def _issued(view: Body, remote: bool) -> TicketIssued:
    """The event carries what a display may show: no token, no name."""
    return TicketIssued(
        id=view["id"],
        number=view["number"],
        services=view["services"],
        service=view["service"],
        klass=view["klass"],
        state=view["state"],
        position=view["position"],
        eta_seconds=view["eta_seconds"],
        eta_low_seconds=view["eta_low_seconds"],
        eta_high_seconds=view["eta_high_seconds"],
        remote=remote,
    )


def _new_ticket(tx: HallTx, req: IssueRequest, who: Principal, secret: bytes) -> Ticket:
    hall = tx.hall
    services = _check_services(hall, req.services)
    local = local_time(tx.now, hall.timezone)
    day = business_day(tx.now, hall.timezone, hall.day_boundary_hour)
    klass = _requested_class(hall, req.priority, who)

    person_hash = masked = None
    if req.id_card:
        try:
            born = birth_date(req.id_card.id_number)
        except ValueError as e:
            raise Invalid("bad_id_number", "身份证号码无效，请核对", f"invalid ID number: {e}") from None
        person_hash = id_hash(secret, req.id_card.id_number)
        masked = mask_name(req.id_card.name) if req.id_card.name else None
        by_age = hall.age_class(born, local.date())
        if by_age and hall.boost_seconds(by_age) > hall.boost_seconds(klass):
            klass = by_age
    if req.id_card or req.phone_hash:
        _check_person_cap(tx, hall, day, person_hash, req.phone_hash, services)
    if not req.id_card:
        needing = [s for s in services if hall.service(s).id_card_required]
        if needing:
            name = hall.service(needing[0]).name
            raise Invalid("id_card_required", f"「{name}」须刷身份证取号", f"{needing[0]} needs an ID card")

    slot = None
    if req.appointment:
        slot = _check_in(tx, req.appointment, services, person_hash, who)
        klass = APPOINTMENT if hall.boost_seconds(APPOINTMENT) > hall.boost_seconds(klass) else klass

    for code in services:
        if not hall.service_open(code, local):
            s = hall.service(code)
            raise Conflict(
                "service_closed",
                f"「{s.name}」现在不办理（今日 {hall.hours_today(code, local)}）",
                f"{code} is closed now (today {hall.hours_today(code, local)})",
            )
    first = hall.service(services[0])
    if first.daily_cap is not None and tx.issued_today(day).get(first.code, 0) >= first.daily_cap:
        raise Conflict("daily_cap_reached", f"「{first.name}」今日号已取完", f"{first.code}: today's tickets are gone")
    if req.remote:
        _check_remote(tx, hall, day, first)

    number = format_number(first.prefix, tx.next_number(first.code, day))
    return Ticket(
        number=number,
        day=day,
        matters=[Matter(service=s) for s in services],
        klass=klass,
        issued_at=tx.now,
        slot=slot,
        token=secrets.token_urlsafe(24),
        id_hash=person_hash,
        masked_name=masked,
        phone_hash=req.phone_hash,
        absent=Absence.remote if req.remote else None,
        back_at=tx.now + timedelta(minutes=hall.phone.remote.arrive_minutes) if req.remote else None,
    )


def _check_remote(tx: HallTx, hall: Hall, day: date, first: Service) -> None:
    """线上取号 leaves walk-ins their share: so many places a service per clock hour."""
    rules = hall.phone.remote
    if not rules.enabled:
        raise Forbidden(
            "remote_off",
            "本大厅未开通线上取号，请到大厅扫描屏幕上的二维码取号",
            "this hall takes no places from outside: scan the code on the hall's screens",
        )
    per_hour = first.remote_per_hour if first.remote_per_hour is not None else rules.per_hour
    local = local_time(tx.now, hall.timezone)
    hour = local.replace(minute=0, second=0, microsecond=0)
    if tx.remote_issued(day, hour).get(first.code, 0) >= per_hour:
        raise Conflict(
            "remote_full",
            f"「{first.name}」本时段的线上号已取完，请稍后再试或到大厅取号",
            f"{first.code}: this hour's places from outside are gone; try later or take one in the hall",
        )


def _check_services(hall: Hall, codes: list[str]) -> list[str]:
    if not codes:
        raise Invalid("no_service", "请选择办理事项", "choose at least one service")
    if len(codes) > MAX_MATTERS:
        raise Invalid("too_many_services", f"一次最多 {MAX_MATTERS} 个事项", f"at most {MAX_MATTERS} services")
    if len(set(codes)) != len(codes):
        raise Invalid("duplicate_service", "事项重复", "a service appears twice")
    for code in codes:
        lookups.service(hall, code)
    return list(codes)


def _requested_class(hall: Hall, priority: str | None, who: Principal) -> str:
    if priority in (None, NORMAL):
        return NORMAL
    if priority == APPOINTMENT:
        raise Invalid("bad_priority", "预约请使用预约码取号", "check in with the appointment code")
    try:
        cls = hall.priority_class(priority)
    except KeyError:
        raise Invalid("bad_priority", f"没有优先类别 {priority}", f"no priority class {priority!r}") from None
    staff = who.kind == "guide" or who.role in ("guide", "admin", "manager")
    if not (cls.self_service or staff):
        raise Forbidden(
            "priority_needs_guide", f"「{cls.name}」请到导办台由工作人员办理", f"{priority} is granted by a floor guide"
        )
    return cls.code


def _check_person_cap(
    tx: HallTx, hall: Hall, day: date, id_hash: str | None, phone_hash: str | None, services: list[str]
) -> None:
    """One person's tickets of the day, whichever way taken (kiosk, guide, phone, from outside)."""
    cap = hall.issuing.per_person_per_service
    held = [
        tk for tk in tx.person_tickets(day, id_hash, phone_hash) if tk.state not in (State.cancelled, State.expired)
    ]
    for code in services:
        if sum(code in tk.services() for tk in held) >= cap:
            s = hall.service(code)
            raise Conflict(
                "per_person_cap",
                f"您今天已取过「{s.name}」的号（每人每天 {cap} 个）",
                f"this person already holds {cap} ticket(s) for {code} today",
            )


def appointment_window(hall: Hall, day: date, slot: str) -> tuple[datetime, datetime]:
    """The instants an appointment may be checked in and boosted: its slot plus the margins."""
    rules = hall.appointments
    h, m = (int(x) for x in slot.split(":"))
    start = day_start(day, hall.timezone, 0).replace(hour=h, minute=m)
    return (
        start - timedelta(minutes=rules.early_minutes),
        start + timedelta(minutes=rules.slot_minutes + rules.late_minutes),
    )


def _check_in(
    tx: HallTx, code: str, services: list[str], person_hash: str | None, who: Principal
) -> tuple[datetime, datetime]:
    appt = tx.appointment(code.upper())
    if appt is None or appt.state == "cancelled":
        raise NotFound("appointment_not_found", "预约码无效或已取消", "no such appointment, or it was cancelled")
    if appt.state != "booked":
        raise Conflict("appointment_used", "该预约已取号", "this appointment has been checked in already")
    if services[0] != appt.service:
        raise Invalid("appointment_service", "预约事项与所选事项不符", "the appointment is for another service")
    if appt.id_hash and person_hash and appt.id_hash != person_hash:
        raise Forbidden("appointment_person", "预约人与身份证不符", "the appointment was booked for another person")
    if appt.id_hash and person_hash is None and who.kind == "kiosk":
        # A code alone may have been seen over a shoulder; a guide at the help desk checks the card.
        raise Forbidden(
            "appointment_needs_id_card",
            "此预约须凭预约人身份证签到，请刷身份证或到服务台办理",
            "this appointment was booked with an ID number: check in with that ID card, or at the help desk",
        )
    opens, closes = appointment_window(tx.hall, appt.day, appt.slot)
    if tx.now < opens:
        local = local_time(opens, tx.hall.timezone)
        raise Conflict(
            "appointment_early", f"预约时段未到，请于 {local:%H:%M} 后取号", f"too early: check in after {local:%H:%M}"
        )
    if tx.now > closes:
        raise Conflict(
            "appointment_missed", "预约时段已过，请普通取号", "the appointment slot has passed; take a normal ticket"
        )
    return opens, closes

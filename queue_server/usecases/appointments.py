"""Appointments (预约): a slot of a service on a day, with a per-slot capacity and a code.

A booking names its person (an ID number or a phone number, kept only as keyed hashes): that is what
limits bookings per person. The code is the citizen's secret (it checks in and cancels): long enough
that guessing one is hopeless at the API's rate limit, and never on the hall's event stream."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from sqlalchemy import Row

from ..domain.calendar import business_day, local_time
from ..domain.events import AppointmentBooked, AppointmentCancelled
from ..domain.hall import Hall, Service
from ..domain.privacy import phone_hash
from ..errors import Conflict, Invalid, NotFound
from ..store.store import Store
from . import lookups
from .body import Body
from .issuing import appointment_window
from .principal import CITIZEN

CODE_ALPHABET = "ACDEFHJKMNPRTUVWXY3479"  # no 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B: read aloud and typed on a kiosk
# 12 of 22 characters: ~53 bits. At the lookup limit (a few per second per address) and 2,000 open
# bookings, finding one takes on the order of 10^8 years.
CODE_LENGTH = 12
BOOK_AHEAD_DAYS = 14


def _service(hall: Hall, code: str) -> Service:
    s = lookups.service(hall, code)
    if not s.appointments:
        raise Conflict("no_appointments", f"「{s.name}」不接受预约", f"{code} takes no appointments")
    return s


def slots(store: Store, hall_id: str, service: str, day: date) -> list[Body]:
    with store.read(hall_id) as r:
        hall = r.hall
        _service(hall, service)  # refuses an unknown service, or one without appointments
        booked = r.slot_bookings(service, day)
        now = store.clock.now()
        out = []
        for start in hall.slots(service, day):
            key = f"{start:%H:%M}"
            _, closes = appointment_window(hall, day, key)
            free = max(0, hall.appointments.capacity - booked.get(key, 0))
            out.append({"slot": key, "capacity": hall.appointments.capacity, "free": free, "past": closes < now})
        return out


def person_key(id_number: str | None, phone: str | None, secret: bytes) -> str:
    """Who books: the keyed hash of the ID number, else of the phone (what per-person limits count)."""
    if id_number:
        return lookups.id_person(id_number, secret)
    if phone:
        return phone_hash(secret, phone)
    raise Invalid(
        "identity_required", "预约须填写身份证号码或手机号码", "a booking needs an ID number or a phone number"
    )


def book(
    store: Store,
    hall_id: str,
    service: str,
    day: date,
    slot: str,
    id_number: str | None,
    secret: bytes,
    phone: str | None = None,
    remind: bool = False,
) -> Body:
    """A booking for a person (an ID number or a phone); with `remind`, the phone is texted the day
    before (notify.plan_reminders) and kept until the booking's day has passed."""
    person_key(id_number, phone, secret)
    person = lookups.id_person(id_number, secret) if id_number else None
    phone_key = phone_hash(secret, phone) if phone else None
    with store.write(hall_id) as tx:
        hall = tx.hall
        s = _service(hall, service)
        today = business_day(tx.now, hall.timezone, hall.day_boundary_hour)
        if not today <= day <= date.fromordinal(today.toordinal() + BOOK_AHEAD_DAYS):
            raise Invalid(
                "bad_day", f"只能预约今天起 {BOOK_AHEAD_DAYS} 天内", f"book within {BOOK_AHEAD_DAYS} days from today"
            )
        valid = [f"{t:%H:%M}" for t in hall.slots(service, day)]
        if slot not in valid:
            raise Invalid("bad_slot", "该时段不可预约", "no such slot that day")
        opens, closes = appointment_window(hall, day, slot)
        if closes < tx.now:
            raise Conflict("slot_past", "该时段已过", "that slot has passed")
        if tx.slot_bookings(service, day).get(slot, 0) >= hall.appointments.capacity:
            raise Conflict("slot_full", "该时段已约满", "that slot is full")
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        while tx.appointment(code) is not None:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        tx.add_appointment(
            code=code, service=service, day=day, slot=slot, state="booked", id_hash=person, phone_hash=phone_key
        )
        if remind and phone:
            tx.set_booking_phone(tx.appointment(code).id, day, phone)
        tx.emit(AppointmentBooked(service=service, day=day.isoformat(), slot=slot), CITIZEN)
        return {
            "code": code,
            "service": service,
            "service_name": s.name,
            "day": day.isoformat(),
            "slot": slot,
            "check_in_from": local_time(opens, hall.timezone).isoformat(),
            "check_in_until": local_time(closes, hall.timezone).isoformat(),
            "state": "booked",
        }


def _view(hall: Hall, row: Row[Any]) -> Body:
    opens, closes = appointment_window(hall, row.day, row.slot)
    return {
        "code": row.code,
        "service": row.service,
        "service_name": hall.service(row.service).name,
        "day": row.day.isoformat(),
        "slot": row.slot,
        "check_in_from": local_time(opens, hall.timezone).isoformat(),
        "check_in_until": local_time(closes, hall.timezone).isoformat(),
        "state": row.state,
    }


def lookup(store: Store, hall_id: str, code: str) -> Body:
    with store.read(hall_id) as r:
        row = r.appointment(code.upper())
        if row is None:
            raise NotFound("appointment_not_found", "预约码无效", "no such appointment")
        return _view(r.hall, row)


def of_person(store: Store, hall_id: str, id_number: str, secret: bytes) -> list[Body]:
    """Today's appointments booked with this ID number, by slot: check-in with the ID card instead
    of the code. Bookings made without an ID number cannot be found this way."""
    person = lookups.id_person(id_number, secret)
    with store.read(hall_id) as r:
        hall = r.hall
        today = business_day(store.clock.now(), hall.timezone, hall.day_boundary_hour)
        return [_view(hall, row) for row in sorted(r.person_appointments(today, person), key=lambda row: row.slot)]


def cancel(store: Store, hall_id: str, code: str) -> Body:
    with store.write(hall_id) as tx:
        row = tx.appointment(code.upper())
        if row is None:
            raise NotFound("appointment_not_found", "预约码无效", "no such appointment")
        if row.state != "booked":
            raise Conflict("appointment_not_cancellable", "该预约已取号或已取消", "already checked in or cancelled")
        tx.save_appointment(row.code, state="cancelled")
        tx.emit(AppointmentCancelled(service=row.service, day=row.day.isoformat(), slot=row.slot), CITIZEN)
        return _view(tx.hall, tx.appointment(row.code))

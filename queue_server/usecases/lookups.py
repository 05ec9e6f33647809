"""The lookups the use cases share, each with the one refusal it gives when nothing is found."""

from __future__ import annotations

from datetime import datetime

from ..domain.calendar import business_day
from ..domain.hall import Hall, Service
from ..domain.identity import birth_date
from ..domain.privacy import id_hash
from ..domain.tickets import Ticket
from ..errors import Invalid, NotFound
from ..store.repository import Reader


def service(hall: Hall, code: object) -> Service:
    """The hall's service `code` (anything else a client sent is refused as unknown too)."""
    if isinstance(code, str):
        try:
            return hall.service(code)
        except KeyError:
            pass
    raise NotFound("service_not_found", f"没有事项 {code}", f"no service {code!r}")


def ticket_today(r: Reader, now: datetime, number: str) -> Ticket:
    """Today's ticket with this number (numbers start again each business day)."""
    number = number.strip()
    tk = r.ticket_by_number(business_day(now, r.hall.timezone, r.hall.day_boundary_hour), number)
    if tk is None:
        raise NotFound("ticket_not_found", f"今日没有 {number.upper()} 号", f"no ticket {number} today")
    return tk


def id_person(id_number: str, secret: bytes) -> str:
    """A person known by their ID number, as its keyed hash (what per-person limits count)."""
    try:
        birth_date(id_number)
    except ValueError as e:
        raise Invalid("bad_id_number", "身份证号码无效，请核对", f"invalid ID number: {e}") from None
    return id_hash(secret, id_number)

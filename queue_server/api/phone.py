"""Tickets on the phone (usecases/phone.py): the boards' entry code, SMS codes, taking a ticket, and
what its holder does with it from the phone page (check in, step out, come back)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ..usecases import issuing, phone
from .deps import Device, Issuer, SettingsDep, StoreDep, on_writer
from .kiosk import ISSUED, IdempotencyKey, issued, sms_phone, with_status_url
from .ratelimit import client_address, limiter
from .schemas import (
    EntryCodeIn,
    EntryCodeOut,
    Error,
    HallId,
    IdCardIn,
    PhoneCodeIn,
    PhoneIssueIn,
    StepOutIn,
    TicketOut,
    Token,
)

router = APIRouter(responses={404: {"model": Error}, 409: {"model": Error}, 422: {"model": Error}})
HALL = "/api/halls/{hall}"
TICKET = "/api/tickets/{token}"


@router.get(HALL + "/entry-code", response_model=EntryCodeOut, responses={401: {"model": Error}, 403: {"model": Error}})
def entry_code(hall: HallId, who: Device, store: StoreDep, settings: SettingsDep):
    """The code the boards and kiosks show as a QR this minute (a device of the hall only: a code
    read off the network would let a phone outside take tickets as if in the hall)."""
    return phone.entry_code(store, hall, settings.secret_key(), settings.public_url)


@router.post(HALL + "/phone-codes", status_code=202, responses={429: {"model": Error}})
async def send_code(request: Request, hall: HallId, body: PhoneCodeIn, store: StoreDep, settings: SettingsDep):
    """A six-digit code by text message, proving the number is the citizen's (one a minute, five a day)."""
    number = sms_phone(request, body.phone)
    limiter(request).require(("phone_code_address", client_address(request)))
    return await on_writer(store, phone.send_code, store, hall, number, settings.secret_key())


@router.post(
    HALL + "/phone-tickets",
    status_code=201,
    response_model=TicketOut,
    responses=ISSUED | {403: {"model": Error}, 429: {"model": Error}},
)
async def issue_on_phone(
    request: Request,
    hall: HallId,
    body: PhoneIssueIn,
    store: StoreDep,
    settings: SettingsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
):
    """A ticket on the citizen's phone, on the kiosk's rules. With `entry_code` (the boards' QR) it
    is taken in the hall; without, it is a same-day place from outside, called once checked in."""
    limiter(request).require(("phone_ticket_address", client_address(request)))
    req = phone.PhoneIssue(
        services=body.services,
        priority=body.priority,
        entry_code=body.entry_code,
        id_card=issuing.IdCard(body.id_card.id_number, body.id_card.name) if body.id_card else None,
        phone=body.phone,
        sms_code=body.sms_code,
    )
    answer = await on_writer(store, phone.issue, store, hall, req, settings.secret_key(), idempotency_key)
    return issued(answer, response, settings.public_url)


@router.post(HALL + "/arrivals", responses={401: {"model": Error}, 403: {"model": Error}})
async def arrive_by_id_card(hall: HallId, body: IdCardIn, who: Issuer, store: StoreDep, settings: SettingsDep):
    """The kiosk (or a guide) read the ID card of someone holding places taken from outside: today's
    are checked in, and listed (none: an empty list)."""
    secret = settings.secret_key()
    tickets = await on_writer(store, phone.arrive_by_id_card, store, hall, body.id_number, secret, who)
    return {"tickets": [with_status_url(v, settings.public_url) for v in tickets]}


@router.post(TICKET + "/arrive", response_model=TicketOut)
async def arrive(token: Token, body: EntryCodeIn, store: StoreDep, settings: SettingsDep):
    """Checked in at the hall by its entry code (the phone scanned the boards' QR)."""
    view = await on_writer(store, phone.arrive_by_code, store, token, body.entry_code, settings.secret_key())
    return with_status_url(view, settings.public_url)


@router.post(TICKET + "/step-out", response_model=TicketOut)
async def step_out(token: Token, body: StepOutIn, store: StoreDep, settings: SettingsDep):
    """暂离: keep my place, don't call me for the next `minutes`."""
    return with_status_url(await on_writer(store, phone.step_out, store, token, body.minutes), settings.public_url)


@router.post(TICKET + "/back", response_model=TicketOut)
async def come_back(token: Token, store: StoreDep, settings: SettingsDep):
    """Back from stepping out: called in my turn again."""
    return with_status_url(await on_writer(store, phone.come_back, store, token), settings.public_url)

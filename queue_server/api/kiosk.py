"""What kiosks, guides and citizens' booking pages use: services, guides, tickets, appointments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request, Response

from ..errors import Conflict, Invalid
from ..usecases import appointments, devices, issuing, notify, queries
from .deps import Device, InHall, Issuer, SettingsDep, StoreDep, on_writer
from .ratelimit import client_address, limiter
from .schemas import (
    AppointmentCode,
    AppointmentIn,
    AppointmentOut,
    Day,
    DeviceStateIn,
    Error,
    HallId,
    IdCardIn,
    IssueIn,
    NumberPath,
    ServiceOut,
    ServicePath,
    TicketBoardStatusOut,
    TicketOut,
)

router = APIRouter(prefix="/api/halls/{hall}", responses={404: {"model": Error}, 422: {"model": Error}})


def sms_phone(request: Request, phone: str) -> str:
    """A number given for text messages: refused when the hall sends none (no modem, no gateway)."""
    if not request.app.state.notifier.enabled:
        raise Conflict("sms_off", "本大厅未开通短信提醒", "this hall sends no text messages")
    return notify.valid_phone(phone)


def with_status_url(view: dict, public_url: str) -> dict:
    return view | {"status_url": f"{public_url.rstrip('/')}/t/{view['token']}"}


# Issuing answers 201 with the new ticket, or 200 with the one the same key issued before.
IdempotencyKey = Annotated[str | None, Header(max_length=128, pattern=r"^[\x21-\x7e]+$")]
ISSUED: dict[int | str, dict] = {
    200: {"model": TicketOut, "description": "the ticket this Idempotency-Key issued before"}
}


def issued(answer: tuple[dict, bool], response: Response, public_url: str) -> dict:
    view, created = answer
    if not created:
        response.status_code = 200
    return with_status_url(view, public_url)


@router.get("")
def hall_info(request: Request, hall: HallId, store: StoreDep) -> dict:
    """The hall's configuration for its pages and kiosks; `sms`: whether a phone number may be
    given for text messages."""
    return queries.hall_info(store, hall) | {"sms": request.app.state.notifier.enabled}


@router.get("/services", response_model=list[ServiceOut])
def list_services(hall: HallId, store: StoreDep) -> list[dict]:
    """Every service with open/closed, waiting count and the estimated wait of a new ticket."""
    return queries.services(store, hall)


@router.get("/services/{code}/guide")
def service_guide(hall: HallId, code: ServicePath, store: StoreDep) -> dict:
    return queries.guide(store, hall, code)


@router.post(
    "/tickets",
    status_code=201,
    response_model=TicketOut,
    responses=ISSUED | {401: {"model": Error}, 403: {"model": Error}, 409: {"model": Error}},
)
async def issue_ticket(
    request: Request,
    hall: HallId,
    body: IssueIn,
    who: Issuer,
    store: StoreDep,
    settings: SettingsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
):
    req = issuing.IssueRequest(
        services=body.services,
        priority=body.priority,
        appointment=body.appointment,
        id_card=issuing.IdCard(body.id_card.id_number, body.id_card.name) if body.id_card else None,
        phone=sms_phone(request, body.notify.phone) if body.notify else None,
        family=bool(body.notify and body.notify.family),
    )
    answer = await on_writer(store, issuing.issue, store, hall, req, who, settings.secret_key(), idempotency_key)
    return issued(answer, response, settings.public_url)


@router.get(
    "/tickets/{number}/status",
    response_model=TicketBoardStatusOut,
    responses={401: {"model": Error}, 403: {"model": Error}},
)
def ticket_status_by_number(hall: HallId, number: NumberPath, who: InHall, store: StoreDep):
    """Today's ticket by its number, as the hall board could show it (for a number typed at a kiosk).
    The full ticket, with its token, stays staff-only (GET /tickets/{number})."""
    return queries.ticket_board_status(store, hall, number)


@router.get("/services/{code}/slots", responses={409: {"model": Error}})
def appointment_slots(hall: HallId, code: ServicePath, day: Day, store: StoreDep) -> list[dict]:
    return appointments.slots(store, hall, code, day)


@router.post(
    "/appointments",
    status_code=201,
    response_model=AppointmentOut,
    responses={409: {"model": Error}, 429: {"model": Error}},
)
def book_appointment(hall: HallId, body: AppointmentIn, store: StoreDep, settings: SettingsDep, request: Request):
    """A booking for a person (an ID number or a phone number), limited per person and per address."""
    secret = settings.secret_key()
    person = appointments.person_key(body.id_number, body.phone, secret)
    if body.remind:
        if not body.phone:
            raise Invalid("phone_required", "短信提醒须填写手机号码", "a reminder needs a phone number")
        sms_phone(request, body.phone)
    limiter(request).require(("booking_address", client_address(request)), ("booking_person", person))
    return appointments.book(
        store, hall, body.service, body.day, body.slot, body.id_number, secret, body.phone, body.remind
    )


@router.post(
    "/appointments/by-id-card",
    response_model=list[AppointmentOut],
    responses={401: {"model": Error}, 403: {"model": Error}},
)
def appointments_by_id_card(hall: HallId, body: IdCardIn, who: Issuer, store: StoreDep, settings: SettingsDep):
    """Today's bookings of the person whose ID card the kiosk (or guide) read: check-in without the
    code. A POST, so the ID number never appears in an address or an access log."""
    return appointments.of_person(store, hall, body.id_number, settings.secret_key())


@router.api_route("/appointments/by-id-card", methods=["GET", "PUT", "PATCH", "DELETE"], include_in_schema=False)
def appointments_by_id_card_other_methods() -> None:
    """Without this, GET here would be GET /appointments/{code} with an impossible code (422):
    the address exists, only its method is wrong."""
    raise HTTPException(405, "only POST is allowed here")


@router.get("/appointments/{code}", response_model=AppointmentOut, responses={429: {"model": Error}})
def get_appointment(hall: HallId, code: AppointmentCode, store: StoreDep, request: Request):
    limiter(request).require(("booking_lookup_address", client_address(request)))
    return appointments.lookup(store, hall, code)


@router.post(
    "/appointments/{code}/cancel",
    response_model=AppointmentOut,
    responses={409: {"model": Error}, 429: {"model": Error}},
)
def cancel_appointment(hall: HallId, code: AppointmentCode, store: StoreDep, request: Request):
    limiter(request).require(("booking_lookup_address", client_address(request)))
    return appointments.cancel(store, hall, code)


@router.post("/devices/state", responses={401: {"model": Error}, 403: {"model": Error}})
def device_state(hall: HallId, body: DeviceStateIn, who: Device, store: StoreDep) -> dict:
    """A kiosk reports a device's state (e.g. its printer is out of paper): a `device.state` event."""
    return devices.report_state(store, hall, who, body.device, body.kind, body.state, body.detail)

"""A citizen's own ticket, reached by the unguessable token on its QR code: no sign-in."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ..usecases import followup, notify
from .deps import SettingsDep, StoreDep, on_writer
from .kiosk import sms_phone, with_status_url
from .schemas import Error, NotifyIn, NotifyOut, RatingIn, TicketOut, TicketStatusOut, Token

router = APIRouter(
    prefix="/api/tickets/{token}", responses={404: {"model": Error}, 409: {"model": Error}, 422: {"model": Error}}
)


@router.get("", response_model=TicketStatusOut)
def ticket_status(token: Token, store: StoreDep, settings: SettingsDep):
    return with_status_url(followup.status(store, token), settings.public_url)


@router.post("/rating")
def rate(token: Token, body: RatingIn, store: StoreDep) -> dict:
    """一事一评: one rating per finished matter on the hall's scale (the national five levels, 5 非常满意 ..
    1 非常不满意, by default); a 差评 names its reason and opens a follow-up."""
    return followup.rate(store, token, followup.Given(body.score, body.matter, body.reason, body.reason_text))


@router.post("/cancel", response_model=TicketOut)
def cancel(token: Token, store: StoreDep, settings: SettingsDep):
    return with_status_url(followup.cancel_by_token(store, token), settings.public_url)


@router.post("/notify", response_model=NotifyOut)
async def give_phone(request: Request, token: Token, body: NotifyIn, store: StoreDep):
    """Text messages about this ticket (its turn near, the call, a recall, a no-show) to this number,
    kept until the day ends; answered masked. Given again, the new number replaces the old."""
    phone = sms_phone(request, body.phone)
    return await on_writer(store, notify.give_phone, store, token, phone, body.family)

"""A citizen's own ticket, reached by the unguessable token on its QR code: no sign-in."""

from __future__ import annotations

from fastapi import APIRouter

from ..usecases import followup
from .deps import SettingsDep, StoreDep
from .kiosk import with_status_url
from .schemas import Error, RatingIn, TicketOut, TicketStatusOut, Token

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

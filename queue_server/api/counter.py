"""The window clerk's actions, and the guide's help with tickets."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path

from ..usecases import followup, queries, windows
from .deps import Clerk, SettingsDep, Staff, StoreDep, on_writer
from .kiosk import with_status_url
from .schemas import ActionIn, Error, HallId, NumberPath, TicketOut, WindowAction

router = APIRouter(prefix="/api/halls/{hall}", responses={
    401: {"model": Error}, 403: {"model": Error}, 404: {"model": Error}, 409: {"model": Error}, 422: {"model": Error}})

WindowNo = Annotated[int, Path(ge=1, le=9999)]


@router.get("/windows/{window}")
def window_detail(hall: HallId, window: WindowNo, who: Staff, store: StoreDep) -> dict:
    return queries.window_detail(store, hall, window)


@router.post("/windows/{window}/{action}")
async def window_action(hall: HallId, window: WindowNo, action: WindowAction, who: Clerk, store: StoreDep,
                  body: Annotated[ActionIn | None, Body()] = None) -> dict:
    """open, pause {reason}, close, call-next, call {number}, recall, start,
    finish {result: done|unresolved, reason}, no-show, transfer {service}."""
    fields = body.model_dump(exclude_none=True) if body else {}
    return await on_writer(store, windows.act, store, hall, window, action.value, who, fields)


@router.get("/tickets/{number}", response_model=TicketOut)
def lookup_ticket(hall: HallId, number: NumberPath, who: Staff, store: StoreDep, settings: SettingsDep):
    return with_status_url(queries.lookup_ticket(store, hall, number), settings.public_url)


@router.post("/tickets/{number}/reactivate", response_model=TicketOut)
def reactivate_ticket(hall: HallId, number: NumberPath, who: Staff, store: StoreDep, settings: SettingsDep):
    """A citizen who missed the call gets back into the queue (behind a few people)."""
    return with_status_url(followup.reactivate(store, hall, number, who), settings.public_url)


@router.post("/tickets/{number}/cancel", response_model=TicketOut)
def cancel_ticket(hall: HallId, number: NumberPath, who: Staff, store: StoreDep, settings: SettingsDep):
    return with_status_url(followup.cancel_number(store, hall, number, who), settings.public_url)

"""The window clerk's actions, and the guide's help with tickets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path

from ..errors import Forbidden
from ..usecases import followup, queries, windows
from .deps import Clerk, RatingDevice, Staff, StoreDep, WindowDevice, on_writer
from .schemas import ActionIn, CallerKey, Error, HallId, NumberPath, StaffTicketOut, WindowAction, WindowRatingIn

router = APIRouter(
    prefix="/api/halls/{hall}",
    responses={
        401: {"model": Error},
        403: {"model": Error},
        404: {"model": Error},
        409: {"model": Error},
        422: {"model": Error},
    },
)

WindowNo = Annotated[int, Path(ge=1, le=9999)]


@router.get("/windows/{window}")
def window_detail(hall: HallId, window: WindowNo, who: Staff, store: StoreDep) -> dict:
    return queries.window_detail(store, hall, window)


@router.post("/windows/{window}/rating")
def rate_at_window(hall: HallId, window: WindowNo, body: WindowRatingIn, who: RatingDevice, store: StoreDep) -> dict:
    """The window's rating device (评价器, a `rating` or `window` device token of this window) rates a matter
    served there, for the citizen at the counter; the event's actor names the device and window."""
    if who.window != window:
        raise Forbidden("other_window", "此评价器不属于该窗口", "this rating device belongs to another window")
    given = followup.Given(body.score, body.matter, body.reason, body.reason_text, body.scale)
    return followup.rate_at_window(store, hall, body.number, given, who)


@router.post("/windows/{window}/caller/{key}")
async def caller_key(
    hall: HallId,
    window: WindowNo,
    key: CallerKey,
    who: WindowDevice,
    store: StoreDep,
    body: Annotated[ActionIn | None, Body()] = None,
) -> dict:
    """A window device's call key (呼叫器: call-next, recall, pause {reason}, open after a pause), for
    the clerk signed in at its own window; the event's actor is that clerk `via` the device."""
    fields = body.model_dump(exclude_none=True, include={"reason"}) if body else {}
    return await on_writer(store, windows.act_for_clerk, store, hall, window, key.value, who, fields)


@router.post("/windows/{window}/{action}")
async def window_action(
    hall: HallId,
    window: WindowNo,
    action: WindowAction,
    who: Clerk,
    store: StoreDep,
    body: Annotated[ActionIn | None, Body()] = None,
) -> dict:
    """open, pause {reason}, close, call-next, call {number}, recall, start,
    finish {result: done|unresolved, reason, case_no}, no-show, transfer {service}."""
    fields = body.model_dump(exclude_none=True) if body else {}
    return await on_writer(store, windows.act, store, hall, window, action.value, who, fields)


@router.get("/tickets/{number}", response_model=StaffTicketOut)
def lookup_ticket(hall: HallId, number: NumberPath, who: Staff, store: StoreDep):
    return queries.lookup_ticket(store, hall, number)


@router.post("/tickets/{number}/reactivate", response_model=StaffTicketOut)
def reactivate_ticket(hall: HallId, number: NumberPath, who: Staff, store: StoreDep):
    """A citizen who missed the call gets back into the queue (behind a few people)."""
    return followup.reactivate(store, hall, number, who)


@router.post("/tickets/{number}/cancel", response_model=StaffTicketOut)
def cancel_ticket(hall: HallId, number: NumberPath, who: Staff, store: StoreDep):
    return followup.cancel_number(store, hall, number, who)

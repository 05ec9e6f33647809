"""The window clerk's actions, and the guide's help with tickets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Body, Path

from ..domain.tickets import FinishResult
from ..errors import Forbidden, Invalid
from ..store.store import Store
from ..usecases import followup, phone, queries, windows
from ..usecases.principal import Principal
from .deps import Clerk, RatingDevice, Staff, StoreDep, WindowDevice, on_writer
from .schemas import ActionIn, Error, HallId, NumberPath, PriorityIn, StaffTicketOut, WindowAction, WindowRatingIn

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
    key: windows.CallerKey,
    who: WindowDevice,
    store: StoreDep,
    body: Annotated[ActionIn | None, Body()] = None,
) -> dict:
    """A window device's call key (呼叫器: call-next, recall, pause {reason}, open after a pause), for
    the clerk signed in at its own window; the event's actor is that clerk `via` the device."""
    reason = body.reason if body else None
    return await on_writer(store, windows.press, store, hall, window, key, who, reason)


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
    finish {result: done|unresolved, reason, case_no}, finish-next (finish, then call the next, in one),
    no-show, transfer {service} or {window, service?}, hold (挂起), resume {number?}."""
    b = body or ActionIn()
    return await on_writer(store, _step(action, b), store, hall, window, who)


def _step(action: WindowAction, b: ActionIn) -> Callable[[Store, str, int, Principal], dict]:
    """The use case of `action`, with the fields of the body it takes."""
    outcome = windows.Finish(FinishResult(b.result or "done"), b.reason, b.case_no)
    match action:
        case WindowAction.pause:
            return _last(windows.pause, b.reason)
        case WindowAction.call:
            return _last(windows.call_number, b.number)
        case WindowAction.finish:
            return _last(windows.finish, outcome)
        case WindowAction.finish_next:
            return _last(windows.finish_and_call_next, outcome)
        case WindowAction.transfer if b.window is not None:
            return _last(windows.transfer_to_window, b.window, b.service)
        case WindowAction.transfer:
            if b.service is None:
                raise Invalid(
                    "service_required", "请选择转办的事项或窗口", "a service or a window to transfer to is needed"
                )
            return _last(windows.transfer, b.service)
        case WindowAction.resume:
            return _last(windows.resume, b.number)
    return _PLAIN[action]


def _last(fn: Callable[..., dict], *extra: object) -> Callable[[Store, str, int, Principal], dict]:
    return lambda store, hall, window, who: fn(store, hall, window, who, *extra)


_PLAIN: dict[WindowAction, Callable[[Store, str, int, Principal], dict]] = {
    WindowAction.open: windows.open_window,
    WindowAction.close: windows.close,
    WindowAction.call_next: windows.call_next,
    WindowAction.recall: windows.recall,
    WindowAction.start: windows.start,
    WindowAction.no_show: windows.no_show,
    WindowAction.hold: windows.hold,
}


@router.get("/tickets/{number}", response_model=StaffTicketOut)
def lookup_ticket(hall: HallId, number: NumberPath, who: Staff, store: StoreDep):
    return queries.lookup_ticket(store, hall, number)


@router.post("/tickets/{number}/reactivate", response_model=StaffTicketOut)
def reactivate_ticket(hall: HallId, number: NumberPath, who: Staff, store: StoreDep):
    """A citizen who missed the call gets back into the queue (behind a few people)."""
    return followup.reactivate(store, hall, number, who)


@router.post("/tickets/{number}/arrive", response_model=StaffTicketOut)
async def arrive_ticket(hall: HallId, number: NumberPath, who: Staff, store: StoreDep):
    """Checks in a place taken from outside (线上取号) whose holder is here: called in its turn from now."""
    return await on_writer(store, phone.arrive_by_number, store, hall, number, who)


@router.post("/tickets/{number}/cancel", response_model=StaffTicketOut)
def cancel_ticket(hall: HallId, number: NumberPath, who: Staff, store: StoreDep):
    return followup.cancel_number(store, hall, number, who)


@router.post("/tickets/{number}/priority", response_model=StaffTicketOut)
async def raise_priority(hall: HallId, number: NumberPath, body: PriorityIn, who: Staff, store: StoreDep):
    """Raise a waiting ticket's priority class (one of the hall's `priority_classes` with a larger
    boost), with the reason, which the audit trail keeps."""
    return await on_writer(store, followup.raise_priority, store, hall, number, body.klass, body.reason, who)

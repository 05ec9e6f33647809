"""The city's side of a township hall's log: where it stands, and the next events of it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import AwareDatetime, Field

from ..domain.events import Recorded
from ..usecases import shipping
from ..usecases.principal import Principal
from .deps import StoreDep, allow, on_writer
from .schemas import Body, Error, HallId

router = APIRouter(
    prefix="/api/halls/{hall}/shipped-events",
    responses={401: {"model": Error}, 403: {"model": Error}, 404: {"model": Error}, 409: {"model": Error}},
)

Shipper = Annotated[Principal, Depends(allow("shipper"))]


class ShippedEvent(Body):
    seq: Annotated[int, Field(ge=1, le=2**31 - 1)]
    type: Annotated[str, Field(min_length=1, max_length=40)]
    ts: AwareDatetime
    actor: dict[str, Any]
    data: dict[str, Any]


class ShippedIn(Body):
    events: Annotated[list[ShippedEvent], Field(min_length=1, max_length=shipping.MAX_EVENTS)]


class ShippedOut(Body):
    hall: str
    last_seq: int
    shipped: bool


@router.get("", response_model=ShippedOut)
def where(hall: HallId, who: Shipper, store: StoreDep):
    """The last seq received here (0: nothing yet); the shipper sends what follows."""
    return shipping.received(store, hall)


@router.post("", response_model=ShippedOut)
async def receive(hall: HallId, who: Shipper, store: StoreDep, body: ShippedIn):
    """The next events of the hall's log, in seq order: those already here are checked and skipped,
    a gap or a different event is refused (409 `seq_gap`, `log_diverged`)."""
    events = sorted(body.events, key=lambda e: e.seq)
    recorded = [Recorded(hall, e.seq, e.type, e.ts, e.actor, e.data) for e in events]
    return await on_writer(store, shipping.receive, store, hall, recorded)

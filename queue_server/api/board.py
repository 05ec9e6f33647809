"""Displays and managers: the board snapshot, the day's figures, the event log and the live notice."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ..usecases import notice, queries
from .deps import LogReader, Manager, Overseer, StoreDep, Watcher, on_writer
from .schemas import Day, Error, HallId, NoticeIn, NoticeOut, Seq

router = APIRouter(
    prefix="/api/halls/{hall}",
    responses={401: {"model": Error}, 403: {"model": Error}, 404: {"model": Error}, 422: {"model": Error}},
)


@router.get("/board")
def board(hall: HallId, store: StoreDep) -> dict:
    """What a hall display shows (numbers and windows only, never names), with the seq to resume from."""
    return queries.board(store, hall)


@router.get("/stats")
def stats(hall: HallId, who: Watcher, store: StoreDep, day: Day | None = None) -> dict:
    return queries.stats(store, hall, day)


@router.get("/events")
def events(
    hall: HallId, who: LogReader, store: StoreDep, since: Seq = 0, limit: Annotated[int, Query(ge=1, le=5000)] = 1000
) -> dict:
    """The audit trail: every change with its actor, in seq order."""
    return queries.events(store, hall, since, limit)


@router.get("/notice", response_model=NoticeOut)
def get_notice(hall: HallId, who: Overseer, store: StoreDep):
    return notice.current(store, hall)


@router.put("/notice", response_model=NoticeOut)
async def put_notice(hall: HallId, who: Manager, store: StoreDep, body: NoticeIn):
    """The boards' notice line from now on (a `hall.notice` event); blank text goes back to the
    hall's configured notice."""
    return await on_writer(store, notice.publish, store, hall, who, body.text)

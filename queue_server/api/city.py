"""The supervision office's view over its halls (a city's, a county's): every hall's figures of the
moment with the open alerts of all, and reports comparing each matter across halls."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from ..errors import Forbidden
from ..supervision import city
from ..usecases.principal import NOT_SUPERVISOR, Principal
from .deps import StoreDep, current
from .schemas import Day, Error
from .supervision import MEDIA, Format, Period, tracker_of

router = APIRouter(
    prefix="/api/city",
    tags=["supervision"],
    responses={401: {"model": Error}, 403: {"model": Error}, 422: {"model": Error}},
)


def _overseer(who: Annotated[Principal, Depends(current)]) -> Principal:
    if not who.sees_halls_together:
        raise Forbidden(*NOT_SUPERVISOR)
    return who


Overseer = Annotated[Principal, Depends(_overseer)]


@router.get("")
def overview(who: Overseer, store: StoreDep, request: Request) -> dict:
    """Per hall overseen: waiting now, the longest wait, windows open, open alerts, today's issued,
    served, mean wait, ratings and satisfaction; and the open alerts of all of them, newest first."""
    return city.overview(store, tracker_of(request.app), who.overseen(store.hall_ids()))


@router.get("/reports/{period}", responses={200: {"content": {"text/csv": {}, MEDIA[Format.xlsx]: {}}}})
def report(who: Overseer, store: StoreDep, period: Period, day: Day | None = None, format: Format = Format.json):
    """The day, week or month holding `day` in every hall overseen: hall totals, and each matter
    (by its code) in each hall that has it, side by side."""
    data = city.report(store, who.overseen(store.hall_ids()), period.value, day)
    if format is Format.json:
        return data
    body = city.to_csv(data) if format is Format.csv else city.to_xlsx(data)
    name = city.filename(data, format.value)
    return Response(body, media_type=MEDIA[format], headers={"Content-Disposition": f'attachment; filename="{name}"'})

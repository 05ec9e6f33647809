"""Electronic supervision for managers: the live dashboard's figures, alerts and their
acknowledgement, and reports for a day, week or month (JSON, CSV, XLSX). The alert engine
behind them is started with the app (app.py)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Body, FastAPI, Path, Request, Response

from ..supervision import export, live
from ..supervision.source import Tracker, report_for
from .deps import Manager, Overseer, StoreDep
from .schemas import Body as BodyModel, Day, Error, HallId, Text

router = APIRouter(
    prefix="/api/halls/{hall}",
    tags=["supervision"],
    responses={401: {"model": Error}, 403: {"model": Error}, 404: {"model": Error}, 422: {"model": Error}},
)


def tracker_of(app: FastAPI) -> Tracker:
    tracker = getattr(app.state, "supervision_tracker", None)
    if tracker is None:
        tracker = app.state.supervision_tracker = Tracker()
    return tracker


class Period(StrEnum):
    day = "day"
    week = "week"
    month = "month"


class Format(StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class AlertsShown(StrEnum):
    all = "all"
    active = "active"
    unacknowledged = "unacknowledged"


class AckIn(BodyModel):
    note: Text | None = None


AlertId = Annotated[int, Path(ge=1, le=2**31 - 1, examples=[1])]


@router.get("/supervision")
def supervision_live(hall: HallId, who: Overseer, store: StoreDep, request: Request) -> dict:
    """The dashboard: per service (waiting, longest wait, served, average wait and service, no-shows,
    ETA), per window (state, clerk, current ticket, served, service time, satisfaction), hall totals,
    arrivals and waits by hour, today's alerts. Live updates follow on `WS /ws/halls/{hall}`."""
    return live.dashboard(store, tracker_of(request.app), hall)


@router.get("/alerts")
def alerts(
    hall: HallId,
    who: Overseer,
    store: StoreDep,
    request: Request,
    day: Day | None = None,
    only: AlertsShown = AlertsShown.all,
) -> dict:
    """A business day's alerts (default today), newest first."""
    return live.alert_list(store, tracker_of(request.app), hall, day, only.value)


@router.post("/alerts/{alert}/ack", responses={404: {"model": Error}})
def acknowledge(
    hall: HallId, alert: AlertId, who: Manager, store: StoreDep, body: Annotated[AckIn | None, Body()] = None
) -> dict:
    """Acknowledge an alert (an `alert.acknowledged` event); doing it again changes nothing."""
    return live.acknowledge(store, hall, alert, who, body.note if body else None)


MEDIA = {
    Format.csv: "text/csv; charset=utf-8",
    Format.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/reports/{period}", responses={200: {"content": {"text/csv": {}, MEDIA[Format.xlsx]: {}}}})
def report(
    hall: HallId, period: Period, who: Overseer, store: StoreDep, day: Day | None = None, format: Format = Format.json
):
    """日清周结月通报: the day, week (Monday to Sunday) or month holding `day` (default today), per
    service, window, clerk, priority class and hour, recomputed from the event log."""
    data = report_for(store, hall, period.value, day)
    if format is Format.json:
        return data
    body = export.to_csv(data) if format is Format.csv else export.to_xlsx(data)
    name = export.filename(data, format.value)
    return Response(body, media_type=MEDIA[format], headers={"Content-Disposition": f'attachment; filename="{name}"'})

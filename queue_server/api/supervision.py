"""Electronic supervision for managers: the live dashboard's figures, alerts and their
acknowledgement, and reports for a day, week or month (JSON, CSV, XLSX). The alert engine
behind them is started with the app (app.py)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Body, FastAPI, Path, Request, Response
from pydantic import Field

from ..supervision import export, live
from ..supervision.source import Tracker, report_for
from ..usecases import ratings
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


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


class AlertsShown(StrEnum):
    all = "all"
    active = "active"
    unacknowledged = "unacknowledged"


class AckIn(BodyModel):
    note: Text | None = None


AlertId = Annotated[int, Path(ge=1, le=2**31 - 1, examples=[1])]


class FollowUpIn(BodyModel):
    """A step of a 差评's follow-up; any of the three."""

    assignee: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00]*$")] | None = None
    called_back: bool | None = None  # the return call (回访) was made now
    result: Annotated[str, Field(min_length=1, max_length=1000, pattern=r"^[^\x00]*$")] | None = None


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


@router.get("/followups")
def followups(hall: HallId, who: Overseer, store: StoreDep, only: AlertsShown = AlertsShown.all) -> list[dict]:
    """好差评: the follow-ups of 差评, earliest due first (`only=active`: those still open), each with
    its last day (15 working days after the rating) and whether it is overdue."""
    return ratings.followups(store, hall, open_only=only is not AlertsShown.all)


@router.post("/followups/{followup}", responses={409: {"model": Error}})
def record_followup(hall: HallId, followup: AlertId, body: FollowUpIn, who: Manager, store: StoreDep) -> dict:
    """Assign a follow-up, record its return call (回访) or its result (核实, 整改); with the call and the
    result both in, it is closed (a `followup.updated` event each)."""
    return ratings.record(store, hall, followup, who, body.model_dump(exclude_none=True))


@router.get("/ratings/export", responses={200: {"content": {"text/csv": {}}}})
def ratings_export(
    hall: HallId,
    who: Overseer,
    store: StoreDep,
    first: Day,
    last: Day | None = None,
    format: ExportFormat = ExportFormat.json,
):
    """Every rating of the business days `first` to `last` (default: `first` alone), one record each
    (docs/ratings-export.md), for upload to the provincial 好差评 platform keyed by the case number."""
    rows = ratings.export(store, hall, first, last or first)
    if format is ExportFormat.json:
        return rows
    name = f"ratings-{hall}-{first.isoformat()}-{(last or first).isoformat()}.csv"
    return Response(
        export.ratings_csv(rows, ratings.EXPORT_FIELDS),
        media_type=MEDIA[Format.csv],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )

"""Figures from the command line: a day's events, reports, and what-if simulations."""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer

from ..domain.calendar import business_day, day_start
from .base import _day_option, _hall_id, _refusals, _store, app


@app.command("export-day")
def export_day(
    hall: Annotated[str | None, typer.Option(help="default: the database's only hall")] = None,
    day: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default today")] = None,
) -> None:
    """Write a business day's events (the audit trail) to stdout as JSON lines."""
    wanted = _day_option("--day", day)
    store = _store()
    with store.read(_hall_id(store, hall)) as r:
        h = r.hall
        d = wanted or business_day(store.clock.now(), h.timezone, h.day_boundary_hour)
        start = day_start(d, h.timezone, h.day_boundary_hour)
        end = start + timedelta(days=1)
        for ev in r.events_after(0):
            if start <= ev.ts < end:
                sys.stdout.write(json.dumps(ev.to_dict(), ensure_ascii=False) + "\n")


def _report_period(day: str | None, week: str | None, month: str | None) -> tuple[str, date | None]:
    given = [(k, v) for k, v in (("day", day), ("week", week), ("month", month)) if v]
    if len(given) > 1:
        raise typer.BadParameter("give one of --day, --week, --month")
    if not given:
        return "day", None
    period, text = given[0]
    try:
        return period, date.fromisoformat(text + "-01" if period == "month" and len(text) == 7 else text)
    except ValueError:
        raise typer.BadParameter(
            f"--{period} {text!r}: use YYYY-MM-DD" + (" or YYYY-MM" if period == "month" else "")
        ) from None


@app.command()
def report(
    hall: Annotated[str | None, typer.Option(help="default: the database's only hall")] = None,
    day: Annotated[str | None, typer.Option(help="a day, YYYY-MM-DD (日报)")] = None,
    week: Annotated[str | None, typer.Option(help="any day of the week, Monday to Sunday (周报)")] = None,
    month: Annotated[str | None, typer.Option(help="the month, YYYY-MM (月报)")] = None,
    format: Annotated[str, typer.Option(help="text, json, csv or xlsx")] = "text",
    out: Annotated[Path | None, typer.Option(help="write to this file instead of stdout (xlsx needs one)")] = None,
) -> None:
    """日清周结月通报: per service, window, clerk, class and hour, recomputed from the event log
    (default: today)."""
    from ..supervision import export
    from ..supervision.source import report_for

    if format not in ("text", "json", "csv", "xlsx"):
        raise typer.BadParameter("--format is text, json, csv or xlsx")
    period, anchor = _report_period(day, week, month)
    store = _store()
    with _refusals():
        data = report_for(store, _hall_id(store, hall), period, anchor)
    if format == "xlsx":
        body = export.to_xlsx(data)
        out = out or Path(export.filename(data, "xlsx"))
    elif format == "csv":
        body = export.to_csv(data)
    elif format == "json":
        body = (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode()
    else:
        body = export.to_text(data).encode()
    if out:
        out.write_bytes(body)
        typer.echo(f"{out}", err=True)
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()


@app.command()
def simulate(
    windows: Annotated[
        str,
        typer.Option(
            help="windows for the what-if: a number (12), a change (+2, -1) "
            "or window numbers with commas (21,22,26 — one window: 26,)"
        ),
    ],
    hall: Annotated[str | None, typer.Option(help="default: the database's only hall")] = None,
    day: Annotated[str | None, typer.Option(help="the day whose log is replayed, YYYY-MM-DD; default today")] = None,
    seed: int = 1,
) -> None:
    """What if: replay a day's arrivals and service times (from its event log) with a different set of
    windows; prints one JSON line: the day as it was, its replay, and the what-if."""
    from ..supervision.source import period_events, today
    from ..supervision.whatif import what_if

    wanted = _day_option("--day", day)
    store = _store()
    hall = _hall_id(store, hall)
    with _refusals():
        with store.read(hall) as r:
            d = wanted or today(r.hall, store.clock.now())
        h, events = period_events(store, hall, d, d)
    try:
        result = what_if(events, h, day_start(d, h.timezone, h.day_boundary_hour), windows, seed)
    except ValueError as e:
        typer.echo(f"hallq simulate: {e}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps({"day": d.isoformat()} | result, ensure_ascii=False))


@app.command("export-ratings")
def export_ratings(
    hall: Annotated[str | None, typer.Option(help="default: the database's only hall")] = None,
    first: Annotated[str | None, typer.Option(help="the first business day, YYYY-MM-DD; default today")] = None,
    last: Annotated[str | None, typer.Option(help="the last business day; default the first")] = None,
    format: Annotated[str, typer.Option(help="json (one object a line) or csv")] = "json",
) -> None:
    """好差评: every rating of the days, for upload to the provincial platform keyed by the case number
    (办件编号); the fields are in docs/ratings-export.md."""
    from ..supervision import export
    from ..usecases import ratings

    if format not in ("json", "csv"):
        raise typer.BadParameter("--format is json or csv")
    start, end = _day_option("--first", first), _day_option("--last", last)
    store = _store()
    hall_id = _hall_id(store, hall)
    with store.read(hall_id) as r:
        start = start or business_day(store.clock.now(), r.hall.timezone, r.hall.day_boundary_hour)
    with _refusals():
        rows = ratings.export(store, hall_id, start, end or start)
    if format == "csv":
        sys.stdout.buffer.write(export.ratings_csv(rows, ratings.EXPORT_FIELDS))
    else:
        sys.stdout.buffer.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode())
    sys.stdout.flush()

"""The city's (or county's) view over its halls, for the supervision office: each hall's figures of
the moment and its open alerts side by side, and reports comparing the same matter (by its code)
across halls.

Everything comes from each hall's event log (its `Fold`), never from its ticket tables, so a hall
whose log is shipped here from its own server (usecases/shipping.py) counts exactly as one that runs
here."""

from __future__ import annotations

import csv
import io
import logging
from datetime import date, datetime

from ..domain.calendar import local_time
from ..store.store import Store
from . import reports
from .export import SECTION_COLUMN, csv_cell
from .source import Tracker, report_for, today

log = logging.getLogger(__name__)

SECTIONS = (("halls", "大厅汇总"), ("services", "服务事项"))
DEFAULT_ZONE = "Asia/Shanghai"
HALL_COLUMN = "大厅"


def overview(store: Store, tracker: Tracker, hall_ids: list[str]) -> dict:
    """Per hall: waiting now, the longest wait, windows open, open alerts, today's served and
    ratings; and the open alerts of every hall, newest first."""
    now = store.clock.now()
    local = set(store.local_hall_ids())
    halls, alerts = [], []
    for hall_id in hall_ids:
        try:
            row, raised = _hall_now(store, tracker, hall_id, now, hall_id not in local)
        except Exception:  # noqa: BLE001 - one hall that cannot be read must not blank the others
            log.exception("city view: hall %s cannot be read", hall_id)
            row, raised = {"hall": hall_id, "name": hall_id, "name_en": hall_id, "unavailable": True}, []
        halls.append(row)
        alerts += raised
    alerts.sort(key=lambda a: a["ts"], reverse=True)
    # Pages show times on the clock of the halls (one zone in a city; the first hall's otherwise).
    zone = next((h["tz"] for h in halls if "tz" in h), DEFAULT_ZONE)
    return {"now": local_time(now, zone).isoformat(), "halls": halls, "alerts": alerts}


def _hall_now(store: Store, tracker: Tracker, hall_id: str, now: datetime, shipped: bool) -> tuple[dict, list[dict]]:
    """One hall's row of the overview, and its open alerts."""
    with store.read(hall_id) as r:
        hall = r.hall
        day = today(hall, now)
        with tracker.lock:
            fold = tracker.current(r, now)
            totals = reports.from_fold(fold, hall, "day", day, day, now)["totals"]
            waiting = [tk.queued_at for tk in fold.waiting_tickets().values()]
            open_windows = sum(1 for w in fold.window_now.values() if w.state == "open")
            active = [a for a in fold.alerts.values() if a.active]
            raised = [a.view(hall.timezone) | {"hall": hall_id, "hall_name": hall.name} for a in active]
    return (
        {
            "hall": hall_id,
            "name": hall.name,
            "name_en": hall.name_en,
            "day": day.isoformat(),
            "tz": hall.timezone,
            "shipped": shipped,
            "waiting": len(waiting),
            "longest_wait_s": round((now - min(waiting)).total_seconds()) if waiting else None,
            "windows_open": open_windows,
            "alerts_open": len(active),
            "alerts_critical": sum(a.level == "critical" for a in active),
            "issued": totals["issued"],
            "served": totals["served"],
            "wait_avg_s": totals["wait_avg_s"],
            "rated": totals["rated"],
            "satisfaction": totals["satisfaction"],
            "last_event": local_time(fold.last_ts, hall.timezone).isoformat() if fold.last_ts else None,
        },
        raised,
    )


def report(store: Store, hall_ids: list[str], period: str, day: date | None) -> dict:
    """The day, week or month holding `day` (default: each hall's today) in every hall: the hall
    totals, and each matter in each hall that has it, ordered by matter so the halls line up."""
    per_hall = [report_for(store, h, period, day) for h in hall_ids]
    first = per_hall[0] if per_hall else {}
    return {
        "period": period,
        "period_name": reports.PERIOD_NAMES.get(period, period),
        "first_day": first.get("first_day"),
        "last_day": first.get("last_day"),
        "halls": [rep["totals"] | {"key": rep["hall"], "name": rep["hall_name"]} for rep in per_hall],
        "services": sorted(
            (row | {"hall": rep["hall"], "hall_name": rep["hall_name"]} for rep in per_hall for row in rep["services"]),
            key=lambda row: (row["key"], row["hall"]),
        ),
    }


def _rows(report: dict) -> list[tuple[str, list]]:
    """(section, cells) per row: the hall's name, then the hall report's columns."""
    return [
        (label, [row.get("hall_name", row["name"]), *reports.table_row(row)])
        for key, label in SECTIONS
        for row in report[key]
    ]


def _header() -> list[str]:
    return [HALL_COLUMN] + [label for _, label in reports.COLUMNS]


def to_csv(report: dict) -> bytes:
    """One table, as a hall report's CSV with the hall in the first column."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([SECTION_COLUMN, *_header()])
    for label, cells in _rows(report):
        w.writerow([csv_cell(label)] + [csv_cell(c) for c in cells])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(report: dict) -> bytes:
    """A sheet per section, the same cells as the CSV."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for _, label in SECTIONS:
        ws = wb.create_sheet(label)
        ws.append(_header())
        ws.freeze_panes = "C2"
        for section, cells in _rows(report):
            if section == label:
                ws.append(cells)
                for cell in ws[ws.max_row]:
                    if isinstance(cell.value, str):
                        cell.data_type = "s"  # text stays text (openpyxl takes "=…" for a formula)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def filename(report: dict, ext: str) -> str:
    first, last = report["first_day"], report["last_day"]
    span = first if first == last else f"{first}_{last}"
    return f"hallq-city-{report['period']}-{span}.{ext}"

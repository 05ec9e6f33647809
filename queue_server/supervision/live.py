"""What the supervision dashboard shows, and what a manager does there (acknowledge an alert)."""

from __future__ import annotations

from datetime import date, datetime

from ..domain.calendar import local_time
from ..domain.events import ALERTS, AlertAcknowledged, AlertCleared, AlertRaised
from ..errors import NotFound
from ..store.store import Store
from ..usecases.principal import Principal
from ..usecases.queue_view import QueueView, eta_fields
from . import reports
from .figures import Fold
from .source import Tracker, at_windows, days_span, events_between, today, waiting

ALERTS_SHOWN = 200


def _iso(x: datetime | None, tz: str) -> str | None:
    return local_time(x, tz).isoformat() if x else None


def dashboard(store: Store, tracker: Tracker, hall_id: str) -> dict:
    """The hall as it is: per service, per window, hall totals, today's hours and alerts."""
    with store.read(hall_id) as r:
        hall = r.hall
        tz = hall.timezone
        now = store.clock.now()
        day = today(hall, now)
        seq = r.last_seq()
        with tracker.lock:
            fold = tracker.current(r, now)
            rep = reports.from_fold(fold, hall, "day", day, day, now)
            alerts = sorted(fold.alerts.values(), key=lambda a: a.id, reverse=True)
            alert_views = [a.view(tz) for a in alerts[:ALERTS_SHOWN]]
            active = sum(a.active for a in alerts)
            unacked = sum(a.acknowledged_at is None for a in alerts)
        queue = QueueView.load(r, now)
        people = waiting(r)
        rows = r.windows()
        current = at_windows(r, [w.ticket_id for w in rows.values() if w.ticket_id])
        staff = r.staff()
        local = local_time(now, tz)

    oldest: dict[str, datetime] = {}
    for p in people:
        if p.service not in oldest or p.queued_at < oldest[p.service]:
            oldest[p.service] = p.queued_at
    by_service = {row["key"]: row for row in rep["services"]}
    services = []
    for s in hall.services:
        f = by_service[s.code]
        first = oldest.get(s.code)
        services.append(
            {
                "code": s.code,
                "name": s.name,
                "prefix": s.prefix,
                "floor": s.floor,
                "open": hall.service_open(s.code, local),
                "waiting": queue.waiting(s.code),
                "longest_wait_s": round((now - first).total_seconds()) if first else None,
                "oldest_queued_at": _iso(first, tz),
                **eta_fields(queue.eta(s.code, queue.waiting(s.code))),
                "windows_open": queue.open_windows.get(s.code, 0),
                "issued": f["issued"],
                "served": f["served"],
                "unresolved": f["unresolved"],
                "no_show": f["no_show"],
                "cancelled": f["cancelled"],
                "wait_avg_s": f["wait_avg_s"],
                "wait_p90_s": f["wait_p90_s"],
                "service_avg_s": f["service_avg_s"],
                "satisfaction": f["satisfaction"],
            }
        )

    by_window = {row["key"]: row for row in rep["windows"]}
    windows = []
    for w in hall.windows:
        row = rows.get(w.number)
        if row is None:
            continue
        f = by_window[w.number]
        clerk = staff.get(row.clerk_id)
        cur = current.get(row.ticket_id) if row.ticket_id else None
        windows.append(
            {
                "number": w.number,
                "floor": w.floor,
                "area": w.area,
                "services": list(w.services),
                "state": row.state,
                "since": _iso(row.state_since, tz),
                "pause_reason": row.pause_reason,
                "clerk": clerk.display_name if clerk else None,
                "staff_no": clerk.staff_no if clerk else None,
                "ticket": cur.number if cur else None,
                "ticket_state": cur.state if cur else None,
                "ticket_service": cur.service if cur else None,
                "ticket_since": _iso((cur.called_at if cur else None), tz),
                "serving_since": _iso((cur.started_at if cur else None), tz),
                "served": f["served"],
                "service_avg_s": f["service_avg_s"],
                "satisfaction": f["satisfaction"],
                "rated": f["rated"],
                "utilisation": f["utilisation"],
            }
        )

    t = rep["totals"]
    totals = {
        "tickets": t["issued"],
        "waiting": sum(queue.counts.values()),
        "served": t["served"],
        "done": t["done"],
        "unresolved": t["unresolved"],
        "no_show": t["no_show"],
        "cancelled": t["cancelled"],
        "wait_avg_s": t["wait_avg_s"],
        "wait_p90_s": t["wait_p90_s"],
        "service_avg_s": t["service_avg_s"],
        "rated": t["rated"],
        "satisfaction": t["satisfaction"],
        "longest_wait_s": max((s["longest_wait_s"] or 0 for s in services), default=0) or None,
        "windows_open": sum(w["state"] == "open" for w in windows),
        "windows_paused": sum(w["state"] == "paused" for w in windows),
        "windows_serving": sum(w["ticket"] is not None for w in windows),
        "alerts_active": active,
        "alerts_unacknowledged": unacked,
    }
    hours = [
        {
            "hour": h["key"],
            "issued": h["issued"],
            "called": h["called"],
            "served": h["served"],
            "wait_avg_s": h["wait_avg_s"],
            "wait_max_s": h["wait_max_s"],
        }
        for h in rep["hours"]
    ]
    return {
        "hall": hall_id,
        "name": hall.name,
        "day": day.isoformat(),
        "now": local.isoformat(),
        "seq": seq,
        "totals": totals,
        "services": services,
        "windows": windows,
        "hours": hours,
        "alerts": alert_views,
        "thresholds": hall.alerts.model_dump(),
    }


def alert_list(store: Store, tracker: Tracker, hall_id: str, day: date | None, only: str = "all") -> dict:
    """The alerts of a business day (default today), newest first; `only`: all, active or unacknowledged."""
    with store.read(hall_id) as r:
        hall = r.hall
        now = store.clock.now()
        if day is None or day == today(hall, now):
            with tracker.lock:
                alerts = list(tracker.current(r, now).alerts.values())
        else:
            start, end = days_span(hall, day, day)
            alerts = list(
                Fold(hall.timezone)
                .add_all(e for e in events_between(r, start, end) if e.kind in ALERTS)
                .alerts.values()
            )
        day = day or today(hall, now)
    if only == "active":
        alerts = [a for a in alerts if a.active]
    elif only == "unacknowledged":
        alerts = [a for a in alerts if a.acknowledged_at is None]
    return {
        "hall": hall_id,
        "day": day.isoformat(),
        "alerts": [a.view(hall.timezone) for a in sorted(alerts, key=lambda a: a.id, reverse=True)],
    }


def acknowledge(store: Store, hall_id: str, alert_id: int, who: Principal, note: str | None) -> dict:
    """A manager has seen an alert: an `alert.acknowledged` event. Acknowledging twice changes nothing."""
    with store.write(hall_id) as tx:
        raised = tx.events_after(alert_id - 1, 1) if alert_id >= 1 else []
        if not raised or raised[0].seq != alert_id or raised[0].kind is not AlertRaised:
            raise NotFound("alert_not_found", f"没有预警 {alert_id}", f"no alert {alert_id}")
        fold = Fold(tx.hall.timezone)
        fold.add(raised[0])
        since = alert_id
        while True:  # what happened to it since (cleared, acknowledged)
            batch = tx.events_after(since, 2000)
            fold.add_all(e for e in batch if e.kind in (AlertCleared, AlertAcknowledged))
            if len(batch) < 2000:
                break
            since = batch[-1].seq
        a = fold.alerts[alert_id]
        if a.acknowledged_at is None:
            by = who.name or who.username or who.kind
            ev = tx.emit(
                AlertAcknowledged(
                    alert=alert_id, key=a.key, kind=a.kind, by=by, note=(note or "").strip()[:200] or None
                ),
                who.actor(),
            )
            fold.add(ev)
        return fold.alerts[alert_id].view(tx.hall.timezone)

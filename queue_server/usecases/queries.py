"""Read-only views: services with waits, guides, the board, a window's queue, the day's figures."""

from __future__ import annotations

from datetime import date
from statistics import mean

from ..domain import rating
from ..domain.calendar import business_day, day_start, local_time
from ..domain.events import CALLS, HallCleared, TicketNoShow
from ..domain.hall import Hall
from ..domain.tickets import State
from ..errors import NotFound
from ..store.repository import Reader
from ..store.store import Store
from . import lookups
from .body import Body
from .queue_view import QueueView, eta_fields
from .views import held_at, staff_view, ticket_view

RECENT_CALLS = 8
NEXT_UP = 3  # numbers per service on the board's "next up" line


def _today(hall: Hall, store: Store) -> date:
    return business_day(store.clock.now(), hall.timezone, hall.day_boundary_hour)


def hall_info(store: Store, hall_id: str) -> Body:
    with store.read(hall_id) as r:
        h = r.hall
        return {
            "id": h.id,
            "name": h.name,
            "name_en": h.name_en,
            "timezone": h.timezone,
            "notice": h.notice,
            "floors": [f.model_dump() for f in h.floors],
            "departments": [d.model_dump() for d in h.departments],
            "topics": [t.model_dump() for t in h.topics],
            "windows": [w.model_dump() for w in h.windows],
            "priority_classes": [c.model_dump() for c in h.priority_classes],
            "rating": rating.scale_view(h.ratings.scale),
            "phone": h.phone.model_dump(),
            "now": local_time(store.clock.now(), h.timezone).isoformat(),
        }


def services(store: Store, hall_id: str) -> list[Body]:
    with store.read(hall_id) as r:
        now = store.clock.now()
        hall = r.hall
        local = local_time(now, hall.timezone)
        queue = QueueView.load(r, now)
        issued = r.issued_today(_today(hall, store))
        out = []
        for s in hall.services:
            remaining = None if s.daily_cap is None else max(0, s.daily_cap - issued.get(s.code, 0))
            out.append(
                {
                    "code": s.code,
                    "prefix": s.prefix,
                    "name": s.name,
                    "name_en": s.name_en,
                    "department": s.department,
                    "floor": s.floor,
                    "area": s.guide.area,
                    "keywords": s.keywords,
                    "open": hall.service_open(s.code, local),
                    "hours_today": hall.hours_today(s.code, local),
                    "waiting": queue.waiting(s.code),
                    **eta_fields(queue.eta(s.code, queue.waiting(s.code))),
                    "windows_open": queue.open_windows.get(s.code, 0),
                    "daily_cap": s.daily_cap,
                    "remaining_today": remaining,
                    "appointments": s.appointments,
                    "id_card_required": s.id_card_required,
                }
            )
        return out


def guide(store: Store, hall_id: str, code: str) -> Body:
    with store.read(hall_id) as r:
        s = lookups.service(r.hall, code)
        windows = [w.number for w in r.hall.windows_for(code)]
        return {
            "code": s.code,
            "name": s.name,
            "name_en": s.name_en,
            "floor": s.floor,
            "windows": windows,
            "department": s.department,
        } | s.guide.model_dump(mode="json")


def _windows(r: Reader) -> list[Body]:
    names = r.staff()
    rows = r.windows()
    out = []
    for w in r.hall.windows:
        row = rows.get(w.number)
        if row is None:
            continue
        current = r.ticket(row.ticket_id) if row.ticket_id else None
        clerk = names.get(row.clerk_id) if row.clerk_id is not None else None
        out.append(
            {
                "number": w.number,
                "floor": w.floor,
                "area": w.area,
                "services": list(w.services),
                "state": row.state,
                "pause_reason": row.pause_reason,
                "clerk": clerk.display_name if clerk else None,
                "staff_no": clerk.staff_no if clerk else None,
                "ticket": current.number if current else None,
                "ticket_state": current.state.value if current else None,
                "since": row.state_since.isoformat() if row.state_since else None,
            }
        )
    return out


def board(store: Store, hall_id: str) -> Body:
    with store.read(hall_id) as r:
        now = store.clock.now()
        last = r.last_seq()
        today = day_start(_today(r.hall, store), r.hall.timezone, r.hall.day_boundary_hour)
        log = r.events_after(max(0, last - 2000))
        cleared = max((e.seq for e in log if e.kind is HallCleared), default=0)  # a trial run's calls are gone
        recent = [e for e in log if e.kind in CALLS and e.ts >= today and e.seq > cleared]
        # A call the citizen did not answer is shown 过号, not 正在呼叫, until the ticket is called again.
        missed = {e.data["id"]: e.seq for e in log if e.kind is TicketNoShow}
        calls: list[dict[str, object]] = []
        for e in reversed(recent):  # as the board keeps them live: a recall replaces the call, a new call a 过号
            call = {
                "number": e.data["number"],
                "window": e.data["window"],
                "service": e.data["service"],
                "text": e.data["text"],
                "ts": e.ts.isoformat(),
                "seq": e.seq,
                "missed": missed.get(e.data["id"], 0) > e.seq,
            }
            if any(c["number"] == call["number"] and (c["window"] == call["window"] or call["missed"]) for c in calls):
                continue
            calls.append(call)
            if len(calls) == RECENT_CALLS:
                break
        queue = QueueView.load(r, now)
        next_ids = queue.heads(NEXT_UP)
        numbers = r.numbers(i for ids in next_ids.values() for i in ids)
        return {
            "hall": hall_id,
            "name": r.hall.name,
            "name_en": r.hall.name_en,
            "notice": r.hall.notice,
            "now": local_time(now, r.hall.timezone).isoformat(),
            "seq": last,
            "calls": calls,
            "voice": r.hall.voice.model_dump(),
            "services": [
                {
                    "code": s.code,
                    "name": s.name,
                    "name_en": s.name_en,
                    "short_name": s.short_name,
                    "short_name_en": s.short_name_en,
                    "prefix": s.prefix,
                    "floor": s.floor,
                    "next": [numbers[i] for i in next_ids[s.code]],
                }
                | queue.stats([s.code])[s.code]
                for s in r.hall.services
            ],
            "windows": _windows(r),
        }


def window_detail(store: Store, hall_id: str, number: int) -> Body:
    """What the clerk console shows: the window, its current ticket (masked name) and its queue."""
    with store.read(hall_id) as r:
        try:
            w = r.hall.window(number)
        except KeyError:
            raise NotFound("window_not_found", f"没有 {number} 号窗口", f"no window {number}") from None
        now = store.clock.now()
        queue = QueueView.load(r, now)
        row = r.window(number)
        assert row is not None  # every window of the hall's configuration has its row
        current = r.ticket(row.ticket_id) if row.ticket_id else None
        place = {tid: i for code in w.services for i, tid in enumerate(queue.ordered(code))}
        waiting: list[tuple[int, int, Body]] = []  # (position, id, view): ids are unique, views never compared
        for tk in r.waiting(w.services):
            if tk.window not in (None, number):
                continue  # a ticket transferred to another window is that window's to call
            assert tk.id is not None and tk.queued_at is not None  # a stored, waiting ticket
            view = {
                "number": tk.number,
                "service": tk.service,
                "klass": tk.klass,
                "front": tk.front,
                "waited_seconds": int((now - tk.queued_at).total_seconds()),
                "position": place[tk.id],
            }
            waiting.append((place[tk.id], tk.id, view))
        info = next(x for x in _windows(r) if x["number"] == number)
        return info | {
            "priority_streak": row.priority_streak,
            "current": staff_view(current, r.hall) if current else None,
            "held": [staff_view(tk, r.hall) for tk in held_at(r, number)],
            "max_recalls": r.hall.calling.max_recalls,
            "queue": [view for _, _, view in sorted(waiting)],
        }


def lookup_ticket(store: Store, hall_id: str, number: str) -> Body:
    with store.read(hall_id) as r:
        tk = lookups.ticket_today(r, store.clock.now(), number)
        return ticket_view(tk, r.hall, QueueView.load(r, store.clock.now())) | {"masked_name": tk.masked_name}


# A hall board shows these anyway; the token (it cancels and rates), the name and the id stay out.
BOARD_FIELDS = (
    "number",
    "day",
    "service",
    "service_name",
    "area",
    "floor",
    "state",
    "state_name",
    "position",
    "eta_seconds",
    "eta_low_seconds",
    "eta_high_seconds",
    "window",
)
BOARD_MATTER_FIELDS = ("service", "name", "name_en", "state", "window")


def ticket_board_status(store: Store, hall_id: str, number: str) -> Body:
    """Today's ticket by its number, for anyone in the hall (kiosks): only what the board could show."""
    view = lookup_ticket(store, hall_id, number)
    return {k: view[k] for k in BOARD_FIELDS} | {
        "matters": [{k: m[k] for k in BOARD_MATTER_FIELDS} for m in view["matters"]]
    }


def events(store: Store, hall_id: str, since: int, limit: int) -> Body:
    with store.read(hall_id) as r:
        evs = r.events_after(since, limit)
        return {"last_seq": r.last_seq(), "events": [e.to_dict() for e in evs]}


def stats(store: Store, hall_id: str, day: date | None) -> Body:
    """The day's figures per service, from the tickets' matters (a report's quick view)."""
    with store.read(hall_id) as r:
        hall = r.hall
        day = day or _today(hall, store)
        per: dict[str, Body] = {
            s.code: {
                "issued": 0,
                "done": 0,
                "unresolved": 0,
                "no_show": 0,
                "cancelled": 0,
                "waiting": 0,
                "waits": [],
                "services": [],
            }
            for s in hall.services
        }
        for tk in r.tickets_of_day(day):
            if tk.matters[0].service in per:
                per[tk.matters[0].service]["issued"] += 1
            for m in tk.matters:
                p = per.get(m.service)
                if p is None:
                    continue
                if m.state.value in p and m.state is not State.waiting:
                    p[m.state.value] += 1
                if m.state is State.waiting:
                    p["waiting"] += 1
                if m.called_at and m.queued_at:
                    p["waits"].append((m.called_at - m.queued_at).total_seconds())
                if m.finished_at and m.started_at and m.state in (State.done, State.unresolved):
                    p["services"].append((m.finished_at - m.started_at).total_seconds())
        levels = [rating.level_of(scale, score) for scale, score in r.rating_scores(day)]
        services_out = []
        for code, p in per.items():
            waits, serv = p.pop("waits"), p.pop("services")
            services_out.append(
                {"service": code, "name": hall.service(code).name}
                | p
                | {
                    "avg_wait_seconds": round(mean(waits)) if waits else None,
                    "avg_service_seconds": round(mean(serv)) if serv else None,
                }
            )
        good = sum(lv.verdict == "good" for lv in levels)
        return {
            "hall": hall_id,
            "day": day.isoformat(),
            "services": services_out,
            "totals": {
                k: sum(s[k] for s in services_out)
                for k in ("issued", "done", "unresolved", "no_show", "cancelled", "waiting")
            },
            "ratings": {
                lv.zh: levels.count(lv)
                for lv in rating.LEVELS
                if lv in levels or lv in rating.SCALES[hall.ratings.scale].values()
            },
            "satisfaction_rate": round(good / len(levels), 4) if levels else None,
        }

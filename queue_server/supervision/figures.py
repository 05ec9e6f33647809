"""Figures from the event log: one pass over a hall's events, in seq order.

`Fold` is pure (no I/O, no clock): it takes events one by one, so the live dashboard can keep one
up to date while a report folds a past day from scratch; both give the same numbers.

Definitions (the same in the dashboard, the reports and the command line):
- wait: from joining a service's queue (issue, next matter, transfer, re-activation) to being
  called; one sample per `ticket.called`, attributed to the service, the calling window and clerk,
  the ticket's class and the hour of the call;
- service time: from `ticket.serving` (or the call, when the clerk went straight to finish) to
  `ticket.done`;
- served: matters finished at a window, done or unresolved (未办成, with its reason);
- issued: per service, the matters of the tickets issued (a ticket for two services counts in
  both); for the hall and per class, tickets;
- ratings by level (domain/rating.py: the five national levels and the old 一般), counted where
  they were given; satisfaction: 好评 (非常满意, 满意, 基本满意) / ratings, on either scale;
- follow-ups of 差评: opened (with the rating), closed and closed after their last day, counted on
  the day of the step;
- p90: the nearest-rank 90th percentile (the smallest sample with at least 90% of samples at or
  below it);
- utilisation of a window: time with a ticket (call to release) / time open.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ..domain import rating
from ..domain.calendar import local_time
from ..domain.events import (
    AlertAcknowledged,
    AlertCleared,
    AlertRaised,
    DeviceStateChanged,
    EventClass,
    FollowUpOpened,
    FollowUpUpdated,
    RatingSubmitted,
    Recorded,
    SigninLocked,
    TicketCalled,
    TicketCancelled,
    TicketDone,
    TicketExpired,
    TicketHeld,
    TicketHoldExpired,
    TicketIssued,
    TicketLapsed,
    TicketNoShow,
    TicketPriorityRaised,
    TicketReactivated,
    TicketResumed,
    TicketServing,
    TicketTransferred,
    TicketTransferredToWindow,
    WindowState,
)
from ..domain.hall import APPOINTMENT, NORMAL
from ..domain.window import WindowStatus

CLASS_NAMES = {NORMAL: "普通", APPOINTMENT: "预约"}


# -- statistics ------------------------------------------------------------------------------------
def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def percentile(values: list[float], q: float = 0.9) -> float | None:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _r(x: float | None, digits: int = 1) -> float | None:
    return None if x is None else round(x, digits)


@dataclass
class Tally:
    """What happened at one service, window, clerk, class or hour (or the whole hall)."""

    issued: int = 0
    transferred_in: int = 0
    called: int = 0
    done: int = 0
    unresolved: int = 0
    no_show: int = 0
    cancelled: int = 0
    expired: int = 0
    transferred: int = 0
    transferred_to_window: int = 0  # of `transferred`: to one window
    held: int = 0  # 挂起
    hold_expired: int = 0  # holds that ran past the hall's limit
    priority_raised: int = 0
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)
    ratings: Counter = field(default_factory=Counter)  # level key -> ratings
    followups_opened: int = 0
    followups_closed: int = 0
    followups_late: int = 0  # closed after their last day
    reasons: Counter = field(default_factory=Counter)
    open_s: float = 0.0
    busy_s: float = 0.0

    @property
    def served(self) -> int:
        return self.done + self.unresolved

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())

    def satisfaction(self) -> float | None:
        n = self.rated
        good = sum(self.ratings[lv.key] for lv in rating.LEVELS if lv.verdict == "good")
        return round(good / n, 4) if n else None

    def figures(self, open_extra: float = 0.0) -> dict:
        open_s = self.open_s + open_extra
        return {
            "issued": self.issued,
            "transferred_in": self.transferred_in,
            "called": self.called,
            "served": self.served,
            "done": self.done,
            "unresolved": self.unresolved,
            "no_show": self.no_show,
            "cancelled": self.cancelled,
            "expired": self.expired,
            "transferred": self.transferred,
            "transferred_to_window": self.transferred_to_window,
            "held": self.held,
            "hold_expired": self.hold_expired,
            "priority_raised": self.priority_raised,
            "wait_avg_s": _r(mean(self.waits)),
            "wait_p90_s": _r(percentile(self.waits)),
            "wait_max_s": _r(max(self.waits) if self.waits else None),
            "service_avg_s": _r(mean(self.services)),
            "service_p90_s": _r(percentile(self.services)),
            "rated": self.rated,
            **{f"rating_{lv.key}": self.ratings[lv.key] for lv in rating.LEVELS},
            "satisfaction": self.satisfaction(),
            "followups_opened": self.followups_opened,
            "followups_closed": self.followups_closed,
            "followups_late": self.followups_late,
            "reasons": dict(self.reasons.most_common()),
            "open_s": round(open_s),
            "busy_s": round(self.busy_s),
            "utilisation": round(self.busy_s / open_s, 4) if open_s > 0 else None,
        }


# -- the fold ----------------------------------------------------------------------------------------
@dataclass
class _Ticket:
    number: str
    klass: str
    service: str
    queued_at: datetime
    state: str = "waiting"
    window: int | None = None
    clerk: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None


@dataclass
class WindowNow:
    state: str
    since: datetime
    clerk: str | None  # username
    ticket: int | None = None
    released_at: datetime | None = None  # the last time a ticket left it


@dataclass
class Alert:
    id: int  # the seq of its alert.raised event
    ts: datetime
    key: str
    kind: str
    level: str
    message: str
    message_en: str
    data: dict
    cleared_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    note: str | None = None

    @property
    def active(self) -> bool:
        return self.cleared_at is None

    def view(self, tz: str) -> dict:
        def t(x: datetime | None) -> str | None:
            return local_time(x, tz).isoformat() if x else None

        data = {k: v for k, v in self.data.items() if k not in ("key", "kind", "level", "message", "message_en")}
        return {
            "id": self.id,
            "ts": t(self.ts),
            "key": self.key,
            "kind": self.kind,
            "level": self.level,
            "message": self.message,
            "message_en": self.message_en,
            "data": data,
            "active": self.active,
            "cleared_at": t(self.cleared_at),
            "acknowledged": self.acknowledged_at is not None,
            "acknowledged_at": t(self.acknowledged_at),
            "acknowledged_by": self.acknowledged_by,
            "note": self.note,
        }


class Fold:
    """The running figures of a stretch of a hall's event log."""

    def __init__(self, tz: str = "Asia/Shanghai"):
        self.tz = tz
        self.seq = 0  # the last seq folded in
        self.first_ts: datetime | None = None
        self.last_ts: datetime | None = None
        self.hall = Tally()
        self.services: dict[str, Tally] = {}
        self.windows: dict[int, Tally] = {}
        self.clerks: dict[str, Tally] = {}
        self.classes: dict[str, Tally] = {}
        self.hours: dict[int, Tally] = {}
        self.tickets: dict[int, _Ticket] = {}
        self.window_now: dict[int, WindowNow] = {}
        self.clerk_names: dict[str, tuple[str, str]] = {}  # username -> (name, staff no)
        self.reasons: Counter = Counter()  # (service, reason) -> unresolved matters
        self.alerts: dict[int, Alert] = {}
        self.open_alerts: dict[str, int] = {}  # condition key -> alert id, while active
        self.alert_keys: set[str] = set()  # every key raised in this stretch
        self.devices: dict[str, dict] = {}
        self.ratings: list[dict] = []  # every rating: {id, matter, number, score, service, window, clerk}
        self.lockouts: list[dict] = []  # every sign-in lockout: {seq, account, address}

    # -- helpers -----------------------------------------------------------------------------
    @staticmethod
    def _get(table: dict, key) -> Tally:
        t = table.get(key)
        if t is None:
            t = table[key] = Tally()
        return t

    def _hour(self, ts: datetime) -> Tally:
        return self._get(self.hours, local_time(ts, self.tz).hour)

    def _each(self, service: str | None, window: int | None, clerk: str | None, klass: str | None) -> list[Tally]:
        out = [self.hall]
        if service is not None:
            out.append(self._get(self.services, service))
        if window is not None:
            out.append(self._get(self.windows, window))
        if clerk:
            out.append(self._get(self.clerks, clerk))
        if klass:
            out.append(self._get(self.classes, klass))
        return out

    def _release(self, tk: _Ticket | None, window: int | None, ts: datetime) -> None:
        if tk is not None and tk.called_at is not None and window is not None:
            self._get(self.windows, window).busy_s += (ts - tk.called_at).total_seconds()
        if window is not None and window in self.window_now:
            w = self.window_now[window]
            w.ticket, w.released_at = None, ts

    # -- folding -------------------------------------------------------------------------------
    def add_all(self, events: Iterable[Recorded | dict]) -> Fold:
        for e in events:
            self.add(e)
        return self

    def add(self, raw: Recorded | dict) -> None:
        """An event as stored, or its dict form (`export-day` lines, the /events API)."""
        e = Recorded.of(raw)
        if e.seq and e.seq <= self.seq:
            return  # already folded in (a catch-up that overlaps)
        self.seq = max(self.seq, e.seq)
        self.first_ts = self.first_ts or e.ts
        self.last_ts = e.ts
        handler = _HANDLERS.get(e.kind) if e.kind else None
        if handler is not None:
            handler(self, e)

    def _issued(self, e: Recorded) -> None:
        d = e.data
        klass = d.get("klass") or NORMAL
        self.tickets[d["id"]] = _Ticket(d["number"], klass, d["service"], e.ts)
        self.hall.issued += 1
        self._get(self.classes, klass).issued += 1
        self._hour(e.ts).issued += 1
        for code in d.get("services") or [d["service"]]:
            self._get(self.services, code).issued += 1

    def _called(self, e: Recorded) -> None:
        d = e.data
        tk = self.tickets.get(d["id"])
        clerk = e.actor.get("id")
        klass = tk.klass if tk else None
        tallies = self._each(d.get("service"), d.get("window"), clerk, klass) + [self._hour(e.ts)]
        wait = (e.ts - tk.queued_at).total_seconds() if tk else None
        for t in tallies:
            t.called += 1
            if wait is not None:
                t.waits.append(wait)
        if tk:
            tk.state, tk.window, tk.clerk, tk.called_at, tk.started_at = "called", d.get("window"), clerk, e.ts, None
        w = self.window_now.get(d["window"])
        if w is not None:
            w.ticket = d["id"]

    def _serving(self, e: Recorded) -> None:
        tk = self.tickets.get(e.data["id"])
        if tk:
            tk.state, tk.started_at = "serving", e.ts

    def _done(self, e: Recorded) -> None:
        d = e.data
        tk = self.tickets.get(d["id"])
        clerk = e.actor.get("id")
        begun = (tk.started_at or tk.called_at) if tk else None
        seconds = (e.ts - begun).total_seconds() if begun else d.get("service_seconds")
        unresolved = d.get("result") == "unresolved"
        tallies = self._each(d.get("service"), d.get("window"), clerk, tk.klass if tk else None) + [self._hour(e.ts)]
        for t in tallies:
            if unresolved:
                t.unresolved += 1
                t.reasons[d.get("reason") or ""] += 1
            else:
                t.done += 1
            if seconds is not None:
                t.services.append(seconds)
        if unresolved:
            self.reasons[(d.get("service"), d.get("reason") or "")] += 1
        self._release(tk, d.get("window"), e.ts)
        if tk:
            if d.get("next_service"):
                tk.service, tk.queued_at, tk.state = d["next_service"], e.ts, "waiting"
            else:
                tk.state = "done"
            tk.called_at = tk.started_at = None

    def _no_show(self, e: Recorded) -> None:
        d = e.data
        tk = self.tickets.get(d["id"])
        for t in self._each(d.get("service"), d.get("window"), e.actor.get("id"), tk.klass if tk else None):
            t.no_show += 1
        self._release(tk, d.get("window"), e.ts)
        if tk:
            tk.state, tk.called_at, tk.started_at = "no_show", None, None

    def _transferred(self, e: Recorded) -> None:
        d = e.data
        tk = self.tickets.get(d["id"])
        for t in self._each(d.get("from"), d.get("window"), e.actor.get("id"), None):
            t.transferred += 1
        self._get(self.services, d["service"]).transferred_in += 1
        self._release(tk, d.get("window"), e.ts)
        if tk:
            tk.service, tk.queued_at, tk.state, tk.called_at, tk.started_at = d["service"], e.ts, "waiting", None, None

    def _transferred_to_window(self, e: Recorded) -> None:
        self._transferred(e)
        for t in self._each(e.data.get("from"), e.data.get("window"), e.actor.get("id"), None):
            t.transferred_to_window += 1

    def _held(self, e: Recorded) -> None:
        d = e.data
        tk = self.tickets.get(d["id"])
        for t in self._each(d.get("service"), d.get("window"), e.actor.get("id"), tk.klass if tk else None):
            t.held += 1
        # The window is free while the citizen is away: its busy time stops until the ticket resumes.
        self._release(tk, d.get("window"), e.ts)
        if tk:
            tk.state, tk.called_at = "held", None

    def _resumed(self, e: Recorded) -> None:
        d = e.data
        tk = self.tickets.get(d["id"])
        if tk:
            tk.state, tk.window, tk.called_at = "serving", d.get("window"), e.ts
        w = self.window_now.get(d["window"])
        if w is not None:
            w.ticket = d["id"]

    def _hold_expired(self, e: Recorded) -> None:
        d = e.data
        tk = self.tickets.get(d["id"])
        for t in self._each(d.get("service"), d.get("window"), None, tk.klass if tk else None):
            t.hold_expired += 1
        if tk:
            tk.state, tk.started_at = d.get("state") or "waiting", None
            if tk.state == "waiting":
                tk.queued_at = e.ts

    def _priority_raised(self, e: Recorded) -> None:
        d = e.data
        for t in self._each(d.get("service"), None, e.actor.get("id"), d.get("klass")):
            t.priority_raised += 1
        tk = self.tickets.get(d["id"])
        if tk:
            tk.klass = d.get("klass") or tk.klass

    def _requeued(self, e: Recorded) -> None:
        tk = self.tickets.get(e.data["id"])
        if tk:
            tk.state, tk.queued_at = "waiting", e.ts

    def _cancelled(self, e: Recorded) -> None:
        self._ended(e, "cancelled")

    def _expired(self, e: Recorded) -> None:
        self._ended(e, "expired")

    def _ended(self, e: Recorded, state: str) -> None:
        d = e.data
        tk = self.tickets.get(d["id"])
        for t in self._each(d.get("service"), None, None, tk.klass if tk else None):
            setattr(t, state, getattr(t, state) + 1)
        if tk:
            if tk.window is not None and tk.state in ("called", "serving"):
                self._release(tk, tk.window, e.ts)
            tk.state = state

    def _rating(self, e: Recorded) -> None:
        d = e.data
        score = int(d["score"])
        level = rating.level_of(d.get("scale"), score)
        tk = self.tickets.get(d["id"])
        for t in self._each(d.get("service"), d.get("window"), d.get("clerk"), tk.klass if tk else None):
            t.ratings[level.key] += 1
        self.ratings.append(
            {k: d.get(k) for k in ("id", "matter", "number", "service", "window", "clerk", "scale", "reason")}
            | {"score": score}
        )

    def _followup_opened(self, e: Recorded) -> None:
        d = e.data
        for t in self._each(d.get("service"), d.get("window"), d.get("clerk"), None):
            t.followups_opened += 1

    def _followup_updated(self, e: Recorded) -> None:
        d = e.data
        if d.get("state") != "closed":
            return
        late = local_time(e.ts, self.tz).date().isoformat() > d["due"]
        for t in self._each(d.get("service"), d.get("window"), d.get("clerk"), None):
            t.followups_closed += 1
            t.followups_late += late

    def _window(self, e: Recorded) -> None:
        d = e.data
        number = d["window"]
        user = e.actor.get("id")
        if user and d.get("clerk"):
            self.clerk_names[user] = (d.get("clerk") or user, d.get("staff_no") or "")
        prev = self.window_now.get(number)
        if prev is not None and prev.state == WindowStatus.open:
            self._get(self.windows, number).open_s += (e.ts - prev.since).total_seconds()
        self._get(self.windows, number)  # a window that opened is listed even if it served nobody
        state = d["state"]
        self.window_now[number] = WindowNow(
            state,
            e.ts,
            user if state != WindowStatus.closed else None,
            prev.ticket if prev else None,
            prev.released_at if prev else None,
        )

    def _alert_raised(self, e: Recorded) -> None:
        d = e.data
        a = Alert(
            e.seq,
            e.ts,
            d["key"],
            d["kind"],
            d.get("level", "warning"),
            d.get("message", ""),
            d.get("message_en", ""),
            d,
        )
        self.alerts[a.id] = a
        self.open_alerts[a.key] = a.id
        self.alert_keys.add(a.key)

    def _alert_cleared(self, e: Recorded) -> None:
        a = self.alerts.get(e.data["alert"])
        if a is not None:
            a.cleared_at = e.ts
            if self.open_alerts.get(a.key) == a.id:
                del self.open_alerts[a.key]

    def _alert_acknowledged(self, e: Recorded) -> None:
        a = self.alerts.get(e.data["alert"])
        if a is not None and a.acknowledged_at is None:
            a.acknowledged_at = e.ts
            a.acknowledged_by = e.data.get("by") or e.actor.get("name") or e.actor.get("id")
            a.note = e.data.get("note")

    def _device(self, e: Recorded) -> None:
        self.devices[e.data["device"]] = dict(e.data) | {"since": e.ts}

    def _lockout(self, e: Recorded) -> None:
        self.lockouts.append({"seq": e.seq, "account": e.data.get("account"), "address": e.data.get("address")})

    # -- reading ---------------------------------------------------------------------------------
    def open_extra(self, window: int, until: datetime | None) -> float:
        """Seconds a window still open at `until` has been open since its last change."""
        w = self.window_now.get(window)
        if until is None or w is None or w.state != WindowStatus.open or until <= w.since:
            return 0.0
        return (until - w.since).total_seconds()

    def waiting_tickets(self) -> dict[int, _Ticket]:
        return {i: tk for i, tk in self.tickets.items() if tk.state == "waiting"}


_HANDLERS: dict[EventClass, Callable[[Fold, Recorded], None]] = {
    TicketIssued: Fold._issued,
    TicketCalled: Fold._called,
    TicketServing: Fold._serving,
    TicketDone: Fold._done,
    TicketNoShow: Fold._no_show,
    TicketTransferred: Fold._transferred,
    TicketTransferredToWindow: Fold._transferred_to_window,
    TicketHeld: Fold._held,
    TicketResumed: Fold._resumed,
    TicketHoldExpired: Fold._hold_expired,
    TicketPriorityRaised: Fold._priority_raised,
    TicketReactivated: Fold._requeued,
    TicketCancelled: Fold._cancelled,
    TicketLapsed: Fold._cancelled,
    TicketExpired: Fold._expired,
    RatingSubmitted: Fold._rating,
    FollowUpOpened: Fold._followup_opened,
    FollowUpUpdated: Fold._followup_updated,
    WindowState: Fold._window,
    AlertRaised: Fold._alert_raised,
    AlertCleared: Fold._alert_cleared,
    AlertAcknowledged: Fold._alert_acknowledged,
    DeviceStateChanged: Fold._device,
    SigninLocked: Fold._lockout,
}

"""The queue as citizens see it: position and estimated wait (with its range) per service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..domain import policy
from ..domain.calendar import business_day
from ..domain.eta import JOIN_SPAN, Estimate, OpenWindow, Snapshot, back_in
from ..domain.hall import NORMAL
from ..domain.tickets import State, Ticket
from ..domain.window import WindowStatus
from ..store.repository import Reader
from .body import Body


def eta_fields(estimate: Estimate | None) -> dict[str, int | None]:
    """The estimate as the HTTP views carry it: the mean and the p10-p90 range, seconds."""
    if estimate is None:
        return {"eta_seconds": None, "eta_low_seconds": None, "eta_high_seconds": None}
    return {"eta_seconds": estimate.seconds, "eta_low_seconds": estimate.low, "eta_high_seconds": estimate.high}


@dataclass
class QueueView:
    reader: Reader
    now: datetime
    counts: dict[str, int]  # service -> waiting tickets
    open_windows: dict[str, int]
    snapshot: Snapshot  # what the estimates are made from

    @classmethod
    def load(cls, reader: Reader, now: datetime) -> QueueView:
        hall = reader.hall
        break_s = hall.alerts.break_minutes * 60
        open_w: dict[str, int] = {}
        staffed: list[OpenWindow] = []
        for number, row in reader.windows().items():
            if not row.staffed:
                continue
            try:
                served = hall.window(number).services
            except KeyError:  # a window removed from the configuration since
                continue
            if row.state is WindowStatus.open:
                staffed.append(OpenWindow(served, row.ticket_id is None))
                for code in served:
                    open_w[code] = open_w.get(code, 0) + 1
            else:  # paused: back after the hall's expected break
                paused = (now - row.state_since).total_seconds() if row.state_since else 0.0
                staffed.append(OpenWindow(served, False, back_in(paused, break_s)))
        counts = reader.waiting_counts()
        day = business_day(now, hall.timezone, hall.day_boundary_hour)
        coming, upstream = reader.next_matters()
        snapshot = Snapshot(
            windows=staffed,
            times=reader.call_times(),
            waiting=counts,
            issued=reader.issued_since(day, now - timedelta(seconds=JOIN_SPAN)),
            coming=coming,
            boosts=reader.rules.boosts,
            upstream=upstream,
        )
        return cls(reader, now, counts, open_w, snapshot)

    def waiting(self, service: str) -> int:
        return self.counts.get(service, 0)

    def eta(self, service: str, ahead: int, klass: str = NORMAL, front: bool = False) -> Estimate | None:
        return self.snapshot.wait(service, klass, ahead, front)

    def position(self, tk: Ticket) -> tuple[int | None, Estimate | None]:
        """(people ahead, estimate) for a waiting ticket; (None, None) otherwise."""
        if tk.state is not State.waiting:
            return None, None
        ahead = self.reader.ahead_of(tk, self.now)
        assert tk.queued_at is not None and tk.id is not None
        me = policy.Candidate(tk.id, tk.service, tk.klass, tk.queued_at, tk.front, tk.slot)
        return ahead, self.eta(tk.service, ahead, policy.effective_class(me, self.now), tk.front)

    def ordered(self, service: str) -> list[int]:
        """The ids of a service's queue in calling order (costs a sort: for consoles, not hot paths)."""
        return [c.id for c in policy.queue_order(self.reader.candidates([service]), self.reader.rules, self.now)]

    def heads(self, n: int) -> dict[str, list[int]]:
        """The first n ids of every service's queue in calling order that can be called now (not away:
        a board's "next up"), from one read: the order is a key per ticket, so one sort of all the
        queues orders each of them."""
        out: dict[str, list[int]] = {s.code: [] for s in self.reader.hall.services}
        for c in policy.queue_order(self.reader.candidates(out), self.reader.rules, self.now):
            if c.service in out and len(out[c.service]) < n and c.callable_at(self.now):
                out[c.service].append(c.id)
        return out

    def stats(self, services: list[str] | None = None) -> dict[str, Body]:
        """Per service, its queue length and the wait of a normal ticket taken now."""
        codes = services if services is not None else [s.code for s in self.reader.hall.services]
        return {c: {"waiting": self.waiting(c)} | eta_fields(self.eta(c, self.waiting(c))) for c in codes}

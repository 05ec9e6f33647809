"""The queue as citizens see it: order, position and estimated wait per service."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain import policy
from ..domain.eta import estimate_wait
from ..domain.hall import Hall
from ..domain.tickets import Ticket
from ..store.repository import Reader


def rules_of(hall: Hall) -> policy.Rules:
    boosts = {c.code: hall.boost_seconds(c.code) for c in hall.priority_classes}
    boosts["appointment"] = hall.boost_seconds("appointment")
    return policy.Rules(boosts=boosts, priority_ratio=hall.calling.priority_ratio)


@dataclass
class QueueView:
    hall: Hall
    now: datetime
    counts: dict[str, int]  # service -> waiting tickets
    order: dict[str, list[int]]  # service -> ticket ids in calling order, for the services asked
    open_windows: dict[str, int]
    idle_windows: dict[str, int]
    averages: dict[str, float]

    @classmethod
    def load(cls, reader: Reader, now: datetime, ordered: list[str] | None = None) -> "QueueView":
        """Counts for every service; the full calling order only for the `ordered` services
        (positions are asked for one ticket's service, and ordering is the costly part)."""
        hall = reader.hall
        rules = rules_of(hall)
        by_service: dict[str, list[policy.Candidate]] = {code: [] for code in ordered or []}
        for c in reader.candidates(ordered or []):
            by_service.setdefault(c.service, []).append(c)
        order = {s: [c.id for c in policy.queue_order(cs, rules, now)] for s, cs in by_service.items()}
        open_w: dict[str, int] = {}
        idle_w: dict[str, int] = {}
        for number, row in reader.windows().items():
            if row.state != "open":
                continue
            try:
                served = hall.window(number).services
            except KeyError:  # a window removed from the configuration since
                continue
            for code in served:
                open_w[code] = open_w.get(code, 0) + 1
                if row.ticket_id is None:
                    idle_w[code] = idle_w.get(code, 0) + 1
        return cls(hall, now, reader.waiting_counts(), order, open_w, idle_w, reader.service_averages())

    def waiting(self, service: str) -> int:
        return self.counts.get(service, 0)

    def eta(self, service: str, ahead: int) -> int | None:
        return estimate_wait(
            ahead, self.averages.get(service, 600.0), self.open_windows.get(service, 0), self.idle_windows.get(service, 0)
        )

    def position(self, tk: Ticket) -> tuple[int | None, int | None]:
        """(people ahead, seconds) for a waiting ticket; (None, None) otherwise."""
        if tk.service not in self.order:
            raise ValueError(f"queue view loaded without the order of {tk.service}")
        ids = self.order[tk.service]
        if tk.id not in ids:
            return None, None
        ahead = ids.index(tk.id)
        return ahead, self.eta(tk.service, ahead)

    def stats(self, services: list[str] | None = None) -> dict[str, dict]:
        codes = services if services is not None else [s.code for s in self.hall.services]
        return {c: {"waiting": self.waiting(c), "eta_seconds": self.eta(c, self.waiting(c))} for c in codes}

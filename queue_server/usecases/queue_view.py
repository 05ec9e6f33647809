"""The queue as citizens see it: position and estimated wait per service."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain import policy
from ..domain.eta import estimate_wait
from ..domain.tickets import State, Ticket
from ..store.repository import Reader


@dataclass
class QueueView:
    reader: Reader
    now: datetime
    counts: dict[str, int]  # service -> waiting tickets
    open_windows: dict[str, int]
    idle_windows: dict[str, int]
    averages: dict[str, float]

    @classmethod
    def load(cls, reader: Reader, now: datetime) -> "QueueView":
        hall = reader.hall
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
        return cls(reader, now, reader.waiting_counts(), open_w, idle_w, reader.service_averages())

    def waiting(self, service: str) -> int:
        return self.counts.get(service, 0)

    def eta(self, service: str, ahead: int) -> int | None:
        return estimate_wait(
            ahead, self.averages.get(service, 600.0), self.open_windows.get(service, 0), self.idle_windows.get(service, 0)
        )

    def position(self, tk: Ticket) -> tuple[int | None, int | None]:
        """(people ahead, seconds) for a waiting ticket; (None, None) otherwise."""
        if tk.state is not State.waiting:
            return None, None
        ahead = self.reader.ahead_of(tk, self.now)
        return ahead, self.eta(tk.service, ahead)

    def ordered(self, service: str) -> list[int]:
        """The ids of a service's queue in calling order (costs a sort: for consoles, not hot paths)."""
        return [c.id for c in policy.queue_order(self.reader.candidates([service]), self.reader.rules, self.now)]

    def stats(self, services: list[str] | None = None) -> dict[str, dict]:
        codes = services if services is not None else [s.code for s in self.reader.hall.services]
        return {c: {"waiting": self.waiting(c), "eta_seconds": self.eta(c, self.waiting(c))} for c in codes}

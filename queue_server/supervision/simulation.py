"""A discrete-event simulation of a hall day, driving the real calling policy.

Citizens arrive, take a ticket for one or more matters, wait in their service's queue and are
called by the windows open at that moment. A window that becomes free asks
`queue_server.domain.policy.choose` (the function the server calls) for its next ticket, or, to
compare, takes the ticket that joined its queues first (`fifo`). A called citizen walks to the
window, is served for the matter's duration, and the next matter of the ticket joins its queue at
the front, as on the server. A matter marked as a no-show keeps the window busy while the clerk
recalls, then the ticket drops out, or comes back later if it was re-activated. A citizen with
`leaves_at` cancels if not called by then.

At every arrival the ticket's estimated wait is computed as the server does when it issues one:
`queue_server.domain.eta.Snapshot.wait` on what the server would know then (the people ahead in
`policy.queue_order`, the windows open or paused between shifts, the queues, the tickets issued in
the last hour, next matters at windows and in other queues, and each service's moving mean and
variance of how long a call kept a window, updated by `eta.update_call_time` after each call,
no-shows included, as the server does). It is scored against the wait the ticket then really had
until its first call: the error, and whether the wait fell inside the p10-p90 range shown.

Inputs come from `bench/sim.py` (a synthetic day with arrival profiles) or from a day's event log
(`whatif`, for `hallq simulate`: what if there had been more or fewer windows); `erlang` checks the
engine against queueing theory.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..domain import policy
from ..domain.eta import JOIN_SPAN, CallTime, Estimate, OpenWindow, Snapshot, back_in, update_call_time
from .figures import mean, percentile


@dataclass
class Matter:
    service: str
    duration: float  # seconds at the window once the citizen is there (start to finish)
    walk: float = 0.0  # seconds from the call to the start
    no_show: float | None = None  # the citizen does not come: the window waits this long, then marks it
    reactivate_after: float | None = None  # after a no-show, back in the queue this much later


@dataclass
class Citizen:
    id: int
    arrival: float  # seconds after the simulation's start
    klass: str
    matters: list[Matter]
    slot: tuple[float, float] | None = None  # appointment window, seconds
    leaves_at: float | None = None  # cancels if still waiting then


@dataclass
class WindowPlan:
    number: int
    services: dict[str, float]  # service -> weight
    shifts: list[tuple[float, float]]  # open from, to (seconds); a ticket being served is finished


@dataclass
class Setup:
    start: datetime  # the instant of second 0
    rules: policy.Rules
    averages: dict[str, float]  # the services' average service seconds at the start (ETA)
    windows: list[WindowPlan]
    citizens: list[Citizen]
    end: float | None = None  # stop here (default: when nothing is left to do)
    break_s: float = 1800.0  # how long a paused window is expected to stay away (the hall's break alert)


# -- the run --------------------------------------------------------------------------------------------
ARRIVE, DONE, LEAVE, REQUEUE, SHIFT = 0, 1, 2, 3, 4


@dataclass
class _Ticket:
    citizen: Citizen
    index: int = 0  # the current matter
    queued_at: float = 0.0
    front: bool = False
    state: str = "new"  # waiting, called, done, no_show, cancelled
    first_call: float | None = None
    eta: Estimate | None = None
    candidate: policy.Candidate | None = None


def _candidates(tickets: Iterable[_Ticket]) -> list[policy.Candidate]:
    """Queued tickets as the calling policy sees them (every queued ticket has its candidate)."""
    return [tk.candidate for tk in tickets if tk.candidate is not None]


@dataclass
class _Window:
    plan: WindowPlan
    busy: bool = False
    busy_s: float = 0.0
    streak: int = 0
    shift: int = -1  # index of the current shift, -1 when closed
    idle_since: float = 0.0


@dataclass
class Result:
    waits: dict[str, list[float]] = field(default_factory=dict)  # class -> waits of every call
    eta_errors: list[float] = field(default_factory=list)  # estimate - real wait (first call), seconds
    eta_by_class: dict[str, list[tuple[float, bool]]] = field(default_factory=dict)  # (error, real wait in range)
    eta_missing: int = 0  # tickets issued while no window served them (no estimate)
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    unserved: int = 0
    busy_s: dict[int, float] = field(default_factory=dict)
    open_s: dict[int, float] = field(default_factory=dict)
    waits_by_service: dict[str, list[float]] = field(default_factory=dict)

    def summary(self) -> dict:
        def figures(xs: list[float]) -> dict:
            return {
                "n": len(xs),
                "mean_s": rounded(mean(xs)),
                "p90_s": rounded(percentile(xs)),
                "max_s": rounded(max(xs) if xs else None),
            }

        everyone = [w for ws in self.waits.values() for w in ws]
        abs_err = [abs(e) for e in self.eta_errors]
        open_total = sum(self.open_s.values())
        util = {n: round(self.busy_s[n] / self.open_s[n], 4) for n in sorted(self.open_s) if self.open_s[n] > 0}
        return {
            "classes": {k: figures(v) for k, v in sorted(self.waits.items())},
            "all": figures(everyone),
            "services": {k: figures(v) for k, v in sorted(self.waits_by_service.items())},
            "eta": {
                "n": len(self.eta_errors),
                "mae_s": rounded(mean(abs_err)),
                "p90_abs_s": rounded(percentile(abs_err)),
                "bias_s": rounded(mean(self.eta_errors)),
                "coverage": _coverage([c for v in self.eta_by_class.values() for c in v]),
                "no_estimate": self.eta_missing,
                "classes": {
                    k: {
                        "n": len(v),
                        "mae_s": rounded(mean([abs(e) for e, _ in v])),
                        "bias_s": rounded(mean([e for e, _ in v])),
                        "coverage": _coverage(v),
                    }
                    for k, v in sorted(self.eta_by_class.items())
                },
            },
            "served": self.served,
            "no_show": self.no_show,
            "cancelled": self.cancelled,
            "unserved": self.unserved,
            "utilisation": round(sum(self.busy_s.values()) / open_total, 4) if open_total else None,
            "window_utilisation": util,
        }


def rounded(x: float | None) -> float | None:
    """A figure in seconds as the summaries give it: to a tenth."""
    return None if x is None else round(x, 1)


def _coverage(samples: list[tuple[float, bool]]) -> float | None:
    return round(sum(inside for _, inside in samples) / len(samples), 4) if samples else None


def run(setup: Setup, discipline: str = "policy", estimates: bool = True) -> Result:
    """Simulates the day with the hall's calling policy (`policy`) or first come, first served (`fifo`);
    `estimates=False` skips the ETA of each arrival (long checks that do not look at it)."""
    if discipline not in ("policy", "fifo"):
        raise ValueError("discipline is policy or fifo")
    return _Run(setup, discipline, estimates).go()


class _Run:
    def __init__(self, setup: Setup, discipline: str, estimates: bool):
        self.setup = setup
        self.fifo = discipline == "fifo"
        self.estimates = estimates
        self.rules = setup.rules
        self.times = {code: CallTime.prior(avg) for code, avg in setup.averages.items()}
        self.heap: list[tuple[float, int, int, Any]] = []
        self.counter = 0
        self.windows = [_Window(p) for p in sorted(setup.windows, key=lambda p: p.number)]
        self.serving: dict[str, list[_Window]] = {}
        self.queues: dict[str, dict[int, _Ticket]] = {}
        self.res = Result()
        self.joins: dict[str, deque[tuple[float, str]]] = {}  # first service -> (when, class) of tickets issued
        self.at_windows: dict[int, _Ticket] = {}  # citizen -> ticket called and not yet released
        for w in self.windows:
            for code in w.plan.services:
                self.serving.setdefault(code, []).append(w)
            for i, (a, b) in enumerate(w.plan.shifts):
                self.push(a, SHIFT, (w, i, True))
                self.push(b, SHIFT, (w, i, False))
        for c in setup.citizens:
            self.push(c.arrival, ARRIVE, c)

    def push(self, t: float, kind: int, obj: Any) -> None:
        self.counter += 1
        heapq.heappush(self.heap, (t, self.counter, kind, obj))

    def when(self, t: float) -> datetime:
        return self.setup.start + timedelta(seconds=t)

    def go(self) -> Result:
        end = self.setup.end
        res = self.res
        while self.heap:
            t, _, kind, obj = heapq.heappop(self.heap)
            if end is not None and t > end:
                break
            if kind == ARRIVE:
                self.arrive(obj, t)
            elif kind == DONE:
                w, tk, busy = obj
                w.busy = False
                w.idle_since = t
                res.busy_s[w.plan.number] = res.busy_s.get(w.plan.number, 0.0) + busy
                self.after(tk, t)
                self.call(w, t)
            elif kind == LEAVE:
                if obj.state == "waiting":
                    self.queues[obj.citizen.matters[obj.index].service].pop(obj.citizen.id, None)
                    obj.state = "cancelled"
                    res.cancelled += 1
            elif kind == REQUEUE:
                self.enqueue(obj, t, False)
                self.wake(obj.citizen.matters[obj.index].service, t)
            elif kind == SHIFT:
                w, i, opening = obj
                if opening:
                    w.shift, w.idle_since = i, t
                    res.open_s.setdefault(w.plan.number, 0.0)
                    res.busy_s.setdefault(w.plan.number, 0.0)
                    self.call(w, t)
                elif w.shift == i:
                    w.shift = -1
                    res.open_s[w.plan.number] += t - w.plan.shifts[i][0]
        res.unserved = sum(len(q) for q in self.queues.values())
        return res

    def enqueue(self, tk: _Ticket, t: float, front: bool) -> policy.Candidate:
        m = tk.citizen.matters[tk.index]
        tk.state, tk.queued_at, tk.front = "waiting", t, front
        slot = tk.citizen.slot
        tk.candidate = me = policy.Candidate(
            tk.citizen.id,
            m.service,
            tk.citizen.klass,
            self.when(t),
            front,
            (self.when(slot[0]), self.when(slot[1])) if slot else None,
        )
        self.queues.setdefault(m.service, {})[tk.citizen.id] = tk
        return me

    def arrive(self, citizen: Citizen, t: float) -> None:
        tk = _Ticket(citizen)
        me = self.enqueue(tk, t, False)
        service = citizen.matters[0].service
        self.joins.setdefault(service, deque()).append((t, citizen.klass))
        if self.estimates:
            tk.eta = self.snapshot(service, t).wait(
                service, policy.effective_class(me, self.when(t)), self.ahead(tk, t)
            )
            if tk.eta is None:
                self.res.eta_missing += 1
        if citizen.leaves_at is not None:
            self.push(citizen.leaves_at, LEAVE, tk)
        self.wake(service, t)

    def seen(self, w: _Window, t: float) -> OpenWindow | None:
        """A window as the server sees it: open, paused between two shifts (since the first ended), or closed."""
        if w.shift >= 0:
            return OpenWindow(w.plan.services, not w.busy)
        ended = [b for a, b in w.plan.shifts if b <= t]
        if not ended or all(a <= t for a, _ in w.plan.shifts):
            return None
        return OpenWindow(w.plan.services, False, back_in(t - max(ended), self.setup.break_s))

    def snapshot(self, service: str, t: float) -> Snapshot:
        """What the server would know now (the tickets issued recently and coming next: for `service` only)."""
        return Snapshot(
            windows=[x for x in (self.seen(w, t) for w in self.windows) if x is not None],
            times=self.times,
            waiting={code: len(q) for code, q in self.queues.items()},
            issued={service: self.joined(service, t)},
            coming={service: self.coming(service)},
            boosts=self.rules.boosts,
            upstream={service: self.upstream(service)},
        )

    def joined(self, service: str, t: float) -> dict[str, int]:
        """The tickets issued for the service in the last JOIN_SPAN seconds by class, as the server counts them."""
        q = self.joins.get(service, deque())
        while q and q[0][0] < t - JOIN_SPAN:
            q.popleft()
        out: dict[str, int] = {}
        for _, klass in q:
            out[klass] = out.get(klass, 0) + 1
        return out

    def upstream(self, service: str) -> dict[str, int]:
        """Per queue, the tickets waiting there whose next matter is `service`."""
        out: dict[str, int] = {}
        for code, q in self.queues.items():
            for tk in q.values():
                ms = tk.citizen.matters
                if tk.index + 1 < len(ms) and ms[tk.index + 1].service == service:
                    out[code] = out.get(code, 0) + 1
        return out

    def coming(self, service: str) -> int:
        """Tickets at a window whose next matter is `service`."""
        return sum(
            tk.index + 1 < len(tk.citizen.matters)
            and tk.citizen.matters[tk.index + 1].service == service
            and tk.citizen.matters[tk.index].no_show is None
            for tk in self.at_windows.values()
        )

    def ahead(self, tk: _Ticket, t: float) -> int:
        q = self.queues.get(tk.citizen.matters[tk.index].service, {}).values()
        if self.fifo:
            return sum((o.queued_at, o.citizen.id) < (tk.queued_at, tk.citizen.id) for o in q)
        order = policy.queue_order(_candidates(q), self.rules, self.when(t))
        return next(i for i, c in enumerate(order) if c.id == tk.citizen.id)

    def wake(self, service: str, t: float) -> None:
        # The clerk idle the longest presses "call next" first.
        idle = [w for w in self.serving.get(service, ()) if w.shift >= 0 and not w.busy]
        if len(idle) > 1:
            idle.sort(key=lambda w: w.idle_since)
        for w in idle:
            if not self.call(w, t):
                break

    def pick(self, w: _Window, t: float) -> _Ticket | None:
        queues = self.queues
        mine = [tk for code in w.plan.services for tk in queues.get(code, {}).values()]
        if not mine:
            return None
        if self.fifo:
            return min(mine, key=lambda tk: (tk.queued_at, tk.citizen.id))
        choice = policy.choose(_candidates(mine), w.plan.services, self.rules, self.when(t), w.streak)
        if choice is None:
            return None
        w.streak = choice.priority_streak
        return queues[choice.ticket.service][choice.ticket.id]

    def call(self, w: _Window, t: float) -> bool:
        """The window calls its next ticket if it is open and free; False when nobody waits for it."""
        if w.busy or w.shift < 0:
            return True
        tk = self.pick(w, t)
        if tk is None:
            return False
        res = self.res
        m = tk.citizen.matters[tk.index]
        del self.queues[m.service][tk.citizen.id]
        wait = t - tk.queued_at
        res.waits.setdefault(tk.citizen.klass, []).append(wait)
        res.waits_by_service.setdefault(m.service, []).append(wait)
        if tk.first_call is None:
            tk.first_call = t
            if tk.eta is not None:
                res.eta_errors.append(tk.eta.seconds - wait)
                res.eta_by_class.setdefault(tk.citizen.klass, []).append(
                    (tk.eta.seconds - wait, tk.eta.low <= wait <= tk.eta.high)
                )
        tk.state = "called"
        self.at_windows[tk.citizen.id] = tk
        w.busy = True
        busy = m.no_show if m.no_show is not None else m.walk + m.duration
        self.push(t + busy, DONE, (w, tk, busy))
        return True

    def after(self, tk: _Ticket, t: float) -> None:
        m = tk.citizen.matters[tk.index]
        res = self.res
        self.at_windows.pop(tk.citizen.id, None)
        # A no-show's recalls keep the window too: its time counts with the others, as on the server.
        held = m.no_show if m.no_show is not None else m.walk + m.duration
        self.times[m.service] = update_call_time(self.times.get(m.service), held)
        if m.no_show is not None:
            res.no_show += 1
            tk.state = "no_show"
            if m.reactivate_after is not None and tk.index + 1 < len(tk.citizen.matters):
                tk.index += 1
                self.push(t + m.reactivate_after, REQUEUE, tk)
            return
        res.served += 1
        if tk.index + 1 < len(tk.citizen.matters):
            tk.index += 1
            self.enqueue(tk, t, True)
            self.wake(tk.citizen.matters[tk.index].service, t)
        else:
            tk.state = "done"

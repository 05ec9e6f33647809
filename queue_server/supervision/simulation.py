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
(`replay_inputs`, for `hallq simulate`: what if there had been more or fewer windows).
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from ..domain import policy
from ..domain.eta import JOIN_SPAN, CallTime, Estimate, OpenWindow, Snapshot, back_in, update_call_time
from ..domain.events import (
    Recorded,
    TicketCalled,
    TicketCancelled,
    TicketDone,
    TicketIssued,
    TicketNoShow,
    TicketReactivated,
    TicketServing,
    TicketTransferred,
    WindowState,
)
from ..domain.hall import NORMAL, Hall
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


_CST = timezone(timedelta(hours=8))


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
                "mean_s": _r(mean(xs)),
                "p90_s": _r(percentile(xs)),
                "max_s": _r(max(xs) if xs else None),
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
                "mae_s": _r(mean(abs_err)),
                "p90_abs_s": _r(percentile(abs_err)),
                "bias_s": _r(mean(self.eta_errors)),
                "coverage": _coverage([c for v in self.eta_by_class.values() for c in v]),
                "no_estimate": self.eta_missing,
                "classes": {
                    k: {
                        "n": len(v),
                        "mae_s": _r(mean([abs(e) for e, _ in v])),
                        "bias_s": _r(mean([e for e, _ in v])),
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


def _r(x: float | None) -> float | None:
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


# -- Erlang C ------------------------------------------------------------------------------------------------
def erlang_c(c: int, lam: float, mu: float) -> float:
    """The probability that an arrival waits in an M/M/c queue."""
    a = lam / mu
    rho = a / c
    if rho >= 1:
        return 1.0
    term, total = 1.0, 1.0  # a^k / k!, summed for k < c
    for k in range(1, c):
        term *= a / k
        total += term
    last = term * a / c / (1 - rho)  # a^c / c! / (1 - rho)
    return last / (total + last)


def erlang_wq(c: int, lam: float, mu: float) -> float:
    """The mean wait in the queue of an M/M/c system (Erlang C)."""
    return erlang_c(c, lam, mu) / (c * mu - lam)


def mmc_setup(c: int, lam: float, mu: float, customers: int, seed: int, start: datetime) -> Setup:
    """Poisson arrivals, exponential services, c identical windows, one service, no classes."""
    rng = random.Random(seed)
    t = 0.0
    citizens = []
    for i in range(customers):
        t += rng.expovariate(lam)
        citizens.append(Citizen(i + 1, t, NORMAL, [Matter("s", rng.expovariate(mu))]))
    horizon = t + 100 / mu * 1000
    windows = [WindowPlan(n + 1, {"s": 1.0}, [(0.0, horizon)]) for n in range(c)]
    return Setup(start, policy.Rules(boosts={}, priority_ratio=3), {"s": 1 / mu}, windows, citizens)


def mmc_check(
    c: int = 4,
    rho: float = 0.8,
    mu: float = 1 / 600,
    customers: int = 200_000,
    seed: int = 1,
    start: datetime | None = None,
) -> dict:
    """The simulated mean wait of an M/M/c queue against the Erlang-C formula (a long run through
    the real policy, whose order for one class is first come, first served)."""
    start = start or datetime(2026, 11, 24, 9, tzinfo=_CST)
    lam = rho * c * mu
    res = run(mmc_setup(c, lam, mu, customers, seed, start), "policy", estimates=False)
    waits = res.waits[NORMAL]
    warm = len(waits) // 20  # the first 5% start from an empty hall
    body = waits[warm:]
    sim = sum(body) / len(body)
    theory = erlang_wq(c, lam, mu)
    # batch means: 20 batches give an honest spread for correlated waits
    size = len(body) // 20
    batches = [sum(body[i * size : (i + 1) * size]) / size for i in range(20)]
    bm = sum(batches) / 20
    se = math.sqrt(sum((b - bm) ** 2 for b in batches) / 19 / 20)
    return {
        "c": c,
        "rho": rho,
        "lambda_per_h": round(lam * 3600, 2),
        "mean_service_s": round(1 / mu, 1),
        "customers": len(body),
        "wq_sim_s": round(sim, 2),
        "wq_erlang_s": round(theory, 2),
        "error_pct": round((sim - theory) / theory * 100, 2),
        "stderr_pct": round(se / theory * 100, 2),
        "p_wait_sim": round(sum(w > 0 for w in body) / len(body), 4),
        "p_wait_erlang": round(erlang_c(c, lam, mu), 4),
    }


# -- inputs from a day's event log (what if) -------------------------------------------------------------------
@dataclass
class _Visit:
    service: str
    called: float
    started: float | None = None
    ended: float | None = None
    outcome: str | None = None  # done, unresolved, transferred, no_show


def replay_inputs(
    events: Iterable[Recorded | dict], hall: Hall, start: datetime, seed: int = 1
) -> tuple[list[Citizen], dict[int, list[tuple[float, float]]], dict]:
    """Citizens and window shifts as they were on a day, from its events.

    Arrivals, classes and matters are the tickets issued; each matter served keeps the time it took
    at the window (walk = call to start, duration = start to finish); a no-show keeps how long the
    window waited and when (if ever) it was re-activated; a ticket cancelled while waiting leaves at
    the moment it did. Matters never served that day get a duration drawn from that service's
    served matters (or its configured average). Returns (citizens, shifts per window, facts)."""
    rng = random.Random(seed)
    sec = lambda ts: (ts - start).total_seconds()  # noqa: E731
    issued: dict[int, dict] = {}
    visits: dict[int, list[_Visit]] = {}
    reactivated: dict[int, list[float]] = {}
    cancelled: dict[int, float] = {}
    shifts: dict[int, list[tuple[float, float]]] = {}
    opened: dict[int, float] = {}
    last = 0.0
    for raw in events:
        e = Recorded.of(raw)
        t = sec(e.ts)
        last = max(last, t)
        d = e.data
        kind = e.kind
        if kind is TicketIssued:
            issued[d["id"]] = {
                "t": t,
                "klass": d.get("klass") or NORMAL,
                "services": list(d.get("services") or [d["service"]]),
            }
            visits[d["id"]] = []
        elif kind is TicketCalled and d["id"] in visits:
            visits[d["id"]].append(_Visit(d["service"], t))
        elif kind is TicketServing and visits.get(d["id"]):
            visits[d["id"]][-1].started = t
        elif kind in (TicketDone, TicketNoShow, TicketTransferred) and visits.get(d["id"]):
            v = visits[d["id"]][-1]
            if v.ended is None:
                v.ended = t
                v.outcome = {
                    TicketDone: d.get("result", "done"),
                    TicketNoShow: "no_show",
                    TicketTransferred: "transferred",
                }[kind]
        elif kind is TicketReactivated and d["id"] in visits:
            reactivated.setdefault(d["id"], []).append(t)
        elif kind is TicketCancelled and d["id"] in issued:
            cancelled[d["id"]] = t
        elif kind is WindowState:
            n = d["window"]
            if d["state"] == "open":
                opened.setdefault(n, t)
            elif n in opened:
                shifts.setdefault(n, []).append((opened.pop(n), t))
    for n, a in opened.items():  # still open at the end of the log
        shifts.setdefault(n, []).append((a, max(last, a)))

    served: dict[str, list[tuple[float, float]]] = {}
    for vs in visits.values():
        for v in vs:
            if v.ended is not None and v.outcome in ("done", "unresolved", "transferred"):
                begun = v.started if v.started is not None else v.called
                served.setdefault(v.service, []).append((begun - v.called, v.ended - begun))

    def draw(service: str) -> Matter:
        seen = served.get(service)
        if seen:
            walk, duration = rng.choice(seen)
            return Matter(service, duration, walk)
        try:
            avg = hall.service(service).avg_service_minutes * 60
        except KeyError:
            avg = 600.0
        return Matter(service, avg)

    citizens = []
    for tid, info in sorted(issued.items()):
        matters: list[Matter] = []
        vs = visits[tid]
        comebacks = iter(reactivated.get(tid, []))
        for v in vs:
            if v.ended is None:  # still at a window when the log ends
                matters.append(draw(v.service))
                continue
            begun = v.started if v.started is not None else v.called
            if v.outcome == "no_show":
                back = next(comebacks, None)
                matters.append(
                    Matter(
                        v.service,
                        0.0,
                        0.0,
                        no_show=v.ended - v.called,
                        reactivate_after=(back - v.ended) if back is not None else None,
                    )
                )
                if back is not None:
                    continue  # the next visit of the same service follows
                break
            matters.append(Matter(v.service, v.ended - begun, begun - v.called))
        else:
            # matters it never reached (cancelled, expired, or the day ran out)
            done_services = [m.service for m in matters if m.no_show is None]
            remaining = list(info["services"])
            for s in done_services:
                if s in remaining:
                    remaining.remove(s)
            if not vs or vs[-1].ended is not None:
                matters.extend(draw(s) for s in remaining)
        if not matters:
            matters = [draw(info["services"][0])]
        citizens.append(Citizen(tid, info["t"], info["klass"], matters, leaves_at=cancelled.get(tid)))
    facts = {"tickets": len(issued), "cancelled": len(cancelled), "windows": sorted(shifts), "end": last}
    return citizens, shifts, facts


def _window_spec(spec: str, staffed: list[int]) -> int | list[int]:
    """A list of window numbers, or how many windows."""
    spec = spec.strip()
    if "," in spec:
        return [int(x) for x in spec.split(",") if x.strip()]
    if spec[:1] in "+-":
        return len(staffed) + int(spec)
    return int(spec)


def what_if(events: Iterable[Recorded | dict], hall: Hall, start: datetime, windows: str, seed: int = 1) -> dict:
    """The day of `events` replayed with the windows it had, and again with `windows`: a number
    ("12"), a change ("+2", "-1") or a list of window numbers ("21,22,26"). Fewer windows drop the
    least busy ones; more windows open first the hall's windows unstaffed that day that serve the
    services people waited longest for, then copies of the busiest windows (numbered from 1001).
    A window added works the day's whole span (its first opening to its last closing)."""
    events = list(events)
    citizens, shifts, facts = replay_inputs(events, hall, start, seed)
    configured = {w.number: w for w in hall.windows}
    staffed = [n for n in sorted(shifts) if n in configured]
    if not staffed:
        raise ValueError("no window was open in that log")
    span = (min(a for n in staffed for a, _ in shifts[n]), max(b for n in staffed for _, b in shifts[n]))
    rules = policy.rules_for(hall)
    averages = {s.code: s.avg_service_minutes * 60 for s in hall.services}

    def plan(n: int, services: dict[str, float] | None = None) -> WindowPlan:
        if services is None:
            services = dict(configured[n].services)
        return WindowPlan(n, services, list(shifts.get(n) or [span]))

    baseline_plans = [plan(n) for n in staffed]
    break_s = hall.alerts.break_minutes * 60
    baseline = run(Setup(start, rules, averages, baseline_plans, citizens, break_s=break_s))
    value = _window_spec(windows, staffed)
    wait_by_service = {code: sum(ws) for code, ws in baseline.waits_by_service.items()}
    if isinstance(value, list):
        unknown = [n for n in value if n not in configured]
        if unknown:
            raise ValueError(f"no window {', '.join(map(str, unknown))} in hall {hall.id}")
        chosen = [plan(n) for n in value]
    else:
        target = value
        if target < 1:
            raise ValueError("at least one window")
        busy = baseline.busy_s
        if target <= len(staffed):
            keep = sorted(staffed, key=lambda n: (-busy.get(n, 0.0), n))[:target]
            chosen = [plan(n) for n in sorted(keep)]
        else:
            chosen = list(baseline_plans)
            need = {n: sum(wait_by_service.get(c, 0.0) for c in configured[n].services) for n in configured}
            spare = sorted((n for n in configured if n not in staffed and need[n] > 0), key=lambda n: (-need[n], n))
            for n in spare[: target - len(chosen)]:
                chosen.append(WindowPlan(n, dict(configured[n].services), [span]))
            busiest = sorted(staffed, key=lambda n: (-busy.get(n, 0.0), n))
            i = 0
            while len(chosen) < target:
                src = configured[busiest[i % len(busiest)]]
                chosen.append(WindowPlan(1001 + i, dict(src.services), [span]))
                i += 1
    scenario = run(Setup(start, rules, averages, chosen, citizens, break_s=break_s))

    # What really happened, from the log: the same definitions as the reports.
    from .figures import Fold

    fold = Fold(hall.timezone).add_all(events)
    actual = {
        k: {
            "n": len(t.waits),
            "mean_s": _r(mean(t.waits)),
            "p90_s": _r(percentile(t.waits)),
            "max_s": _r(max(t.waits) if t.waits else None),
        }
        for k, t in sorted(fold.classes.items())
        if t.waits
    }
    everyone = fold.hall.waits
    base_numbers = [p.number for p in baseline_plans]
    new_numbers = [p.number for p in chosen]
    return {
        "bench": "simulate",
        "hall": hall.id,
        "tickets": facts["tickets"],
        "windows": {
            "day": base_numbers,
            "what_if": new_numbers,
            "added": [n for n in new_numbers if n not in base_numbers],
            "removed": [n for n in base_numbers if n not in new_numbers],
        },
        "actual": {
            "classes": actual,
            "all": {
                "n": len(everyone),
                "mean_s": _r(mean(everyone)),
                "p90_s": _r(percentile(everyone)),
                "max_s": _r(max(everyone) if everyone else None),
            },
        },
        "replay": _brief(baseline.summary()),
        "what_if": _brief(scenario.summary()),
    }


def _brief(summary: dict) -> dict:
    summary.pop("services", None)
    return summary

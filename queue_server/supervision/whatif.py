"""What if a past day had had other windows: its event log turned back into citizens and window
shifts (`replay_inputs`), replayed as it was and again with more, fewer or other windows (`what_if`,
behind `hallq simulate`)."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ..domain import policy
from ..domain.events import (
    Recorded,
    TicketCalled,
    TicketCancelled,
    TicketDone,
    TicketIssued,
    TicketLapsed,
    TicketNoShow,
    TicketReactivated,
    TicketServing,
    TicketTransferred,
    WindowState,
)
from ..domain.hall import NORMAL, Hall
from .figures import mean, percentile
from .simulation import Citizen, Matter, Setup, WindowPlan, rounded, run


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
        elif kind in (TicketCancelled, TicketLapsed) and d["id"] in issued:
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
            "mean_s": rounded(mean(t.waits)),
            "p90_s": rounded(percentile(t.waits)),
            "max_s": rounded(max(t.waits) if t.waits else None),
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
                "mean_s": rounded(mean(everyone)),
                "p90_s": rounded(percentile(everyone)),
                "max_s": rounded(max(everyone) if everyone else None),
            },
        },
        "replay": _brief(baseline.summary()),
        "what_if": _brief(scenario.summary()),
    }


def _brief(summary: dict) -> dict:
    summary.pop("services", None)
    return summary

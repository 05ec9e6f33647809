"""The calling policy: which waiting ticket a window calls next.

Tickets are ordered by an effective wait, `waited seconds x service weight + class boost seconds`,
so a priority ticket counts as if it had waited longer while a normal ticket's score keeps growing
until it wins. On top of that:
- transferred and next-matter tickets (`front`) go first, in the order they got there; one
  transferred to a particular window is called by that window alone;
- an appointment earns its boost only inside its slot window (early/late margins included);
- at most `priority_ratio` priority calls in a row at one window while a normal ticket waits there,
  which bounds how long a normal ticket can be overtaken however many priority tickets arrive;
- a ticket away from the queue (not arrived from outside, stepped out until later) keeps its place but
  is passed over until it is back;
- ties fall to issue order, so the same queue always gives the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .hall import APPOINTMENT, NORMAL, Hall


@dataclass(frozen=True)
class Candidate:
    id: int  # issue order: smaller was issued first
    service: str
    klass: str
    queued_at: datetime
    front: bool = False
    slot: tuple[datetime, datetime] | None = None  # appointment window, margins included
    window: int | None = None  # transferred to this window alone
    arrived: bool = True  # False: a place taken from outside, not checked in yet
    back_at: datetime | None = None  # stepped out: not called before then

    def callable_at(self, now: datetime) -> bool:
        return self.arrived and (self.back_at is None or self.back_at <= now)


@dataclass(frozen=True)
class Rules:
    boosts: dict[str, float]  # class code -> seconds
    priority_ratio: int


def rules_for(hall: Hall) -> Rules:
    boosts = {c.code: hall.boost_seconds(c.code) for c in hall.priority_classes}
    boosts[APPOINTMENT] = hall.boost_seconds(APPOINTMENT)
    return Rules(boosts=boosts, priority_ratio=hall.calling.priority_ratio)


@dataclass(frozen=True)
class Choice:
    ticket: Candidate
    priority_streak: int  # the window's streak after this call


def effective_class(c: Candidate, now: datetime) -> str:
    if c.klass == APPOINTMENT and not (c.slot and c.slot[0] <= now <= c.slot[1]):
        return NORMAL
    return c.klass


def score(c: Candidate, weight: float, rules: Rules, now: datetime) -> float:
    return (now - c.queued_at).total_seconds() * weight + rules.boosts.get(effective_class(c, now), 0.0)


def order_key(c: Candidate, weight: float, rules: Rules, now: datetime) -> tuple[Any, ...]:
    if c.front:
        return (0, c.queued_at, c.id)
    return (1, -score(c, weight, rules, now), c.id)


def choose(
    candidates: list[Candidate],
    weights: dict[str, float],
    rules: Rules,
    now: datetime,
    priority_streak: int = 0,
    window: int | None = None,
) -> Choice | None:
    """The next ticket for `window` serving `weights` (service -> weight), or None."""
    mine = [c for c in candidates if c.service in weights and c.window in (None, window) and c.callable_at(now)]
    if not mine:
        return None
    fronts = [c for c in mine if c.front]
    if fronts:
        # Someone already served here continues: this is not a priority call and leaves the streak.
        best = min(fronts, key=lambda c: (c.queued_at, c.id))
        return Choice(best, priority_streak)
    normals = [c for c in mine if effective_class(c, now) == NORMAL]
    pool = normals if normals and priority_streak >= rules.priority_ratio else mine
    best = min(pool, key=lambda c: order_key(c, weights[c.service], rules, now))
    is_priority = effective_class(best, now) != NORMAL
    return Choice(best, priority_streak + 1 if is_priority else 0)


def rank_key(klass: str, queued_at: datetime, front: bool, rules: Rules) -> float:
    """Seconds; smaller is called earlier within one service at weight 1 (the citizen's view).

    It stays constant while a ticket waits, so the store can index it and count the people
    ahead without sorting the queue. Appointments rank as normal tickets here: their boost
    depends on the clock and is applied by `choose` and `ahead_of` themselves."""
    base = queued_at.timestamp()
    if front or klass == APPOINTMENT:
        return base
    return base - rules.boosts.get(klass, 0.0)


def shortlist(candidates: list[Candidate], now: datetime) -> list[Candidate]:
    """The only candidates `choose` can pick now, whatever the weights and streak: of those callable
    now, per service the first front ticket, the first ticket of each class, and every appointment.

    Within one service and one class the effective-wait order is the issue order at any weight,
    so everything behind the first is out of reach; the store loads just these (see
    Reader.shortlist), which keeps call-next cheap however long the queue grows."""
    first: dict[tuple[Any, ...], Candidate] = {}
    appointments = []
    for c in candidates:
        if not c.callable_at(now):
            continue
        if c.klass == APPOINTMENT and not c.front:
            appointments.append(c)
            continue
        key = (c.service, c.front, None if c.front else c.klass, c.window)
        best = first.get(key)
        if best is None or (c.queued_at, c.id) < (best.queued_at, best.id):
            first[key] = c
    return sorted(list(first.values()) + appointments, key=lambda c: c.id)


def queue_order(candidates: list[Candidate], rules: Rules, now: datetime) -> list[Candidate]:
    """The order a service's queue would be called in, as shown to citizens and used for position.

    Within one service every window applies one weight to all its tickets, so weight 1 ranks them;
    the ratio cap only reorders across classes and is left out of the estimate."""
    return sorted(candidates, key=lambda c: order_key(c, 1.0, rules, now))

"""The API's one rate limiter: named limits (settings `limit_*`), each kept per key (a client
address, an account, a person's ID hash or phone hash).

The buckets live in each server process's memory, on purpose: counting in the database would write
on every refused guess, the very load on the one SQLite writer a flood must not cause. With N
processes a client gets at most N times a limit, which leaves guessing just as hopeless."""

from __future__ import annotations

import math
import time

from fastapi import Request

from ..domain.ratelimit import Buckets, Rule
from ..errors import TooMany
from ..settings import Settings

LIMITS = (
    "login_account",
    "login_address",
    "booking_lookup_address",
    "booking_address",
    "booking_person",
    "phone_code_address",
    "phone_ticket_address",
)


class RateLimiter:
    def __init__(self, settings: Settings, clock=time.monotonic):
        self.clock = clock
        self._buckets = {name: Buckets(Rule(*getattr(settings, f"limit_{name}"))) for name in LIMITS}
        self._locked_at: dict[tuple[str, str], float] = {}

    def rule(self, name: str) -> Rule:
        return self._buckets[name].rule

    def wait(self, name: str, key: str) -> float:
        return self._buckets[name].wait(key, self.clock())

    def take(self, name: str, key: str) -> float:
        """Takes one attempt; 0 when it passes, else the seconds to wait."""
        return self._buckets[name].take(key, self.clock())

    def give_back(self, name: str, key: str) -> None:
        self._buckets[name].give_back(key, self.clock())

    def newly_locked(self, name: str, key: str) -> bool:
        """After a failure: True when the key has no attempt left and was not locked out in the last
        while, a lockout worth an alert (one per episode, not one per refused guess)."""
        if self.wait(name, key) == 0:
            return False
        now, rule = self.clock(), self.rule(name)
        last = self._locked_at.get((name, key))
        if last is not None and now - last < rule.burst * rule.every:
            return False
        if len(self._locked_at) > 10_000:
            self._locked_at.clear()
        self._locked_at[(name, key)] = now
        return True

    def clear(self, name: str, key: str) -> None:
        self._buckets[name].clear(key)

    def require(self, *checks: tuple[str, str]) -> None:
        """Takes an attempt from each (limit, key), refusing with 429 when any has none left."""
        waits = [self.wait(name, key) for name, key in checks]
        if max(waits, default=0) > 0:
            raise too_many(max(waits))
        for name, key in checks:
            self.take(name, key)


def too_many(seconds: float) -> TooMany:
    n = max(1, math.ceil(seconds))
    return TooMany("too_many_attempts", f"尝试过于频繁，请 {n} 秒后再试", f"too many attempts: try again in {n} s", n)


def limiter(request: Request) -> RateLimiter:
    """The app's limiter, made on first use."""
    state = request.app.state
    if getattr(state, "rate_limiter", None) is None:
        state.rate_limiter = RateLimiter(state.settings)
    return state.rate_limiter


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"

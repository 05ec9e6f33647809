"""Token buckets: how often one key (an account, a client address, a person) may do something.

A bucket holds up to `burst` tokens and gains one every `every` seconds; an attempt takes one.
An empty bucket refuses and says when the next token comes: that is the back-off, and a bucket
kept empty by a guesser is the lockout. Pure: the caller gives the time."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    burst: int  # attempts allowed at once
    every: float  # seconds for one more


class Buckets:
    """The buckets of one rule, by key. Full buckets are forgotten once there are many keys, so a
    flood of new addresses costs bounded memory."""

    def __init__(self, rule: Rule, max_keys: int = 50_000):
        self.rule = rule
        self.max_keys = max_keys
        self._state: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def _tokens(self, key: str, now: float) -> float:
        tokens, at = self._state.get(key, (float(self.rule.burst), now))
        return min(float(self.rule.burst), tokens + max(0.0, now - at) / self.rule.every)

    def wait(self, key: str, now: float) -> float:
        """Seconds until `key` may try again (0: now), without taking anything."""
        tokens = self._tokens(key, now)
        return 0.0 if tokens >= 1 else (1 - tokens) * self.rule.every

    def take(self, key: str, now: float) -> float:
        """Takes a token: 0 when allowed, else the seconds to wait (nothing taken)."""
        tokens = self._tokens(key, now)
        if tokens < 1:
            return (1 - tokens) * self.rule.every
        if len(self._state) >= self.max_keys and key not in self._state:
            self._forget_full(now)
        self._state[key] = (tokens - 1, now)
        return 0.0

    def give_back(self, key: str, now: float) -> None:
        """Returns a token taken for an attempt that turned out not to count (a right password)."""
        if key in self._state:
            self._state[key] = (min(float(self.rule.burst), self._tokens(key, now) + 1), now)

    def clear(self, key: str) -> None:
        self._state.pop(key, None)

    def _forget_full(self, now: float) -> None:
        for k in [k for k in self._state if self._tokens(k, now) >= self.rule.burst]:
            del self._state[k]
        if len(self._state) >= self.max_keys:  # every key busy: the oldest half goes
            for k in sorted(self._state, key=lambda k: self._state[k][1])[: self.max_keys // 2]:
                del self._state[k]

"""Estimated wait with its range, from what the hall knows when it is asked (pure: no I/O).

A ticket with `ahead` people before it is called at the (ahead + 1)-th call of its service, once the
idle windows have taken the first ones, plus one call for each ticket that will still go first:
next matters of tickets at a window or waiting in another queue (they join at the front), and
priority tickets issued later whose boost beats this one's (at the rate issued in the last hour, for
as long as their lead lasts).

The calls come from the windows serving it: a window shared with other services gives this one its
weight's share of the calls among the services queued there, at the mean call time of that mix; a
paused window joins when it is expected back. A call keeps a window for the service's moving mean of
call-to-release time (no-show recalls included). The first call from busy windows comes after the
residual of the calls in progress (`first_call`), the others at the windows' rate.

The variance adds the calls' own spread (renewal: each window's mix of call times, and at a shared
window whether a call is this service's), the residual's, the overtakers' count, and the moving
mean's own error; the range shown is the 10th to 90th percentile of the gamma with that mean and
variance.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from statistics import NormalDist

EWMA_ALPHA = 0.2  # about the last ten services dominate: recent enough to follow a slow afternoon
JOIN_SPAN = 3600.0  # the arrival rates of those who overtake are counted over the last hour
Z90 = NormalDist().inv_cdf(0.9)  # p10 and p90 of a normal are the mean -/+ this many deviations


@dataclass(frozen=True)
class CallTime:
    """A service's moving mean and variance of how long a call keeps a window (seconds, seconds^2)."""

    mean: float
    var: float

    @classmethod
    def prior(cls, mean: float) -> CallTime:
        """Before any sample: the configured mean with the spread of an exponential time (cv 1)."""
        return cls(mean, mean * mean)

    @property
    def cv2(self) -> float:
        return self.var / (self.mean * self.mean) if self.mean > 0 else 0.0


def update_call_time(previous: CallTime | None, sample: float) -> CallTime:
    """The exponentially weighted mean and variance after one more sample (West's incremental form)."""
    if previous is None:
        return CallTime.prior(sample)
    diff = sample - previous.mean
    step = EWMA_ALPHA * diff
    return CallTime(previous.mean + step, (1 - EWMA_ALPHA) * (previous.var + diff * step))


@dataclass(frozen=True)
class OpenWindow:
    """A staffed window as the estimate sees it: the services it calls and their weights, whether it
    is free now, and in how many seconds it calls again if paused (0 when open)."""

    weights: Mapping[str, float]
    idle: bool = False
    back_in: float = 0.0


@dataclass(frozen=True)
class Estimate:
    """Seconds until the call: the mean, and the 10th and 90th percentiles (low <= seconds <= high)."""

    seconds: int
    low: int
    high: int


def back_in(paused_s: float, break_s: float) -> float:
    """Seconds until a window paused `paused_s` ago calls again: the hall's expected break, once over,
    any moment now."""
    return max(0.0, break_s - paused_s)


@dataclass(frozen=True)
class Overtaking:
    """Tickets that join later and are still called first: `rate` per second (counted over `span`
    seconds), arriving up to `within` seconds after this one (their boost's lead over this one's)."""

    rate: float
    within: float
    span: float = JOIN_SPAN  # math.inf: a rate known from the tickets themselves, not counted from arrivals


def overtaking(klass: str, joined: Mapping[str, int], span_s: float, boosts: Mapping[str, float]) -> list[Overtaking]:
    """Who overtakes a new ticket of `klass`, from the service's queue joins of the last `span_s`
    seconds by class: each class whose boost exceeds this one's, for as long as its lead lasts."""
    mine = boosts.get(klass, 0.0)
    return [
        Overtaking(n / span_s, boosts.get(code, 0.0) - mine, span_s)
        for code, n in sorted(joined.items())
        if n > 0 and boosts.get(code, 0.0) > mine
    ]


def first_call(cv2: float, windows: int) -> float:
    """From a random instant, the time until the first of `windows` busy windows is free, in mean
    intervals between their calls (mean call time / windows). One window: its residual, (1 + cv^2)/2
    of a call (a random instant falls in a long call more often). Many windows: their calls together
    tend to a Poisson stream (Palm-Khintchine), whose wait is one interval. Between, the excess over
    one interval shrinks as 1/sqrt(windows), which follows a simulation of log-normal call times
    (cv 0.6: 0.74, 0.79, 0.82, 0.87 for 2, 3, 4, 6 windows) within 0.03."""
    return 1 - (1 - (1 + cv2) / 2) / math.sqrt(max(windows, 1))


@dataclass(frozen=True)
class _Supply:
    back: float  # seconds until the window calls again
    rate: float  # calls of the service per second
    noise: float  # variance of that count per second


def _supply(window: OpenWindow, service: str, waiting: Mapping[str, int], times: Mapping[str, CallTime]) -> _Supply:
    """How often a window calls `service`: its weight's share `p` of the calls, among the services
    queued there, over the mean time a call of the window's mix takes. The count's variance has the
    mix's spread of call times (renewal) and, at a shared window, whether each call is this service's
    (binomial)."""
    queued = [c for c in window.weights if c == service or waiting.get(c, 0) > 0]
    total = sum(window.weights[c] for c in queued)
    shares = {c: window.weights[c] / total for c in queued}
    per_call = sum(p * times[c].mean for c, p in shares.items())
    second = sum(p * (times[c].var + times[c].mean ** 2) for c, p in shares.items())
    cv2 = second / per_call**2 - 1
    p = shares[service]
    return _Supply(max(window.back_in, 0.0), p / per_call, (p * p * cv2 + p * (1 - p)) / per_call)


def estimate_wait(
    service: str,
    ahead: int,
    windows: Iterable[OpenWindow],
    times: Mapping[str, CallTime],
    waiting: Mapping[str, int],
    overtakers: Iterable[Overtaking] = (),
    coming: int = 0,
) -> Estimate | None:
    """The wait of a ticket of `service` with `ahead` people before it, or None when no window open
    or paused serves it. `waiting` is every service's queue length (for the shares of shared windows),
    `overtakers` the later arrivals that go first, `coming` the tickets at a window now whose next
    matter is this service (they join at the front when done)."""
    serving = [w for w in windows if w.weights.get(service, 0.0) > 0]
    if not serving:
        return None
    idle = sum(w.idle and w.back_in <= 0 for w in serving)
    if ahead < idle:
        return Estimate(0, 0, 0)
    t = times[service]
    residual = first_call(t.cv2, sum(w.back_in <= 0 for w in serving))
    supply = [_supply(w, service, waiting, times) for w in serving]
    later = list(overtakers)

    def called(at: float) -> float:
        return sum(s.rate * (at - s.back) for s in supply if at > s.back)

    def jumped(at: float) -> float:
        return sum(o.rate * min(at, o.within) for o in later)

    def jumped_var(at: float) -> float:
        # Poisson arrivals at a rate itself counted from a Poisson number (variance rate / span)
        return sum(o.rate * min(at, o.within) + o.rate / o.span * min(at, o.within) ** 2 for o in later)

    need = ahead - idle + coming + residual
    mean = _solve(lambda at: called(at) - jumped(at) - need)
    active = [s for s in supply if s.back < mean]
    rate = sum(s.rate for s in active)
    # In calls: the count's noise once the first call is made, the residual's (about exponential),
    # the overtakers' (their count and their calls); then the moving mean's own error, about alpha / (2 - alpha) of one
    # call's variance, on the whole wait.
    after_first = (need - residual) / need
    calls_var = (
        sum(s.noise * (mean - s.back) for s in active) * after_first
        + residual * residual
        + jumped(mean) * t.cv2
        + jumped_var(mean)
    )
    var = calls_var / (rate * rate) + mean * mean * t.cv2 * EWMA_ALPHA / (2 - EWMA_ALPHA)
    return _range(mean, var)


@dataclass(frozen=True)
class Snapshot:
    """What the hall knows when it is asked for a wait; the server and the simulator both build one."""

    windows: list[OpenWindow]  # staffed windows, open or paused
    times: Mapping[str, CallTime]  # service -> its call time
    waiting: Mapping[str, int]  # service -> queue length
    issued: Mapping[str, Mapping[str, int]]  # first service -> class -> tickets issued in the last JOIN_SPAN
    coming: Mapping[str, int]  # service -> tickets at a window whose next matter it is
    boosts: Mapping[str, float]  # class -> seconds (the calling rules')
    upstream: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # service -> queue -> tickets
    # waiting there whose next matter it is

    def _from_upstream(self, service: str) -> list[Overtaking]:
        """Tickets waiting in another queue with this service next join its front once served there:
        spread evenly until that queue has drained and served them (its own estimate plus a call)."""
        out = []
        for queue, n in sorted(self.upstream.get(service, {}).items()):
            there = estimate_wait(queue, self.waiting.get(queue, 0), self.windows, self.times, self.waiting)
            if n > 0 and there is not None:
                span = there.seconds + self.times[queue].mean
                out.append(Overtaking(n / span, span, math.inf))
        return out

    def wait(self, service: str, klass: str, ahead: int, front: bool = False) -> Estimate | None:
        """A waiting ticket's estimate; `klass` is its class as the policy sees it now. A front
        ticket (next matter, transferred) is overtaken by nobody: those after it queue behind it."""
        if front:
            return estimate_wait(service, ahead, self.windows, self.times, self.waiting)
        later = overtaking(klass, self.issued.get(service, {}), JOIN_SPAN, self.boosts) + self._from_upstream(service)
        return estimate_wait(service, ahead, self.windows, self.times, self.waiting, later, self.coming.get(service, 0))


HORIZON = 86400.0  # no estimate runs past a day: a queue that never drains is shown at this


def _solve(f: Callable[[float], float]) -> float:
    """The first root of an increasing f with f(0) < 0, by bisection (to a tenth of a second)."""
    lo, hi = 0.0, 60.0
    while f(hi) < 0:
        if hi >= HORIZON:
            return HORIZON
        lo, hi = hi, min(hi * 2, HORIZON)
    while hi - lo > 0.1:
        mid = (lo + hi) / 2
        if f(mid) < 0:
            lo = mid
        else:
            hi = mid
    return hi


def _range(mean: float, var: float) -> Estimate:
    """Mean and the p10-p90 range of the gamma with this mean and variance (a sum of call times is
    gamma-like), its quantiles by the Wilson-Hilferty cube root of the normal's."""
    if mean <= 0:
        return Estimate(0, 0, 0)
    shape = mean * mean / var if var > 0 else math.inf
    point = round(mean)
    if math.isinf(shape):
        return Estimate(point, point, point)
    h = 1 / (9 * shape)

    def quantile(z: float) -> float:
        return mean * max(0.0, 1 - h + z * math.sqrt(h)) ** 3

    return Estimate(point, min(point, math.floor(quantile(-Z90))), max(point, math.ceil(quantile(Z90))))

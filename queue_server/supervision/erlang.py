"""The simulation checked against queueing theory: an M/M/c queue run through the real policy (which,
for one class, is first come, first served) against the Erlang C formula for its mean wait."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone

from ..domain import policy
from ..domain.hall import NORMAL
from .simulation import Citizen, Matter, Setup, WindowPlan, run

_CST = timezone(timedelta(hours=8))


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

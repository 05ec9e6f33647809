"""The hall-day simulator: how the calling policy does against plain first come, first served.

    python bench/sim.py                       # one simulated Tuesday of the demo hall, one JSON line
    python bench/sim.py --days 5 --seed 7     # five days (different seeds), figures pooled
    python bench/sim.py --load 0.95           # a busier day
    python bench/sim.py --markdown            # the same figures as a Markdown table (README)
    python bench/sim.py --erlang              # the M/M/c check against the Erlang-C formula

A day is generated from the hall's configuration (the demo hall by default, or --hall FILE):
- arrivals per service in proportion to the capacity of the windows that serve it, times --load,
  spread over the day by an hourly profile with a morning peak and a noon dip (`PROFILES`: citizens'
  matters peak at 10:00, company matters have a second peak in the afternoon, weddings are mornings);
- service times log-normal around each service's configured average (coefficient of variation 0.6),
  plus a walk of 15-45 s from the call to the window;
- a priority mix (`CLASS_MIX`: elderly, disabled, pregnant, military, green channel; company agents
  only for enterprise services), appointments for services that take them (arriving up to 15 min
  before their slot), several matters on one ticket for a share of citizens (the hall's topics);
- no-shows (the clerk recalls twice, 30 s apart, then marks it; some come back and are re-activated)
  and a few citizens who give up waiting and cancel;
- window schedules: every window open 09:00-17:30 with a staggered 45-minute lunch (odd and even
  windows in turn, so the hall never closes at noon, as in 午间不间断服务).

The same citizens (same arrivals, matters and durations) then go through the day twice: once with
the server's policy (`queue_server.domain.policy.choose`, with the hall's boosts, weights and
priority ratio) and once with FIFO (each window calls whoever joined its queues first). The output
has per class the mean, p90 and max wait, and window utilisation; and the wait estimate shown at
issue (the server's own, `queue_server.domain.eta.Snapshot.wait`, from what the server would know
then) against each ticket's real wait until its first call: per class the share of real waits
inside the p10-p90 range shown, the bias (mean of estimate minus real) and the mean absolute error.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from datetime import date, datetime, time as dtime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from queue_server.domain import policy  # noqa: E402
from queue_server.domain.calendar import zone  # noqa: E402
from queue_server.domain.hall import APPOINTMENT, NORMAL, Hall  # noqa: E402
from queue_server.halls import DEMO, read_hall  # noqa: E402
from queue_server.supervision.erlang import mmc_check  # noqa: E402
from queue_server.supervision.simulation import Citizen, Matter, Setup, WindowPlan, run  # noqa: E402

DAY = date(2026, 11, 24)  # a Tuesday
OPEN, CLOSE, LAST_ARRIVAL = dtime(9, 0), dtime(17, 30), dtime(17, 10)
# Relative arrival rate per hour of the day (09:00-10:00 ... 17:00-17:10): a morning peak, a noon dip.
PROFILES = {
    "default": {9: 1.25, 10: 1.6, 11: 1.35, 12: 0.55, 13: 0.75, 14: 1.15, 15: 1.1, 16: 0.85, 17: 0.35},
    "enterprise": {9: 1.0, 10: 1.5, 11: 1.3, 12: 0.5, 13: 0.8, 14: 1.4, 15: 1.3, 16: 1.0, 17: 0.3},
    "mzj": {9: 1.8, 10: 1.8, 11: 1.3, 12: 0.4, 13: 0.6, 14: 1.0, 15: 0.9, 16: 0.6, 17: 0.2},
}
SERVICE_CV = 0.6
WALK = (15.0, 45.0)
CLASS_MIX = {"elderly": 0.07, "disabled": 0.015, "pregnant": 0.01, "military": 0.005, "green": 0.005}
AGENT_SHARE = 0.10  # of enterprise services' tickets
ENTERPRISE_DEPARTMENTS = {"scjg", "tax", "gcjs", "daiban"}
APPOINTMENT_SHARE = 0.12  # of tickets for services that take appointments
TOPIC_SHARE = 0.10  # tickets carrying a whole topic's matters
NO_SHOW = 0.04
COME_BACK = 0.4  # of no-shows, re-activated 5-25 min later
RECALL_GAP = 30.0
GIVE_UP = 0.03  # citizens who leave if not called within 20-60 min
LUNCH = 45  # minutes


def _at(day: date, t: dtime, tz: str) -> datetime:
    return datetime.combine(day, t, tzinfo=zone(tz))


def window_plans(hall: Hall, day: date, start: datetime) -> list[WindowPlan]:
    """Every window open all day with a staggered lunch: odd windows 11:30-12:15, even ones 12:15-13:00."""
    sec = lambda t: (_at(day, t, hall.timezone) - start).total_seconds()  # noqa: E731
    plans = []
    for w in hall.windows:
        lunch = dtime(11, 30) if w.number % 2 else dtime(12, 15)
        back = (datetime.combine(day, lunch) + timedelta(minutes=LUNCH)).time()
        plans.append(WindowPlan(w.number, dict(w.services), [(sec(OPEN), sec(lunch)), (sec(back), sec(CLOSE))]))
    return plans


def demand(hall: Hall, load: float) -> dict[str, float]:
    """Tickets a day per service: `load` x what its windows can serve in a day (a window's time is
    shared among its services in proportion to their weights)."""
    hours = (CLOSE.hour + CLOSE.minute / 60) - (OPEN.hour + OPEN.minute / 60) - LUNCH / 60
    out: dict[str, float] = {}
    for w in hall.windows:
        total = sum(w.services.values())
        for code, weight in w.services.items():
            minutes = hall.service(code).avg_service_minutes + sum(WALK) / 2 / 60
            out[code] = out.get(code, 0.0) + weight / total * hours * 60 / minutes * load
    return out


def synthetic_day(hall: Hall, seed: int, load: float, day: date = DAY) -> Setup:
    rng = random.Random(seed)
    start = _at(day, OPEN, hall.timezone)
    classes = {c.code for c in hall.priority_classes}
    per_day = demand(hall, load)
    topics = [t.services for t in hall.topics]

    # Hourly rates: the service's profile scaled so that it gets its day's demand.
    def profile(department: str) -> dict[int, float]:
        if department in ENTERPRISE_DEPARTMENTS:
            return PROFILES["enterprise"]
        return PROFILES.get(department, PROFILES["default"])

    citizens: list[Citizen] = []
    closing = (_at(day, CLOSE, hall.timezone) - start).total_seconds()

    def lognormal(mean_s: float) -> float:
        sigma2 = math.log(1 + SERVICE_CV**2)
        return rng.lognormvariate(math.log(mean_s) - sigma2 / 2, math.sqrt(sigma2))

    def matter(code: str) -> Matter:
        m = Matter(code, lognormal(hall.service(code).avg_service_minutes * 60), rng.uniform(*WALK))
        if rng.random() < NO_SHOW:
            m.no_show = RECALL_GAP * (hall.calling.max_recalls + 1)
            if rng.random() < COME_BACK:
                m.reactivate_after = rng.uniform(300, 1500)
        return m

    for code, n_day in per_day.items():
        svc = hall.service(code)
        shape = profile(svc.department)
        weight = sum(shape.values()) - shape[17] * (1 - LAST_ARRIVAL.minute / 60)  # 17:00-17:10 only
        for hour, rel in shape.items():
            span = 3600.0 if hour < 17 else LAST_ARRIVAL.minute * 60.0
            rate = n_day * rel / weight / 3600.0  # per second
            t = (_at(day, dtime(hour), hall.timezone) - start).total_seconds()
            end = t + span
            while True:
                t += rng.expovariate(rate)
                if t >= end:
                    break
                klass = NORMAL
                r = rng.random()
                acc = 0.0
                for c, share in CLASS_MIX.items():
                    acc += share
                    if c in classes and r < acc:
                        klass = c
                        break
                if (
                    klass == NORMAL
                    and svc.department in ENTERPRISE_DEPARTMENTS
                    and "agent" in classes
                    and rng.random() < AGENT_SHARE
                ):
                    klass = "agent"
                arrival, slot = t, None
                rules = hall.appointments
                slot_min = rules.slot_minutes * 60
                slot_start = math.ceil(t / slot_min) * slot_min  # the next slot of the hall clock
                if (
                    klass == NORMAL
                    and svc.appointments
                    and slot_start + slot_min <= closing
                    and rng.random() < APPOINTMENT_SHARE
                ):
                    arrival = max(0.0, slot_start - rng.uniform(0, rules.early_minutes * 60))
                    slot = (slot_start - rules.early_minutes * 60, slot_start + slot_min + rules.late_minutes * 60)
                    klass = APPOINTMENT
                services = [code]
                if rng.random() < TOPIC_SHARE:
                    fitting = [tp for tp in topics if tp[0] == code]
                    if fitting:
                        services = list(rng.choice(fitting))
                leaves = arrival + rng.uniform(1200, 3600) if rng.random() < GIVE_UP else None
                citizens.append(Citizen(0, arrival, klass, [matter(s) for s in services], slot, leaves))
    citizens.sort(key=lambda c: c.arrival)
    for i, c in enumerate(citizens, start=1):
        c.id = i
    averages = {s.code: s.avg_service_minutes * 60 for s in hall.services}
    return Setup(
        start,
        policy.rules_for(hall),
        averages,
        window_plans(hall, day, start),
        citizens,
        break_s=hall.alerts.break_minutes * 60,
    )


def pool(results: list[dict]) -> dict:
    """Pooled figures of several days (means weighted by count; p90/max of the pooled days' own)."""
    if len(results) == 1:
        return results[0]
    out = {"days": len(results)}
    for key in ("served", "no_show", "cancelled", "unserved"):
        out[key] = sum(r[key] for r in results)
    out["utilisation"] = round(sum(r["utilisation"] for r in results) / len(results), 4)
    classes: dict[str, dict] = {}
    for r in results:
        for k, f in r["classes"].items():
            c = classes.setdefault(k, {"n": 0, "sum": 0.0, "p90": [], "max_s": 0.0})
            c["n"] += f["n"]
            c["sum"] += (f["mean_s"] or 0) * f["n"]
            c["p90"].append(f["p90_s"] or 0)
            c["max_s"] = max(c["max_s"], f["max_s"] or 0)
    out["classes"] = {
        k: {
            "n": c["n"],
            "mean_s": round(c["sum"] / c["n"], 1) if c["n"] else None,
            "p90_s": round(sum(c["p90"]) / len(c["p90"]), 1),
            "max_s": c["max_s"],
        }
        for k, c in classes.items()
    }
    n = sum(r["eta"]["n"] for r in results)
    out["eta"] = {
        "n": n,
        "mae_s": round(sum(r["eta"]["mae_s"] * r["eta"]["n"] for r in results) / n, 1),
        "p90_abs_s": round(sum(r["eta"]["p90_abs_s"] for r in results) / len(results), 1),
        "bias_s": round(sum(r["eta"]["bias_s"] * r["eta"]["n"] for r in results) / n, 1),
        "coverage": round(sum(r["eta"]["coverage"] * r["eta"]["n"] for r in results) / n, 4),
        "no_estimate": sum(r["eta"]["no_estimate"] for r in results),
        "classes": _pool_eta_classes([r["eta"]["classes"] for r in results]),
    }
    out["all"] = {
        "n": sum(r["all"]["n"] for r in results),
        "mean_s": round(
            sum(r["all"]["mean_s"] * r["all"]["n"] for r in results) / sum(r["all"]["n"] for r in results), 1
        ),
        "p90_s": round(sum(r["all"]["p90_s"] for r in results) / len(results), 1),
        "max_s": max(r["all"]["max_s"] for r in results),
    }
    return out


def _pool_eta_classes(days: list[dict]) -> dict:
    """Per class, the days' ETA figures weighted by their counts."""
    out: dict[str, dict] = {}
    for day in days:
        for k, f in day.items():
            c = out.setdefault(k, {"n": 0, "mae_s": 0.0, "bias_s": 0.0, "coverage": 0.0})
            c["n"] += f["n"]
            for key in ("mae_s", "bias_s", "coverage"):
                c[key] += f[key] * f["n"]
    return {
        k: {"n": c["n"]}
        | {key: round(c[key] / c["n"], 4 if key == "coverage" else 1) for key in ("mae_s", "bias_s", "coverage")}
        for k, c in sorted(out.items())
    }


def compare(hall: Hall, seed: int, load: float, days: int) -> dict:
    t0 = time.perf_counter()
    per = {"policy": [], "fifo": []}
    tickets = 0
    for d in range(days):
        setup = synthetic_day(hall, seed + d, load)
        tickets += len(setup.citizens)
        for discipline in per:
            summary = run(setup, discipline).summary()
            summary.pop("services")
            summary.pop("window_utilisation")
            per[discipline].append(summary)
    return {
        "bench": "sim.day",
        "hall": hall.id,
        "day": DAY.isoformat(),
        "seed": seed,
        "days": days,
        "load": load,
        "tickets": tickets,
        "windows": len(hall.windows),
        "policy": pool(per["policy"]),
        "fifo": pool(per["fifo"]),
        "seconds": round(time.perf_counter() - t0, 2),
    }


def markdown(fig: dict, hall: Hall) -> str:
    names = {NORMAL: "普通 normal", APPOINTMENT: "预约 appointment"} | {
        c.code: f"{c.name} {c.code}" for c in hall.priority_classes
    }
    order = [NORMAL, APPOINTMENT] + [c.code for c in hall.priority_classes]
    m = lambda s: "—" if s is None else f"{s / 60:.1f}"  # noqa: E731
    lines = [
        "| class (minutes) | calls | policy mean | policy p90 | policy max | FIFO mean | FIFO p90 | FIFO max |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for k in order + ["all"]:
        p = fig["policy"]["all"] if k == "all" else fig["policy"]["classes"].get(k)
        f = fig["fifo"]["all"] if k == "all" else fig["fifo"]["classes"].get(k)
        if not p:
            continue
        label = "all" if k == "all" else names.get(k, k)
        lines.append(
            f"| {label} | {p['n']} | {m(p['mean_s'])} | {m(p['p90_s'])} | {m(p['max_s'])} | "
            f"{m(f['mean_s'])} | {m(f['p90_s'])} | {m(f['max_s'])} |"
        )
    lines.append("")
    lines.append("| ETA at issue vs wait until first call | policy | FIFO |")
    lines.append("| --- | ---: | ---: |")
    for key, label in (
        ("mae_s", "mean absolute error, minutes"),
        ("p90_abs_s", "p90 absolute error, minutes"),
        ("bias_s", "bias (estimate − real), minutes"),
    ):
        lines.append(f"| {label} | {m(fig['policy']['eta'][key])} | {m(fig['fifo']['eta'][key])} |")
    pct = lambda x: "—" if x is None else f"{x * 100:.0f}%"  # noqa: E731
    lines.append(
        f"| real wait inside the p10–p90 range shown | {pct(fig['policy']['eta']['coverage'])} | "
        f"{pct(fig['fifo']['eta']['coverage'])} |"
    )
    lines.append(
        f"| window utilisation | {fig['policy']['utilisation'] * 100:.1f}% | {fig['fifo']['utilisation'] * 100:.1f}% |"
    )
    lines.append("")
    lines.append("| ETA per class (policy) | tickets | inside p10–p90 | bias, minutes | mean absolute error, minutes |")
    lines.append("| --- | ---: | ---: | ---: | ---: |")
    per = fig["policy"]["eta"]["classes"]
    for k in order:
        if k in per:
            e = per[k]
            lines.append(
                f"| {names.get(k, k)} | {e['n']} | {pct(e['coverage'])} | {m(e['bias_s'])} | {m(e['mae_s'])} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hall", type=Path, default=DEMO, help="hall configuration file (default: the demo hall)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--days", type=int, default=1)
    ap.add_argument("--load", type=float, default=0.85, help="demand as a share of the windows' capacity")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table instead of the JSON line")
    ap.add_argument("--erlang", action="store_true", help="the M/M/c check against Erlang C instead of a hall day")
    ap.add_argument("--servers", type=int, default=4, help="--erlang: windows")
    ap.add_argument("--rho", type=float, default=0.8, help="--erlang: utilisation")
    ap.add_argument("--customers", type=int, default=1_000_000, help="--erlang: customers")
    a = ap.parse_args(argv)
    if a.erlang:
        t0 = time.perf_counter()
        fig = {"bench": "sim.erlang"} | mmc_check(a.servers, a.rho, customers=a.customers, seed=a.seed)
        fig["seconds"] = round(time.perf_counter() - t0, 2)
        print(json.dumps(fig, ensure_ascii=False), flush=True)
        return
    hall = read_hall(a.hall)
    fig = compare(hall, a.seed, a.load, a.days)
    if a.markdown:
        print(markdown(fig, hall))
    else:
        print(json.dumps(fig, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()

"""The hall-day simulator: the M/M/c check against Erlang C, a day of the demo hall through the real
policy and through FIFO, and `hallq simulate` replaying a day's log with more or fewer windows."""

from __future__ import annotations

import json
import statistics
import sys
from datetime import datetime, timedelta, timezone

import pytest

from queue_server.domain import eta, policy
from queue_server.domain.hall import NORMAL
from queue_server.halls import DEMO, read_hall
from queue_server.supervision.erlang import erlang_c, erlang_wq, mmc_check, mmc_setup
from queue_server.supervision.simulation import Citizen, Matter, Setup, WindowPlan, run
from queue_server.supervision.whatif import replay_inputs, what_if
from tests.supervision.conftest import ROOT, hallq, prepare, write_events

sys.path.insert(0, str(ROOT))
from bench import sim as bench_sim  # noqa: E402

CST = timezone(timedelta(hours=8))
START = datetime(2026, 11, 24, 9, tzinfo=CST)
HALL = read_hall(DEMO)


def test_erlang_c_formula():
    # M/M/1: P(wait) = rho, Wq = rho / (mu - lambda)
    assert erlang_c(1, 0.5, 1.0) == pytest.approx(0.5)
    assert erlang_wq(1, 0.5, 1.0) == pytest.approx(1.0)
    # a textbook M/M/2 case: lambda 1, mu 1 -> a = 1, rho 0.5: C = 1/3, Wq = 1/3
    assert erlang_c(2, 1.0, 1.0) == pytest.approx(1 / 3)
    assert erlang_wq(2, 1.0, 1.0) == pytest.approx(1 / 3)


def test_mmc_mean_wait_matches_erlang_c():
    """300,000 customers through 3 windows at 60% load, each call decided by policy.choose."""
    r = mmc_check(c=3, rho=0.6, customers=300_000, seed=1)
    assert abs(r["error_pct"]) < 3.0, r
    assert r["stderr_pct"] < 2.0, r  # the run is long enough for the 3% to mean something
    assert abs(r["p_wait_sim"] - r["p_wait_erlang"]) < 0.01, r


def test_the_simulator_calls_the_real_policy(monkeypatch):
    calls = []
    real = policy.choose

    def spy(*args, **kw):
        calls.append(args[3])
        return real(*args, **kw)

    monkeypatch.setattr(policy, "choose", spy)
    run(mmc_setup(2, 1 / 700, 1 / 600, 200, 3, START))
    assert len(calls) >= 200


def test_priority_classes_wait_less_under_the_policy_than_fifo():
    setup = bench_sim.synthetic_day(HALL, seed=3, load=0.85)
    assert len(setup.citizens) > 600
    assert {c.klass for c in setup.citizens} >= {NORMAL, "appointment", "elderly", "agent"}
    assert any(len(c.matters) > 1 for c in setup.citizens)
    p = run(setup, "policy").summary()
    f = run(setup, "fifo").summary()
    # the same day: nearly everyone served either way (a few gave up, missed their call or were
    # still waiting at closing time)
    for r in (p, f):
        assert r["served"] > 0.9 * len(setup.citizens) and r["unserved"] < 0.05 * len(setup.citizens)
    assert abs(p["served"] - f["served"]) < 0.02 * len(setup.citizens)
    boosted = [k for k in p["classes"] if k != NORMAL and p["classes"][k]["n"] >= 20]
    assert boosted
    for k in boosted:
        assert p["classes"][k]["mean_s"] < f["classes"][k]["mean_s"], k
    assert p["classes"][NORMAL]["mean_s"] >= f["classes"][NORMAL]["mean_s"] * 0.9
    # the ETA was measured for nearly every ticket
    assert p["eta"]["n"] > 0.9 * len(setup.citizens) and p["eta"]["mae_s"] > 0
    assert 0.3 < p["utilisation"] < 1


def test_bench_prints_one_json_line(capsys):
    bench_sim.main(["--seed", "2"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    fig = json.loads(lines[0])
    assert fig["bench"] == "sim.day" and fig["tickets"] > 600
    for side in ("policy", "fifo"):
        assert {"mean_s", "p90_s", "max_s"} <= set(fig[side]["classes"][NORMAL])
        assert {"mae_s", "p90_abs_s", "bias_s", "coverage"} <= set(fig[side]["eta"])
        assert {"n", "mae_s", "bias_s", "coverage"} <= set(fig[side]["eta"]["classes"][NORMAL])
    bench_sim.main(["--seed", "2"])
    again = json.loads(capsys.readouterr().out)
    assert again | {"seconds": 0} == fig | {"seconds": 0}  # the same seed, the same day


def test_the_simulator_estimates_with_the_server_s_function(monkeypatch):
    seen = []
    real = eta.Snapshot.wait

    def spy(self, *args, **kw):
        seen.append(args)
        return real(self, *args, **kw)

    monkeypatch.setattr(eta.Snapshot, "wait", spy)
    setup = mmc_setup(2, 1 / 700, 1 / 600, 200, 3, START)
    res = run(setup)
    assert len(seen) == len(setup.citizens) == res.summary()["eta"]["n"]


def test_each_estimate_is_scored_against_the_wait_until_the_first_call():
    """One window, calls of exactly ten minutes: three citizens at 09:00 wait 0, 10 and 20 minutes.
    The first finds the window idle (estimate 0, inside); the others are estimated while it is busy."""
    window = WindowPlan(1, {"s": 1.0}, [(0.0, 7200.0)])
    people = [Citizen(i + 1, 0.0, NORMAL, [Matter("s", 600.0)]) for i in range(3)]
    res = run(Setup(START, policy.Rules(boosts={}, priority_ratio=3), {"s": 600.0}, [window], people))
    errors = res.eta_by_class[NORMAL]
    assert len(errors) == 3 and errors[0] == (0, True)
    # An exponential prior (cv 1): one residual of 600 s, then 600 s per person ahead.
    assert [e for e, _ in errors] == [0, 600 - 600, 1200 - 1200]
    assert all(inside for _, inside in errors)
    summary = res.summary()["eta"]
    assert summary["classes"][NORMAL] == {"n": 3, "mae_s": 0.0, "bias_s": 0.0, "coverage": 1.0}


def test_the_estimate_is_honest_on_simulated_days():
    """The targets, on five simulated days of the demo hall: the median over the days of the share
    of real waits inside the range shown is at least 80% for every class with 20 tickets a day or
    more, and the median bias is within a minute."""
    days = [run(bench_sim.synthetic_day(HALL, seed=s, load=0.85)).summary()["eta"] for s in range(1, 6)]
    assert statistics.median(d["bias_s"] for d in days) == pytest.approx(0, abs=60)
    for klass in (NORMAL, "elderly", "agent", "appointment"):
        assert statistics.median(d["classes"][klass]["coverage"] for d in days) >= 0.8, klass


def test_the_same_seed_gives_the_same_day():
    a = run(bench_sim.synthetic_day(HALL, seed=5, load=0.7)).summary()
    b = run(bench_sim.synthetic_day(HALL, seed=5, load=0.7)).summary()
    assert a == b


# -- what if: a day's log replayed ---------------------------------------------------------------------
def tax_morning(n: int = 10) -> list[dict]:
    """Window 26 alone serves tax-general: n tickets at 09:00, each served for exactly 10 minutes
    right after its call (the clerk starts at once and walks no time)."""
    t0 = datetime(2026, 11, 24, 9, tzinfo=CST)
    clerk = {"kind": "clerk", "id": "clerk2", "name": "陈晨"}
    ev = [
        (
            t0,
            "window.state",
            clerk,
            {"window": 26, "state": "open", "reason": None, "clerk": "陈晨", "staff_no": "C002"},
        )
    ]
    for i in range(1, n + 1):
        ev.append(
            (
                t0,
                "ticket.issued",
                {"kind": "device", "id": "kiosk"},
                {
                    "id": i,
                    "number": f"E{i:03d}",
                    "services": ["tax-general"],
                    "service": "tax-general",
                    "klass": "normal",
                    "state": "waiting",
                    "position": i - 1,
                    "eta_seconds": 0,
                },
            )
        )
    for i in range(1, n + 1):
        called = t0 + timedelta(minutes=10 * (i - 1))
        ev.append(
            (called, "ticket.called", clerk, {"id": i, "number": f"E{i:03d}", "service": "tax-general", "window": 26})
        )
        ev.append(
            (called, "ticket.serving", clerk, {"id": i, "number": f"E{i:03d}", "service": "tax-general", "window": 26})
        )
        ev.append(
            (
                called + timedelta(minutes=10),
                "ticket.done",
                clerk,
                {
                    "id": i,
                    "number": f"E{i:03d}",
                    "window": 26,
                    "state": "done",
                    "service": "tax-general",
                    "matter": 0,
                    "result": "done",
                    "reason": None,
                    "next_service": None,
                    "service_seconds": 600,
                },
            )
        )
    end = t0 + timedelta(minutes=10 * n)
    ev.append(
        (
            end,
            "window.state",
            clerk,
            {"window": 26, "state": "closed", "reason": None, "clerk": "陈晨", "staff_no": "C002"},
        )
    )
    return [
        {"seq": i + 1, "type": typ, "ts": ts.isoformat(), "actor": a, "data": d} for i, (ts, typ, a, d) in enumerate(ev)
    ]


def test_what_if_one_more_window_halves_the_queue():
    start = datetime(2026, 11, 24, 3, tzinfo=CST)
    log = tax_morning()
    # as it was: waits 0, 10, ..., 90 minutes -> mean 45 min; the replay reproduces it exactly
    base = what_if(log, HALL, start, "+0")
    assert base["actual"]["all"]["mean_s"] == 2700.0 and base["replay"]["all"]["mean_s"] == 2700.0
    assert base["windows"] == {"day": [26], "what_if": [26], "added": [], "removed": []}
    more = what_if(log, HALL, start, "+1")
    # window 27 (the hall's other tax window, unstaffed that day) joins: two at a time, waits 0,0,10,10,...,40
    assert more["windows"]["added"] == [27]
    assert more["what_if"]["all"]["mean_s"] == 1200.0 and more["what_if"]["all"]["max_s"] == 2400.0
    assert more["what_if"]["utilisation"] < more["replay"]["utilisation"]
    listed = what_if(log, HALL, start, "26,27")
    assert listed["what_if"]["all"] == more["what_if"]["all"]
    three = what_if(log, HALL, start, "3")  # beyond the hall's tax windows: a copy of the busiest
    assert three["windows"]["what_if"][:2] == [26, 27] and three["windows"]["added"][-1] == 1001
    with pytest.raises(ValueError):
        what_if(log, HALL, start, "0")
    with pytest.raises(ValueError):
        what_if(log, HALL, start, "26,999")


def test_replay_keeps_no_shows_cancellations_and_matters():
    t0 = datetime(2026, 11, 24, 9, tzinfo=CST)
    clerk = {"kind": "clerk", "id": "clerk1", "name": "王芳"}
    kiosk = {"kind": "device", "id": "kiosk"}

    def issued(i, services):
        return {"id": i, "number": f"A{i:03d}", "services": services, "service": services[0], "klass": "normal"}

    ev = [
        (t0, "window.state", clerk, {"window": 21, "state": "open", "clerk": "王芳", "staff_no": "C001"}),
        (t0, "ticket.issued", kiosk, issued(1, ["biz-setup", "tax-general"])),
        (t0, "ticket.issued", kiosk, issued(2, ["biz-setup"])),
        (t0, "ticket.issued", kiosk, issued(3, ["biz-setup"])),
        (t0 + timedelta(minutes=1), "ticket.called", clerk, {"id": 1, "service": "biz-setup", "window": 21}),
        (t0 + timedelta(minutes=2), "ticket.serving", clerk, {"id": 1, "service": "biz-setup", "window": 21}),
        (
            t0 + timedelta(minutes=12),
            "ticket.done",
            clerk,
            {"id": 1, "window": 21, "service": "biz-setup", "result": "done", "next_service": "tax-general"},
        ),
        (t0 + timedelta(minutes=13), "ticket.called", clerk, {"id": 2, "service": "biz-setup", "window": 21}),
        (t0 + timedelta(minutes=15), "ticket.no_show", clerk, {"id": 2, "window": 21, "service": "biz-setup"}),
        (t0 + timedelta(minutes=16), "ticket.cancelled", kiosk, {"id": 3, "service": "biz-setup"}),
        (
            t0 + timedelta(minutes=20),
            "window.state",
            clerk,
            {"window": 21, "state": "closed", "clerk": "王芳", "staff_no": "C001"},
        ),
    ]
    log = [
        {"seq": i + 1, "type": typ, "ts": ts.isoformat(), "actor": a, "data": d} for i, (ts, typ, a, d) in enumerate(ev)
    ]
    citizens, shifts, facts = replay_inputs(log, HALL, t0)
    assert shifts == {21: [(0.0, 1200.0)]} and facts["tickets"] == 3
    one, two, three = citizens
    assert [(m.service, m.walk, m.duration) for m in one.matters][0] == ("biz-setup", 60.0, 600.0)
    assert one.matters[1].service == "tax-general" and one.matters[1].duration > 0  # never served: drawn
    assert two.matters[0].no_show == 120.0 and two.matters[0].reactivate_after is None and len(two.matters) == 1
    assert three.leaves_at == 960.0


def test_hallq_simulate_prints_one_json_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'hallq.db'}"
    prepare(url)
    write_events(url, tax_morning())
    out = hallq(url, tmp_path, "simulate", "--hall", "demo", "--day", "2026-11-24", "--windows", "+1")
    assert out.returncode == 0, out.stderr.decode()
    lines = out.stdout.decode().strip().splitlines()
    assert len(lines) == 1
    fig = json.loads(lines[0])
    assert fig["day"] == "2026-11-24" and fig["tickets"] == 10
    assert fig["windows"]["added"] == [27] and fig["what_if"]["all"]["mean_s"] == 1200.0
    bad = hallq(url, tmp_path, "simulate", "--day", "2026-11-25", "--windows", "2")
    assert bad.returncode == 2 and "no window" in bad.stderr.decode()


def test_a_window_plan_and_shift_end():
    """A window stops calling at its shift's end and finishes the ticket it has."""
    citizens = [Citizen(i, 0.0, NORMAL, [Matter("s", 600.0)]) for i in range(1, 4)]
    setup = Setup(START, policy.Rules({}, 3), {"s": 600.0}, [WindowPlan(1, {"s": 1.0}, [(0.0, 900.0)])], citizens)
    r = run(setup)
    assert r.served == 2 and r.unserved == 1
    assert r.open_s == {1: 900.0} and r.busy_s == {1: 1200.0}

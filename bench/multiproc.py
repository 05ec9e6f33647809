"""Two server processes on one PostgreSQL database.

1. Fan-out: N websocket clients split over both processes while window 26 calls through one
   process and then the other: latency from the call-next request to each client's
   `ticket.called` (all, and cross-process only), missed and duplicated events.
2. Calling races: 8 windows each click "call next" several times at once, spread over both
   processes, while kiosks keep issuing, until 10,000 call-next requests were made. Counts
   tickets called twice (from the event log; must be 0) and whether check clients on both
   processes saw every event once, in order.

    python bench/multiproc.py [--clients 1000] [--calls 100] [--requests 10000] [--clicks 4]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections import Counter

from harness import (
    SERVICES,
    WINDOWS,
    Database,
    Http,
    ProbeProcesses,
    Server,
    emit,
    fanout_figures,
    last_seq,
    percentiles,
    raise_fd_limit,
)


async def issue(port: int, kiosk: dict, n: int, seed: int, services: list[str]) -> None:
    rnd = random.Random(seed)
    http = Http(port)
    for _ in range(n):
        status, body = await http.request(
            "POST", "/api/halls/demo/tickets", {"services": [rnd.choice(services)]}, kiosk
        )
        assert status == 201, body
    http.close()


async def fanout_calls(a: Server, b: Server, calls: int, interval: float) -> tuple[list, list]:
    """Window 26 calls through A and B in turn; returns (number, sent, port) per call."""
    conns = {a.port: Http(a.port), b.port: Http(b.port)}
    clerk = await conns[a.port].login("clerk1")
    status, body = await conns[a.port].request("POST", "/api/halls/demo/windows/26/open", {}, clerk)
    assert status == 200, body
    made, answers = [], []
    for i in range(calls + 1):
        port = (a.port, b.port)[i % 2]
        sent = time.perf_counter()
        status, body = await conns[port].request("POST", "/api/halls/demo/windows/26/call-next", {}, clerk)
        assert status == 200, body
        if i:
            made.append((body["ticket"]["number"], sent, port))
            answers.append(time.perf_counter() - sent)
        await asyncio.sleep(interval / 2)
        status, body = await conns[port].request("POST", "/api/halls/demo/windows/26/finish", {"result": "done"}, clerk)
        assert status == 200, body
        await asyncio.sleep(interval / 2)
    status, body = await conns[a.port].request("POST", "/api/halls/demo/windows/26/close", {}, clerk)
    assert status == 200, body
    await asyncio.sleep(1.0)
    for c in conns.values():
        c.close()
    return made, answers


async def races(db: Database, a: Server, b: Server, requests: int, clicks: int) -> dict:
    """Windows 21-28 click call-next `clicks` times at once over both processes until `requests`."""
    ports = [a.port, b.port]
    kiosk = {"Authorization": f"Bearer {db.tokens['kiosk']}"}
    budget = requests
    done = asyncio.Event()
    answers: Counter = Counter()
    more_than_one = 0
    called: list[str] = []
    call_lat: list[float] = []

    async def window(number: int, clerk: str) -> None:
        nonlocal budget, more_than_one
        conns = [Http(ports[i % 2]) for i in range(clicks)]
        auth = await conns[0].login(clerk)
        status, body = await conns[0].request("POST", f"/api/halls/demo/windows/{number}/open", {}, auth)
        assert status == 200, body
        while budget > 0:
            n = min(clicks, budget)
            budget -= n
            t = time.perf_counter()
            results = await asyncio.gather(
                *(c.request("POST", f"/api/halls/demo/windows/{number}/call-next", {}, auth) for c in conns[:n])
            )
            took = time.perf_counter() - t
            ok = [body for status, body in results if status == 200]
            answers.update("ok" if s == 200 else f"{s} {(b or {}).get('code')}" for s, b in results)
            more_than_one += len(ok) > 1
            for body in ok:
                called.append(body["ticket"]["number"])
                call_lat.append(took)
                status, fin = await random.choice(conns).request(
                    "POST", f"/api/halls/demo/windows/{number}/finish", {"result": "done"}, auth
                )
                assert status == 200, fin
            if not ok:
                await asyncio.sleep(0.01)
        for c in conns:
            c.close()

    async def kiosk_(port: int, seed: int) -> None:
        rnd = random.Random(seed)
        http = Http(port)
        while not done.is_set():
            await http.request("POST", "/api/halls/demo/tickets", {"services": [rnd.choice(SERVICES)]}, kiosk)
        http.close()

    kiosks = [asyncio.create_task(kiosk_(ports[k % 2], k)) for k in range(4)]
    started = time.perf_counter()
    await asyncio.gather(*(window(n, f"clerk{i}") for i, n in enumerate(WINDOWS, 1)))
    seconds = time.perf_counter() - started
    done.set()
    await asyncio.gather(*kiosks)
    return {
        "requests": sum(answers.values()),
        "calls": len(called),
        "called_twice_in_responses": len(called) - len(set(called)),
        "bursts_with_two_calls": more_than_one,
        "answers": dict(answers),
        "call_next_per_s": round(sum(answers.values()) / seconds, 1),
        "successful_call": percentiles(call_lat),
        "seconds": round(seconds, 1),
    }


async def current(server: Server) -> int:
    http = Http(server.port)
    seq = await last_seq(http)
    http.close()
    return seq


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--calls", type=int, default=100)
    p.add_argument("--interval", type=float, default=0.5, help="seconds from one call to the next")
    p.add_argument("--requests", type=int, default=10000)
    p.add_argument("--clicks", type=int, default=4, help="call-next requests a window sends at once")
    p.add_argument("--tickets", type=int, default=1500, help="tickets waiting before the races")
    p.add_argument("--check-clients", type=int, default=100, help="clients following the races")
    args = p.parse_args()
    raise_fd_limit()
    db = Database("postgres")
    # The clients stand for many boards and phones; here they share one address.
    a = Server(db, ws_per_address=args.clients)
    b = Server(db, ws_per_address=args.clients)
    try:
        kiosk = {"Authorization": f"Bearer {db.tokens['kiosk']}"}
        asyncio.run(issue(a.port, kiosk, args.calls + 1, 0, ["tax-general"]))
        # 1. fan-out across processes
        since = asyncio.run(current(a))
        half = args.clients // 2
        probes = ProbeProcesses(db.tokens["display"], since, [(a.port, half), (b.port, args.clients - half)])
        made, answers = asyncio.run(fanout_calls(a, b, args.calls, args.interval))
        results = probes.results()
        fan = fanout_figures(results, made, asyncio.run(current(b)))
        rss = a.rss_mb() + b.rss_mb()

        # 2. calling races with check clients on both processes
        async def fill() -> None:
            await asyncio.gather(
                *(issue((a.port, b.port)[k % 2], kiosk, args.tickets // 4, k + 1, SERVICES) for k in range(4))
            )

        asyncio.run(fill())
        since = asyncio.run(current(a))
        half = args.check_clients // 2
        checkers = ProbeProcesses(db.tokens["display"], since, [(a.port, half), (b.port, args.check_clients - half)])
        race = asyncio.run(races(db, a, b, args.requests, args.clicks))
        time.sleep(1.0)
        last = asyncio.run(current(a))
        checked = checkers.results()
        emit(
            {
                "bench": "multiproc",
                "db": "postgres",
                "processes": 2,
                "clients": len(results),
                "calls": len(made),
                **fan["latency"],
                "cross_process": fan["cross_process_latency"],
                "missed": fan["missed"],
                "duplicated": fan["duplicated"],
                "gaps": fan["gaps"],
                "dropped": fan["dropped"],
                "call_next_response": percentiles(answers),
                "race_requests": race["requests"],
                "race_calls": race["calls"],
                "duplicate_calls": db.called_twice() + race["called_twice_in_responses"],
                "bursts_with_two_calls": race["bursts_with_two_calls"],
                "race_call_next_per_s": race["call_next_per_s"],
                "race_successful_call": race["successful_call"],
                "race_answers": race["answers"],
                "race_seconds": race["seconds"],
                "check_clients": len(checked),
                "check_missed_events": sum(r["gaps"] for r in checked)
                + sum(1 for r in checked if r["last_seq"] != last),
                "check_duplicated": sum(r["duplicates"] for r in checked),
                "check_dropped": sum(1 for r in checked if r["dropped"]),
                "server_rss_mb": rss,
            }
        )
    finally:
        a.stop()
        b.stop()
        db.close()


if __name__ == "__main__":
    main()

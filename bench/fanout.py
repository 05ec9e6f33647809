"""Fan-out: N websocket clients follow the hall while a window calls, one call after another.

For each call, the time from sending the call-next request until each client has the
`ticket.called` event: p50, p99 and max over every (call, client) pair, and how many clients
missed or got an event twice (both must be 0). The clients run in their own processes.

    python bench/fanout.py [--clients 1000] [--calls 100] [--interval 0.5] [--db sqlite|postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from harness import Database, Http, ProbeProcesses, Server, emit, fanout_figures, last_seq, percentiles, raise_fd_limit


async def prepare(server: Server, db: Database, tickets: int) -> int:
    http = Http(server.port)
    kiosk = {"Authorization": f"Bearer {db.tokens['kiosk']}"}
    for _ in range(tickets):
        status, body = await http.request("POST", "/api/halls/demo/tickets", {"services": ["tax-general"]}, kiosk)
        assert status == 201, body
    seq = await last_seq(http)
    http.close()
    return seq


async def call(server: Server, calls: int, interval: float) -> tuple[list[tuple[str, float, int]], list[float]]:
    """Window 26 calls and finishes `calls` tickets (after one warm-up call), `interval` apart."""
    http = Http(server.port)
    clerk = await http.login("clerk1")
    status, body = await http.request("POST", "/api/halls/demo/windows/26/open", {}, clerk)
    assert status == 200, body
    made, answers = [], []
    for i in range(calls + 1):
        sent = time.perf_counter()
        status, body = await http.request("POST", "/api/halls/demo/windows/26/call-next", {}, clerk)
        assert status == 200, body
        if i:  # the first call warms the path up
            made.append((body["ticket"]["number"], sent, server.port))
            answers.append(time.perf_counter() - sent)
        await asyncio.sleep(interval / 2)
        status, body = await http.request("POST", "/api/halls/demo/windows/26/finish", {"result": "done"}, clerk)
        assert status == 200, body
        await asyncio.sleep(interval / 2)
    await asyncio.sleep(1.0)  # the last call reaches everybody
    http.close()
    return made, answers


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--calls", type=int, default=100)
    p.add_argument("--interval", type=float, default=0.5, help="seconds from one call to the next")
    p.add_argument("--procs", type=int, default=2, help="client processes the websockets are spread over")
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = p.parse_args()
    raise_fd_limit()
    db = Database(args.db)
    # The clients stand for a thousand boards and phones; here they share one address.
    server = Server(db, ws_per_address=args.clients)
    try:
        since = asyncio.run(prepare(server, db, args.calls + 1))
        per = [args.clients // args.procs + (i < args.clients % args.procs) for i in range(args.procs)]
        started = time.perf_counter()
        probes = ProbeProcesses(db.tokens["display"], since, [(server.port, n) for n in per])
        connect_seconds = time.perf_counter() - started
        cpu = server.cpu_seconds()
        made, answers = asyncio.run(call(server, args.calls, args.interval))
        cpu = server.cpu_seconds() - cpu
        rss = server.rss_mb()
        last = asyncio.run(_last(server))
        results = probes.results()
        figures = fanout_figures(results, made, last)
        emit(
            {
                "bench": "fanout",
                "db": db.kind,
                "clients": probes.connected,
                "calls": len(made),
                **{k: v for k, v in figures["latency"].items()},
                "missed": figures["missed"],
                "duplicated": figures["duplicated"],
                "gaps": figures["gaps"],
                "behind_at_end": figures["behind_at_end"],
                "dropped": figures["dropped"],
                "call_next_response": percentiles(answers),
                "connect_all_s": round(connect_seconds, 1),
                "server_cpu_ms_per_call": round(cpu * 1000 / (len(made) + 1), 1),
                "clients_cpu_ms_per_call": figures["clients_cpu_ms_per_call"],
                "server_rss_mb": rss,
            }
        )
    finally:
        server.stop()
        db.close()


async def _last(server: Server) -> int:
    http = Http(server.port)
    seq = await last_seq(http)
    http.close()
    return seq


if __name__ == "__main__":
    main()

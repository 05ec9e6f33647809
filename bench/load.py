"""Load: K kiosks issuing and W windows calling at the same time against a live server.

Each kiosk issues tickets back to back (a random service of windows 21-28, an Idempotency-Key each,
as the kiosk sends); each window calls
the next ticket and finishes it, looking again 20 ms later when its queue is empty. Prints one
JSON line: tickets/s and call-next/s, p50/p99 latency of each, errors, and the server's RSS.

With `--calls`, the kiosks issue the tickets first and the windows then call alone: each calls once,
then finishes and calls the next in one request (finish-next, the window's usual key) until the
queue is empty; the figures are then those calls (calls/s, their latency, tickets called twice).

    python bench/load.py [--db sqlite|postgres] [--kiosks 8] [--windows 8] [--tickets 3000] [--calls]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time

from harness import SERVICES, WINDOWS, Database, Http, Server, emit, percentiles


async def run(db: Database, server: Server, kiosks: int, windows: int, tickets: int, calls: bool = False) -> dict:
    kiosk_auth = {"Authorization": f"Bearer {db.tokens['kiosk']}"}
    issue_lat: list[float] = []
    call_lat: list[float] = []
    errors: dict[str, int] = {}
    remaining = tickets
    issuing_done = asyncio.Event()
    window_numbers = list(WINDOWS)[:windows]
    served = {s for w in (window_numbers or WINDOWS) for s in WINDOWS[w]}
    services = [s for s in SERVICES if s in served]

    def error(kind: str) -> None:
        errors[kind] = errors.get(kind, 0) + 1

    async def kiosk(k: int) -> None:
        nonlocal remaining
        rnd = random.Random(k)
        http = Http(server.port)
        while remaining > 0:
            remaining -= 1
            t = time.perf_counter()
            # As the kiosk does: one Idempotency-Key per tap, so a retried request is the same ticket.
            status, body = await http.request(
                "POST",
                "/api/halls/demo/tickets",
                {"services": [rnd.choice(services)]},
                kiosk_auth | {"Idempotency-Key": f"bench-{k}-{remaining}"},
            )
            if status == 201:
                issue_lat.append(time.perf_counter() - t)
            else:
                error(f"issue {status} {(body or {}).get('code')}")
        http.close()

    async def window(number: int, clerk: str) -> None:
        http = Http(server.port)
        auth = await http.login(clerk)
        status, body = await http.request("POST", f"/api/halls/demo/windows/{number}/open", {}, auth)
        assert status == 200, body
        if calls:
            await issuing_done.wait()
            await calling(http, number, auth)
            http.close()
            return
        while True:
            t = time.perf_counter()
            status, body = await http.request("POST", f"/api/halls/demo/windows/{number}/call-next", {}, auth)
            if status == 200:
                call_lat.append(time.perf_counter() - t)
                status, body = await http.request(
                    "POST", f"/api/halls/demo/windows/{number}/finish", {"result": "done"}, auth
                )
                if status != 200:
                    error(f"finish {status} {(body or {}).get('code')}")
            elif status == 409 and body.get("code") == "queue_empty":
                if issuing_done.is_set():
                    break
                await asyncio.sleep(0.02)
            else:
                error(f"call-next {status} {(body or {}).get('code')}")
                await asyncio.sleep(0.05)
        http.close()

    async def calling(http: Http, number: int, auth: dict) -> None:
        path = f"/api/halls/demo/windows/{number}"
        t = time.perf_counter()
        status, body = await http.request("POST", f"{path}/call-next", {}, auth)
        while status == 200 and not body.get("queue_empty"):
            call_lat.append(time.perf_counter() - t)
            t = time.perf_counter()
            status, body = await http.request("POST", f"{path}/finish-next", {"result": "done"}, auth)
        if status != 200 and body.get("code") != "queue_empty":
            error(f"call {status} {(body or {}).get('code')}")

    clerks = [asyncio.create_task(window(n, f"clerk{i}")) for i, n in enumerate(window_numbers, 1)]
    await asyncio.sleep(0.5)  # the windows are open before the first kiosk prints
    cpu = server.cpu_seconds()
    started = time.perf_counter()
    await asyncio.gather(*(kiosk(k) for k in range(kiosks)))
    issue_seconds = time.perf_counter() - started
    if calls:
        cpu, started = server.cpu_seconds(), time.perf_counter()
    issuing_done.set()
    await asyncio.gather(*clerks)
    call_seconds = time.perf_counter() - started
    cpu = server.cpu_seconds() - cpu
    if calls:
        return {
            "bench": "load-calls",
            "db": db.kind,
            "windows": windows,
            "tickets": len(issue_lat),
            "calls": len(call_lat),
            "calls_per_s": round(len(call_lat) / call_seconds, 1),
            "call": percentiles(call_lat),
            "called_twice": db.called_twice(),
            "errors": sum(errors.values()),
            "error_kinds": errors,
            "server_cpu_ms_per_request": round(cpu * 1000 / max(1, len(call_lat)), 2),
            "server_rss_mb": server.rss_mb(),
            "seconds": round(call_seconds, 1),
        }
    requests = len(issue_lat) + 2 * len(call_lat)  # issue; call-next and finish
    return {
        "bench": "load",
        "db": db.kind,
        "kiosks": kiosks,
        "windows": windows,
        "tickets": len(issue_lat),
        "tickets_per_s": round(len(issue_lat) / issue_seconds, 1),
        "issue": percentiles(issue_lat),
        "calls": len(call_lat),
        "call_next_per_s": round(len(call_lat) / call_seconds, 1) if call_lat else None,
        "call_next": percentiles(call_lat),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "server_cpu_ms_per_request": round(cpu * 1000 / max(1, requests), 2),
        "server_rss_mb": server.rss_mb(),
        "seconds": round(call_seconds, 1),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--kiosks", type=int, default=8)
    p.add_argument(
        "--windows",
        type=int,
        default=8,
        choices=range(0, 9),
        metavar="0..8",
        help="windows calling meanwhile (0: issuing alone)",
    )
    p.add_argument("--tickets", type=int, default=3000)
    p.add_argument("--calls", action="store_true", help="issue first, then measure the windows calling alone")
    args = p.parse_args()
    db = Database(args.db)
    server = Server(db)
    try:
        emit(asyncio.run(run(db, server, args.kiosks, args.windows, args.tickets, args.calls)))
    finally:
        server.stop()
        db.close()


if __name__ == "__main__":
    main()

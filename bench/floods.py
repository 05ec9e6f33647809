"""Kiosk issuing while anonymous clients flood the server: its latency must not move much.

Kiosks issue tickets at a hall's pace (each every 100 ms) for `--seconds`, first on a quiet server,
then under each flood in turn:
  slow_connections  1,150 connections that send a request line and never finish the headers (each
                    reopened as soon as the server drops it: an attacker who keeps trying);
  bodies            8 clients sending 50 MB JSON bodies to /api/auth/login, again and again;
  sign_in           24 clients sending wrong passwords to /api/auth/login, back to back.
Each flood runs in its own process at low priority (an attacker's machine is not the server's).
Prints one JSON line: issuing p50/p99/max per phase, errors, what the flood's requests got, the
server's RSS and CPU; target: p99 < 200 ms under each flood.

    python bench/floods.py [--db sqlite|postgres] [--seconds 10] [--kiosks 4]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import time

from harness import SERVICES, Database, Http, Server, emit, percentiles, raise_fd_limit

TARGET_P99_MS = 200
SLOW = 1150
BODY = 50 * 1024 * 1024


async def kiosks(server: Server, token: str, n: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    stop = time.monotonic() + seconds

    async def kiosk(k: int) -> None:
        rnd, http, i = random.Random(k), Http(server.port), 0
        while time.monotonic() < stop:
            i += 1
            t = time.perf_counter()
            try:
                status, body = await asyncio.wait_for(
                    http.request(
                        "POST",
                        "/api/halls/demo/tickets",
                        {"services": [rnd.choice(SERVICES)]},
                        {"Authorization": f"Bearer {token}", "Idempotency-Key": f"flood-{k}-{i}-{time.time()}"},
                    ),
                    30,
                )
            except (TimeoutError, OSError, ValueError, IndexError) as e:
                errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
                http.writer = None  # a new connection for the next one
                continue
            if status == 201:
                latencies.append(time.perf_counter() - t)
            else:
                errors[f"{status} {(body or {}).get('code')}"] = (
                    errors.get(f"{status} {(body or {}).get('code')}", 0) + 1
                )
            await asyncio.sleep(max(0.0, 0.1 - (time.perf_counter() - t)))
        http.close()

    await asyncio.gather(*(kiosk(k) for k in range(n)))
    return percentiles(latencies) | {"tickets": len(latencies), "errors": errors}


async def slow_connections(port: int, stop: asyncio.Event, count: dict) -> None:
    async def one() -> None:
        while not stop.is_set():
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                count["opened"] += 1
                stopping = asyncio.create_task(stop.wait())
                closed = asyncio.create_task(reader.read(1))
                await asyncio.wait([stopping, closed], return_when=asyncio.FIRST_COMPLETED)
                stopping.cancel(), closed.cancel()
                writer.close()
            except OSError:
                await asyncio.sleep(0.2)

    await asyncio.gather(*(one() for _ in range(SLOW)))


async def bodies(port: int, stop: asyncio.Event, count: dict) -> None:
    piece = b" " * (1 << 20)

    async def one() -> None:
        while not stop.is_set():
            answer = None
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(
                    b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n" % BODY
                )
                answer = asyncio.create_task(reader.read(200))
                for _ in range(BODY // len(piece)):
                    if answer.done() or stop.is_set():
                        break
                    writer.write(piece)
                    await asyncio.wait_for(writer.drain(), 10)
                count[(await asyncio.wait_for(answer, 10))[9:12].decode() or "closed"] += 1
                writer.close()
            except (TimeoutError, OSError):
                count["reset"] += 1
                await asyncio.sleep(0.05)
            finally:
                # A connection the server reset is what this flood expects: its read ends quietly.
                if answer is not None and not answer.done():
                    answer.cancel()
                elif answer is not None and not answer.cancelled():
                    answer.exception()

    await asyncio.gather(*(one() for _ in range(8)))


async def sign_in(port: int, stop: asyncio.Event, count: dict) -> None:
    async def one(i: int) -> None:
        http = Http(port)
        while not stop.is_set():
            try:
                status, _ = await http.request(
                    "POST", "/api/auth/login", {"username": "manager1", "password": f"wrong-{i}-{random.random()}"}
                )
                count[str(status)] += 1
            except (OSError, ValueError, IndexError):
                http.writer = None
                count["reset"] += 1
                await asyncio.sleep(0.05)
        http.close()

    await asyncio.gather(*(one(i) for i in range(24)))


class Counter(dict):
    def __missing__(self, key):
        return 0


def _flood_process(flood_name: str, port: int, seconds: float, out) -> None:
    """One flood in its own process, at low priority: on this machine the flood's clients share the
    two cores with the server, which a real attacker on the hall network would not."""
    os.nice(15)
    raise_fd_limit()

    async def go() -> dict:
        stop, count = asyncio.Event(), Counter()
        task = asyncio.create_task(FLOODS[flood_name](port, stop, count))
        await asyncio.sleep(seconds)
        stop.set()
        await asyncio.wait_for(task, 60)
        return dict(count)

    out.put(asyncio.run(go()))


async def phase(server: Server, token: str, flood: str | None, n: int, seconds: float) -> dict:
    cpu = server.cpu_seconds()
    proc, out = None, None
    if flood:
        ctx = multiprocessing.get_context("fork")
        out = ctx.Queue()
        proc = ctx.Process(target=_flood_process, args=(flood, server.port, seconds + 3, out))
        proc.start()
        await asyncio.sleep(3)  # the flood in full swing before measuring
    figures = await kiosks(server, token, n, seconds)
    count = {}
    if proc:
        count = await asyncio.get_running_loop().run_in_executor(None, out.get, True, 90)
        proc.join(30)
    return figures | {"flood": count, "server_cpu_s": round(server.cpu_seconds() - cpu, 1), "rss_mb": server.rss_mb()}


async def run(server: Server, token: str, n: int, seconds: float) -> dict:
    out = {"bench": "floods", "kiosks": n, "seconds": seconds}
    for name in ("quiet", *FLOODS):
        out[name] = await phase(server, token, None if name == "quiet" else name, n, seconds)
        await asyncio.sleep(1)
    out["target_p99_ms"] = TARGET_P99_MS
    out["met"] = all(
        (out[k]["p99_ms"] or 1e9) < TARGET_P99_MS and not out[k]["errors"]
        for k in ("slow_connections", "bodies", "sign_in")
    )
    return out


FLOODS = {"slow_connections": slow_connections, "bodies": bodies, "sign_in": sign_in}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--kiosks", type=int, default=4)
    args = p.parse_args()
    db = Database(args.db)
    server = Server(db)
    try:
        emit(asyncio.run(run(server, db.tokens["kiosk"], args.kiosks, args.seconds)))
    finally:
        server.stop()
        db.close()


if __name__ == "__main__":
    main()

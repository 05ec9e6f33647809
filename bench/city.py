"""A city on PostgreSQL: 150 halls made from the demo hall, two server processes, open-loop load.

Tickets and calls arrive as Poisson processes (200 tickets/s and 50 calls/s by default) spread at
random over the halls and sent to the two processes in turn, each request when its time comes
whatever the earlier ones are doing (a slow server makes requests pile up, as in a real city). A
kiosk's ticket carries an Idempotency-Key; a call is one window's finish-next (call-next for its
first). The latency of a request is counted from the moment it was due, so time spent waiting for a
connection or for the window's previous call is in it. Some halls' boards follow their streams on
both processes; at the end each must have had every event of its hall, once, in seq order.

With `--township`, the demo hall runs on a server of its own (SQLite, a third process) and ships
its log to the city with `hallq ship-log`; it gets a hall's share of the load, the shipper is
killed a third into the run and started again at two thirds, and at the end the city must hold the
township's whole log.

Prints one JSON line: offered and achieved rates, latency, duplicate numbers and double calls in
the city's log, the boards' gaps, duplicates and missing events, each process's CPU and RSS.

    python bench/city.py [--halls 150] [--tickets-per-s 200] [--calls-per-s 50] [--seconds 60]
                         [--boards 10] [--township]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from harness import (
    PASSWORD,
    ROOT,
    Database,
    Http,
    Probe,
    Server,
    emit,
    open_probes,
    percentiles,
    raise_fd_limit,
)
from sqlalchemy import text

WINDOW = 23  # the demo hall's window for biz-setup, biz-change and biz-cancel: each hall's calling window
SERVICES = ["biz-setup", "biz-change", "biz-cancel"]
TOWNSHIP = "demo"  # the hall of the township server (--township), shipped to the city


def make_halls(db: Database, n: int) -> dict[str, dict[str, str]]:
    """n copies of the demo hall, each with its own id, name, clerk and device tokens."""
    from queue_server.domain.hall import Hall
    from queue_server.halls import DEMO, read_hall
    from queue_server.store.db import make_engine
    from queue_server.store.store import Store
    from queue_server.usecases import accounts, halls

    store = Store(make_engine(db.url))
    demo = read_hall(DEMO).model_dump(mode="json")
    out = {}
    for i in range(1, n + 1):
        hall = f"town{i:03d}"
        halls.load_hall(store, Hall.model_validate(demo | {"id": hall, "name": f"第{i}乡镇便民服务中心"}))
        accounts.add_user(store, f"clerk-{hall}", PASSWORD, "clerk", hall, f"窗口员{i}", f"C{i:03d}")
        out[hall] = {kind: accounts.device_token(store, hall, kind) for kind in ("kiosk", "display")}
        out[hall]["clerk"] = f"clerk-{hall}"
    store.close()
    return out


class Pool:
    """Keep-alive connections to one server, as many as the requests in flight."""

    def __init__(self, port: int):
        self.port = port
        self.idle: list[Http] = []

    async def request(self, method: str, path: str, body: dict | None, headers: dict) -> tuple[int, dict | None]:
        http = self.idle.pop() if self.idle else Http(self.port)
        try:
            status, answer = await http.request(method, path, body, headers)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            http.close()
            raise
        self.idle.append(http)
        return status, answer

    def close(self) -> None:
        for http in self.idle:
            http.close()


class Window:
    """A hall's calling window: one call at a time, call-next first and then finish-next."""

    def __init__(self, hall: str, auth: dict[str, str]):
        self.hall, self.auth = hall, auth
        self.lock = asyncio.Lock()
        self.busy = False  # a ticket is at the window


class Township:
    """The demo hall on its own SQLite server, shipping its log to the city."""

    def __init__(self, city_db: Database):
        from queue_server.halls import DEMO, read_hall
        from queue_server.store.db import make_engine
        from queue_server.store.store import Store
        from queue_server.usecases import accounts, halls

        store = Store(make_engine(city_db.url))
        halls.load_hall(store, read_hall(DEMO), shipped=True)  # the city's copy of it takes the shipped log
        self.city_token = accounts.device_token(store, TOWNSHIP, "shipper")
        store.close()
        self.city_db = city_db
        self.db = Database("sqlite")
        store = Store(make_engine(self.db.url))
        self.token = accounts.device_token(store, TOWNSHIP, "shipper")
        store.close()
        self.server = Server(self.db)
        self.city_port = 0
        self.shipper: subprocess.Popen | None = None
        self.log = open(self.db.dir / "shipper.log", "ab")

    def start_shipper(self) -> None:
        env = os.environ | {"HALLQ_SHIPPER_TOKEN": self.token, "HALLQ_CITY_TOKEN": self.city_token}
        args = ["ship-log", "--hall", TOWNSHIP, "--server", f"http://127.0.0.1:{self.server.port}"]
        args += ["--city", f"http://127.0.0.1:{self.city_port}"]
        self.shipper = subprocess.Popen(
            [sys.executable, "-m", "queue_server.cli", *args], env=env, cwd=ROOT, stdout=self.log, stderr=self.log
        )

    def kill_shipper(self) -> None:
        if self.shipper is not None and self.shipper.poll() is None:
            self.shipper.kill()
            self.shipper.wait(10)

    @staticmethod
    def events(url: str) -> int:
        from queue_server.store.db import make_engine

        engine = make_engine(url)
        with engine.connect() as c:
            n = c.execute(text("SELECT count(*) FROM events WHERE hall = :h"), {"h": TOWNSHIP}).scalar_one()
        engine.dispose()
        return n

    async def caught_up(self, timeout: float = 60) -> tuple[int, int, float]:
        """(township's events, city's events, seconds it took the city to catch up after the run)."""
        started = time.perf_counter()
        own = self.events(self.db.url)
        while (city := self.events(self.city_db.url)) < own and time.perf_counter() - started < timeout:
            await asyncio.sleep(0.2)
        return own, city, round(time.perf_counter() - started, 1)

    def stop(self) -> None:
        self.kill_shipper()
        self.log.close()
        self.server.stop()
        self.db.close()


def log_figures(db: Database) -> dict:
    """Duplicate ticket numbers (per hall, service and day: the number carries the service's letter)
    and tickets called more than once, from the city's stored tables and log."""
    from queue_server.store.db import make_engine

    engine = make_engine(db.url)
    with engine.connect() as c:
        duplicates = c.execute(
            text(
                "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM tickets"
                " GROUP BY hall, day, number HAVING count(*) > 1) d"
            )
        ).scalar_one()
        double_calls = c.execute(
            text(
                "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM events WHERE type = 'ticket.called'"
                " GROUP BY hall, data->>'id' HAVING count(*) > 1) d"
            )
        ).scalar_one()
        seqs = dict(c.execute(text("SELECT id, event_seq FROM halls")).all())
    engine.dispose()
    return {"duplicate_numbers": int(duplicates), "double_calls": int(double_calls), "seqs": seqs}


async def run(
    args: argparse.Namespace, db: Database, servers: list[Server], halls: dict, town: Township | None
) -> dict:
    rnd = random.Random(args.seed)
    pools = [Pool(s.port) for s in servers]
    town_pool = Pool(town.server.port) if town else None
    latencies: dict[str, list[float]] = {"issue": [], "call": []}
    errors: dict[str, int] = {}
    answered = {"issue": 0, "call": 0}
    called, empty = 0, 0
    turn = 0

    def error(kind: str) -> None:
        errors[kind] = errors.get(kind, 0) + 1

    # Each hall's clerk signs in and opens the calling window (through either process).
    windows: dict[str, Window] = {}
    login = Http(servers[0].port)
    for hall, tokens in halls.items():
        auth = await login.login(tokens["clerk"])
        status, body = await login.request("POST", f"/api/halls/{hall}/windows/{WINDOW}/open", {}, auth)
        assert status == 200, body
        windows[hall] = Window(hall, auth)
    login.close()
    targets: list[tuple[str, Pool, dict]] = [(hall, pools[0], tokens) for hall, tokens in halls.items()]
    if town and town_pool:
        http = Http(town.server.port)
        auth = await http.login("clerk1")
        status, body = await http.request("POST", f"/api/halls/{TOWNSHIP}/windows/{WINDOW}/open", {}, auth)
        assert status == 200, body
        http.close()
        windows[TOWNSHIP] = Window(TOWNSHIP, auth)
        targets.append((TOWNSHIP, town_pool, {"kiosk": town.db.tokens["kiosk"]}))

    # Boards: the first halls' streams, one board on each process.
    boards: list[tuple[str, Probe]] = []
    for hall in list(halls)[: args.boards]:
        for server in servers:
            (probe,) = await open_probes(server.port, halls[hall]["display"], 0, 1, hall=hall)
            boards.append((hall, probe))

    def pool_for(hall: str, pool: Pool) -> Pool:
        nonlocal turn
        if pool is town_pool:
            return pool
        turn += 1
        return pools[turn % len(pools)]

    async def issue(hall: str, pool: Pool, tokens: dict, due: float, n: int) -> None:
        headers = {"Authorization": f"Bearer {tokens['kiosk']}", "Idempotency-Key": f"city-{hall}-{n}"}
        try:
            status, body = await pool_for(hall, pool).request(
                "POST", f"/api/halls/{hall}/tickets", {"services": [rnd.choice(SERVICES)]}, headers
            )
        except (OSError, asyncio.IncompleteReadError, ValueError) as e:
            return error(f"issue {type(e).__name__}")
        latencies["issue"].append(time.perf_counter() - due)
        if status == 201:
            answered["issue"] += 1
        else:
            error(f"issue {status} {(body or {}).get('code')}")

    async def call(hall: str, pool: Pool, due: float) -> None:
        nonlocal called, empty
        w = windows[hall]
        async with w.lock:
            action = "finish-next" if w.busy else "call-next"
            body_in = {"result": "done"} if w.busy else {}
            try:
                status, body = await pool_for(hall, pool).request(
                    "POST", f"/api/halls/{hall}/windows/{WINDOW}/{action}", body_in, w.auth
                )
            except (OSError, asyncio.IncompleteReadError, ValueError) as e:
                return error(f"call {type(e).__name__}")
            latencies["call"].append(time.perf_counter() - due)
            if status == 200:
                answered["call"] += 1
                w.busy = not body.get("queue_empty", False)
                called += w.busy
                empty += not w.busy
            elif status == 409 and (body or {}).get("code") == "queue_empty":
                answered["call"] += 1
                empty += 1
            else:
                error(f"call {status} {(body or {}).get('code')}")

    cpu = [s.cpu_seconds() for s in servers]
    rate = args.tickets_per_s + args.calls_per_s
    tasks: set[asyncio.Task] = set()
    started = time.perf_counter()
    end = started + args.seconds
    due = started
    offered = {"issue": 0, "call": 0}
    shipper_cut = shipper_back = False
    while True:
        due += rnd.expovariate(rate)
        if due >= end:
            break
        if town and not shipper_cut and due - started >= args.seconds / 3:
            town.kill_shipper()  # the link is cut: the township works on
            shipper_cut = True
        if town and not shipper_back and due - started >= 2 * args.seconds / 3:
            town.start_shipper()
            shipper_back = True
        wait = due - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        hall, pool, tokens = rnd.choice(targets)
        if rnd.random() < args.tickets_per_s / rate:
            offered["issue"] += 1
            task = asyncio.create_task(issue(hall, pool, tokens, due, offered["issue"]))
        else:
            offered["call"] += 1
            task = asyncio.create_task(call(hall, pool, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)
    seconds = time.perf_counter() - started
    cpu = [round(s.cpu_seconds() - c, 1) for s, c in zip(servers, cpu, strict=True)]

    figures = log_figures(db)
    seqs = figures.pop("seqs")
    deadline = time.perf_counter() + 15
    while time.perf_counter() < deadline and any(p.last_seq != seqs[h] for h, p in boards):
        await asyncio.sleep(0.1)
    for pool in [*pools, *([town_pool] if town_pool else [])]:
        pool.close()
    offered_rate = (offered["issue"] + offered["call"]) / args.seconds
    achieved_rate = (answered["issue"] + answered["call"]) / seconds
    result = {
        "bench": "city",
        "halls": len(halls),
        "processes": len(servers),
        "seconds": args.seconds,
        "offered_per_s": round(offered_rate, 1),
        "achieved_per_s": round(achieved_rate, 1),
        "achieved_ratio": round(achieved_rate / offered_rate, 3),
        "tickets": answered["issue"],
        "calls": called,
        "calls_on_empty_queue": empty,
        "latency": percentiles(latencies["issue"] + latencies["call"]),
        "issue": percentiles(latencies["issue"]),
        "call": percentiles(latencies["call"]),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        **figures,
        "boards": len(boards),
        "board_events": sum(p.events for _, p in boards),
        "board_gaps": sum(p.gaps for _, p in boards),
        "board_duplicates": sum(p.duplicates for _, p in boards),
        "boards_missing_events": sum(1 for h, p in boards if (p.last_seq or 0) != seqs[h]),
        "server_cpu_s": cpu,
        "server_rss_mb": [s.rss_mb() for s in servers],
    }
    for _, p in boards:
        p.close()
    if town:
        own, city, lag = await town.caught_up()
        result["township"] = {"events": own, "city_events": city, "equal": own == city, "catch_up_s": lag}
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--halls", type=int, default=150)
    p.add_argument("--tickets-per-s", type=float, default=200)
    p.add_argument("--calls-per-s", type=float, default=50)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--boards", type=int, default=10, help="halls whose streams a board follows on each process")
    p.add_argument("--township", action="store_true", help="the demo hall on its own server, shipping its log")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    raise_fd_limit()
    db = Database("postgres")
    servers: list[Server] = []
    town: Township | None = None
    try:
        halls = make_halls(db, args.halls)
        town = Township(db) if args.township else None  # before the city's servers run the hall
        servers = [Server(db), Server(db)]
        if town:
            town.city_port = servers[0].port
            town.start_shipper()
        emit(asyncio.run(run(args, db, servers, halls, town)))
    finally:
        if town:
            town.stop()
        for s in servers:
            s.stop()
        db.close()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()

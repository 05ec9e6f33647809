"""What the benchmarks share: a database with the demo hall, live server processes on loopback,
a lean keep-alive HTTP client, lean websocket probes, percentiles and the servers' memory.

The clients are deliberately small (raw HTTP/1.1 on asyncio streams, websocket probes on the
`websockets` sans-I/O protocol without a task per connection): on a 2-core machine every
microsecond the client spends is taken from the server being measured."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from websockets.client import ClientProtocol  # noqa: E402
from websockets.frames import Frame, Opcode  # noqa: E402
from websockets.http11 import Response  # noqa: E402
from websockets.uri import parse_uri  # noqa: E402

CLOCK = "2026-11-24T10:00:00+08:00"  # a Tuesday morning: every demo service is open
PASSWORD = "bench-pass-1"
PG_ADMIN = os.environ.get("HALLQ_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
# Windows 21-28 of the demo hall and what they serve.
WINDOWS = {
    21: ["biz-setup", "biz-change"],
    22: ["biz-setup", "biz-change"],
    23: ["biz-change", "biz-cancel", "biz-setup"],
    24: ["biz-cancel", "biz-change"],
    25: ["food-license", "biz-setup"],
    26: ["tax-general"],
    27: ["tax-general"],
    28: ["build-permit"],
}
SERVICES = ["biz-setup", "biz-change", "biz-cancel", "food-license", "tax-general", "build-permit"]


def emit(figures: dict) -> None:
    """The one JSON line a benchmark prints."""
    print(json.dumps(figures, ensure_ascii=False), flush=True)


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # inherited by the servers started later


def percentiles(values: list[float], scale: float = 1000.0) -> dict:
    """p50, p99 and max of seconds, in milliseconds."""
    if not values:
        return {"p50_ms": None, "p99_ms": None, "max_ms": None}
    v = sorted(values)

    def at(p: float) -> float:
        return round(v[min(len(v) - 1, int(p * len(v)))] * scale, 1)

    return {"p50_ms": at(0.50), "p99_ms": at(0.99), "max_ms": round(v[-1] * scale, 1)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- databases ----------------------------------------------------------------------------------
class Database:
    """A fresh SQLite file or PostgreSQL database with the demo hall, 8 clerks, a manager and device tokens."""

    def __init__(self, kind: str = "sqlite"):
        self.kind = kind
        self.dir = Path(tempfile.mkdtemp(prefix="hallq-bench-"))
        if kind == "sqlite":
            self.url = f"sqlite:///{self.dir / 'hallq.db'}"
        elif kind == "postgres":
            self.name = f"hallq_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            with self._admin() as c:
                c.execute(text(f'CREATE DATABASE "{self.name}"'))
            self.url = PG_ADMIN.rsplit("/", 1)[0] + "/" + self.name
        else:
            raise ValueError(f"--db sqlite or postgres, not {kind!r}")
        self.tokens = self._prepare()

    def _admin(self):
        engine = create_engine(PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
        return engine.connect()

    def _prepare(self) -> dict[str, str]:
        from queue_server.halls import DEMO, read_hall
        from queue_server.store.db import make_engine
        from queue_server.store.store import Store
        from queue_server.usecases import accounts, halls

        store = Store(make_engine(self.url))
        store.migrate()
        halls.load_hall(store, read_hall(DEMO))
        for i in range(1, 9):
            accounts.add_user(store, f"clerk{i}", PASSWORD, "clerk", "demo", f"窗口员{i}", f"B{i:03d}")
        accounts.add_user(store, "manager1", PASSWORD, "manager", "demo", "主任", "M001")
        tokens = {kind: accounts.device_token(store, "demo", kind) for kind in ("kiosk", "display", "guide")}
        store.engine.dispose()
        return tokens

    def called_twice(self) -> int:
        """Tickets with more than one `ticket.called` event in the log (must be 0)."""
        from queue_server.store.db import make_engine

        engine = make_engine(self.url)
        with engine.connect() as c:
            rows = c.execute(text("SELECT data FROM events WHERE hall = 'demo' AND type = 'ticket.called'")).all()
        engine.dispose()
        ids = [(r[0] if isinstance(r[0], dict) else json.loads(r[0]))["id"] for r in rows]
        return len(ids) - len(set(ids))

    def close(self) -> None:
        if self.kind == "postgres":
            with self._admin() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        shutil.rmtree(self.dir, ignore_errors=True)


# -- servers ------------------------------------------------------------------------------------
class Server:
    """`hallq serve` on a loopback port, as its own process."""

    def __init__(self, db: Database, port: int | None = None, workers: int = 1, **settings):
        self.db = db
        self.port = port or free_port()
        env = (
            os.environ
            | {
                "HALLQ_DATABASE_URL": db.url,
                "HALLQ_DATA_DIR": str(db.dir),
                "HALLQ_SECRET": "bench-secret",
                "HALLQ_PUBLIC_URL": f"http://127.0.0.1:{self.port}",
                "HALLQ_LOG_LEVEL": "WARNING",
            }
            | {f"HALLQ_{k.upper()}": str(v) for k, v in settings.items()}
        )
        self.log = open(db.dir / f"server-{self.port}.log", "ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "queue_server.cli",
                "serve",
                "--port",
                str(self.port),
                "--clock",
                CLOCK,
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        self._wait()
        self.profiler = self._profile()

    def _profile(self) -> subprocess.Popen | None:
        """With HALLQ_BENCH_PROFILE=DIR, py-spy samples the server (and its workers) into
        DIR/server-PORT.txt, one collapsed stack a line (flame graph input), until it stops."""
        out = os.environ.get("HALLQ_BENCH_PROFILE")
        if not out:
            return None
        Path(out).mkdir(parents=True, exist_ok=True)
        spy = Path(sys.executable).with_name("py-spy")
        return subprocess.Popen(
            [str(spy), "record", "--pid", str(self.proc.pid), "--subprocesses", "--format", "raw"]
            + ["--rate", "200", "--nonblocking", "--output", str(Path(out) / f"server-{self.port}.txt")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def _wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError((self.db.dir / f"server-{self.port}.log").read_text()[-3000:])
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.5) as s:
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if s.recv(100).startswith(b"HTTP/1.1 200"):
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def pids(self) -> list[int]:
        """The server process and its workers."""
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [self.proc.pid] + [int(p) for p in out.split()]

    def rss_mb(self) -> float:
        """Resident memory of the server (all its processes), in MB."""
        total = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return round(total / 1024, 1)

    def cpu_seconds(self) -> float:
        """CPU time the server (all its processes) has used so far."""
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            except OSError:
                pass
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.profiler is not None:
            self.profiler.wait(30)  # it writes its file when the server has gone
        self.log.close()


# -- a lean HTTP client -------------------------------------------------------------------------
class Http:
    """One keep-alive HTTP/1.1 connection (requests on it are sequential)."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = 0.0

    async def _connect(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(
        self, method: str, path: str, body: dict | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict | list | None]:
        if self.writer is None or time.monotonic() - self.used > 3:  # the server closes idle ones after 5 s
            await self._connect()
        data = json.dumps(body).encode() if body is not None else b""
        head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(data)}"]
        if body is not None:
            head.append("Content-Type: application/json")
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
        status = int((await self.reader.readline()).split()[1])
        length, chunked = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value:
                chunked = True
        payload = await self._chunks() if chunked else await self.reader.readexactly(length)
        self.used = time.monotonic()
        return status, json.loads(payload) if payload else None

    async def _chunks(self) -> bytes:
        out = b""
        while True:
            size = int((await self.reader.readline()).strip(), 16)
            chunk = await self.reader.readexactly(size + 2)
            if size == 0:
                return out
            out += chunk[:-2]

    async def login(self, username: str) -> dict[str, str]:
        status, body = await self.request("POST", "/api/auth/login", {"username": username, "password": PASSWORD})
        assert status == 200, body
        return {"Authorization": f"Bearer {body['token']}"}

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


# -- lean websocket probes ----------------------------------------------------------------------
class Probe(asyncio.Protocol):
    """One websocket client of a hall stream that only records: the seq of every event (gaps and
    duplicates) and, for each `ticket.called`, the ticket number and when it arrived.

    The handshake goes through the `websockets` protocol; after it, the server's frames (never
    masked) are cut by hand, which takes a fraction of the CPU: a thousand probes share the
    machine with the server they measure."""

    def __init__(self, uri: str, token: str, on_called: Callable[[Probe, str, float], None] | None = None):
        self.proto = ClientProtocol(parse_uri(uri))
        self.request = self.proto.connect()
        self.request.headers["Authorization"] = f"Bearer {token}"
        self.on_called = on_called
        self.opened: asyncio.Future = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future = asyncio.get_running_loop().create_future()
        self.last_seq: int | None = None
        self.events = 0
        self.gaps = 0
        self.duplicates = 0
        self.called: dict[str, float] = {}  # ticket number -> perf_counter on arrival
        self.close_code: int | None = None
        self.transport: asyncio.Transport | None = None
        self._open = False
        self._buffer = b""

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.proto.send_request(self.request)
        self._flush()

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        if self._open:
            self._frames(self._buffer + data if self._buffer else data, now)
            return
        # The handshake: websockets checks the response's head; what follows it are frames.
        self._buffer += data
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head, rest, self._buffer = self._buffer[: end + 4], self._buffer[end + 4 :], b""
        self.proto.receive_data(head)
        for ev in self.proto.events_received():
            if isinstance(ev, Response):
                if ev.status_code != 101 or self.proto.handshake_exc is not None:
                    self.opened.set_exception(RuntimeError(f"handshake refused: {ev.status_code}"))
                    return
                self._open = True
                self.opened.set_result(True)
                if rest:
                    self._frames(rest, now)

    def _frames(self, data: bytes, now: float) -> None:
        i, n = 0, len(data)
        while i + 2 <= n:
            opcode, size, head = data[i] & 0x0F, data[i + 1] & 0x7F, 2
            if size == 126:
                if i + 4 > n:
                    break
                size, head = int.from_bytes(data[i + 2 : i + 4], "big"), 4
            elif size == 127:
                if i + 10 > n:
                    break
                size, head = int.from_bytes(data[i + 2 : i + 10], "big"), 10
            if i + head + size > n:
                break
            payload = data[i + head : i + head + size]
            i += head + size
            if opcode == 0x1:
                self._message(payload, now)
            elif opcode == 0x9:  # ping: answer with a (masked) pong
                self.transport.write(Frame(Opcode.PONG, payload).serialize(mask=True, extensions=[]))
            elif opcode == 0x8:
                self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                self.transport.close()
        self._buffer = data[i:]

    def _message(self, data: bytes, now: float) -> None:
        if not data.startswith(b'{"seq":'):
            return  # a snapshot or a heartbeat
        seq = int(data[7 : data.index(b",")])
        if self.last_seq is not None:
            if seq <= self.last_seq:
                self.duplicates += 1
                return
            if seq != self.last_seq + 1:
                self.gaps += seq - self.last_seq - 1
        self.last_seq = seq
        self.events += 1
        if b'"type":"ticket.called"' in data:
            number = json.loads(data)["data"]["number"]
            if number in self.called:
                self.duplicates += 1
            self.called[number] = now
            if self.on_called:
                self.on_called(self, number, now)

    def _flush(self) -> None:
        for chunk in self.proto.data_to_send():
            if chunk:
                self.transport.write(chunk)
            elif self.transport.can_write_eof():
                self.transport.write_eof()

    def connection_lost(self, exc) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed during the handshake"))
        if not self.closed.done():
            self.closed.set_result(self.close_code)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def open_probes(
    port: int, token: str, since: int, n: int, at_once: int = 100, hall: str = "demo", **kw
) -> list[Probe]:
    """n probes of a hall's stream from `since`, connected `at_once` at a time."""
    loop = asyncio.get_running_loop()
    uri = f"ws://127.0.0.1:{port}/ws/halls/{hall}?since={since}"
    probes: list[Probe] = []

    async def one() -> None:
        _, probe = await loop.create_connection(lambda: Probe(uri, token, **kw), "127.0.0.1", port)
        await asyncio.wait_for(probe.opened, 30)
        probes.append(probe)

    for start in range(0, n, at_once):
        await asyncio.gather(*(one() for _ in range(min(at_once, n - start))))
    return probes


async def last_seq(http: Http) -> int:
    status, board = await http.request("GET", "/api/halls/demo/board")
    assert status == 200, board
    return board["seq"]


# -- probes in their own processes --------------------------------------------------------------
def _probe_process(port: int, token: str, since: int, n: int, conn) -> None:
    raise_fd_limit()

    async def main() -> None:
        probes = await open_probes(port, token, since, n)
        conn.send(len(probes))
        cpu = time.process_time()
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "stop"
        cpu = time.process_time() - cpu
        conn.send(
            [
                {
                    "port": port,
                    "called": p.called,
                    "last_seq": p.last_seq,
                    "gaps": p.gaps,
                    "duplicates": p.duplicates,
                    "events": p.events,
                    "dropped": p.closed.done(),
                    "cpu": cpu / len(probes),
                }
                for p in probes
            ]
        )
        for p in probes:
            p.close()

    try:
        import uvloop  # as the server does: readiness callbacks in C, not Python

        uvloop.run(main())
    except ImportError:
        asyncio.run(main())


class ProbeProcesses:
    """Probes spread over client processes: (port, count) per process; all connect from `since`."""

    def __init__(self, token: str, since: int, spread: list[tuple[int, int]]):
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        self.pipes, self.procs = [], []
        for port, n in spread:
            mine, theirs = ctx.Pipe()
            proc = ctx.Process(target=_probe_process, args=(port, token, since, n, theirs), daemon=True)
            proc.start()
            self.pipes.append(mine)
            self.procs.append(proc)
        self.connected = sum(pipe.recv() for pipe in self.pipes)  # waits until every probe is open

    def results(self) -> list[dict]:
        """Stops the probes; what each one recorded."""
        for pipe in self.pipes:
            pipe.send("stop")
        out = [r for pipe in self.pipes for r in pipe.recv()]
        for proc in self.procs:
            proc.join(10)
        return out


def fanout_figures(results: list[dict], calls: list[tuple[str, float, int]], last: int) -> dict:
    """Latency from each call-next request to each probe's `ticket.called`, with misses and duplicates.

    `calls` holds (ticket number, perf_counter when the request was sent, port it was sent to)."""
    same, cross, missed = [], [], 0
    for r in results:
        for number, sent, port in calls:
            got = r["called"].get(number)
            if got is None:
                missed += 1
            else:
                (same if r["port"] == port else cross).append(got - sent)
    return {
        "latency": percentiles(same + cross),
        "cross_process_latency": percentiles(cross) if cross else None,
        "missed": missed,
        "duplicated": sum(r["duplicates"] for r in results),
        "gaps": sum(r["gaps"] for r in results),
        "behind_at_end": sum(1 for r in results if r["last_seq"] != last),
        "dropped": sum(1 for r in results if r["dropped"]),
        "clients_cpu_ms_per_call": round(sum(r["cpu"] for r in results) * 1000 / max(1, len(calls)), 1),
    }

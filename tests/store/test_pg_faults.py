"""PostgreSQL sessions terminated under load (`pg_terminate_backend`, as a restart or a failover
does): reads see one snapshot, a lost connection is retried where that is safe and answered 503
`storage_unavailable` where it is not; never a 500."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import httpx
from sqlalchemy import create_engine, text

from queue_server.halls import DEMO, read_hall
from tests.conftest import need
from tests.support import live

SECONDS = 12
WINDOWS = (1, 2, 3, 4)


def test_terminated_sessions_give_no_server_error(server_factory):
    need(live.postgres_available(), f"PostgreSQL is not reachable at {live.PG_ADMIN_URL}")
    url = live.create_pg_database()
    try:
        run(server_factory(url), url.rsplit("/", 1)[1])
    finally:
        live.drop_pg_database(url)


def run(srv, dbname: str) -> None:
    hall = read_hall(DEMO)
    services = sorted({s for w in hall.windows if w.number in WINDOWS for s in w.services})
    clerks = {w: srv.login(f"clerk{i}") for i, w in enumerate(WINDOWS, 1)}
    manager = srv.login("manager1")
    kiosk = {"Authorization": f"Bearer {srv.tokens['kiosk']}"}
    for w, h in clerks.items():
        assert httpx.post(f"{srv.url}/api/halls/demo/windows/{w}/open", headers=h).status_code == 200
    statuses: Counter = Counter()
    bad: list[str] = []
    stop = time.monotonic() + SECONDS

    def record(r: httpx.Response) -> None:
        statuses[r.status_code] += 1
        if r.status_code >= 500 and (r.status_code != 503 or r.json().get("code") != "storage_unavailable"):
            bad.append(f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text[:300]}")

    def kiosk_loop(i: int) -> None:
        with httpx.Client(base_url=srv.url, timeout=30) as c:
            while time.monotonic() < stop:
                key = uuid.uuid4().hex
                for _ in range(5):  # as the kiosk does: the same key until it has an answer
                    r = c.post(
                        "/api/halls/demo/tickets",
                        json={"services": [services[i % len(services)]]},
                        headers=kiosk | {"Idempotency-Key": key},
                    )
                    record(r)
                    if r.status_code != 503:
                        break

    def window_loop(w: int) -> None:
        with httpx.Client(base_url=srv.url, timeout=30) as c:
            while time.monotonic() < stop:
                if c.post(f"/api/halls/demo/windows/{w}/call-next", headers=clerks[w]).status_code == 200:
                    record(c.post(f"/api/halls/demo/windows/{w}/finish", json={"result": "done"}, headers=clerks[w]))

    def reader_loop(w: int) -> None:
        with httpx.Client(base_url=srv.url, timeout=30) as c:
            while time.monotonic() < stop:
                record(c.get(f"/api/halls/demo/windows/{w}", headers=manager))
                record(c.get("/api/halls/demo/board"))

    killed = 0

    def terminator() -> None:
        nonlocal killed
        engine = create_engine(
            live.PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
        )
        with engine.connect() as conn:
            while time.monotonic() < stop - 2:
                time.sleep(0.4)
                killed += len(
                    conn.execute(
                        text(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = :db AND pid <> pg_backend_pid()"
                        ),
                        {"db": dbname},
                    ).all()
                )
        engine.dispose()

    threads = (
        [threading.Thread(target=kiosk_loop, args=(i,)) for i in range(4)]
        + [threading.Thread(target=window_loop, args=(w,)) for w in WINDOWS]
        + [threading.Thread(target=reader_loop, args=(w,)) for w in WINDOWS]
        + [threading.Thread(target=terminator)]
    )
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert killed > 10, f"only {killed} sessions terminated"
    assert not bad, "\n".join(bad[:20]) + f"\n{statuses}"
    assert statuses[200] + statuses[201] > 100, statuses
    log = srv.log_path.read_text()
    assert "unexpected error" not in log, log[-4000:]
    with httpx.Client(base_url=srv.url, timeout=30) as c:  # and afterwards all is well
        assert c.post("/api/halls/demo/tickets", json={"services": [services[0]]}, headers=kiosk).status_code == 201
        assert c.get(f"/api/halls/demo/windows/{WINDOWS[0]}", headers=manager).status_code == 200

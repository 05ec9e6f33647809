"""The alert engine looks only at the halls that changed, and runs in one process of a deployment:
the one holding its lease, which learns of the other processes' changes from their notifications;
another process takes over when it stops."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import text

from queue_server.domain.events import HallNotice
from queue_server.domain.hall import Hall
from queue_server.halls import DEMO, read_hall
from queue_server.store.db import make_engine
from queue_server.store.store import Store
from queue_server.supervision.engine import ALERTS_LOCK, AlertEngine
from queue_server.supervision.source import Tracker
from queue_server.usecases import halls
from queue_server.usecases.principal import SYSTEM
from tests.supervision.conftest import Api, prepare
from tests.support import live


def test_only_the_halls_that_changed_are_looked_at(tmp_path):
    store = Store(make_engine(f"sqlite:///{tmp_path / 'hallq.db'}"))
    store.migrate()
    demo = read_hall(DEMO).model_dump(mode="json")
    for i in range(3):
        halls.load_hall(store, Hall.model_validate(demo | {"id": f"hall{i}", "name": f"大厅{i}"}))
    engine = AlertEngine(store, Tracker())
    looked: list[str] = []
    check = engine.check
    engine.check = lambda hall: (looked.append(hall), check(hall))[1]  # type: ignore[method-assign]

    async def until(done, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < deadline
            await asyncio.sleep(0.02)

    async def scenario() -> None:
        engine.start()
        await until(lambda: len(looked) == 3)  # at first, every hall
        looked.clear()
        await asyncio.sleep(0.5)
        assert looked == []  # nothing changed
        with store.write("hall1") as tx:
            tx.emit(HallNotice(notice="系统维护", live=True), SYSTEM)
        await until(lambda: looked)
        await asyncio.sleep(0.5)
        assert looked == ["hall1"]
        await engine.stop()

    try:
        asyncio.run(scenario())
    finally:
        store.close()


def holders(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        with engine.connect() as c:
            return c.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND ((classid::bigint << 32) | objid::bigint) = :k"
                ),
                {"k": ALERTS_LOCK},
            ).scalar_one()
    finally:
        engine.dispose()


def test_one_process_raises_the_alerts_of_changes_made_on_another_and_one_takes_over(pg_url, tmp_path):
    tokens = prepare(pg_url)
    first = live.LiveServer(db_url=pg_url, data_dir=tmp_path).start()
    second = live.LiveServer(db_url=pg_url, data_dir=tmp_path).start()
    on_second = Api(second, tokens)
    try:
        assert holders(pg_url) == 1
        # The first server holds the lease (it started first); the printer reports to the second.
        on_second.device("kiosk-1.printer", "paper_out", "缺纸")
        t0 = time.monotonic()
        while not on_second.alerts("device_trouble"):
            assert time.monotonic() - t0 < 3, "no alert of a change made on the other process"
            time.sleep(0.05)
        first.stop()
        on_second.device("kiosk-2.printer", "paper_out", "缺纸")
        t0 = time.monotonic()
        while len(on_second.alerts("device_trouble")) < 2:
            assert time.monotonic() - t0 < 8, "nobody took the alerts over"
            time.sleep(0.05)
        time.sleep(1)
        raised = [e["data"]["key"] for e in on_second.alerts("device_trouble")]
        assert raised == ["device:kiosk-1.printer", "device:kiosk-2.printer"]  # each once
        assert holders(pg_url) == 1
    finally:
        on_second.http.close()
        second.stop()
        first.stop()

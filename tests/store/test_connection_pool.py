"""A server process opens no more PostgreSQL connections than its settings allow, however many
requests arrive at once; those beyond the pool wait their turn and are all answered."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import create_engine, text

from tests.support import live


def connections_to(db_url: str) -> int:
    engine = create_engine(live.PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as c:
            name = db_url.rsplit("/", 1)[1]
            return c.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = :n"), {"n": name}).scalar_one()
    finally:
        engine.dispose()


def test_a_burst_of_requests_stays_within_the_pool(server_factory, pg_url):
    srv = server_factory(pg_url, settings={"HALLQ_DB_POOL_SIZE": "2", "HALLQ_DB_MAX_OVERFLOW": "1"})
    kiosk = {"Authorization": f"Bearer {srv.tokens['kiosk']}"}
    most = 0

    async def burst() -> list[int]:
        nonlocal most
        async with httpx.AsyncClient(base_url=srv.url, timeout=60) as c:

            async def one(i: int) -> int:
                if i % 2:
                    r = await c.post("/api/halls/demo/tickets", json={"services": ["tax-general"]}, headers=kiosk)
                else:
                    r = await c.get("/api/halls/demo/services", headers=kiosk)
                return r.status_code

            tasks = [asyncio.create_task(one(i)) for i in range(60)]
            while not all(t.done() for t in tasks):
                most = max(most, await asyncio.to_thread(connections_to, pg_url))
                await asyncio.sleep(0.05)
            return [t.result() for t in tasks]

    codes = asyncio.run(burst())
    assert codes.count(201) == 30 and codes.count(200) == 30, codes
    # 3 for requests, 3 for the live stream; the count above sees its own connection too.
    assert 1 < most <= 3 + 3 + 1, most

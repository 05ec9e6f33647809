"""The FastAPI application: routers, error shape, migrations on start, the day-boundary sweep."""
from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.staticfiles import StaticFiles

from ..clock import Clock
from ..settings import Settings
from ..store.db import make_engine
from ..store.store import Store
from ..usecases.followup import expire_past_days
from . import announcements, auth, counter, errors, kiosk, pages, public, reports, stream, supervision

log = logging.getLogger(__name__)
DISPLAYS = Path(__file__).resolve().parents[2] / "displays"
SWEEP_SECONDS = 60


async def _sweep(store: Store) -> None:
    while True:
        for hall in await run_in_threadpool(store.hall_ids):
            try:
                n = await run_in_threadpool(expire_past_days, store, hall)
                if n:
                    log.info("hall %s: %d tickets of earlier days expired", hall, n)
            except Exception:  # noqa: BLE001 - the sweep must outlive one bad pass
                log.exception("expiry sweep failed for hall %s", hall)
        await asyncio.sleep(SWEEP_SECONDS)


def create_app(settings: Settings, clock: Clock | None = None, store: Store | None = None) -> FastAPI:
    store = store or Store(make_engine(settings.resolved_database_url()), clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await run_in_threadpool(store.migrate)
        await stream.start(app)  # the live event hub, before the first request can write
        sweeper = asyncio.create_task(_sweep(store))
        try:
            yield
        finally:
            sweeper.cancel()
            # Changes already handed to the writer commit, and their events still go out live.
            await run_in_threadpool(store.writer.shutdown)
            await stream.stop(app)
            store.engine.dispose()

    app = FastAPI(title="hallq", version="0.1.0", lifespan=lifespan,
                  description="Queue-calling system for government service halls (政务服务中心排队叫号).")
    app.state.store = store
    app.state.settings = settings
    errors.install(app)
    for module in (auth, kiosk, counter, public, supervision, reports, stream, announcements, pages):
        app.include_router(module.router)

    @app.get("/api/halls")
    def halls() -> list[str]:
        return store.hall_ids()

    @app.get("/healthz")
    def health() -> dict:
        return {"ok": True, "now": store.clock.now().isoformat()}

    if DISPLAYS.is_dir():
        app.mount("/", StaticFiles(directory=DISPLAYS, html=True), name="displays")
    return app

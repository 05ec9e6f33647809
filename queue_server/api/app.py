"""The FastAPI application: routers, error shape, migrations on start, the day-boundary sweep."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from ..clock import Clock
from ..notifier import Notifier
from ..settings import Settings
from ..store.db import make_engine
from ..store.store import Store
from ..supervision.engine import AlertEngine
from ..tts import HallVoice
from ..usecases import phone as phone_tickets
from ..usecases.followup import expire_past_days
from ..usecases.windows import end_overdue_holds
from . import (
    announcements,
    auth,
    board,
    city,
    docs,
    errors,
    kiosk,
    pages,
    phone,
    public,
    shipping,
    staff,
    stream,
    supervision,
)
from .guards import BodyLimit, SecurityHeaders, WebsocketQuota
from .schemas import Error
from .storage_faults import StorageFaults

log = logging.getLogger(__name__)
SWEEP_SECONDS = 60
# What any route may answer besides its own (guards.py, storage_faults.py).
ANY_ROUTE: dict[int | str, dict[str, Any]] = {
    400: {"model": Error, "description": "a body that cannot be parsed"},
    408: {"model": Error, "description": "the body did not arrive in time (body_too_slow)"},
    413: {"model": Error, "description": "the body is over the limit (body_too_large)"},
    503: {
        "model": Error,
        "description": "the database is unavailable (storage_unavailable) or its disk is full "
        "(storage_full): try again",
    },
}


async def _sweep(store: Store) -> None:
    while True:
        for hall in await run_in_threadpool(store.local_hall_ids):
            try:
                n = await run_in_threadpool(expire_past_days, store, hall)
                if n:
                    log.info("hall %s: %d tickets of earlier days expired", hall, n)
                n = await run_in_threadpool(end_overdue_holds, store, hall)
                if n:
                    log.info("hall %s: %d holds ran past the limit", hall, n)
                n = await run_in_threadpool(phone_tickets.lapse_overdue, store, hall)
                if n:
                    log.info("hall %s: %d places taken from outside lapsed unchecked", hall, n)
            except Exception:  # noqa: BLE001 - the sweep must outlive one bad pass
                log.exception("expiry sweep failed for hall %s", hall)
        await asyncio.sleep(SWEEP_SECONDS)


def create_app(settings: Settings, clock: Clock | None = None, store: Store | None = None) -> FastAPI:
    store = store or Store(
        make_engine(settings.resolved_database_url(), settings.db_pool_size, settings.db_max_overflow), clock
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        """Every background loop of the server starts and stops here."""
        await run_in_threadpool(store.migrate)
        await run_in_threadpool(store.health.keep_reserve, settings.storage_reserve_bytes)
        await stream.start(app)  # the live event hub, before the first request can write
        sweeper = asyncio.create_task(_sweep(store))
        alerts = app.state.alert_engine = AlertEngine(store, supervision.tracker_of(app), app.state.hub)
        alerts.start()
        await app.state.notifier.start()
        try:
            yield
        finally:
            await app.state.notifier.stop()
            await alerts.stop()
            sweeper.cancel()
            # Changes already handed to the writer commit, and their events still go out live.
            await run_in_threadpool(store.writer.shutdown)
            await stream.stop(app)
            await run_in_threadpool(store.close)

    app = FastAPI(
        title="hallq",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        description="Queue-calling system for government service halls (政务服务中心排队叫号).",
    )
    app.state.store = store
    app.state.settings = settings
    app.state.voice = HallVoice(settings)
    app.state.notifier = Notifier(store, settings)
    errors.install(app)
    # Outermost last: headers on every answer, the body bounded before a retry buffers it.
    app.add_middleware(StorageFaults, store=store)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, timeout=settings.body_timeout_seconds)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(WebsocketQuota, per_address=settings.ws_per_address)
    for module in (auth, kiosk, phone, staff, public, board, supervision, city, shipping, stream, announcements, pages):
        app.include_router(module.router, responses=ANY_ROUTE)

    @app.get("/api/halls", responses=ANY_ROUTE)
    def halls() -> list[str]:
        return store.hall_ids()

    @app.get("/healthz", responses=ANY_ROUTE)
    def health() -> dict:
        return {"ok": True, "now": store.clock.now().isoformat()}

    docs.install(app)
    # The pages are what no route matched: a path that a route serves with another method
    # stays that route's 405 (with its Allow), not the files' GET-only answer.
    app.router.default = pages.Pages(directory=pages.DISPLAYS, html=True)
    return app

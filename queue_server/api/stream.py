"""Live websockets: a hall's event stream (displays, consoles, kiosks) and one ticket's updates
(a citizen's phone).

`WS /ws/halls/{hall}?since=<seq>&topics=<t1,t2>`
    The token goes in the handshake, never in the address (addresses end up in logs):
    `Authorization: Bearer <token>`, or, from a browser (which cannot set headers on a
    WebSocket), the subprotocols `hallq, bearer.<token>`; the server then answers `hallq`.
    Server -> client, one JSON text per message:
    - an event `{seq, hall, type, ts, actor, data}`: every event after `since`, then live ones,
      in seq order, exactly once (with `topics`, only events of those types or type prefixes);
    - `{type: "snapshot", hall, seq, board}` first, when `since` is missing or more than
      `snapshot_after` events behind; the events after the snapshot's `seq` follow;
    - `{type: "ping", hall, seq}` when the stream was idle for a while; every event up to `seq`
      that the client asked for has been sent, so `seq` is a safe place to resume from;
    - `{type: "pong"}` in answer to a client's `{"type": "ping"}`;
    - `{type: "error", code, message, message_en}` just before a refusal.
    Close codes: 4400 bad request, 4401 no valid token, 4403 not allowed, 4404 no such hall
    (do not retry); 4008 the client fell too far behind (reconnect with `since`); 1012 restart;
    4429 too many connections (from this address, or following this ticket): retry later.
`WS /ws/tickets/{token}`
    `{type: "ticket", seq, ticket}` on connect and whenever the ticket's state, position, ETA or
    window changed. No sign-in: the ticket's token is the secret, as for GET /api/tickets/{token}.
`WS /ws/city`
    A supervisor's halls together: `{type: "city", now, halls, alerts}` (GET /api/city's shape) on
    connect, after events in any of them (a burst makes one message), and every `CITY_REFRESH`
    seconds without (the waits grow with the clock, and halls loaded since join). Token as for the
    hall stream.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request, WebSocket
from fastapi.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect

from ..domain.errors import DomainError
from ..errors import NotFound
from ..events.fastsend import raw_writer
from ..events.hub import Channel, Hub, dumps
from ..events.log import EventLog
from ..events.pg_listener import libpq_url, listener
from ..events.watch import TicketWatch, TooManyFollowers
from ..settings import Settings
from ..store.db import is_sqlite
from ..store.store import Store
from ..supervision import city
from ..usecases import queries
from ..usecases.accounts import principal
from ..usecases.principal import NOT_SUPERVISOR
from ..usecases.queue_view import QueueView
from ..usecases.views import citizen_view
from .deps import Watcher
from .guards import CLOSE_BUSY
from .kiosk import with_status_url
from .schemas import Error, HallId
from .supervision import tracker_of

log = logging.getLogger(__name__)
router = APIRouter()

STREAM_DEVICES = ("display", "kiosk", "guide", "rating", "window", "shipper")
CLOSE_SLOW = 4008
PONG = dumps({"type": "pong"})


# -- lifecycle (called from the app's lifespan) ------------------------------------------------
async def start(app: FastAPI) -> None:
    store: Store = app.state.store
    settings: Settings = app.state.settings
    events = EventLog(store)
    hub = Hub(
        events,
        partial(queries.board, events.store),
        buffer=settings.ws_client_buffer,
        snapshot_after=settings.snapshot_after,
        ring=settings.ws_replay_cache,
        heartbeat=settings.ws_heartbeat_seconds,
        poll=settings.event_poll_seconds,
    )
    await hub.start(None if is_sqlite(store.engine) else listener(libpq_url(store.engine.url)))
    if hasattr(store.sink, "subscribe"):  # the LocalBus; another sink must feed hub.publish itself
        store.sink.subscribe(hub.publish)
    watch = TicketWatch(hub, partial(ticket_views, events.store, settings.public_url))
    watch.start()
    app.state.hub, app.state.ticket_watch = hub, watch


async def stop(app: FastAPI) -> None:
    hub: Hub | None = getattr(app.state, "hub", None)
    if hub is None:
        return
    if hasattr(app.state.store.sink, "unsubscribe"):
        app.state.store.sink.unsubscribe(hub.publish)
    await app.state.ticket_watch.stop()
    await hub.stop()


def ticket_views(store: Store, public_url: str, hall_id: str, ids: list[int]) -> dict[int, dict]:
    """The views of several tickets of one hall, on one queue view (what GET /api/tickets/{token} shows)."""
    with store.read(hall_id) as r:
        found = {tid: tk for tid in ids if (tk := r.ticket(tid)) is not None}
        queue = QueueView.load(r, store.clock.now())
        extra = {"hall": hall_id, "hall_name": r.hall.name}
        return {tid: with_status_url(citizen_view(tk, r.hall, queue) | extra, public_url) for tid, tk in found.items()}


# -- helpers ------------------------------------------------------------------------------------
async def _refuse(ws: WebSocket, close: int, code: str, message: str, message_en: str) -> None:
    try:
        await ws.send_text(dumps({"type": "error", "code": code, "message": message, "message_en": message_en}))
        await ws.close(close, code)
    except (WebSocketDisconnect, RuntimeError):
        pass


def _parse_query(ws: WebSocket) -> tuple[int | None, tuple[str, ...] | None]:
    raw = ws.query_params.get("since")
    since = None
    if raw not in (None, ""):
        since = int(raw)  # ValueError: refused by the caller
        if since < 0:
            raise ValueError("since < 0")
    raw_topics = ws.query_params.get("topics")
    topics = tuple(t.strip() for t in raw_topics.split(",") if t.strip()) if raw_topics else None
    return since, topics or None


SUBPROTOCOL = "hallq"
BEARER_PROTOCOL = "bearer."


def handshake_token(ws: WebSocket) -> str:
    """The token a websocket client gave in its handshake (see the module's docstring), or ''."""
    scheme, _, value = (ws.headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    for offered in ws.scope.get("subprotocols") or ():
        if offered.startswith(BEARER_PROTOCOL):
            return offered[len(BEARER_PROTOCOL) :]
    return ""


def chosen_subprotocol(ws: WebSocket) -> str | None:
    return SUBPROTOCOL if SUBPROTOCOL in (ws.scope.get("subprotocols") or ()) else None


async def _receive(ws: WebSocket) -> None:
    """Reads what the client sends until it leaves; answers its pings."""
    while True:
        msg = await ws.receive()
        if msg["type"] == "websocket.disconnect":
            return
        if "ping" in (msg.get("text") or ""):
            await ws.send_text(PONG)


async def _run_until_first(*coros) -> None:
    tasks = [asyncio.ensure_future(c) for c in coros]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for t in done:
        exc = t.exception()
        if exc is not None and not isinstance(exc, (WebSocketDisconnect, RuntimeError, OSError)):
            log.warning("stream ended with %r", exc)


# -- the hall stream ------------------------------------------------------------------------------
@router.websocket("/ws/halls/{hall}")
async def hall_stream(ws: WebSocket, hall: str) -> None:
    await ws.accept(subprotocol=chosen_subprotocol(ws))
    try:
        since, topics = _parse_query(ws)
    except ValueError:
        return await _refuse(ws, 4400, "bad_since", "since 须为非负整数", "since must be a whole number >= 0")
    store: Store = ws.app.state.store
    token = handshake_token(ws)
    who = await run_in_threadpool(principal, store, token) if 0 < len(token) <= 128 else None
    if who is None:
        return await _refuse(
            ws,
            4401,
            "unauthorized",
            "需要设备或用户令牌",
            "a device or user token is required (Authorization: Bearer, or the bearer.<token> subprotocol)",
        )
    if not who.is_user and who.kind not in STREAM_DEVICES:
        return await _refuse(ws, 4403, "forbidden", "无权接收此大厅的事件", "not allowed for this account")
    if not who.may_act_in(hall):
        return await _refuse(ws, 4403, "other_hall", "无权查看其他大厅", "this account belongs to another hall")
    hub: Hub = ws.app.state.hub
    try:
        sub = await hub.subscribe(hall, since, topics)
    except NotFound as e:
        return await _refuse(ws, 4404, e.code, e.message, e.message_en)
    try:
        await _run_until_first(sub.run(ws.send_text, raw_writer(ws)), _receive(ws))
    finally:
        sub.close()
    if sub.sub.reason == "slow":
        try:  # the transport may be full: do not wait for long, the keepalive closes it anyway
            await asyncio.wait_for(ws.close(CLOSE_SLOW, "too slow: reconnect with since"), 2)
        except (TimeoutError, WebSocketDisconnect, RuntimeError, OSError):
            pass


def _hub(request: Request) -> Hub:
    return request.app.state.hub


@router.get("/api/halls/{hall}/stream", responses={401: {"model": Error}, 403: {"model": Error}})
async def stream_status(hall: HallId, who: Watcher, hub: Annotated[Hub, Depends(_hub)]) -> dict:
    """This server process's stream: its clients, the last seq it delivered, clients dropped."""
    return hub.status(hall)


# -- one ticket -----------------------------------------------------------------------------------
@router.websocket("/ws/tickets/{token}")
async def ticket_stream(ws: WebSocket, token: str) -> None:
    await ws.accept()
    store: Store = ws.app.state.store
    found = await run_in_threadpool(store.locate_ticket, token) if 8 <= len(token) <= 64 else None
    if found is None:
        return await _refuse(ws, 4404, "ticket_not_found", "没有这张票", "no such ticket")
    hall, ticket_id = found
    watch: TicketWatch = ws.app.state.ticket_watch
    settings: Settings = ws.app.state.settings
    try:
        follower = await watch.follow(hall, ticket_id, settings.ws_followers_per_ticket)
    except TooManyFollowers:
        return await _refuse(
            ws, CLOSE_BUSY, "too_many_followers", "关注此票的设备过多", "too many devices follow this ticket"
        )
    except DomainError as e:
        return await _refuse(ws, 4404, e.code, e.message, e.message_en)

    async def send() -> None:
        while True:
            try:
                await asyncio.wait_for(follower.changed.wait(), settings.ws_heartbeat_seconds)
            except TimeoutError:
                await ws.send_text(dumps({"type": "ping", "seq": follower.seq}))
                continue
            follower.changed.clear()
            await ws.send_text(dumps({"type": "ticket", "seq": follower.seq, "ticket": follower.view}))

    try:
        await _run_until_first(send(), _receive(ws))
    finally:
        watch.unfollow(hall, follower)


# -- a supervisor's halls -------------------------------------------------------------------------
CITY_REFRESH = 30.0
CITY_COALESCE = 0.5  # events within this of the first make one update


@router.websocket("/ws/city")
async def city_stream(ws: WebSocket) -> None:
    await ws.accept(subprotocol=chosen_subprotocol(ws))
    store: Store = ws.app.state.store
    token = handshake_token(ws)
    who = await run_in_threadpool(principal, store, token) if 0 < len(token) <= 128 else None
    if who is None:
        return await _refuse(ws, 4401, "unauthorized", "请先登录", "sign in first")
    if not who.sees_halls_together:
        return await _refuse(ws, 4403, *NOT_SUPERVISOR)
    hub: Hub = ws.app.state.hub
    changed = asyncio.Event()
    channels: dict[str, Channel] = {}

    def listen(_event) -> None:
        changed.set()

    async def send() -> None:
        tracker = tracker_of(ws.app)
        while True:
            # Read again each time: a hall loaded since is followed from its first update on.
            hall_ids = who.overseen(await run_in_threadpool(store.hall_ids))
            for h in hall_ids:
                if h not in channels:
                    channels[h] = await hub.channel(h)
                    channels[h].listeners.append(listen)
            view = await run_in_threadpool(city.overview, store, tracker, hall_ids)
            await ws.send_text(dumps({"type": "city"} | view))
            try:
                await asyncio.wait_for(changed.wait(), CITY_REFRESH)
                await asyncio.sleep(CITY_COALESCE)
            except TimeoutError:
                pass
            changed.clear()

    try:
        await _run_until_first(send(), _receive(ws))
    finally:
        for ch in channels.values():
            ch.listeners.remove(listen)

"""What a request meets when the database fails under it: a lost connection or a full disk.

A lost connection (PostgreSQL restarted, the session terminated) is retried once on a fresh one when
the request is safe to repeat: a read, or a change sent with an `Idempotency-Key` (a repeat returns
what the first attempt committed, if it did). Otherwise, and on a full disk, the answer is 503 with a
code the kiosk knows to retry (`storage_unavailable`, `storage_full`): never a 500 and a traceback."""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..store.health import is_connection_lost, is_disk_full
from ..store.store import Store
from .errors import error_response

log = logging.getLogger(__name__)
SAFE_METHODS = ("GET", "HEAD")


def _repeatable(scope: Scope) -> bool:
    return scope["method"] in SAFE_METHODS or any(name == b"idempotency-key" for name, _ in scope["headers"])


class StorageFaults:
    def __init__(self, app: ASGIApp, store: Store):
        self.app, self.store = app, store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False
        body: list[Message] = []  # what the first attempt read, for the second (bounded: BodyLimit)

        async def recording_receive() -> Message:
            message = await receive()
            body.append(message)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        for attempt in (1, 2):
            try:
                return await self.app(
                    scope, recording_receive if attempt == 1 else _replay(body, receive), watching_send
                )
            except Exception as exc:
                if started:
                    raise
                if is_disk_full(exc):
                    self.store.health.full(exc)
                    return await error_response(
                        503,
                        "storage_full",
                        "存储空间已满，暂时无法办理，请稍候或联系管理员",
                        "the server's storage is full: try again later",
                    )(scope, receive, send)
                if not is_connection_lost(exc):
                    raise
                if attempt == 1 and _repeatable(scope):
                    log.warning("database connection lost during %s %s: trying again", scope["method"], scope["path"])
                    continue
                log.warning(
                    "database connection lost during %s %s: answered 503 (%s)",
                    scope["method"],
                    scope["path"],
                    str(exc).splitlines()[0],
                )
                return await error_response(
                    503,
                    "storage_unavailable",
                    "数据库暂时无法访问，请稍后重试",
                    "the database is unavailable for a moment: try again",
                )(scope, receive, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay

"""ASGI middleware every HTTP request passes: the bound on request bodies and the security headers.

Both sit in front of the routers, so no route can forget them and none needs its own."""

from __future__ import annotations

import asyncio

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import error_response

# The pages load nothing from elsewhere and run no inline code; the ticket audio is played from a
# blob: URL; nothing may frame the console or the dashboard (clickjacking).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeaders:
    """Adds the headers above to every HTTP response that has not set its own (the ticket page
    sends a stricter Referrer-Policy)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int):
        super().__init__(413, f"request body too large (at most {limit // 1024} KB)")


class BodyTooSlow(HTTPException):
    def __init__(self, seconds: float):
        super().__init__(408, f"request body not received within {seconds:g} s")


def _too_large(limit: int):
    response = error_response(
        413,
        "body_too_large",
        f"请求内容过大（上限 {limit // 1024} KB）",
        f"request body too large (at most {limit // 1024} KB)",
    )
    response.headers["Connection"] = "close"  # the rest of the body is not worth reading
    return response


class BodyLimit:
    """Refuses a body over `max_bytes`: by its Content-Length before anything is read, and by
    counting the chunks of one sent without it; a body still arriving after `timeout` seconds is
    refused too, so a client cannot hold a request open by trickling it."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float):
        self.app, self.max_bytes, self.timeout = app, max_bytes, timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit() or int(value) > self.max_bytes:
                    return await _too_large(self.max_bytes)(scope, receive, send)
                break
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        received = 0
        complete = False

        async def limited_receive() -> Message:
            nonlocal received, complete
            if complete:  # after the body: waiting for the client to go away, no deadline
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise BodyTooSlow(self.timeout) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
                complete = not message.get("more_body", False)
            return message

        await self.app(scope, limited_receive, send)


CLOSE_BUSY = 4429  # "too many": retry later (also the ticket stream's per-ticket refusal)


class WebsocketQuota:
    """At most `per_address` open websockets from one client address: one machine cannot hold the
    server's connections (and its fan-out work) for the hall's boards and phones."""

    def __init__(self, app: ASGIApp, per_address: int):
        self.app, self.per_address = app, per_address
        self.open: dict[str, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            return await self.app(scope, receive, send)
        address = (scope.get("client") or ("?", 0))[0]
        if self.open.get(address, 0) >= self.per_address:
            # Accepted only to be closed with a code the client can act on (a refused handshake
            # would be a bare 403).
            if (await receive())["type"] == "websocket.connect":
                await send({"type": "websocket.accept"})
                await send({"type": "websocket.close", "code": CLOSE_BUSY, "reason": "too many connections"})
            return
        self.open[address] = self.open.get(address, 0) + 1
        try:
            await self.app(scope, receive, send)
        finally:
            left = self.open[address] - 1
            if left:
                self.open[address] = left
            else:
                del self.open[address]

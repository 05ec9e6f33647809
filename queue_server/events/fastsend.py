"""One websocket frame for every client: the stream's hot path below ASGI.

Through ASGI, each message to each client travels Starlette, uvicorn and the websockets protocol,
which builds the same frame again for every client. For the stream (one event to thousands of
screens) the hub builds the frame once and, when the server is uvicorn's websockets-sansio
protocol and the connection takes it at once, writes it to the connection's transport itself.
Whenever that is not possible (another server, a full socket, a closing connection) the caller
falls back to the ordinary ASGI send, which keeps order and flow control."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

RawWrite = Callable[[bytes], bool]


def text_frame(text: str) -> bytes:
    """A final, unmasked text frame (what a server sends) carrying `text`."""
    data = text.encode()
    n = len(data)
    if n < 126:
        head = bytes((0x81, n))
    elif n < 65536:
        head = bytes((0x81, 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x81, 127)) + n.to_bytes(8, "big")
    return head + data


def _protocol_class() -> type | None:
    try:
        from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
    except ImportError:  # pragma: no cover - another server or uvicorn version
        return None
    return WebSocketsSansIOProtocol


def _find_protocol(send: Any, cls: type, depth: int = 4) -> Any:
    """The uvicorn protocol behind an ASGI send, through the wrappers Starlette puts around it."""
    owner = getattr(send, "__self__", None)
    if isinstance(owner, cls):
        return owner
    if depth == 0:
        return None
    for cell in getattr(send, "__closure__", None) or ():
        try:
            inner = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if callable(inner):
            found = _find_protocol(inner, cls, depth - 1)
            if found is not None:
                return found
    return None


def raw_writer(websocket: Any) -> RawWrite | None:
    """A function writing a prebuilt frame to this connection; it returns False when it cannot
    now (the caller sends through ASGI instead). None when this is not a server it knows."""
    cls = _protocol_class()
    proto = _find_protocol(getattr(websocket, "_send", None), cls) if cls else None
    if proto is None or not all(hasattr(proto, a) for a in ("transport", "writable", "close_sent", "disconnected")):
        return None
    transport = proto.transport
    writable = proto.writable

    def write(frame: bytes) -> bool:
        if proto.close_sent or proto.disconnected or not writable.is_set() or transport.is_closing():
            return False
        transport.write(frame)
        return True

    return write

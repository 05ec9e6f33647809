"""Starting the server: uvicorn on a socket bound here, in one process or as several workers.

The connection guards it runs with (file limit, connection bound, header timeout) are in serving.py."""

from __future__ import annotations

import os
import socket
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .clock import Clock, OffsetClock
from .logging_setup import setup_from
from .settings import get_settings
from .store.private import keep_private

if TYPE_CHECKING:
    from fastapi import FastAPI

_WORKER_CLOCK = "HALLQ_WORKER_CLOCK"  # "<iso moment>|<unix time>": the hall clock each worker starts from


def run(host: str, port: int, clock: Clock, workers: int = 1) -> bool:
    """Serves until stopped; False when the server did not start (the reason is logged). The caller
    has migrated the database and checked the secret (several workers must not migrate at once)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from .serving import uvicorn_options

    settings = get_settings()
    settings.secret_key()  # raises MissingSecret where there is none to share
    keep_private(settings.data_dir, settings.resolved_database_url())
    options = dict(
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        **uvicorn_options(),
        log_config=None,  # uvicorn's lines go through our one setup, which cuts credentials out of them
        # Each event is serialised once for every client; per-client compression would undo that.
        ws_per_message_deflate=False,
        ws_ping_interval=settings.ws_ping_seconds,
        ws_ping_timeout=settings.ws_ping_seconds,
    )
    if workers == 1:
        from .api.app import create_app

        config = uvicorn.Config(create_app(settings, clock), **options)
    else:
        if isinstance(clock, OffsetClock):
            os.environ[_WORKER_CLOCK] = f"{clock.now().isoformat()}|{time.time()}"
        config = uvicorn.Config("queue_server.boot:worker_app", factory=True, workers=workers, **options)
    sock = config.bind_socket()
    if settings.socket_send_buffer:
        # Inherited by every accepted connection: a stalled client holds little in the kernel, so
        # its stream backs up into its own queue and it is dropped (ws_client_buffer).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, settings.socket_send_buffer)
    if workers > 1:
        Multiprocess(config, sockets=[sock]).run()
        return True
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    return bool(server.started)


def worker_app() -> FastAPI:
    """The app of one uvicorn worker process (`serve --workers N`)."""
    from .api.app import create_app

    clock: Clock = Clock()
    if os.environ.get(_WORKER_CLOCK):
        at, since = os.environ[_WORKER_CLOCK].split("|")
        clock = OffsetClock(datetime.fromisoformat(at) + timedelta(seconds=time.time() - float(since)))
    setup_from(get_settings())
    return create_app(get_settings(), clock)

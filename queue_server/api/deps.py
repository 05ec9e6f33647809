"""Request dependencies: the store, the settings and who is calling.

They are `async def` because FastAPI runs every plain `def` dependency on a worker thread, and
these do no blocking work (a token's database lookup, on a cache miss, goes to a thread itself):
a thread hop per dependency was a large share of an issuing request's cost."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..errors import Forbidden, Unauthorized
from ..settings import Settings
from ..store.store import Store
from ..usecases.accounts import principal, remembered
from ..usecases.principal import Principal


async def get_store(request: Request) -> Store:
    return request.app.state.store


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
T = TypeVar("T")


async def on_writer(store: Store, change: Callable[..., T], *args, **kwargs) -> T:
    """Runs a change on the store's writer thread (see Store.writer)."""
    return await asyncio.get_running_loop().run_in_executor(store.writer, partial(change, *args, **kwargs))


_scheme = HTTPBearer(auto_error=False, description="a sign-in token (POST /api/auth/login) or a device token")


async def bearer(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_scheme)]) -> str | None:
    return credentials.credentials if credentials else None


async def current(store: StoreDep, token: Annotated[str | None, Depends(bearer)]) -> Principal:
    who = None
    if token and len(token) <= 128:
        who = remembered(store, token) or await run_in_threadpool(principal, store, token)
    if who is None:
        raise Unauthorized("unauthorized", "请先登录", "sign in first (Authorization: Bearer <token>)")
    return who


def allow(*kinds: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting users of these roles and devices of these kinds, in the path's hall."""

    async def check(request: Request, who: Annotated[Principal, Depends(current)]) -> Principal:
        hall = request.path_params.get("hall")
        allowed = (who.role if who.is_user else who.kind) in kinds or who.role == "admin"
        if not allowed:
            raise Forbidden("forbidden", "无权进行此操作", "not allowed for this account")
        if hall is not None and not who.may_act_in(hall):
            raise Forbidden("other_hall", "无权操作其他大厅", "this account belongs to another hall")
        return who

    return check


Issuer = Annotated[Principal, Depends(allow("kiosk", "guide", "manager"))]
Staff = Annotated[Principal, Depends(allow("guide", "clerk", "manager"))]
Clerk = Annotated[Principal, Depends(allow("clerk", "manager"))]
Manager = Annotated[Principal, Depends(allow("manager"))]
# What supervision reads (figures, alerts, reports): the hall's managers and its supervisors.
Overseer = Annotated[Principal, Depends(allow("manager", "supervisor"))]
# The audit trail: those, and the shipper carrying it to the city (`hallq ship-log`).
LogReader = Annotated[Principal, Depends(allow("manager", "supervisor", "shipper"))]
InHall = Annotated[Principal, Depends(allow("kiosk", "guide", "clerk", "manager"))]
Watcher = Annotated[Principal, Depends(allow("display", "kiosk", "guide", "clerk", "manager"))]
Device = Annotated[Principal, Depends(allow("kiosk", "display", "guide", "rating", "window", "manager"))]
RatingDevice = Annotated[Principal, Depends(allow("rating", "window"))]
WindowDevice = Annotated[Principal, Depends(allow("window"))]

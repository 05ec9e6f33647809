"""Sign-in for staff; devices use tokens made by `hallq device-token`.

Wrong passwords are limited per account and per client address (api/ratelimit.py): a limit run
out answers 429 before any password is checked, and the moment one runs out a `signin.locked`
event puts an alert on the dashboard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from ..errors import Unauthorized
from ..usecases import accounts
from ..usecases.principal import Principal
from .deps import SettingsDep, StoreDep, bearer, current
from .ratelimit import client_address, limiter
from .schemas import Error, LoginIn, LoginOut, PasswordIn

router = APIRouter(prefix="/api/auth", responses={401: {"model": Error}, 422: {"model": Error}})


@router.post("/login", response_model=LoginOut, responses={429: {"model": Error}})
async def login(body: LoginIn, request: Request, store: StoreDep, settings: SettingsDep):
    limits, address = limiter(request), client_address(request)
    checks = (("login_account", body.username.casefold()), ("login_address", address))
    # Taken before the check, so that guesses sent at once cannot all pass; a right password gives
    # its attempts back.
    limits.require(*checks)
    try:
        # On a worker thread: the password hash takes ~0.2 s of CPU, off the event loop and the writer.
        signed_in = await run_in_threadpool(accounts.login, store, body.username, body.password, settings.token_hours)
    except Unauthorized:
        for name, key in checks:
            if limits.newly_locked(name, key):
                await run_in_threadpool(
                    accounts.report_lockout,
                    store,
                    body.username if name == "login_account" else None,
                    address,
                    limits.rule(name).every,
                )
        raise
    limits.clear("login_account", checks[0][1])
    limits.give_back("login_address", address)
    return signed_in


@router.post("/logout", status_code=204)
def logout(
    store: StoreDep, who: Annotated[Principal, Depends(current)], token: Annotated[str | None, Depends(bearer)]
) -> None:
    accounts.logout(store, token or "")


@router.get("/me")
def me(who: Annotated[Principal, Depends(current)]) -> dict:
    return {
        "kind": who.kind,
        "hall": who.hall,
        "username": who.username,
        "role": who.role,
        "name": who.name,
        "staff_no": who.staff_no,
    }


@router.post("/password", status_code=204, responses={429: {"model": Error}})
async def change_password(
    body: PasswordIn,
    request: Request,
    store: StoreDep,
    who: Annotated[Principal, Depends(current)],
    token: Annotated[str | None, Depends(bearer)],
) -> None:
    """A signed-in clerk, guide or manager changes their own password; their other sessions end.
    A wrong current password counts as a wrong sign-in (the same limits)."""
    limits, address = limiter(request), client_address(request)
    checks = (("login_account", (who.username or "").casefold()), ("login_address", address))
    limits.require(*checks)
    await run_in_threadpool(accounts.change_password, store, who, body.current, body.new, token or "")
    limits.clear("login_account", checks[0][1])
    limits.give_back("login_address", address)

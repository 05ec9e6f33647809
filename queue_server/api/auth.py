"""Sign-in for staff; devices use tokens made by `hallq device-token`."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from ..usecases import accounts
from ..usecases.principal import Principal
from .deps import SettingsDep, StoreDep, bearer, current
from .schemas import Error, LoginIn, LoginOut

router = APIRouter(prefix="/api/auth", responses={401: {"model": Error}, 422: {"model": Error}})


@router.post("/login", response_model=LoginOut)
def login(body: LoginIn, store: StoreDep, settings: SettingsDep):
    return accounts.login(store, body.username, body.password, settings.token_hours)


@router.post("/logout", status_code=204)
def logout(store: StoreDep, who: Annotated[Principal, Depends(current)],
           token: Annotated[str | None, Depends(bearer)]) -> None:
    accounts.logout(store, token or "")


@router.get("/me")
def me(who: Annotated[Principal, Depends(current)]) -> dict:
    return {"kind": who.kind, "hall": who.hall, "username": who.username, "role": who.role, "name": who.name,
            "staff_no": who.staff_no}

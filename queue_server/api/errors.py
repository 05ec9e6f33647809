"""Every error leaves the API as `{code, message, message_en}`."""

from __future__ import annotations

import asyncio
import logging
import math
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..domain.errors import DomainError
from ..errors import TooMany, status_of

log = logging.getLogger(__name__)
TARPIT_SECONDS = 1.0


def error_response(status: int, code: str, message: str, message_en: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message, "message_en": message_en}, status_code=status)


HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _allowed(request: Request) -> str:
    """The methods the API documents for this address (the router names only its first route's)."""
    table = getattr(request.app.state, "allowed_methods", None)
    if table is None:
        table = request.app.state.allowed_methods = [
            (
                path.count("{"),
                re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"),
                {m.upper() for m in item if m in HTTP_METHODS},
            )
            for path, item in request.app.openapi()["paths"].items()
        ]
    matching = [(params, m) for params, pattern, m in table if pattern.match(request.url.path)]
    # A literal address (appointments/by-id-card) is not also the one with a parameter (appointments/{code}).
    fewest = min((params for params, _ in matching), default=0)
    methods = set().union(*(m for params, m in matching if params == fewest))
    return ", ".join(sorted(methods | ({"HEAD"} if "GET" in methods else set())))


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError):
        response = error_response(status_of(exc), exc.code, exc.message, exc.message_en)
        if isinstance(exc, TooMany):
            response.headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
            # The refusal itself is slowed (a sleeping request costs no CPU): a client that retries
            # at once gets about one answer a second instead of hundreds, which the hall would pay for.
            await asyncio.sleep(min(TARPIT_SECONDS, exc.retry_after))
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()))
        return error_response(
            422, "invalid_request", f"请求内容有误：{where}", f"invalid request: {where}: {first.get('msg', '')}"
        )

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException):
        names = {
            404: ("not_found", "没有这个地址"),
            405: ("method_not_allowed", "不支持此请求方法"),
            408: ("body_too_slow", "请求内容接收超时"),
            413: ("body_too_large", "请求内容过大"),
        }
        code, zh = names.get(exc.status_code, ("http_error", "请求无法处理"))
        response = error_response(exc.status_code, code, zh, str(exc.detail))
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:
            response.headers["Allow"] = _allowed(request) or response.headers.get("Allow", "")
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "系统内部错误，请联系管理员", "internal error")

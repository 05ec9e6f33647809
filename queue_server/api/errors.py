"""Every error leaves the API as `{code, message, message_en}`."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..domain.errors import DomainError
from ..errors import status_of

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, message_en: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message, "message_en": message_en}, status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError):
        return error_response(status_of(exc), exc.code, exc.message, exc.message_en)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()))
        return error_response(422, "invalid_request", f"请求内容有误：{where}", f"invalid request: {where}: {first.get('msg', '')}")

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException):
        names = {404: ("not_found", "没有这个地址"), 405: ("method_not_allowed", "不支持此请求方法")}
        code, zh = names.get(exc.status_code, ("http_error", "请求无法处理"))
        return error_response(exc.status_code, code, zh, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "系统内部错误，请联系管理员", "internal error")

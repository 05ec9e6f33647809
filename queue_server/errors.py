"""The one error shape of the API: `{code, message, message_en}` with a 4xx status."""

from __future__ import annotations

from .domain.errors import DomainError


class AppError(DomainError):
    status = 400


class Invalid(AppError):
    status = 422


class Unauthorized(AppError):
    status = 401


class Forbidden(AppError):
    status = 403


class NotFound(AppError):
    status = 404


class Conflict(AppError):
    status = 409


class TooMany(AppError):
    """Refused by a rate limit; `retry_after` seconds until the next attempt may pass."""

    status = 429

    def __init__(self, code: str, message: str, message_en: str, retry_after: float):
        super().__init__(code, message, message_en)
        self.retry_after = retry_after


def status_of(err: DomainError) -> int:
    # A rule of the hall refusing the request (the domain's own errors) is a conflict with
    # the current state, not a malformed request.
    return getattr(err, "status", 409)

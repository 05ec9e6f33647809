"""The kiosk's side of the server's HTTP contract (httpx, blocking: the screens call it from worker
threads). Two kinds of failure: `ServerUnavailable` (no answer, or a 5xx: worth retrying, and the
kiosk shows "系统维护中" if it lasts) and `ApiError` (the server said no, with a reason to show)."""

from __future__ import annotations

import logging
import random
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

log = logging.getLogger(__name__)

TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
NUMBER = re.compile(r"^[A-Za-z]\d{3,4}$")


class ServerUnavailable(Exception):
    """No usable answer: connection refused or reset, timeout, or a 5xx."""


class ApiError(Exception):
    """The server refused the request: `code` is machine-readable, the messages are for people."""

    def __init__(self, status: int, code: str, message: str, message_en: str):
        super().__init__(f"{status} {code}: {message_en}")
        self.status = status
        self.code = code
        self.message = message
        self.message_en = message_en

    def text(self, lang: str) -> str:
        return self.message_en if lang == "en" and self.message_en else self.message


class ApiClient:
    def __init__(
        self, base_url: str, hall: str, token: str, timeout: float = 5.0, transport: httpx.BaseTransport | None = None
    ):
        self.base_url = base_url.rstrip("/")
        self.hall = hall
        self.token = token
        self.http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 2.0)),
            transport=transport,
            headers={"User-Agent": "hallq-kiosk"},
        )

    def close(self) -> None:
        self.http.close()

    # -- reads ------------------------------------------------------------------------------
    def me(self) -> dict:
        """Who the server takes this kiosk's token for (ApiError 401 when it is wrong or revoked)."""
        return self._call("GET", "/api/auth/me", auth=True)

    def hall_info(self) -> dict:
        return self._call("GET", f"/api/halls/{self.hall}")

    def services(self) -> list[dict]:
        return self._call("GET", f"/api/halls/{self.hall}/services")

    def guide(self, code: str) -> dict:
        return self._call("GET", f"/api/halls/{self.hall}/services/{quote(code)}/guide")

    def ticket_status(self, token: str) -> dict:
        return self._call("GET", f"/api/tickets/{quote(token)}")

    def ticket_by_number(self, number: str) -> dict:
        """Today's ticket as the hall board could show it (no token: a number is easy to guess)."""
        return self._call("GET", f"/api/halls/{self.hall}/tickets/{quote(number.upper())}/status", auth=True)

    def entry_code(self) -> dict:
        """The hall's entry code for phones this minute (the QR that opens take.html)."""
        return self._call("GET", f"/api/halls/{self.hall}/entry-code", auth=True)

    def appointment(self, code: str) -> dict:
        return self._call("GET", f"/api/halls/{self.hall}/appointments/{quote(code.upper())}")

    def appointments_of(self, id_number: str) -> list[dict]:
        """Today's bookings made with this ID number (a POST: the number stays out of addresses)."""
        return self._call(
            "POST", f"/api/halls/{self.hall}/appointments/by-id-card", auth=True, json={"id_number": id_number}
        )

    # -- writes -----------------------------------------------------------------------------
    def arrive(self, id_number: str) -> list[dict]:
        """Checks in today's places taken from outside (线上取号) with this ID number; returns them."""
        found = self._call("POST", f"/api/halls/{self.hall}/arrivals", auth=True, json={"id_number": id_number})
        return found["tickets"]

    def issue(self, body: dict, idempotency_key: str) -> dict:
        return self._call(
            "POST",
            f"/api/halls/{self.hall}/tickets",
            json=body,
            auth=True,
            headers={"Idempotency-Key": idempotency_key},
        )

    def give_phone(self, token: str, phone: str, family: bool) -> dict:
        """Text messages about this ticket to `phone`; answered masked (138****1234)."""
        return self._call("POST", f"/api/tickets/{quote(token)}/notify", json={"phone": phone, "family": family})

    def report_device(self, device: str, kind: str, state: str, detail: str = "") -> dict:
        return self._call(
            "POST",
            f"/api/halls/{self.hall}/devices/state",
            auth=True,
            json={"device": device, "kind": kind, "state": state, "detail": detail[:200]},
        )

    # ---------------------------------------------------------------------------------------
    def _call(
        self, method: str, path: str, *, json: Any = None, auth: bool = False, headers: dict | None = None
    ) -> Any:
        headers = dict(headers or {})
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = self.http.request(method, path, json=json, headers=headers)
        except httpx.HTTPError as exc:  # refused, reset, timed out, protocol garbage
            raise ServerUnavailable(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500:
            raise ServerUnavailable(f"{method} {path}: HTTP {response.status_code}")
        if response.status_code >= 400:
            try:
                err = response.json()
                raise ApiError(
                    response.status_code, str(err["code"]), str(err["message"]), str(err.get("message_en", ""))
                )
            except (ValueError, KeyError, TypeError):
                raise ApiError(
                    response.status_code,
                    "http_error",
                    f"服务器拒绝了请求（{response.status_code}）",
                    f"the server refused the request ({response.status_code})",
                ) from None
        try:
            return response.json()
        except ValueError:
            raise ServerUnavailable(f"{method} {path}: the answer is not JSON") from None


class Backoff:
    """Delays between retries: doubling from `low` up to `high`, with ±20% jitter so that a hall
    of kiosks does not hammer a server that has just come back all at the same instant."""

    def __init__(
        self,
        low: float,
        high: float,
        factor: float = 2.0,
        jitter: float = 0.2,
        rng: Callable[[], float] = random.random,
    ):
        self.low, self.high, self.factor, self.jitter, self.rng = low, high, factor, jitter, rng
        self.attempts = 0

    def next(self) -> float:
        base = min(self.high, self.low * self.factor**self.attempts)
        self.attempts += 1
        return max(0.0, base * (1 + self.jitter * (2 * self.rng() - 1)))

    def reset(self) -> None:
        self.attempts = 0


@dataclass
class IssueRequest:
    """One tap on "取号": its Idempotency-Key is made once, so however often the request is sent
    (network retries, or finishing it after an outage) the server issues one ticket."""

    services: list[str]
    priority: str | None = None
    appointment: str | None = None
    id_number: str | None = None
    name: str = ""
    language: str = "zh"  # the visitor's: their printed ticket is in it (the server is not told)
    key: str = field(default_factory=lambda: "kiosk-" + uuid.uuid4().hex)
    created: float = field(default_factory=time.monotonic)

    def body(self) -> dict:
        body: dict[str, Any] = {"services": list(self.services)}
        if self.priority:
            body["priority"] = self.priority
        if self.appointment:
            body["appointment"] = self.appointment.upper()
        if self.id_number:
            body["id_card"] = {"id_number": self.id_number, "name": self.name}
        return body


def issue_with_retry(
    client: ApiClient,
    request: IssueRequest,
    patience: float,
    backoff: Backoff,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict:
    """POST the ticket, retrying with the same key while the server is unavailable, for up to
    `patience` seconds; then ServerUnavailable. An ApiError (a refusal) is raised at once."""
    deadline = clock() + patience
    backoff.reset()
    while True:
        try:
            return client.issue(request.body(), request.key)
        except ServerUnavailable as exc:
            delay = backoff.next()
            if clock() + delay > deadline:
                raise
            log.warning("issuing %s: %s; retrying in %.1fs with the same key", request.key, exc, delay)
            sleep(delay)


def token_from_scan(text: str) -> str | None:
    """The ticket token from what a scanner typed: the status URL printed as the ticket's QR code
    (…/t/<token>) or a bare token."""
    text = text.strip()
    if not text:
        return None
    if "/" in text:
        path = urlsplit(text).path if "://" in text else text
        last = [part for part in path.split("/") if part]
        if len(last) >= 2 and last[-2] == "t" and TOKEN.match(last[-1]):
            return last[-1]
        return None
    if NUMBER.match(text):
        return None
    return text if TOKEN.match(text) else None


def is_ticket_number(text: str) -> bool:
    return bool(NUMBER.match(text.strip()))

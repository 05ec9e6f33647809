"""The kiosk without its window: the server connection (online, or retrying with back-off), the
hall's catalogue kept fresh, issuing with one Idempotency-Key per tap and printing, the devices and
their states, card reads. The Kivy screens call these methods from worker threads and hear back
through `Listener` callbacks, which `notify` runs on the UI thread."""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from devices import CardError, IdCard

from .api_client import (
    ApiClient,
    ApiError,
    Backoff,
    IssueRequest,
    ServerUnavailable,
    is_ticket_number,
    issue_with_retry,
    token_from_scan,
)
from .catalog import Catalog
from .config import KioskConfig
from .devices import (
    KioskDevices,
    PrintResult,
    ReadFailed,
    StateReporter,
    card_error_key,
    checklist_for_printer,
    ticket_for_printer,
)
from .session import Identity
from .stream import HallStream

log = logging.getLogger(__name__)

TICKET_NOTICE = {
    "zh": "号码当日有效，请留意叫号屏和语音提示",
    "en": "Valid today. Watch the board and listen for your number. 号码当日有效",
}
STREAM_REFRESH_GAP = 0.5  # seconds between two service refreshes the event stream asks for
ENTRY_RETRY = 15.0  # seconds before asking again for the entry code after the server could not give it


@dataclass(frozen=True)
class IssueOutcome:
    ticket: dict
    print: PrintResult


class LookupRefused(Exception):
    """A status lookup the kiosk cannot answer; `key` is the i18n text to show."""

    def __init__(self, key: str, **values):
        super().__init__(key)
        self.key = key
        self.values = values


class Listener:
    """What the screens hear. Every method runs on the UI thread (through `notify`)."""

    def on_online(self, online: bool) -> None: ...
    def on_refused(self, refusal: ApiError | None) -> None: ...
    def on_retry(self, attempt: int, delay: float) -> None: ...
    def on_catalog(self) -> None: ...
    def on_card(self, identity: Identity) -> None: ...
    def on_card_error(self, key: str, error: CardError) -> None: ...
    def on_card_lifted(self) -> None: ...
    def on_device(self, kind: str, state: str) -> None: ...
    def on_pending_issued(self, ticket: dict) -> None: ...
    def on_pending_printed(self, outcome: IssueOutcome) -> None: ...
    def on_pending_failed(self, error: ApiError) -> None: ...
    def on_entry(self) -> None: ...


class Kiosk:
    def __init__(
        self,
        config: KioskConfig,
        *,
        client: ApiClient | None = None,
        devices: KioskDevices | None = None,
        notify: Callable[[Callable[[], None]], None] = lambda fn: fn(),
        clock: Callable[[], float] = time.monotonic,
    ):
        self.config = config
        self.client = client or ApiClient(config.server_url, config.hall, config.token, config.request_timeout)
        self.notify = notify
        self.clock = clock
        self.listener: Listener = Listener()
        self.catalog: Catalog | None = None
        self.online: bool | None = None
        # Why the server will not serve this kiosk (a wrong or revoked token, another hall's), if it will not.
        self.refusal: ApiError | None = None
        self.retry_attempt = 0
        self.reporter = StateReporter(
            self.client.report_device, settle=1.0, retry=Backoff(config.retry_min_seconds, config.retry_max_seconds)
        )
        self.devices = devices or KioskDevices(
            config.printer_url, config.id_reader_url, config.kiosk_id, on_state=self._device_state, today=self.today
        )
        self.tz = ZoneInfo("Asia/Shanghai")
        self._offset = timedelta(0)  # the server's clock minus ours (the hall clock may be set)
        self._pending: IssueRequest | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.stream = HallStream(
            config.server_url, config.hall, config.token, self._on_stream_event, config.request_timeout
        )
        self._reload_hall = False  # a hall.notice: the next refresh reloads the hall as well
        self.entry: dict | None = None  # the hall's entry code for phones (take.html), a new one each minute
        self._token_checked = -float("inf")

    # -- life -------------------------------------------------------------------------------
    def start(self) -> Kiosk:
        self.reporter.start()
        for target, name in (
            (self._monitor, "kiosk-server-monitor"),
            (self._device_loop, "kiosk-devices"),
            (self._follow_stream, "kiosk-stream"),
            (self._entry_loop, "kiosk-entry-code"),
        ):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self.stream.close()
        for thread in self._threads:
            thread.join(timeout=5)
        self.reporter.stop()
        self.devices.close()
        self.client.close()

    # -- time -------------------------------------------------------------------------------
    def now(self) -> datetime:
        """The hall's local time by the server's clock."""
        return (datetime.now(UTC) + self._offset).astimezone(self.tz)

    def today(self) -> date:
        return self.now().date()

    # -- the server connection ----------------------------------------------------------------
    def refresh_soon(self) -> None:
        self._wake.set()

    def server_failed(self, exc: Exception) -> None:
        """A call found the server unreachable: show maintenance and let the monitor retry."""
        log.warning("server unavailable: %s", exc)
        self._set_online(False)
        self._wake.set()

    def _set_online(self, online: bool) -> None:
        with self._lock:
            changed = self.online != online
            self.online = online
        if changed:
            self.notify(lambda: self.listener.on_online(online))

    def check_token(self) -> None:
        """Asks the server whose token this is; raises ApiError (kept as `refusal`) when it is
        wrong, revoked, or not a kiosk of this hall, and ServerUnavailable."""
        try:
            who = self.client.me()
        except ApiError as exc:
            if exc.status in (401, 403):
                self._refuse(exc)
            raise
        self._token_checked = self.clock()
        if who.get("kind") != "kiosk" or who.get("hall") != self.config.hall:
            self._refuse(
                ApiError(
                    403,
                    "not_this_kiosk",
                    f"令牌不属于大厅 {self.config.hall} 的取号机",
                    f"the token is not a kiosk token of hall {self.config.hall}",
                )
            )
        if self.refusal is not None:
            self.refusal = None
            self.notify(lambda: self.listener.on_refused(None))

    def _refuse(self, exc: ApiError) -> None:
        # Reported where staff look when a kiosk is out of service: its log (the server no longer
        # accepts anything from this token, so it cannot be told).
        log.error("the server refuses this kiosk's token (%s): out of service until it is fixed", exc)
        first = self.refusal is None
        self.refusal = exc
        self._set_online(False)
        if first:
            self.notify(lambda: self.listener.on_refused(exc))
        raise exc

    def load(self) -> Catalog:
        """The token checked, hall information and services from the server (raises
        ServerUnavailable, or ApiError when the server refuses this kiosk)."""
        self.check_token()
        hall = self.client.hall_info()
        services = self.client.services()
        if hall.get("now"):
            server_now = datetime.fromisoformat(hall["now"])
            self._offset = server_now - datetime.now(UTC)
        try:
            self.tz = ZoneInfo(hall.get("timezone") or "Asia/Shanghai")
        except Exception:  # noqa: BLE001 - an unknown zone name: keep the default
            log.error("unknown hall timezone %r", hall.get("timezone"))
        catalog = Catalog(hall, services)
        self.catalog = catalog
        return catalog

    def _entry_loop(self) -> None:
        """Follows the hall's entry code (the home screen's QR for taking a ticket on a phone): asked
        again when the server says the next one is shown, so a photographed code soon stops working."""
        while not self._stop.is_set():
            wait = ENTRY_RETRY
            if self.online:
                try:
                    entry = self.client.entry_code()
                    wait = max(1.0, entry["next_in_seconds"] + 0.3)
                except (ServerUnavailable, ApiError) as exc:
                    log.warning("the entry code: %s", exc)
                    entry = None
                if (entry and entry["code"]) != (self.entry and self.entry["code"]):
                    self.entry = entry
                    self.notify(self.listener.on_entry)
            self._stop.wait(wait)

    def _monitor(self) -> None:
        backoff = Backoff(self.config.retry_min_seconds, self.config.retry_max_seconds)
        while not self._stop.is_set():
            if self.online:
                self._wake.wait(self.config.refresh_seconds)
                self._wake.clear()
                if self._stop.is_set():
                    return
                if not self.online:
                    continue
                try:
                    if self.clock() - self._token_checked >= self.config.token_check_seconds:
                        self.check_token()
                    if self._reload_hall:
                        self._reload_hall = False
                        self.load()
                        self.notify(self.listener.on_catalog)
                        continue
                    services = self.client.services()
                except ServerUnavailable as exc:
                    self.server_failed(exc)
                    continue
                except ApiError as exc:
                    log.error("refreshing services: %s", exc)
                    continue
                self.notify(functools.partial(self._apply_services, services))
                self._stop.wait(STREAM_REFRESH_GAP)  # a burst of events: one refresh for all of them
                continue
            try:
                self.load()
            except (ServerUnavailable, ApiError) as exc:
                # An ApiError here (unknown hall, revoked token) is a configuration fault: the
                # kiosk stays in maintenance and keeps asking, and the log says why.
                if isinstance(exc, ApiError):
                    log.error("the server refuses this kiosk: %s", exc)
                self._set_online(False)
                delay = backoff.next()
                self.retry_attempt = backoff.attempts
                self.notify(functools.partial(self.listener.on_retry, backoff.attempts, delay))
                self._wake.wait(delay)
                self._wake.clear()
                continue
            backoff.reset()
            self.retry_attempt = 0
            self._set_online(True)
            self.notify(self.listener.on_catalog)
            self._resume_pending()

    # -- the hall's event stream: waiting counts, closures and notices live -------------------------
    def _follow_stream(self) -> None:
        backoff = Backoff(self.config.retry_min_seconds, self.config.retry_max_seconds)
        while not self._stop.is_set():
            if not self.online:
                self._stop.wait(0.2)
                continue
            started = self.clock()
            lost = self.stream.run_once()
            if self._stop.is_set():
                return
            if self.clock() - started > 10:
                backoff.reset()  # it was up for a while: this is a new outage, not a flapping one
            log.info("hall stream ended: %s", lost)
            if lost.refused:
                self._token_checked = -float("inf")  # revoked meanwhile? the monitor asks now
                self._wake.set()
            else:
                self._probe()
            self._stop.wait(backoff.next())

    def _probe(self) -> None:
        """The stream ended: is the server gone, or only the connection? One quick request says."""
        try:
            self.client.hall_info()
        except ServerUnavailable as exc:
            self.server_failed(exc)
        except ApiError:
            pass

    def _on_stream_event(self, msg: dict) -> None:
        kind = msg.get("type", "")
        if kind in ("pong", "device.state"):
            return
        if kind in ("hall.notice", "snapshot"):
            self._reload_hall = True
        self._wake.set()

    def _apply_services(self, services: list[dict]) -> None:
        """On the UI thread, so a screen never reads the catalogue halfway through an update."""
        if self.catalog is not None:
            self.catalog.update_services(services)
        self.listener.on_catalog()

    # -- devices ----------------------------------------------------------------------------
    def _device_loop(self) -> None:
        self.devices.watch_cards(self._card_read, self._card_failed, lambda: self.notify(self.listener.on_card_lifted))
        next_open = next_poll = self.clock()
        while not self._stop.wait(0.5):
            now = self.clock()
            try:
                if now >= next_open:
                    next_open = now + self.config.device_retry_seconds
                    self.devices.open_missing()
                if now >= next_poll:
                    next_poll = now + self.config.printer_poll_seconds
                    self.devices.poll_printer()
            except Exception:  # noqa: BLE001 - the loop must outlive any driver's failure
                log.exception("device loop")

    def _device_state(self, device: str, kind: str, state: str, detail: str) -> None:
        self.reporter.report(device, kind, state, detail)
        self.notify(lambda: self.listener.on_device(kind, state))

    def _card_read(self, card: IdCard) -> None:
        identity = Identity(card.id_number, card.name or "", card.birth, card.source)
        self.notify(lambda: self.listener.on_card(identity))

    def _card_failed(self, error: CardError) -> None:
        key = card_error_key(error)
        log.info("ID card read failed: %s", error)
        self.notify(lambda: self.listener.on_card_error(key, error))

    def read_card_now(self) -> Identity:
        """Read the card on the reader at once ("重新读卡"); raises a CardError to explain."""
        from devices import DeviceUnavailable

        from .devices import _ReaderForWatcher

        reader = self.devices.reader
        if reader is None:
            self.devices.open_missing()
            reader = self.devices.reader
        if reader is None:
            raise ReadFailed("the ID-card reader is not available") from DeviceUnavailable("not open")
        card = _ReaderForWatcher(reader).read_card()
        return Identity(card.id_number, card.name or "", card.birth, card.source)

    @property
    def printer_ok(self) -> bool:
        return self.devices.printer_state in ("ok", "near_end", "unknown")

    # -- issuing ------------------------------------------------------------------------------
    @property
    def has_pending(self) -> bool:
        with self._lock:
            return self._pending is not None

    def issue(self, request: IssueRequest, on_issued: Callable[[dict], None] | None = None) -> IssueOutcome:
        """Issue (retrying with the request's key) and print. Raises ApiError for a refusal and
        ServerUnavailable when the server stayed away; the request is then kept and finished when
        the server is back (within pending_issue_seconds)."""
        try:
            ticket = issue_with_retry(self.client, request, self.config.issue_retry_seconds, Backoff(0.25, 2.0))
        except ServerUnavailable as exc:
            with self._lock:
                self._pending = request
            self.server_failed(exc)
            raise
        if on_issued is not None:
            self.notify(lambda: on_issued(ticket))
        return IssueOutcome(ticket, self._print_ticket(ticket, request.language))

    def _print_ticket(self, ticket: dict, language: str = "zh") -> PrintResult:
        self.refresh_soon()
        hall_name = self.catalog.name(language) if self.catalog else ""
        area = self.catalog.waiting_place(ticket, language) if self.catalog else ""
        return self.devices.print_ticket(
            ticket_for_printer(ticket, hall_name, self.tz, TICKET_NOTICE[language], area, language)
        )

    def _resume_pending(self) -> None:
        with self._lock:
            request, self._pending = self._pending, None
        if request is None:
            return
        age = self.clock() - request.created
        if age > self.config.pending_issue_seconds:
            log.warning("dropping the ticket request %s made %.0fs ago, before the outage", request.key, age)
            return
        try:
            ticket = issue_with_retry(self.client, request, self.config.issue_retry_seconds, Backoff(0.25, 2.0))
        except ServerUnavailable as exc:
            with self._lock:
                self._pending = request
            self.server_failed(exc)
            return
        except ApiError as exc:
            refusal = exc
            self.notify(lambda: self.listener.on_pending_failed(refusal))
            return
        self.notify(lambda: self.listener.on_pending_issued(ticket))
        outcome = IssueOutcome(ticket, self._print_ticket(ticket, request.language))
        self.notify(lambda: self.listener.on_pending_printed(outcome))

    # -- other calls the screens make -----------------------------------------------------------
    def call(self, fn: Callable, *args):
        """Any other server call: a ServerUnavailable also switches the kiosk to maintenance."""
        try:
            return fn(*args)
        except ServerUnavailable as exc:
            self.server_failed(exc)
            raise

    def guide(self, code: str) -> dict:
        return self.call(self.client.guide, code)

    def appointment(self, code: str) -> dict:
        return self.call(self.client.appointment, code)

    def appointments_of(self, identity: Identity) -> list[dict]:
        return self.call(self.client.appointments_of, identity.id_number)

    def check_in_by_card(self, identity: Identity) -> tuple[list[dict], list[dict]]:
        """A card on the check-in screen: today's places taken from outside are checked in at once
        (nothing to choose), and today's bookings are found."""
        arrived = self.call(self.client.arrive, identity.id_number)
        return arrived, self.appointments_of(identity)

    def give_phone(self, token: str, phone: str, family: bool) -> dict:
        return self.call(self.client.give_phone, token, phone, family)

    def print_checklist(self, guide: dict) -> PrintResult:
        hall_name = self.catalog.name("zh") if self.catalog else ""
        return self.devices.print_checklist(checklist_for_printer(guide, hall_name))

    def lookup(self, text: str) -> dict:
        """A ticket's status from a scanned QR (its status URL), a token, or today's number.
        Raises LookupRefused with the text to show, ApiError, ServerUnavailable."""
        token = token_from_scan(text)
        if token is None and is_ticket_number(text):
            number = text.strip().upper()
            try:
                return self.call(self.client.ticket_by_number, number)
            except ApiError as exc:
                if exc.status == 404:
                    raise LookupRefused("status_number_unknown", n=number) from None
                raise
        if token is None:
            raise LookupRefused("status_bad_input")
        try:
            return self.call(self.client.ticket_status, token)
        except ApiError as exc:
            if exc.status == 404:
                raise LookupRefused("status_not_found") from None
            raise

"""The kiosk's printer and ID-card reader, opened from their URLs, and what it tells the server
about them. A device that fails never stops the kiosk: a printer that cannot print means an
on-screen QR ticket, a reader that cannot read means a ticket without a card where allowed, and
either way staff see the device's state as a `device.state` event."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from devices import (
    CardError,
    CardExpired,
    CardNotYetValid,
    CardRemoved,
    Checklist,
    DeviceError,
    DeviceStateChange,
    DeviceTimeout,
    DeviceUnavailable,
    IdCard,
    InvalidCard,
    NoCard,
    PrinterNotReady,
    Ticket,
    open_id_reader,
    open_printer,
)
from devices.idcard.watch import CardWatcher

from .api_client import ApiError, Backoff, ServerUnavailable
from .i18n import minutes

log = logging.getLogger(__name__)

PRINTER, READER = "printer", "idcard"


class ReadFailed(CardError):
    """The reader answered garbage or nothing in the middle of a read (a device fault, not the card's)."""


@dataclass(frozen=True)
class PrintResult:
    printed: bool
    state: str  # the printer's state after the attempt: ok, near_end, paper_out, cover_open, offline, unreachable
    detail: str = ""


def card_error_key(exc: BaseException) -> str:
    """The i18n key of what to tell the visitor (and what to do) for a card error."""
    if isinstance(exc, NoCard):
        return "card_no_card"
    if isinstance(exc, CardRemoved):
        return "card_removed"
    if isinstance(exc, CardExpired):
        return "card_expired"
    if isinstance(exc, CardNotYetValid):
        return "card_not_valid"
    if isinstance(exc, InvalidCard):
        return "card_invalid"
    if isinstance(exc, ReadFailed) and isinstance(exc.__cause__, (DeviceTimeout, DeviceUnavailable)):
        return "reader_down"
    if isinstance(exc, (DeviceTimeout, DeviceUnavailable)):
        return "reader_down"
    return "card_failed"


class _ReaderForWatcher:
    """Turns a device fault during a read into a card error, so the watcher reports it to the
    screen instead of swallowing it (the visitor must be told to place the card again)."""

    def __init__(self, reader):
        self.reader = reader

    def card_present(self) -> bool:
        return self.reader.card_present()

    def read_card(self) -> IdCard:
        try:
            return self.reader.read_card()
        except CardError:
            raise
        except DeviceError as exc:
            raise ReadFailed(str(exc)) from exc

    def close(self) -> None:
        self.reader.close()


def ticket_for_printer(
    ticket: dict, hall_name: str, tz: tzinfo, notice: str = "", area: str = "", language: str = "zh"
) -> Ticket:
    """The printed ticket in the visitor's language; in English each matter keeps its Chinese name
    beside it, for the clerk."""
    issued = datetime.fromisoformat(ticket["issued_at"])
    matters = ticket.get("matters", [])
    if language == "en":
        names = [f"{m['name_en']} ({m['name']})" if m.get("name_en") else m["name"] for m in matters]
    else:
        names = [m["name"] for m in matters]
    return Ticket(
        hall_name=hall_name,
        number=ticket["number"],
        matters=names or [ticket.get("service_name", "")],
        ahead=ticket.get("position") or 0,
        eta_minutes=minutes(ticket.get("eta_seconds")),
        issued_at=issued.astimezone(tz),
        area=area or ticket.get("area", ""),
        status_url=ticket["status_url"],
        notice=notice,
        language=language,
    )


def checklist_for_printer(guide: dict, hall_name: str) -> Checklist:
    items = []
    for m in guide.get("materials", []):
        kind = "原件" if m.get("original") else "复印件"
        line = f"{m['name']}（{kind} {m.get('copies', 1)} 份）"
        if m.get("note"):
            line += f"：{m['note']}"
        items.append(line)
    where = guide.get("area", "")
    if guide.get("windows"):
        where += f" {'、'.join(str(w) for w in guide['windows'])} 号窗口"
    notice = f"办理地点：{where.strip()}" if where.strip() else ""
    if guide.get("phone"):
        notice += f"\n咨询电话：{guide['phone']}"
    return Checklist(title=guide["name"], items=items, hall_name=hall_name, notice=notice.strip())


class StateReporter:
    """Sends each device's state to the server once it has held for `settle` seconds (a reader
    flickering between ok and error for one poll is not news), the latest state only, and keeps
    trying while the server is unreachable."""

    def __init__(
        self,
        send: Callable[[str, str, str, str], object],
        settle: float = 1.0,
        retry: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.send = send
        self.settle = settle
        self.retry = retry or Backoff(1.0, 30.0)
        self.clock = clock
        self._latest: dict[str, tuple[str, str, str, float]] = {}  # device -> (kind, state, detail, since)
        self._sent: dict[str, str] = {}
        self._cond = threading.Condition()
        self._stop = False
        self._thread: threading.Thread | None = None

    def report(self, device: str, kind: str, state: str, detail: str = "") -> None:
        with self._cond:
            previous = self._latest.get(device)
            since = previous[3] if previous and previous[1] == state else self.clock()
            self._latest[device] = (kind, state, detail, since)
            self._cond.notify()

    def sent(self, device: str) -> str | None:
        with self._cond:
            return self._sent.get(device)

    def start(self) -> StateReporter:
        self._thread = threading.Thread(target=self._run, name="device-state-reporter", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _due(self) -> tuple[list[tuple[str, str, str, str]], float | None]:
        now = self.clock()
        due, wait = [], None
        for device, (kind, state, detail, since) in self._latest.items():
            if self._sent.get(device) == state:
                continue
            left = since + self.settle - now
            if left <= 0:
                due.append((device, kind, state, detail))
            else:
                wait = left if wait is None else min(wait, left)
        return due, wait

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._stop:
                    return
                due, wait = self._due()
                if not due:
                    self._cond.wait(wait)
                    continue
            failed = False
            for device, kind, state, detail in due:
                try:
                    self.send(device, kind, state, detail)
                except ServerUnavailable as exc:
                    log.info("device state %s=%s not sent yet: %s", device, state, exc)
                    failed = True
                    break
                except ApiError as exc:
                    log.error("device state %s=%s refused by the server: %s", device, state, exc)
                with self._cond:
                    self._sent[device] = state
            if failed:
                with self._cond:
                    if not self._stop:
                        self._cond.wait(self.retry.next())
            else:
                self.retry.reset()


class KioskDevices:
    """Opens the printer and the reader (and opens them again later if they were missing), prints,
    and watches for cards. `on_state(device, kind, state, detail)` hears every state change."""

    def __init__(
        self,
        printer_url: str,
        reader_url: str,
        kiosk_id: str,
        on_state: Callable[[str, str, str, str], None],
        today: Callable[[], date] = date.today,
        printer_opener=open_printer,
        reader_opener=open_id_reader,
    ):
        self.printer_url, self.reader_url = printer_url, reader_url
        self.printer_name, self.reader_name = f"{kiosk_id}.printer", f"{kiosk_id}.idcard"
        self.on_state = on_state
        self.today = today
        self._open_printer, self._open_reader = printer_opener, reader_opener
        self.printer = None
        self.reader = None
        self.watcher: CardWatcher | None = None
        self.printer_state = "unknown"
        self.reader_state = "unknown"
        self._card_callbacks: tuple[Callable, Callable, Callable] | None = None
        self._lock = threading.Lock()

    # -- opening ----------------------------------------------------------------------------
    def open_missing(self) -> None:
        """Open whichever device is not open yet; a failure is a state ("unreachable"), not a crash."""
        with self._lock:
            if self.printer is None and self.printer_url:
                try:
                    self.printer = self._open_printer(
                        self.printer_url, name=self.printer_name, on_state=self._printer_changed
                    )
                except Exception as exc:  # noqa: BLE001 - any failure is a state staff see, never a dead thread
                    self._log_unexplained(exc)
                    self._printer_changed(DeviceStateChange(self.printer_name, "unreachable", str(exc)))
            if self.reader is None and self.reader_url:
                try:
                    self.reader = self._open_reader(
                        self.reader_url, name=self.reader_name, on_state=self._reader_changed, today=self.today
                    )
                except Exception as exc:  # noqa: BLE001 - as for the printer
                    self._log_unexplained(exc)
                    self._reader_changed(DeviceStateChange(self.reader_name, "unreachable", str(exc)))
            if self.reader is not None and self.watcher is None and self._card_callbacks is not None:
                on_card, on_error, on_lift = self._card_callbacks
                self.watcher = CardWatcher(
                    _ReaderForWatcher(self.reader), on_card, on_error, interval=0.25, on_lift=on_lift
                ).start()

    @staticmethod
    def _log_unexplained(exc: Exception) -> None:
        if not isinstance(exc, DeviceError):  # a driver's own failure, not one it explained
            log.error("a device failed unexpectedly", exc_info=exc)

    def watch_cards(
        self, on_card: Callable[[IdCard], None], on_error: Callable[[CardError], None], on_lift: Callable[[], None]
    ) -> None:
        self._card_callbacks = (on_card, on_error, on_lift)
        self.open_missing()

    def _printer_changed(self, change: DeviceStateChange) -> None:
        self.printer_state = change.state
        self.on_state(self.printer_name, PRINTER, change.state, change.detail)

    def _reader_changed(self, change: DeviceStateChange) -> None:
        self.reader_state = change.state
        self.on_state(self.reader_name, READER, change.state, change.detail)

    # -- printing ---------------------------------------------------------------------------
    def poll_printer(self) -> str:
        if self.printer is None:
            self.open_missing()
            return self.printer_state
        try:
            return self.printer.status().state.value
        except Exception as exc:  # noqa: BLE001 - as when printing
            self._log_unexplained(exc)
            self._printer_changed(DeviceStateChange(self.printer_name, "unreachable", str(exc)))
            return "unreachable"

    def print_ticket(self, ticket: Ticket) -> PrintResult:
        return self._print(lambda p: p.print_ticket(ticket))

    def print_checklist(self, checklist: Checklist) -> PrintResult:
        return self._print(lambda p: p.print_checklist(checklist))

    def _print(self, job) -> PrintResult:
        if self.printer is None:
            self.open_missing()
        printer = self.printer
        if printer is None:
            return PrintResult(False, "unreachable", "the printer could not be opened")
        try:
            status = job(printer)
        except PrinterNotReady as exc:  # and PrintFailed: the paper may be missing or torn
            return PrintResult(False, exc.status.state.value, str(exc))
        except Exception as exc:  # noqa: BLE001 - the visitor gets the on-screen ticket, staff the state
            self._log_unexplained(exc)
            self._printer_changed(DeviceStateChange(self.printer_name, "unreachable", str(exc)))
            return PrintResult(False, "unreachable", str(exc))
        return PrintResult(True, status.state.value, status.detail)

    def close(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        for device in (self.reader, self.printer):
            if device is not None:
                try:
                    device.close()
                except Exception:  # noqa: BLE001 - closing a broken device must not stop the others
                    log.exception("closing a device failed")
        self.reader = self.printer = None

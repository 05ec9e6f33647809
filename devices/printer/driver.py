"""The ticket printer as the kiosk sees it: print a ticket or a checklist, read the status."""

from __future__ import annotations

import threading
from typing import Any

from devices.errors import DeviceUnavailable, PrinterNotReady, PrintFailed
from devices.health import Health, StateListener
from devices.printer.link import Link
from devices.printer.profiles import PrinterProfile
from devices.printer.render import render, render_checklist
from devices.printer.status import QUERIES, PrinterState, PrinterStatus, decode, query
from devices.printer.ticket import Checklist, Ticket


class Printer:
    def __init__(
        self,
        link: Link,
        profile: PrinterProfile,
        name: str = "printer",
        on_state: StateListener | None = None,
        status_timeout: float = 0.5,
    ):
        self.link = link
        self.profile = profile
        self.health = Health(name, on_state)
        self.status_timeout = status_timeout
        self.simulator: Any = None  # the in-process simulator behind a sim:// printer
        self._lock = threading.Lock()

    def status(self) -> PrinterStatus:
        with self._lock:
            return self._status()

    def print_ticket(self, ticket: Ticket) -> PrinterStatus:
        return self.print_job(render(ticket, self.profile))

    def print_checklist(self, checklist: Checklist) -> PrinterStatus:
        return self.print_job(render_checklist(checklist, self.profile))

    def print_job(self, data: bytes) -> PrinterStatus:
        """Send a job only to a printer that can print it, and check again afterwards: a printer
        that ran out of paper or had its cover opened meanwhile raises PrintFailed, so nobody
        believes a ticket was printed when it was not."""
        with self._lock:
            before = self._status()
            if not before.printable:
                raise PrinterNotReady(f"printer {before.state.value}: nothing was printed ({before.detail})", before)
            try:
                self.link.write(data)
            except DeviceUnavailable as exc:
                lost = self._report(PrinterStatus(PrinterState.UNREACHABLE, str(exc)))
                raise PrintFailed(f"printer lost while printing: {exc}", lost) from exc
            after = self._status()
            if not after.printable:
                raise PrintFailed(f"printer {after.state.value} after printing: the job may be incomplete", after)
            return after

    def close(self) -> None:
        self.link.close()
        if self.simulator is not None:
            self.simulator.stop()

    def _status(self) -> PrinterStatus:
        if not self.link.two_way:
            return self._report(PrinterStatus(PrinterState.OK, "no status channel: data accepted"))
        answers: dict[int, int] = {}
        try:
            for n in QUERIES:
                value = self.link.ask(query(n), self.status_timeout)
                if value is None:
                    detail = f"no answer to DLE EOT {n} within {self.status_timeout}s; check {self.link.hint}"
                    return self._report(PrinterStatus(PrinterState.UNREACHABLE, detail))
                answers[n] = value
        except DeviceUnavailable as exc:
            return self._report(PrinterStatus(PrinterState.UNREACHABLE, str(exc)))
        return self._report(decode(answers))

    def _report(self, status: PrinterStatus) -> PrinterStatus:
        self.health.report(status.state.value, status.detail)
        return status

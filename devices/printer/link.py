"""Byte pipes to a printer. python-escpos's printer classes open and write (serial, TCP, USB, file,
dummy); they cannot read one byte within a deadline, which the status queries need, so each
two-way link adds that for its transport."""

from __future__ import annotations

import socket

from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError

from devices.errors import DeviceUnavailable
from devices.serialport import IO_ERRORS


class Link:
    two_way = True

    def __init__(self, printer: Escpos, label: str, hint: str):
        self.printer = printer
        self.label = label
        self.hint = hint
        self.is_open = False

    def _unavailable(self, exc: BaseException) -> DeviceUnavailable:
        return DeviceUnavailable(f"printer {self.label}: {exc}; check {self.hint}")

    def open(self) -> None:
        if self.is_open:
            return
        try:
            self.printer.open()
            self._configure()
        except (*IO_ERRORS, EscposError, RuntimeError, ValueError) as exc:
            # RuntimeError: python-escpos's way of saying an optional library (pyusb) is missing;
            # ValueError: pyusb's NoBackendError, when the libusb library itself is missing.
            raise self._unavailable(exc) from exc
        self.is_open = True

    def close(self) -> None:
        if self.is_open:
            self.is_open = False
            try:
                self.printer.close()
            except (*IO_ERRORS, EscposError):
                # The device is already gone; mark it closed so python-escpos does not try again
                # (and fail noisily) when the object is collected.
                self.printer.device = False

    def write(self, data: bytes) -> None:
        self.open()
        try:
            self.printer._raw(data)
            self._drain()
        except (*IO_ERRORS, EscposError) as exc:
            self.close()
            raise self._unavailable(exc) from exc

    def ask(self, request: bytes, timeout: float) -> int | None:
        """Send a real-time request and return the first byte of the answer, or None on silence."""
        self.open()
        try:
            self._discard_input()
            self.printer._raw(request)
            return self._read_byte(timeout)
        except (*IO_ERRORS, EscposError) as exc:
            self.close()
            raise self._unavailable(exc) from exc

    def _configure(self) -> None:
        pass

    def _drain(self) -> None:
        pass

    def _discard_input(self) -> None:
        raise NotImplementedError

    def _read_byte(self, timeout: float) -> int | None:
        raise NotImplementedError


class OneWayLink(Link):
    """File and dummy targets have no back channel: a capture file or spool accepts data and that
    is all it can tell."""

    two_way = False


class SerialLink(Link):
    def __init__(self, printer: Escpos, label: str, hint: str, write_timeout: float):
        super().__init__(printer, label, hint)
        self.write_timeout = write_timeout

    def _configure(self) -> None:
        # A printer holding DTR/DSR flow control while offline would otherwise block writes forever.
        self.printer.device.write_timeout = self.write_timeout

    def _drain(self) -> None:
        # Wait until the bytes are on the wire, so a status query sent next is answered promptly
        # instead of queueing behind seconds of raster data at 9600 baud.
        self.printer.device.flush()

    def _discard_input(self) -> None:
        self.printer.device.reset_input_buffer()

    def _read_byte(self, timeout: float) -> int | None:
        self.printer.device.timeout = timeout
        data = self.printer.device.read(1)
        return data[0] if data else None


class TcpLink(Link):
    def _discard_input(self) -> None:
        sock: socket.socket = self.printer.device
        sock.setblocking(False)
        try:
            while sock.recv(256):
                pass
        except BlockingIOError:
            pass
        finally:
            sock.setblocking(True)

    def _read_byte(self, timeout: float) -> int | None:
        sock: socket.socket = self.printer.device
        sock.settimeout(timeout)
        try:
            data = sock.recv(1)
        except TimeoutError:
            return None
        finally:
            sock.settimeout(self.printer.timeout)
        if not data:
            raise ConnectionResetError("connection closed by the printer")
        return data[0]


class UsbLink(Link):
    def _discard_input(self) -> None:
        while self._read_byte(0.01) is not None:
            pass

    def _read_byte(self, timeout: float) -> int | None:
        import usb.core  # only present when pyusb is installed, which opening already checked

        try:
            data = self.printer.device.read(self.printer.in_ep, 16, max(1, int(timeout * 1000)))
        except usb.core.USBTimeoutError:
            return None
        return data[0] if len(data) else None

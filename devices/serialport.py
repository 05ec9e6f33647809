"""A pyserial port (any `serial_for_url` URL: a device path, socket://, loop://, rfc2217://) that
opens lazily, reopens after the cable comes back, and turns OS errors into DeviceUnavailable
naming the device and what to check."""

from __future__ import annotations

import threading
import time
from typing import Any

import serial

from devices.errors import DeviceUnavailable

try:
    import termios

    # pyserial lets termios.error (not an OSError) escape from flush and buffer resets on a
    # vanished port.
    IO_ERRORS: tuple[type[BaseException], ...] = (OSError, termios.error)
except ImportError:  # Windows
    IO_ERRORS = (OSError,)
# serial_for_url raises ValueError for a URL or setting it does not accept.
OPEN_ERRORS: tuple[type[BaseException], ...] = (*IO_ERRORS, ValueError)


class SerialPort:
    def __init__(self, url: str, label: str, hint: str, **settings: Any):
        self.url = url
        self.label = label
        self.hint = hint
        self.settings = settings
        self.lock = threading.RLock()  # one exchange at a time when several devices share a bus
        self._port: serial.SerialBase | None = None

    def _unavailable(self, exc: BaseException) -> DeviceUnavailable:
        return DeviceUnavailable(f"{self.label} at {self.url}: {exc}; check {self.hint}")

    def open(self) -> serial.SerialBase:
        if self._port is None:
            try:
                self._port = serial.serial_for_url(self.url, **self.settings)
            except OPEN_ERRORS as exc:
                raise self._unavailable(exc) from exc
        return self._port

    def write(self, data: bytes) -> None:
        try:
            port = self.open()
            port.reset_input_buffer()  # a late answer to an earlier request must not be taken for this one's
            port.write(data)
        except IO_ERRORS as exc:
            self.close()
            raise self._unavailable(exc) from exc

    def read(self, size: int, deadline: float) -> bytes:
        """Up to `size` bytes, waiting at most until `deadline` (time.monotonic); b"" on silence."""
        try:
            port = self.open()
            port.timeout = max(0.0, deadline - time.monotonic())
            return port.read(size)
        except IO_ERRORS as exc:
            self.close()
            raise self._unavailable(exc) from exc

    def close(self) -> None:
        if self._port is not None:
            port, self._port = self._port, None
            try:
                port.close()
            except IO_ERRORS:
                pass  # already gone

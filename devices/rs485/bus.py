"""One RS-485 bus shared by the pads and screens wired to it: one exchange at a time, and one
open port however many devices use it."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from devices.errors import DeviceError, DeviceTimeout, DeviceUnavailable, ProtocolError
from devices.health import Health, StateListener
from devices.rs485.frame import Frame, FrameReader, encode
from devices.serialport import SerialPort

if TYPE_CHECKING:
    from devices.sim.endpoint import Simulator

HINT = "the RS-485 adapter, the A/B wiring, the device's power and its address setting"


class Bus:
    def __init__(self, port: SerialPort, timeout: float):
        self.port = port
        self.timeout = timeout
        self.users = 0

    def exchange(self, request: Frame, reply_command: int, what: str) -> Frame:
        """Send `request` and wait for the addressed device's reply. Frames from other devices, and
        the echo of our own request that many half-duplex adapters produce, are skipped."""
        reader = FrameReader()
        with self.port.lock:
            self.port.write(encode(request))
            deadline = time.monotonic() + self.timeout
            while True:
                frame = reader.next_frame()
                if frame is not None:
                    if frame.address == request.address and frame.command == reply_command:
                        return frame
                    continue
                if time.monotonic() >= deadline:
                    break
                reader.feed(self.port.read(reader.needed(), deadline))
        if reader.dropped:
            raise ProtocolError(f"{what}: corrupt reply ({reader.last_error})")
        raise DeviceTimeout(f"{what} did not answer within {self.timeout}s on {self.port.url}; check {HINT}")


_buses: dict[str, Bus] = {}
_buses_lock = threading.Lock()


def attach(url: str, baudrate: int, timeout: float) -> Bus:
    """The bus on `url`, opened once and shared by every device on it."""
    with _buses_lock:
        bus = _buses.get(url)
        if bus is None:
            bus = _buses[url] = Bus(SerialPort(url, "RS-485 bus", HINT, baudrate=baudrate), timeout)
        bus.users += 1
        return bus


def detach(bus: Bus) -> None:
    with _buses_lock:
        bus.users -= 1
        if bus.users == 0:
            _buses.pop(bus.port.url, None)
            bus.port.close()


class BusDevice:
    """A device at one address on a bus, with its health."""

    kind = "device"

    def __init__(self, bus: Bus, address: int, name: str | None = None, on_state: StateListener | None = None):
        if not 0 <= address <= 0xFF:
            raise ValueError(f"bus address {address} is not a byte")
        self.bus = bus
        self.address = address
        self.health = Health(name or f"{self.kind}@{address}", on_state)
        self.simulator: Simulator | None = None  # the in-process simulator behind a sim:// device
        self._closed = False

    def _exchange(self, command: int, data: bytes, reply_command: int) -> Frame:
        what = f"{self.kind} at address {self.address}"
        try:
            reply = self.bus.exchange(Frame(self.address, command, data), reply_command, what)
        except (DeviceTimeout, DeviceUnavailable) as exc:
            self.health.report("unreachable", str(exc))
            raise
        except DeviceError as exc:
            self.health.report("error", str(exc))
            raise
        self.health.report("ok")
        return reply

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        detach(self.bus)
        if self.simulator is not None:
            self.simulator.stop()

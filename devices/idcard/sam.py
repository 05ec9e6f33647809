"""Resident ID-card reader speaking the SAM protocol over a serial port or a TCP bridge."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from devices.errors import (
    CardRemoved,
    DeviceTimeout,
    DeviceUnavailable,
    FrameLengthError,
    NoCard,
    ProtocolError,
    ReaderStatusError,
)
from devices.health import Health, StateListener
from devices.idcard import protocol
from devices.idcard.protocol import FrameSplitter, Response
from devices.idcard.record import PHOTO_LENGTH, TEXT_LENGTH, IdCard, parse_text, validate
from devices.serialport import SerialPort

if TYPE_CHECKING:
    from devices.sim.endpoint import Simulator

NO_CARD = (0x80, 0x81)


class SamReader:
    def __init__(
        self,
        port: SerialPort,
        name: str = "idcard",
        on_state: StateListener | None = None,
        timeout: float = 1.0,
        read_timeout: float = 3.0,
        today: Callable[[], date] = date.today,
    ):
        self.port = port
        self.health = Health(name, on_state)
        self.timeout = timeout
        # Reading the card over the air takes the module most of a second.
        self.read_timeout = read_timeout
        self.today = today
        self.simulator: Simulator | None = None  # the in-process simulator behind a sim:// reader

    def card_present(self) -> bool:
        response = self._exchange(protocol.FIND_CARD, "find card", self.timeout)
        if response.status == protocol.CARD_FOUND:
            return True
        if response.status in NO_CARD:
            return False
        raise self._refused("find card", response)

    def read_card(self) -> IdCard:
        """Find, select and read the card on the reader; raises NoCard, CardRemoved,
        ReaderStatusError, InvalidCard (expired, bad check digit, ...) or a device error."""
        if not self.card_present():
            raise NoCard("no card on the reader")
        selected = self._exchange(protocol.SELECT_CARD, "select card", self.timeout)
        if selected.status in NO_CARD:
            raise CardRemoved("card lifted before it could be selected")
        if selected.status != protocol.OK:
            raise self._refused("select card", selected)
        read = self._exchange(protocol.READ_BASE, "read card", self.read_timeout)
        if read.status == 0x41:  # what the module answers when the card leaves the field mid-read
            raise CardRemoved("card lifted before the read finished; place it again and hold it still")
        if read.status != protocol.OK:
            raise self._refused("read card", read)
        return validate(self._parse_base(read.data), self.today())

    def close(self) -> None:
        self.port.close()
        if self.simulator is not None:
            self.simulator.stop()

    @staticmethod
    def _parse_base(data: bytes) -> IdCard:
        if len(data) < 4:
            raise FrameLengthError(f"card data of {len(data)} bytes has no length fields")
        text_length, photo_length = int.from_bytes(data[0:2], "big"), int.from_bytes(data[2:4], "big")
        if (text_length, photo_length) != (TEXT_LENGTH, PHOTO_LENGTH) or len(data) != 4 + text_length + photo_length:
            raise FrameLengthError(
                f"card data announces {text_length}+{photo_length} bytes and carries {len(data) - 4}; "
                f"expected {TEXT_LENGTH}+{PHOTO_LENGTH}"
            )
        return parse_text(data[4 : 4 + text_length], data[4 + text_length :])

    def _refused(self, what: str, response: Response) -> ReaderStatusError:
        return ReaderStatusError(
            f"{what}: reader status 0x{response.status:02x} ({response.status_text})", response.status
        )

    def _exchange(self, command: tuple[int, int], what: str, timeout: float) -> Response:
        try:
            response = self._transact(command, what, timeout)
        except (DeviceTimeout, DeviceUnavailable) as exc:
            self.health.report("unreachable", str(exc))
            raise
        except ProtocolError as exc:
            self.health.report("error", str(exc))
            raise
        self.health.report("ok")
        return response

    def _transact(self, command: tuple[int, int], what: str, timeout: float) -> Response:
        with self.port.lock:
            self.port.write(protocol.encode_command(*command))
            splitter = FrameSplitter()
            deadline = time.monotonic() + timeout
            while True:
                frame = splitter.next_frame()
                if frame is not None:
                    return protocol.decode_response(frame)
                if time.monotonic() >= deadline:
                    break
                splitter.feed(self.port.read(splitter.needed(), deadline))
        if splitter.buffer:
            raise FrameLengthError(f"{what}: short frame, {len(splitter.buffer)} bytes and then silence")
        raise DeviceTimeout(
            f"ID-card reader {self.port.url} did not answer {what} within {timeout}s; check {self.port.hint}"
        )

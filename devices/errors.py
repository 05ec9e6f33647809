"""One exception hierarchy for every device adapter, so the kiosk can catch `DeviceError` and show
what went wrong without knowing which library raised it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from devices.idcard.record import IdCard
    from devices.printer.status import PrinterStatus


class DeviceError(Exception):
    """Base of all device errors."""


class BadDeviceUrl(DeviceError, ValueError):
    """A device URL that cannot be understood."""


class DeviceUnavailable(DeviceError):
    """The device cannot be opened or was lost (cable pulled, port missing, library missing)."""


class DeviceTimeout(DeviceError):
    """The device did not answer in time."""


class ProtocolError(DeviceError):
    """The device answered with bytes that do not follow its protocol."""


class ChecksumError(ProtocolError):
    pass


class FrameLengthError(ProtocolError):
    """A frame is shorter or longer than its length field or its command allows."""


class UnknownStatus(ProtocolError):
    """A status code the protocol does not define."""


class PrinterNotReady(DeviceError):
    """The printer cannot print now; nothing was sent. `status` says why."""

    def __init__(self, message: str, status: PrinterStatus):
        super().__init__(message)
        self.status = status


class PrintFailed(PrinterNotReady):
    """The job was sent but the printer reported a fault afterwards: the ticket may be missing or
    incomplete, so it must not be treated as printed."""


class CardError(DeviceError):
    """Base of ID-card errors."""


class NoCard(CardError):
    """No card is on the reader."""


class CardRemoved(CardError):
    """The card was lifted before the read finished."""


class ReaderStatusError(CardError):
    """The reader's security module refused the operation with a defined status code."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


class InvalidCard(CardError):
    """The card was read, but its data fails validation. `card` holds what was read."""

    def __init__(self, message: str, card: IdCard | None = None):
        super().__init__(message)
        self.card = card


class BadIdNumber(InvalidCard):
    pass


class BadBirthDate(InvalidCard):
    pass


class CardExpired(InvalidCard):
    pass


class CardNotYetValid(InvalidCard):
    pass

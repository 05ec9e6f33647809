# The names `devices` offers, loaded on first use (see __init__.py).
from .errors import (
    BadBirthDate as BadBirthDate,
    BadDeviceUrl as BadDeviceUrl,
    BadIdNumber as BadIdNumber,
    CardError as CardError,
    CardExpired as CardExpired,
    CardNotYetValid as CardNotYetValid,
    CardRemoved as CardRemoved,
    ChecksumError as ChecksumError,
    DeviceError as DeviceError,
    DeviceTimeout as DeviceTimeout,
    DeviceUnavailable as DeviceUnavailable,
    FrameLengthError as FrameLengthError,
    InvalidCard as InvalidCard,
    NoCard as NoCard,
    PrinterNotReady as PrinterNotReady,
    PrintFailed as PrintFailed,
    ProtocolError as ProtocolError,
    ReaderStatusError as ReaderStatusError,
    UnknownStatus as UnknownStatus,
)
from .health import (
    DeviceStateChange as DeviceStateChange,
    StateListener as StateListener,
)
from .idcard.open import (
    open_id_reader as open_id_reader,
)
from .idcard.record import (
    IdCard as IdCard,
)
from .idcard.sam import (
    SamReader as SamReader,
)
from .idcard.watch import (
    CardWatcher as CardWatcher,
)
from .idcard.wedge import (
    WedgeReader as WedgeReader,
)
from .interfaces import (
    RATING_LABELS as RATING_LABELS,
    IdReader as IdReader,
    LedScreen as LedScreen,
    PadEvent as PadEvent,
    RatingPad as RatingPad,
)
from .printer import (
    PROFILES as PROFILES,
    Checklist as Checklist,
    Printer as Printer,
    PrinterState as PrinterState,
    PrinterStatus as PrinterStatus,
    Ticket as Ticket,
    render as render,
    render_checklist as render_checklist,
)
from .printer.open import (
    open_printer as open_printer,
)
from .rs485.led import (
    Rs485Led as Rs485Led,
)
from .rs485.open import (
    open_led as open_led,
    open_pad as open_pad,
)
from .rs485.pad import (
    Rs485Pad as Rs485Pad,
)

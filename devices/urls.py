"""Device URLs: one configuration string per device, e.g. `escpos+serial:///dev/ttyUSB0?baudrate=9600`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import parse_qsl, urlsplit

from devices.errors import BadDeviceUrl

T = TypeVar("T")


@dataclass(frozen=True)
class DeviceUrl:
    raw: str
    scheme: str
    netloc: str
    path: str
    params: Mapping[str, str]

    @property
    def transport(self) -> str:
        """The part after '+': `escpos+tcp` -> `tcp`; `sim` -> `sim`."""
        return self.scheme.split("+", 1)[-1]

    def param(self, name: str, convert: Callable[[str], T], default: T) -> T:
        if name not in self.params:
            return default
        try:
            return convert(self.params[name])
        except ValueError:
            raise BadDeviceUrl(f"{self.raw}: parameter {name}={self.params[name]!r} is not valid") from None

    def require_path(self, what: str) -> str:
        if not self.path:
            raise BadDeviceUrl(f"{what} URL {self.raw!r} names no device path (e.g. {self.scheme}:///dev/ttyUSB0)")
        return self.path

    def require_host(self, what: str, default_port: int | None = None) -> tuple[str, int]:
        host, _, port_text = self.netloc.rpartition(":") if ":" in self.netloc else (self.netloc, "", "")
        try:
            port = int(port_text) if port_text else default_port
        except ValueError:
            port = None
        if not host or port is None or not 0 < port < 65536:
            raise BadDeviceUrl(f"{what} URL {self.raw!r} needs host and port (e.g. {self.scheme}://10.0.0.5:9100)")
        return host, port


def parse_url(raw: str, what: str, schemes: tuple[str, ...]) -> DeviceUrl:
    """Parse and check the scheme; `what` names the device in the error ("printer", "ID-card reader")."""
    try:
        parts = urlsplit(raw)
    except ValueError as exc:
        raise BadDeviceUrl(f"{what} URL {raw!r} is malformed: {exc}") from None
    if parts.scheme not in schemes:
        raise BadDeviceUrl(f"{what} URL {raw!r}: unknown scheme {parts.scheme!r}; use one of {', '.join(schemes)}")
    return DeviceUrl(raw, parts.scheme, parts.netloc, parts.path, dict(parse_qsl(parts.query)))


def integer(text: str) -> int:
    """A URL parameter as an integer, in any base Python reads (addr=0x10)."""
    return int(text, 0)


def one_of(choices: tuple[str, ...]) -> Callable[[str], str]:
    """A URL parameter that must be one of `choices` (a simulator's state or fault)."""

    def convert(text: str) -> str:
        if text not in choices:
            raise ValueError(text)
        return text

    return convert


def pyserial_url(parsed: DeviceUrl, what: str) -> str:
    """`x+serial:///dev/ttyUSB1` -> `/dev/ttyUSB1`; `x+socket://h:p` -> `socket://h:p` (pyserial URL)."""
    if parsed.transport == "serial":
        return parsed.require_path(what)
    if parsed.transport in ("socket", "rfc2217"):
        host, port = parsed.require_host(what)
        return f"{parsed.transport}://{host}:{port}"
    return f"{parsed.transport}://"

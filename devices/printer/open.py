"""open_printer: a printer from its URL, one small opener per transport (python-escpos has a class
for each; the simulator is imported only when a sim:// URL asks for it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from devices.errors import BadDeviceUrl, DeviceUnavailable
from devices.health import StateListener
from devices.printer.driver import Printer
from devices.printer.link import Link, OneWayLink, SerialLink, TcpLink, UsbLink
from devices.printer.profiles import PROFILES
from devices.urls import DeviceUrl, integer, one_of, parse_url

Opened = tuple[Link, Any]  # the link, and the simulator behind it (sim:// only)


def _sim(parsed: DeviceUrl) -> Opened:
    from escpos import printer as escpos

    from devices.sim.printer import STATES, PrinterSim

    simulator = PrinterSim(state=parsed.param("state", one_of(STATES), "ok"))
    path = simulator.start_pty().path
    return SerialLink(
        escpos.Serial(devfile=path, baudrate=9600, timeout=1), parsed.raw, "the simulator", 5.0
    ), simulator


def _serial(parsed: DeviceUrl) -> Opened:
    from escpos import printer as escpos

    path = parsed.require_path("printer")
    device = escpos.Serial(
        devfile=path, baudrate=parsed.param("baudrate", int, 9600), timeout=parsed.param("timeout", float, 1.0)
    )
    return SerialLink(
        device,
        path,
        "that the port exists, the cable, the printer's power and baud rate",
        parsed.param("write_timeout", float, 10.0),
    ), None


def _tcp(parsed: DeviceUrl) -> Opened:
    from escpos import printer as escpos

    host, port = parsed.require_host("printer", 9100)
    device = escpos.Network(host=host, port=port, timeout=parsed.param("timeout", float, 5.0))
    return TcpLink(device, f"{host}:{port}", "the network cable, the printer's IP address and power"), None


def _usb(parsed: DeviceUrl) -> Opened:
    from escpos import printer as escpos

    try:
        vendor, product = (int(part, 0) for part in parsed.netloc.split(":"))
    except ValueError:
        raise BadDeviceUrl(
            f"printer URL {parsed.raw!r}: expected escpos+usb://0xVVVV:0xPPPP (vendor:product)"
        ) from None
    if not escpos.Usb.is_usable():
        raise DeviceUnavailable(f"printer {parsed.raw}: USB printing needs pyusb, which is not installed")
    device = escpos.Usb(
        vendor,
        product,
        timeout=parsed.param("timeout", int, 5000),
        in_ep=parsed.param("in_ep", integer, 0x82),
        out_ep=parsed.param("out_ep", integer, 0x01),
    )
    return UsbLink(
        device,
        f"usb {vendor:04x}:{product:04x}",
        "the USB cable, the printer's power, pyusb, libusb (scripts/system-deps.sh) and the udev permissions",
    ), None


def _file(parsed: DeviceUrl) -> Opened:
    from escpos import printer as escpos

    path = parsed.require_path("printer")
    return OneWayLink(escpos.File(devfile=path), path, "that the path exists and is writable"), None


def _dummy(parsed: DeviceUrl) -> Opened:
    from escpos import printer as escpos

    return OneWayLink(escpos.Dummy(), "dummy", "nothing (dummy printer)"), None


TRANSPORTS: dict[str, Callable[[DeviceUrl], Opened]] = {
    "usb": _usb,
    "serial": _serial,
    "tcp": _tcp,
    "file": _file,
    "dummy": _dummy,
    "sim": _sim,
}
SCHEMES = tuple(f"escpos+{name}" for name in TRANSPORTS if name != "sim") + ("sim",)


def open_printer(url: str, *, name: str = "printer", on_state: StateListener | None = None) -> Printer:
    """Query parameters: profile=58mm|80mm (default 80mm), status_timeout (s), and per transport
    baudrate/timeout (serial), timeout (tcp), in_ep/out_ep (usb); sim:// takes state=."""
    parsed = parse_url(url, "printer", SCHEMES)
    profile_name = parsed.param("profile", str, "80mm")
    if profile_name not in PROFILES:
        raise BadDeviceUrl(f"printer URL {url!r}: profile {profile_name!r}; use one of {', '.join(PROFILES)}")
    link, simulator = TRANSPORTS[parsed.transport](parsed)
    printer = Printer(link, PROFILES[profile_name], name, on_state, parsed.param("status_timeout", float, 0.5))
    printer.simulator = simulator
    try:
        link.open()
    except DeviceUnavailable:
        printer.close()
        raise
    return printer

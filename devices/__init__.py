"""Device adapters for the hall: ticket printer, ID-card reader, rating pad and window LED
screen, each opened from one URL. `sim://` opens an in-process simulator speaking the same bytes,
so the kiosk runs without hardware; the simulator is then at `device.simulator`.

    printer = open_printer("escpos+serial:///dev/ttyUSB0?baudrate=9600&profile=58mm", on_state=print)
    reader = open_id_reader("sam+serial:///dev/ttyUSB1")
    pad = open_pad("rs485+serial:///dev/ttyUSB2?addr=1")
    led = open_led("rs485+serial:///dev/ttyUSB2?addr=2")   # same bus, shared port
"""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Callable, Optional, Union

from escpos import printer as escpos_printer

from devices.errors import (
    BadBirthDate, BadDeviceUrl, BadIdNumber, CardError, CardExpired, CardNotYetValid, CardRemoved,
    ChecksumError, DeviceError, DeviceTimeout, DeviceUnavailable, FrameLengthError, InvalidCard, NoCard,
    PrinterNotReady, PrintFailed, ProtocolError, ReaderStatusError, UnknownStatus,
)
from devices.health import DeviceStateChange, StateListener
from devices.idcard.record import IdCard
from devices.idcard.sam import SamReader
from devices.idcard.watch import CardWatcher
from devices.idcard.wedge import WedgeReader
from devices.interfaces import RATING_LABELS, IdReader, LedScreen, PadEvent, RatingPad
from devices.printer import PROFILES, Checklist, Printer, PrinterState, PrinterStatus, Ticket, render, render_checklist
from devices.printer.link import Link, OneWayLink, SerialLink, TcpLink, UsbLink
from devices.rs485 import bus as rs485_bus
from devices.rs485.bus import Bus
from devices.rs485.led import Rs485Led
from devices.rs485.pad import Rs485Pad
from devices.serialport import SerialPort
from devices.urls import DeviceUrl, parse_url

if TYPE_CHECKING:
    from devices.sim.rs485 import BusSim

# The simulators are imported only when a sim:// URL asks for one.

PRINTER_SCHEMES = ("escpos+usb", "escpos+serial", "escpos+tcp", "escpos+file", "escpos+dummy", "sim")
READER_SCHEMES = ("sam+serial", "sam+socket", "sam+rfc2217", "sam+loop", "wedge", "sim")
BUS_SCHEMES = ("rs485+serial", "rs485+socket", "rs485+rfc2217", "rs485+loop", "sim")


def open_printer(url: str, *, name: str = "printer", on_state: Optional[StateListener] = None) -> Printer:
    """Query parameters: profile=58mm|80mm (default 80mm), status_timeout (s), and per transport
    baudrate/timeout (serial), timeout (tcp), in_ep/out_ep (usb); sim:// takes state=."""
    parsed = parse_url(url, "printer", PRINTER_SCHEMES)
    profile_name = parsed.param("profile", str, "80mm")
    if profile_name not in PROFILES:
        raise BadDeviceUrl(f"printer URL {url!r}: profile {profile_name!r}; use one of {', '.join(PROFILES)}")
    simulator = None
    transport = parsed.transport
    link: Link
    if transport == "sim":
        from devices.sim.printer import STATES, PrinterSim

        simulator = PrinterSim(state=parsed.param("state", _sim_choice(STATES), "ok"))
        path = simulator.start_pty().path
        link = SerialLink(escpos_printer.Serial(devfile=path, baudrate=9600, timeout=1), url, "the simulator", 5.0)
    elif transport == "serial":
        path = parsed.require_path("printer")
        device = escpos_printer.Serial(devfile=path, baudrate=parsed.param("baudrate", int, 9600),
                                       timeout=parsed.param("timeout", float, 1.0))
        link = SerialLink(device, path, "that the port exists, the cable, the printer's power and baud rate",
                          parsed.param("write_timeout", float, 10.0))
    elif transport == "tcp":
        host, port = parsed.require_host("printer", 9100)
        device = escpos_printer.Network(host=host, port=port, timeout=parsed.param("timeout", float, 5.0))
        link = TcpLink(device, f"{host}:{port}", "the network cable, the printer's IP address and power")
    elif transport == "usb":
        vendor, product = _usb_ids(parsed)
        if not escpos_printer.Usb.is_usable():
            raise DeviceUnavailable(f"printer {url}: USB printing needs pyusb, which is not installed")
        device = escpos_printer.Usb(vendor, product, timeout=parsed.param("timeout", int, 5000),
                                    in_ep=parsed.param("in_ep", _int, 0x82), out_ep=parsed.param("out_ep", _int, 0x01))
        link = UsbLink(device, f"usb {vendor:04x}:{product:04x}",
                       "the USB cable, the printer's power, pyusb and the udev permissions")
    elif transport == "file":
        path = parsed.require_path("printer")
        link = OneWayLink(escpos_printer.File(devfile=path), path, "that the path exists and is writable")
    else:
        link = OneWayLink(escpos_printer.Dummy(), "dummy", "nothing (dummy printer)")
    printer = Printer(link, PROFILES[profile_name], name, on_state, parsed.param("status_timeout", float, 0.5))
    printer.simulator = simulator
    try:
        link.open()
    except DeviceUnavailable:
        printer.close()
        raise
    return printer


def open_id_reader(
    url: str, *, name: str = "idcard", on_state: Optional[StateListener] = None,
    today: Callable[[], date] = date.today,
) -> Union[SamReader, WedgeReader]:
    """sam+serial:///dev/ttyUSB1?baudrate=115200, sam+socket://host:port, wedge://, or
    sim://?card=<index, number or name>&fault=...; timeout and read_timeout in seconds."""
    parsed = parse_url(url, "ID-card reader", READER_SCHEMES)
    if parsed.transport == "wedge":
        return WedgeReader(name, on_state, today=today, max_gap=parsed.param("max_gap", float, 0.1))
    simulator = None
    if parsed.transport == "sim":
        from devices.sim.idcard import FAULTS, IdCardSim

        simulator = IdCardSim(fault=parsed.param("fault", _sim_choice(FAULTS), None))
        if "card" in parsed.params:
            try:
                simulator.place(parsed.params["card"])
            except ValueError as exc:
                raise BadDeviceUrl(f"{url}: {exc}") from None
        port_url = simulator.start_pty().path
    else:
        port_url = _pyserial_url(parsed, "ID-card reader")
    port = SerialPort(port_url, "ID-card reader", "the reader's cable, power and port settings (115200 baud)",
                      baudrate=parsed.param("baudrate", int, 115200))
    reader = SamReader(port, name, on_state, parsed.param("timeout", float, 1.0),
                       parsed.param("read_timeout", float, 3.0), today)
    reader.simulator = simulator
    try:
        port.open()
    except DeviceUnavailable:
        reader.close()
        raise
    return reader


def open_pad(url: str, *, name: Optional[str] = None, on_state: Optional[StateListener] = None) -> Rs485Pad:
    """rs485+serial:///dev/ttyUSB2?addr=1 (baudrate, timeout), rs485+socket://host:port?addr=1, sim://?addr=1."""
    bus, address, simulator = _open_bus(parse_url(url, "rating pad", BUS_SCHEMES), "pad")
    pad = Rs485Pad(bus, address, name, on_state)
    pad.simulator = simulator
    return pad


def open_led(url: str, *, name: Optional[str] = None, on_state: Optional[StateListener] = None) -> Rs485Led:
    """As open_pad, plus digits=<how many the screen has> (default 4) and text=0 for an old screen
    that shows digits only (no GBK text frame)."""
    parsed = parse_url(url, "LED screen", BUS_SCHEMES)
    bus, address, simulator = _open_bus(parsed, "led")
    led = Rs485Led(bus, address, parsed.param("digits", int, 4), name, on_state, text=parsed.param("text", _int, 1) != 0)
    led.simulator = simulator
    return led


def _open_bus(parsed: DeviceUrl, kind: str) -> tuple[Bus, int, Optional[BusSim]]:
    address = parsed.param("addr", _int, 1)
    simulator = None
    if parsed.transport == "sim":
        from devices.sim.rs485 import BusSim

        simulator = BusSim()
        getattr(simulator, f"add_{kind}")(address)
        port_url = simulator.start_pty().path
    else:
        port_url = _pyserial_url(parsed, kind)
    bus = rs485_bus.attach(port_url, parsed.param("baudrate", int, 9600), parsed.param("timeout", float, 0.2))
    try:
        bus.port.open()
    except DeviceUnavailable:
        rs485_bus.detach(bus)
        if simulator is not None:
            simulator.stop()
        raise
    return bus, address, simulator


def _int(text: str) -> int:
    return int(text, 0)


def _sim_choice(choices: tuple[str, ...]) -> Callable[[str], str]:
    def convert(text: str) -> str:
        if text not in choices:
            raise ValueError(text)
        return text
    return convert


def _usb_ids(parsed: DeviceUrl) -> tuple[int, int]:
    try:
        vendor, product = (int(part, 0) for part in parsed.netloc.split(":"))
    except ValueError:
        raise BadDeviceUrl(f"printer URL {parsed.raw!r}: expected escpos+usb://0xVVVV:0xPPPP (vendor:product)") from None
    return vendor, product


def _pyserial_url(parsed: DeviceUrl, what: str) -> str:
    """`x+serial:///dev/ttyUSB1` -> `/dev/ttyUSB1`; `x+socket://h:p` -> `socket://h:p` (pyserial URL)."""
    if parsed.transport == "serial":
        return parsed.require_path(what)
    if parsed.transport in ("socket", "rfc2217"):
        host, port = parsed.require_host(what)
        return f"{parsed.transport}://{host}:{port}"
    return f"{parsed.transport}://"


__all__ = [
    "PROFILES", "RATING_LABELS", "BadBirthDate", "BadDeviceUrl", "BadIdNumber", "CardError", "CardExpired",
    "CardNotYetValid", "CardRemoved", "CardWatcher", "Checklist", "ChecksumError", "DeviceError",
    "DeviceStateChange", "DeviceTimeout", "DeviceUnavailable", "FrameLengthError", "IdCard", "IdReader",
    "InvalidCard", "LedScreen", "NoCard", "PadEvent", "PrintFailed", "Printer", "PrinterNotReady",
    "PrinterState", "PrinterStatus", "ProtocolError", "RatingPad", "ReaderStatusError", "Rs485Led", "Rs485Pad",
    "SamReader", "StateListener", "Ticket", "UnknownStatus", "WedgeReader", "open_id_reader", "open_led",
    "open_pad", "open_printer", "render", "render_checklist",
]

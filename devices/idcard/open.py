"""open_id_reader: an ID-card reader from its URL (a SAM module on a serial line or socket, a
keyboard-wedge reader, or the simulator)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from devices.errors import BadDeviceUrl, DeviceUnavailable
from devices.health import StateListener
from devices.idcard.sam import SamReader
from devices.idcard.wedge import WedgeReader
from devices.serialport import SerialPort
from devices.urls import one_of, parse_url, pyserial_url

SCHEMES = ("sam+serial", "sam+socket", "sam+rfc2217", "sam+loop", "wedge", "sim")


def open_id_reader(
    url: str,
    *,
    name: str = "idcard",
    on_state: StateListener | None = None,
    today: Callable[[], date] = date.today,
) -> SamReader | WedgeReader:
    """sam+serial:///dev/ttyUSB1?baudrate=115200, sam+socket://host:port, wedge://, or
    sim://?card=<index, number or name>&fault=...; timeout and read_timeout in seconds."""
    parsed = parse_url(url, "ID-card reader", SCHEMES)
    if parsed.transport == "wedge":
        return WedgeReader(name, on_state, today=today, max_gap=parsed.param("max_gap", float, 0.1))
    simulator = None
    if parsed.transport == "sim":
        from devices.sim.idcard import FAULTS, IdCardSim

        simulator = IdCardSim(fault=parsed.param("fault", one_of(FAULTS), None))
        if "card" in parsed.params:
            try:
                simulator.place(parsed.params["card"])
            except ValueError as exc:
                raise BadDeviceUrl(f"{url}: {exc}") from None
        port_url = simulator.start_pty().path
    else:
        port_url = pyserial_url(parsed, "ID-card reader")
    port = SerialPort(
        port_url,
        "ID-card reader",
        "the reader's cable, power and port settings (115200 baud)",
        baudrate=parsed.param("baudrate", int, 115200),
    )
    reader = SamReader(
        port, name, on_state, parsed.param("timeout", float, 1.0), parsed.param("read_timeout", float, 3.0), today
    )
    reader.simulator = simulator
    try:
        port.open()
    except DeviceUnavailable:
        reader.close()
        raise
    return reader

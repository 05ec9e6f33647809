"""open_pad and open_led: a window's rating pad and LED screen from their URLs. Devices on one
RS-485 line share its port (bus.attach)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from devices.errors import DeviceUnavailable
from devices.health import StateListener
from devices.rs485 import bus as rs485_bus
from devices.rs485.bus import Bus
from devices.rs485.led import Rs485Led
from devices.rs485.pad import Rs485Pad
from devices.urls import DeviceUrl, integer, parse_url, pyserial_url

if TYPE_CHECKING:
    from devices.sim.rs485 import BusSim

SCHEMES = ("rs485+serial", "rs485+socket", "rs485+rfc2217", "rs485+loop", "sim")


def open_pad(url: str, *, name: str | None = None, on_state: StateListener | None = None) -> Rs485Pad:
    """rs485+serial:///dev/ttyUSB2?addr=1 (baudrate, timeout), rs485+socket://host:port?addr=1, sim://?addr=1."""
    bus, address, simulator = _open_bus(parse_url(url, "rating pad", SCHEMES), "pad")
    pad = Rs485Pad(bus, address, name, on_state)
    pad.simulator = simulator
    return pad


def open_led(url: str, *, name: str | None = None, on_state: StateListener | None = None) -> Rs485Led:
    """As open_pad, plus digits=<how many the screen has> (default 4) and text=0 for an old screen
    that shows digits only (no GBK text frame)."""
    parsed = parse_url(url, "LED screen", SCHEMES)
    bus, address, simulator = _open_bus(parsed, "led")
    led = Rs485Led(
        bus, address, parsed.param("digits", int, 4), name, on_state, text=parsed.param("text", integer, 1) != 0
    )
    led.simulator = simulator
    return led


def _open_bus(parsed: DeviceUrl, kind: str) -> tuple[Bus, int, BusSim | None]:
    address = parsed.param("addr", integer, 1)
    simulator = None
    if parsed.transport == "sim":
        from devices.sim.rs485 import BusSim

        simulator = BusSim()
        getattr(simulator, f"add_{kind}")(address)
        port_url = simulator.start_pty().path
    else:
        port_url = pyserial_url(parsed, kind)
    bus = rs485_bus.attach(port_url, parsed.param("baudrate", int, 9600), parsed.param("timeout", float, 0.2))
    try:
        bus.port.open()
    except DeviceUnavailable:
        rs485_bus.detach(bus)
        if simulator is not None:
            simulator.stop()
        raise
    return bus, address, simulator

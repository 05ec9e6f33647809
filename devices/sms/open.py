"""open_sms: the hall's SMS sender from its URL (a modem) or the gateway settings."""

from __future__ import annotations

from devices.errors import DeviceUnavailable
from devices.health import StateListener
from devices.serialport import SerialPort
from devices.sms.modem import HINT, GsmModem
from devices.urls import parse_url, pyserial_url

SCHEMES = ("gsm+serial", "gsm+socket", "gsm+rfc2217", "sim")


def open_modem(url: str, *, name: str = "sms", on_state: StateListener | None = None) -> GsmModem:
    """gsm+serial:///dev/ttyUSB3?baudrate=115200 (timeout: seconds for an answer), gsm+socket://host:port,
    sim:// (an in-process simulator on a pty; sim://?state=no_sim|no_signal|no_credit)."""
    parsed = parse_url(url, "SMS modem", SCHEMES)
    simulator = None
    if parsed.transport == "sim":
        from devices.sim.gsm import STATES, ModemSim

        simulator = ModemSim(parsed.params.get("state", "ok"))
        if simulator.state not in STATES:
            simulator.stop()
            raise ValueError(f"{url}: state must be one of {', '.join(STATES)}")
        port_url = simulator.start_pty().path
    else:
        port_url = pyserial_url(parsed, "modem")
    port = SerialPort(port_url, "SMS modem", HINT, baudrate=parsed.param("baudrate", int, 115200))
    modem = GsmModem(port, name, on_state, timeout=parsed.param("timeout", float, 10.0))
    modem.simulator = simulator
    try:
        port.open()
    except DeviceUnavailable as exc:
        modem.health.report("unreachable", str(exc))
    return modem

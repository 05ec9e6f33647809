"""A GSM modem (短信猫) on a serial line: the AT dialogue of 3GPP TS 27.005 in PDU mode."""

from __future__ import annotations

import itertools
import re
import time
from typing import TYPE_CHECKING

from devices.errors import DeviceError, DeviceTimeout, DeviceUnavailable, ProtocolError
from devices.health import Health, StateListener
from devices.serialport import SerialPort
from devices.sms.pdu import encode_submit, tpdu_length

if TYPE_CHECKING:
    from devices.sim.endpoint import Simulator

HINT = "the modem's USB or serial cable, its power and its SIM card"
FINAL = re.compile(rb"\r\n(OK|ERROR|\+CMS ERROR: *\d+|\+CME ERROR: *[^\r]+)\r\n")
# +CMS ERROR codes (27.005 3.2.5) that mean the network refused this message for the SIM's account.
REFUSED = {21: "no_credit", 42: "no_credit", 500: "error"}
NO_SERVICE = {30, 331, 332}  # unknown subscriber, no network service, network timeout


class SmsError(DeviceError):
    """A message was not sent; `state` is the device state it means (no_sim, no_signal, no_credit, error)."""

    def __init__(self, message: str, state: str):
        super().__init__(message)
        self.state = state


class GsmModem:
    kind = "sms"

    def __init__(self, port: SerialPort, name: str = "sms", on_state: StateListener | None = None, timeout=10.0):
        self.port = port
        self.timeout = timeout
        self.health = Health(name, on_state)
        self.simulator: Simulator | None = None  # the in-process simulator behind a sim:// modem
        self._references = itertools.count(int(time.time()) & 0xFF)

    def _command(self, line: str, body: bytes | None = None) -> str:
        """Send one AT command (and, after its `>` prompt, a PDU); the answer up to its final result."""
        with self.port.lock:
            self.port.write(line.encode("ascii") + b"\r")
            # Byte by byte: a read of more waits for all of it, and AT answers are a few dozen bytes.
            answer = b""
            deadline = time.monotonic() + self.timeout
            if body is not None:
                while b">" not in answer:
                    if FINAL.search(answer) or time.monotonic() >= deadline:
                        return self._final(line, answer)
                    answer += self.port.read(1, deadline)
                self.port.write(body + b"\x1a")
                answer = b""
            while not FINAL.search(answer):
                if time.monotonic() >= deadline:
                    raise DeviceTimeout(f"modem did not answer {line} within {self.timeout}s on {self.port.url}")
                answer += self.port.read(1, deadline)
        return self._final(line, answer)

    def _final(self, line: str, answer: bytes) -> str:
        match = FINAL.search(answer)
        if match is None:
            raise DeviceTimeout(f"modem gave no prompt for {line} on {self.port.url}")
        result = match.group(1).decode("ascii", "replace")
        text = answer[: match.start()].decode("ascii", "replace")
        if result == "OK":
            return text
        if result.startswith("+CMS ERROR"):
            code = int(result.rsplit(":", 1)[1])
            if code in NO_SERVICE:
                raise SmsError(f"network refused the message ({result})", "no_signal")
            raise SmsError(f"modem refused {line} ({result})", REFUSED.get(code, "error"))
        if result.startswith("+CME ERROR") and result.split(":", 1)[1].strip() in ("10", "SIM not inserted"):
            raise SmsError(f"no SIM card in the modem ({result})", "no_sim")
        raise SmsError(f"modem refused {line} ({result})", "error")

    def _ready(self) -> None:
        self._command("ATE0")  # no echo: answers are then only answers
        pin = self._command("AT+CPIN?")
        if "READY" not in pin:
            raise SmsError(f"SIM card not ready ({pin.strip()})", "no_sim")
        signal = re.search(r"\+CSQ: *(\d+)", self._command("AT+CSQ"))
        if signal is None:
            raise ProtocolError("modem answered AT+CSQ without +CSQ")
        if int(signal.group(1)) in (0, 99):  # 99: not known or not detectable
            raise SmsError("no mobile network signal", "no_signal")
        self._command("AT+CMGF=0")

    def send(self, to: str, text: str) -> list[int]:
        """Send `text` (split and concatenated when long); returns the network's message references."""
        try:
            self._ready()
            refs = []
            for pdu in encode_submit(to, text, next(self._references)):
                answer = self._command(f"AT+CMGS={tpdu_length(pdu)}", pdu.encode("ascii"))
                found = re.search(r"\+CMGS: *(\d+)", answer)
                refs.append(int(found.group(1)) if found else -1)
        except SmsError as exc:
            self.health.report(exc.state, str(exc))
            raise
        except (DeviceTimeout, DeviceUnavailable) as exc:
            self.health.report("unreachable", f"{exc}; check {HINT}")
            raise
        except DeviceError as exc:
            self.health.report("error", str(exc))
            raise
        self.health.report("ok")
        return refs

    def close(self) -> None:
        self.port.close()
        if self.simulator is not None:
            self.simulator.stop()

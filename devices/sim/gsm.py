"""A GSM modem (短信猫) answering the AT dialogue of 27.005 in PDU mode, with the failures a hall
meets: no SIM, no signal, no credit (+CMS ERROR), silence. Received PDUs are decoded; long
messages are joined from their parts as the phone would."""

from __future__ import annotations

from devices.sim.endpoint import Simulator
from devices.sms.pdu import Submit, decode_submit

STATES = ("ok", "no_sim", "no_signal", "no_credit", "silent")


class ModemSim(Simulator):
    def __init__(self, state: str = "ok") -> None:
        super().__init__()
        self.state = state
        self.echo = True  # as a modem starts, until ATE0
        self.pdu_mode = False
        self.parts: list[Submit] = []  # every PDU received, decoded
        self.messages: list[tuple[str, str]] = []  # (to, text), long messages joined
        self._buffer = b""
        self._awaiting: int | None = None  # octets announced by AT+CMGS, while the PDU comes
        self._next_ref = 1

    def handle(self, data: bytes) -> bytes:
        if self.state == "silent":
            return b""
        self._buffer += data
        reply = b""
        while True:
            if self._awaiting is not None:
                end = self._buffer.find(b"\x1a")
                if end < 0:
                    return reply
                pdu, self._buffer = self._buffer[:end], self._buffer[end + 1 :]
                reply += self._submit(pdu.decode("ascii", "replace").strip(), self._awaiting)
                self._awaiting = None
                continue
            end = self._buffer.find(b"\r")
            if end < 0:
                return reply
            line, self._buffer = self._buffer[:end].decode("ascii", "replace").strip(), self._buffer[end + 1 :]
            if line:
                reply += (line.encode() + b"\r" if self.echo else b"") + self._line(line)

    def _line(self, line: str) -> bytes:
        command = line.upper()
        if command == "AT":
            return b"\r\nOK\r\n"
        if command in ("ATE0", "ATE1"):
            self.echo = command == "ATE1"
            return b"\r\nOK\r\n"
        if command == "AT+CPIN?":
            return b"\r\n+CME ERROR: 10\r\n" if self.state == "no_sim" else b"\r\n+CPIN: READY\r\n\r\nOK\r\n"
        if command == "AT+CSQ":
            return b"\r\n+CSQ: %d,99\r\n\r\nOK\r\n" % (99 if self.state == "no_signal" else 21)
        if command in ("AT+CMGF=0", "AT+CMGF=1"):
            self.pdu_mode = command.endswith("0")
            return b"\r\nOK\r\n"
        if command.startswith("AT+CMGS="):
            if not self.pdu_mode:
                return b"\r\n+CMS ERROR: 302\r\n"  # operation not allowed (text mode is not served here)
            try:
                self._awaiting = int(command.split("=", 1)[1])
            except ValueError:
                return b"\r\n+CMS ERROR: 304\r\n"
            return b"\r\n> "
        return b"\r\nERROR\r\n"

    def _submit(self, pdu: str, announced: int) -> bytes:
        try:
            raw = bytes.fromhex(pdu)
            if len(raw) - 1 - raw[0] != announced:
                return b"\r\n+CMS ERROR: 304\r\n"  # invalid PDU mode parameter: the length is wrong
            submit = decode_submit(pdu)
        except (ValueError, IndexError, UnicodeDecodeError):
            return b"\r\n+CMS ERROR: 304\r\n"
        if self.state == "no_credit":
            return b"\r\n+CMS ERROR: 21\r\n"  # short message transfer rejected
        self.parts.append(submit)
        self._join(submit)
        ref, self._next_ref = self._next_ref, (self._next_ref + 1) % 256
        return b"\r\n+CMGS: %d\r\n\r\nOK\r\n" % ref

    def _join(self, submit: Submit) -> None:
        if submit.parts == 1:
            self.messages.append((submit.to, submit.text))
            return
        same = [p for p in self.parts if (p.to, p.reference, p.parts) == (submit.to, submit.reference, submit.parts)]
        pieces = {p.part: p.text for p in same[-submit.parts :]}
        if len(pieces) == submit.parts:
            self.messages.append((submit.to, "".join(pieces[i] for i in range(1, submit.parts + 1))))

"""Real-time printer status from DLE EOT 1, 2 and 4, decoded by hand: python-escpos's
`paper_status()` reads 16 bytes (so it waits out the whole timeout on every query even when the
printer answered) and reports "plenty of paper" when the printer says nothing at all."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

DLE_EOT = b"\x10\x04"
QUERIES = (1, 2, 4)  # printer status, offline cause, roll-paper sensor


class PrinterState(StrEnum):
    OK = "ok"
    NEAR_END = "near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    UNREACHABLE = "unreachable"


PRINTABLE = frozenset({PrinterState.OK, PrinterState.NEAR_END})


@dataclass(frozen=True)
class PrinterStatus:
    state: PrinterState
    detail: str = ""

    @property
    def printable(self) -> bool:
        return self.state in PRINTABLE


def query(n: int) -> bytes:
    return DLE_EOT + bytes([n])


def is_status_byte(value: int) -> bool:
    """Every DLE EOT answer has bits 1 and 4 set and bits 0 and 7 clear; anything else is line
    noise or a wrong baud rate."""
    return value & 0x93 == 0x12


def decode(answers: Mapping[int, int]) -> PrinterStatus:
    """State from the answers to DLE EOT 1, 2 and 4 (the byte each returned)."""
    for n in QUERIES:
        if n not in answers:
            return PrinterStatus(PrinterState.UNREACHABLE, f"no answer to DLE EOT {n}")
        if not is_status_byte(answers[n]):
            return PrinterStatus(
                PrinterState.UNREACHABLE,
                f"answer 0x{answers[n]:02x} to DLE EOT {n} is not a status byte; check the baud rate",
            )
    printer, cause, paper = answers[1], answers[2], answers[4]
    if cause & 0x04:
        return PrinterStatus(PrinterState.COVER_OPEN, "cover open")
    if cause & 0x20 or paper & 0x60:
        return PrinterStatus(PrinterState.PAPER_OUT, "paper end")
    if printer & 0x08 or cause & 0x40:
        return PrinterStatus(PrinterState.OFFLINE, "printer offline" + (" (error)" if cause & 0x40 else ""))
    if paper & 0x0C:
        return PrinterStatus(PrinterState.NEAR_END, "paper near end")
    return PrinterStatus(PrinterState.OK)


def encode(state: PrinterState) -> dict[int, int]:
    """The bytes a printer in `state` answers; the inverse of `decode`, used by the simulator."""
    printer, cause, paper = 0x12, 0x12, 0x12
    if state is PrinterState.COVER_OPEN:
        printer, cause = printer | 0x08, cause | 0x04
    elif state is PrinterState.PAPER_OUT:
        printer, cause, paper = printer | 0x08, cause | 0x20, paper | 0x6C
    elif state is PrinterState.OFFLINE:
        printer, cause = printer | 0x08, cause | 0x40
    elif state is PrinterState.NEAR_END:
        paper |= 0x0C
    elif state is PrinterState.UNREACHABLE:
        return {}
    return {1: printer, 2: cause, 4: paper}

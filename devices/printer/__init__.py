"""ESC/POS ticket printer: layout, GBK text, status queries, transports."""

from devices.printer.driver import Printer
from devices.printer.profiles import PROFILES, PrinterProfile
from devices.printer.render import render, render_checklist
from devices.printer.status import PrinterState, PrinterStatus
from devices.printer.ticket import Checklist, Ticket

__all__ = [
    "PROFILES",
    "Checklist",
    "Printer",
    "PrinterProfile",
    "PrinterState",
    "PrinterStatus",
    "Ticket",
    "render",
    "render_checklist",
]

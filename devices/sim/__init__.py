"""Simulators that speak the devices' own bytes, on a pty or a TCP port, in-process or from
`python -m devices.sim`:

    sim = PrinterSim()
    endpoint = sim.start_pty()      # or sim.start_tcp(port)
    endpoint.path                   # open this like a serial port
    sim.state = "paper_out"
    endpoint.stop()
"""

from devices.sim.endpoint import PtyEndpoint, Simulator, TcpEndpoint
from devices.sim.idcard import IdCardSim, load_cards
from devices.sim.paper import Paper, read_paper
from devices.sim.printer import PrinterSim
from devices.sim.rs485 import BusSim, LedSim, PadSim

__all__ = [
    "BusSim",
    "IdCardSim",
    "LedSim",
    "PadSim",
    "Paper",
    "PrinterSim",
    "PtyEndpoint",
    "Simulator",
    "TcpEndpoint",
    "load_cards",
    "read_paper",
]

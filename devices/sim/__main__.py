"""Run a device simulator for a kiosk or a window on this machine:

    python -m devices.sim printer --pty [--state paper_out] [--jobs DIR]
    python -m devices.sim idcard --tcp 7001 [--cards FILE] [--card 0] [--fault lift_mid_read]
    python -m devices.sim pad --pty --addr 1 [--led 2]     (type 1-4, call, recall, pause or evaluate + Enter)
    python -m devices.sim led --pty --addr 2 [--pad 1]
    python -m devices.sim modem --pty [--state no_credit]     (GSM modem: prints each message it decodes)

It prints the port to use (a pty path or host:port), then serves until interrupted. Typing
`state paper_out`, `place 2`, `lift` or `fault silent` on stdin changes the printer or reader
(`state no_signal` the modem)."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from devices.interfaces import RATING_LABELS
from devices.sim.endpoint import Simulator
from devices.sim.gsm import STATES as MODEM_STATES, ModemSim
from devices.sim.idcard import CARDS_FILE, FAULTS, IdCardSim, load_cards
from devices.sim.printer import STATES, PrinterSim
from devices.sim.rs485 import BusSim, LedSim


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m devices.sim", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("device", choices=("printer", "idcard", "pad", "led", "modem"))
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--pty", action="store_true", help="serve on a new pseudo-terminal")
    where.add_argument("--tcp", type=int, metavar="PORT", help="serve on this TCP port (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--state", choices=sorted(set(STATES) | set(MODEM_STATES)), default="ok", help="printer or modem state"
    )
    parser.add_argument("--jobs", type=Path, help="printer: save each job here as job-NNNN.bin")
    parser.add_argument("--cards", type=Path, default=CARDS_FILE, help="ID cards: YAML file of people")
    parser.add_argument("--card", help="ID cards: place this card (index, number or name) at start")
    parser.add_argument("--fault", choices=FAULTS, help="ID-card reader fault")
    parser.add_argument("--addr", type=int, action="append", help="bus address of this pad or screen")
    parser.add_argument("--pad", type=int, action="append", default=[], help="another pad on the same bus")
    parser.add_argument("--led", type=int, action="append", default=[], help="another screen on the same bus")
    return parser


def _build(args: argparse.Namespace) -> Simulator:
    if args.device == "printer":
        return PrinterSim(args.state, args.jobs)
    if args.device == "modem":
        return ModemSim(args.state)
    if args.device == "idcard":
        sim = IdCardSim(load_cards(args.cards), args.fault)
        if args.card is not None:
            sim.place(args.card)
        return sim
    bus = BusSim()
    own = args.addr or [1]
    for address in args.pad + (own if args.device == "pad" else []):
        bus.add_pad(address)
    for address in args.led + (own if args.device == "led" else []):
        bus.add_led(address)
    return bus


def _command(sim: Simulator, line: str) -> str:
    """One stdin command; returns what to print."""
    word, _, arg = line.strip().partition(" ")
    if isinstance(sim, (PrinterSim, ModemSim)) and word == "state":
        sim.state = arg
        return f"state {arg}"
    if isinstance(sim, IdCardSim) and word == "place":
        return f"placed {sim.place(arg).name}"
    if isinstance(sim, IdCardSim) and word == "lift":
        sim.lift()
        return "lifted"
    if isinstance(sim, IdCardSim) and word == "fault":
        sim.fault = arg or None
        return f"fault {sim.fault}"
    if isinstance(sim, BusSim):
        pads = [(a, d) for a, d in sim.devices.items() if not isinstance(d, LedSim)]
        address, pad = next(((a, d) for a, d in pads if str(a) == arg), pads[0] if pads else (None, None))
        if pad is not None and word in ("1", "2", "3", "4"):
            pad.rate(int(word))
            return f"pad {address}: rating {word} ({RATING_LABELS[int(word)]})"
        if pad is not None and word in ("call", "recall", "pause", "evaluate"):
            pad.press(word)
            return f"pad {address}: {word}"
    return f"unknown command {line.strip()!r}"


def _watch_screens(sim: BusSim, stop: threading.Event) -> None:
    shown: dict[int, tuple[str, int]] = {}
    while not stop.wait(0.2):
        for address, device in sim.devices.items():
            if isinstance(device, LedSim) and shown.get(address) != (device.text, device.beeps):
                shown[address] = (device.text, device.beeps)
                print(f"led {address}: [{device.text}] beeps={device.beeps}", flush=True)


def _watch_messages(sim: ModemSim, stop: threading.Event) -> None:
    seen = 0
    while not stop.wait(0.2):
        for to, text in sim.messages[seen:]:
            print(f"sms to {to}: {text}", flush=True)
        seen = len(sim.messages)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.state not in (MODEM_STATES if args.device == "modem" else STATES):
        parser.error(f"--state {args.state} is not a state of the {args.device}")
    sim = _build(args)
    if args.pty:
        print(sim.start_pty().path, flush=True)
    else:
        endpoint = sim.start_tcp(args.tcp, args.host)
        print(f"{endpoint.host}:{endpoint.port}", flush=True)
    stop = threading.Event()
    if isinstance(sim, BusSim):
        threading.Thread(target=_watch_screens, args=(sim, stop), daemon=True).start()
    if isinstance(sim, ModemSim):
        threading.Thread(target=_watch_messages, args=(sim, stop), daemon=True).start()
    try:
        for line in sys.stdin:
            if line.strip():
                try:
                    print(_command(sim, line), flush=True)
                except (ValueError, KeyError) as exc:
                    print(f"error: {exc}", flush=True)
        stop.wait()  # stdin closed (e.g. run in the background): serve until interrupted
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

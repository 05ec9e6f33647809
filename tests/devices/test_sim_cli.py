"""`python -m devices.sim`: the port it prints is usable by the drivers, stdin changes its state."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from devices import PadEvent, PrinterState, open_id_reader, open_pad, open_printer
from devices.sms.modem import SmsError
from devices.sms.open import open_modem

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_sim(pty_available):
    processes = []

    def start(*args: str) -> tuple[subprocess.Popen, str]:
        process = subprocess.Popen(
            [sys.executable, "-m", "devices.sim", *args],
            cwd=ROOT,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        processes.append(process)
        return process, process.stdout.readline().strip()

    yield start
    for process in processes:
        process.kill()
        process.wait(timeout=5)


def say(process: subprocess.Popen, line: str) -> str:
    process.stdin.write(line + "\n")
    process.stdin.flush()
    return process.stdout.readline().strip()


def test_printer_sim_on_a_pty_saves_jobs(run_sim, tmp_path, ticket):
    process, path = run_sim("printer", "--pty", "--jobs", str(tmp_path))
    assert path.startswith("/dev/")
    printer = open_printer(f"escpos+serial://{path}")
    try:
        printer.print_ticket(ticket)
        assert say(process, "state cover_open") == "state cover_open"
        assert printer.status().state is PrinterState.COVER_OPEN
    finally:
        printer.close()
    deadline = time.monotonic() + 5
    while not list(tmp_path.glob("job-*.bin")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [p.name for p in tmp_path.glob("job-*.bin")] == ["job-0001.bin"]


def test_idcard_sim_on_tcp(run_sim):
    process, address = run_sim("idcard", "--tcp", "0", "--card", "王小明")
    reader = open_id_reader(f"sam+socket://{address}", today=lambda: date(2026, 11, 25))
    try:
        assert reader.read_card().name == "王小明"
        assert say(process, "lift") == "lifted"
        assert not reader.card_present()
    finally:
        reader.close()


def test_pad_sim_sends_typed_ratings(run_sim):
    process, path = run_sim("pad", "--pty", "--addr", "3", "--led", "4")
    pad = open_pad(f"rs485+serial://{path}?addr=3")
    try:
        assert say(process, "2") == "pad 3: rating 2 (一般)"
        assert pad.poll() == PadEvent(3, "rating", 2)
    finally:
        pad.close()


def test_modem_sim_prints_what_it_decodes(run_sim):
    process, path = run_sim("modem", "--pty")
    modem = open_modem(f"gsm+serial://{path}?timeout=5")
    try:
        modem.send("13812341234", "请A012号到21号窗口")
        assert process.stdout.readline().strip() == "sms to 13812341234: 请A012号到21号窗口"
        assert say(process, "state no_signal") == "state no_signal"
        with pytest.raises(SmsError):
            modem.send("13812341234", "x")
        assert modem.health.state == "no_signal"
    finally:
        modem.close()

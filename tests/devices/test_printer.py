"""The printer driver against the printer simulator on a pty and on TCP."""

from __future__ import annotations

import time

import pytest

from devices import (
    BadDeviceUrl,
    DeviceUnavailable,
    PrinterNotReady,
    PrinterState,
    PrintFailed,
    open_printer,
)
from devices.sim import PrinterSim, read_paper

TIMEOUT = 1.0


@pytest.fixture
def sim(pty_available):
    simulator = PrinterSim()
    endpoint = simulator.start_pty()
    yield simulator
    endpoint.stop()


@pytest.fixture
def events():
    return []


@pytest.fixture
def printer(sim, events):
    path = sim.endpoints[0].path
    device = open_printer(f"escpos+serial://{path}?status_timeout={TIMEOUT}&profile=58mm", on_state=events.append)
    yield device
    device.close()


@pytest.mark.parametrize("state", ["ok", "near_end", "paper_out", "cover_open", "offline"])
def test_status_of_each_state_answers_well_under_the_timeout(sim, printer, state):
    sim.state = state
    started = time.monotonic()
    status = printer.status()
    elapsed = time.monotonic() - started
    assert status.state is PrinterState(state)
    assert status.printable == (state in ("ok", "near_end"))
    assert elapsed < TIMEOUT / 5


def test_silent_printer_is_unreachable_never_ok(sim, printer):
    sim.state = "silent"
    started = time.monotonic()
    status = printer.status()
    assert status.state is PrinterState.UNREACHABLE
    assert "DLE EOT 1" in status.detail and "check" in status.detail
    # One query's timeout, not one per query.
    assert TIMEOUT <= time.monotonic() - started < 2 * TIMEOUT


def test_ticket_is_printed_and_recorded(sim, printer, ticket):
    status = printer.print_ticket(ticket)
    assert status.state is PrinterState.OK
    assert len(sim.jobs) == 1 and sim.jobs[0].printed
    paper = read_paper(sim.jobs[0].raw)
    assert ticket.number in paper.lines and paper.cut


def test_nothing_is_sent_to_a_printer_without_paper(sim, printer, ticket):
    sim.state = "paper_out"
    with pytest.raises(PrinterNotReady) as raised:
        printer.print_ticket(ticket)
    assert raised.value.status.state is PrinterState.PAPER_OUT
    assert not isinstance(raised.value, PrintFailed)
    assert sim.jobs == []


def test_paper_running_out_during_the_ticket_is_a_failure(sim, printer, ticket):
    sim.state_after_next_job = "paper_out"
    with pytest.raises(PrintFailed) as raised:
        printer.print_ticket(ticket)
    assert raised.value.status.state is PrinterState.PAPER_OUT


def test_cover_opened_then_closed_recovers(sim, printer, ticket):
    sim.state = "cover_open"
    with pytest.raises(PrinterNotReady):
        printer.print_ticket(ticket)
    sim.state = "ok"
    assert printer.print_ticket(ticket).state is PrinterState.OK


def test_state_changes_are_reported_once_each(sim, printer, events):
    for state in ["ok", "ok", "near_end", "paper_out", "paper_out", "ok"]:
        sim.state = state
        printer.status()
    assert [(e.device, e.state) for e in events] == [
        ("printer", "ok"),
        ("printer", "near_end"),
        ("printer", "paper_out"),
        ("printer", "ok"),
    ]


def test_pulled_cable_is_unreachable_and_print_fails(sim, printer, ticket):
    assert printer.status().state is PrinterState.OK
    sim.stop()  # the pty disappears, like a USB-serial adapter pulled out
    assert printer.status().state is PrinterState.UNREACHABLE
    with pytest.raises(PrinterNotReady):
        printer.print_ticket(ticket)


def test_checklist_job(sim, printer):
    from devices import Checklist

    printer.print_checklist(Checklist("不动产登记", ["身份证", "不动产权证书"]))
    assert "1. 身份证" in read_paper(sim.jobs[0].raw).lines


def test_network_printer(pty_available, ticket):
    simulator = PrinterSim()
    endpoint = simulator.start_tcp()
    printer = open_printer(f"escpos+tcp://127.0.0.1:{endpoint.port}?status_timeout=0.3")
    try:
        assert printer.print_ticket(ticket).state is PrinterState.OK
        assert read_paper(simulator.jobs[0].raw).qr_codes == [ticket.status_url.encode()]
        simulator.state = "cover_open"
        assert printer.status().state is PrinterState.COVER_OPEN
        simulator.state = "silent"
        assert printer.status().state is PrinterState.UNREACHABLE
    finally:
        printer.close()
        endpoint.stop()


def test_file_printer_writes_the_job(tmp_path, ticket):
    target = tmp_path / "ticket.bin"
    printer = open_printer(f"escpos+file://{target}?profile=58mm")
    printer.print_ticket(ticket)
    printer.close()
    assert read_paper(target.read_bytes()).cut


def test_sim_url_runs_an_in_process_printer(pty_available, ticket):
    printer = open_printer("sim://?state=near_end")
    try:
        assert printer.print_ticket(ticket).state is PrinterState.NEAR_END
        assert len(printer.simulator.jobs) == 1
    finally:
        printer.close()


@pytest.mark.parametrize(
    "url, words",
    [
        ("escpos+serial:///dev/ttyNOPE0", ["printer", "/dev/ttyNOPE0", "check"]),
        ("escpos+tcp://127.0.0.1:1?timeout=1", ["printer", "127.0.0.1:1", "check"]),
        ("escpos+file:///nonexistent/dir/x", ["printer", "/nonexistent/dir/x", "check"]),
    ],
)
def test_missing_device_names_device_and_what_to_check(url, words):
    with pytest.raises(DeviceUnavailable) as raised:
        open_printer(url)
    assert all(word in str(raised.value) for word in words)


@pytest.mark.parametrize(
    "url",
    [
        "lpt://x",
        "escpos+serial://",
        "escpos+usb://vendor:product",
        "escpos+tcp://",
        "sim://?profile=A4",
        "escpos+serial:///dev/x?baudrate=fast",
        "sim://?state=on_fire",
    ],
)
def test_bad_urls_are_refused_clearly(url):
    with pytest.raises(BadDeviceUrl) as raised:
        open_printer(url)
    assert url in str(raised.value)


def test_network_printer_comes_back_after_a_restart(pty_available):
    simulator = PrinterSim()
    port = simulator.start_tcp().port
    events = []
    printer = open_printer(f"escpos+tcp://127.0.0.1:{port}?status_timeout=0.3", on_state=events.append)
    try:
        assert printer.status().state is PrinterState.OK
        simulator.stop()
        assert printer.status().state is PrinterState.UNREACHABLE
        assert printer.status().state is PrinterState.UNREACHABLE  # reconnecting is refused meanwhile
        simulator.start_tcp(port)
        assert printer.status().state is PrinterState.OK
        assert [e.state for e in events] == ["ok", "unreachable", "ok"]
    finally:
        printer.close()
        simulator.stop()

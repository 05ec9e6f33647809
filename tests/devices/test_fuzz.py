"""Random and mutated input to every parser of device bytes: only the documented exceptions come
out, and nothing hangs."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from devices import DeviceError, ProtocolError, open_id_reader
from devices.idcard import protocol
from devices.idcard.record import encode_text, parse_text
from devices.idcard.sam import SamReader
from devices.printer.status import PrinterStatus, decode as decode_status
from devices.rs485 import frame as rs485
from devices.sim import BusSim, IdCardSim, PrinterSim, Simulator, load_cards, read_paper

pytestmark = pytest.mark.timeout(120)
FAST = settings(max_examples=300, deadline=1000)

CARD = load_cards()[0]
GOOD_SAM_FRAMES = [
    protocol.encode_response(0x9F, bytes(4)),
    protocol.encode_response(0x80),
    protocol.encode_response(0x90, bytes(8)),
    protocol.encode_response(0x90, b"\x01\x00\x04\x00" + encode_text(CARD) + CARD.photo),
]
GOOD_BUS_FRAMES = [rs485.encode(rs485.Frame(1, 0x11, b"\x04")), rs485.encode(rs485.Frame(2, 0x82))]


@st.composite
def mutated(draw, originals: list[bytes]) -> bytes:
    """A valid frame with a few bytes flipped, dropped, inserted, or cut short."""
    data = bytearray(draw(st.sampled_from(originals)))
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["flip", "drop", "insert", "truncate"]))
        where = draw(st.integers(0, max(0, len(data) - 1)))
        if action == "flip" and data:
            data[where] ^= draw(st.integers(1, 255))
        elif action == "drop" and data:
            del data[where]
        elif action == "insert":
            data.insert(where, draw(st.integers(0, 255)))
        elif action == "truncate":
            del data[where:]
    return bytes(data)


def sam_input():
    return st.one_of(st.binary(max_size=2000), mutated(GOOD_SAM_FRAMES))


def bus_input():
    return st.one_of(st.binary(max_size=300), mutated(GOOD_BUS_FRAMES))


@FAST
@given(sam_input())
def test_sam_response_decoder(data):
    try:
        response = protocol.decode_response(data)
    except ProtocolError:
        return
    assert response.status in protocol.STATUS_TEXT


@FAST
@given(st.lists(sam_input(), max_size=5), st.integers(1, 64))
def test_sam_stream_splitter(chunks, chunk_size):
    splitter = protocol.FrameSplitter()
    stream = b"".join(chunks)
    for start in range(0, len(stream), chunk_size):
        splitter.feed(stream[start : start + chunk_size])
        for _ in range(len(stream) + 1):  # each round consumes input, so this bound is never reached
            try:
                frame = splitter.next_frame()
            except ProtocolError:
                continue
            if frame is None:
                break
            assert frame.startswith(protocol.PREAMBLE)
        assert splitter.needed() >= 1


@FAST
@given(st.one_of(st.binary(min_size=256, max_size=256), mutated([encode_text(CARD)])))
def test_card_text_parser(data):
    try:
        parse_text(data)
    except ProtocolError:
        pass


@FAST
@given(sam_input())
def test_card_data_parser(data):
    try:
        SamReader._parse_base(data)
    except ProtocolError:
        pass


@FAST
@given(bus_input())
def test_bus_frame_decoder(data):
    try:
        frame = rs485.decode(data)
    except ProtocolError:
        return
    assert rs485.decode(rs485.encode(frame)) == frame


@FAST
@given(st.lists(bus_input(), max_size=6))
def test_bus_frame_reader(chunks):
    reader = rs485.FrameReader()
    for chunk in chunks:
        reader.feed(chunk)
        while reader.next_frame() is not None:
            pass
        assert reader.needed() >= 1


@FAST
@given(st.dictionaries(st.sampled_from([1, 2, 4]), st.integers(0, 255)))
def test_printer_status_decoder(answers):
    assert isinstance(decode_status(answers), PrinterStatus)


@FAST
@given(st.binary(max_size=500))
def test_escpos_stream_reader(data):
    try:
        read_paper(data)
    except ValueError:
        pass


@FAST
@given(st.text(max_size=60))
def test_wedge_input(keys):
    reader = open_id_reader("wedge://", today=lambda: date(2026, 11, 25))
    reader.feed(keys)
    if reader.card_present():
        try:
            reader.read_card()
        except DeviceError:
            pass


@FAST
@given(st.lists(st.one_of(sam_input(), bus_input(), st.binary(max_size=200)), max_size=4))
def test_simulators_survive_any_host_bytes(chunks):
    bus = BusSim()
    bus.add_pad(1)
    bus.add_led(2)
    for simulator in (IdCardSim([CARD]), bus, PrinterSim()):
        for chunk in chunks:
            simulator.handle(chunk)


class Garbler(Simulator):
    """A reader that answers every request with the next prepared reply."""

    def __init__(self):
        super().__init__()
        self.replies: list[bytes] = []

    def handle(self, data: bytes) -> bytes:
        return self.replies.pop(0) if self.replies else b""


@pytest.fixture(scope="module")
def garbled_reader():
    simulator = Garbler()
    endpoint = simulator.start_pty()
    reader = open_id_reader(f"sam+serial://{endpoint.path}?timeout=0.05&read_timeout=0.05")
    yield simulator, reader
    reader.close()
    simulator.stop()


@settings(max_examples=40, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(sam_input(), st.sampled_from(GOOD_SAM_FRAMES)), min_size=1, max_size=3))
def test_reader_over_a_pty_raises_only_device_errors(pty_available, garbled_reader, replies):
    simulator, reader = garbled_reader
    simulator.replies = list(replies)
    try:
        reader.read_card()
    except DeviceError:
        pass

"""The SAM reader driver against the ID-card simulator on a pty, the keyboard-wedge driver and
the placement watcher."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date

import pytest

from devices import (
    BadIdNumber,
    CardExpired,
    CardRemoved,
    CardWatcher,
    ChecksumError,
    DeviceTimeout,
    DeviceUnavailable,
    FrameLengthError,
    NoCard,
    UnknownStatus,
    open_id_reader,
)
from devices.idcard import gb11643
from devices.idcard.record import encode_text, parse_text
from devices.sim import IdCardSim, load_cards

TODAY = date(2026, 11, 25)


@pytest.fixture
def sim(pty_available):
    simulator = IdCardSim()
    simulator.start_pty()
    yield simulator
    simulator.stop()


@pytest.fixture
def events():
    return []


@pytest.fixture
def reader(sim, events):
    device = open_id_reader(
        f"sam+serial://{sim.endpoints[0].path}?timeout=0.3&read_timeout=0.5",
        on_state=events.append,
        today=lambda: TODAY,
    )
    yield device
    device.close()


def test_good_card(sim, reader, events):
    placed = sim.place("王小明")
    assert reader.card_present()
    card = reader.read_card()
    assert card == placed
    assert (card.name, card.sex, card.nation, card.birth) == ("王小明", "男", "汉", date(1990, 6, 15))
    assert card.address == "四川省成都市新都区新都街道桂湖中路88号"
    assert card.valid_to == date(2036, 3, 1) and not card.long_term
    assert len(card.photo) == 1024
    assert [(e.device, e.state) for e in events] == [("idcard", "ok")]


def test_no_card(reader):
    assert not reader.card_present()
    with pytest.raises(NoCard):
        reader.read_card()


def test_seventy_year_old_with_long_term_card(sim, reader):
    sim.place("李秀英")
    card = reader.read_card()
    assert card.age(TODAY) == 70
    assert card.long_term and card.valid_to is None and not card.is_expired(TODAY)


def test_long_term_validity_is_read_as_no_end(sim, reader):
    sim.place("张建国")
    card = reader.read_card()
    assert card.valid_from == date(2019, 5, 20) and card.valid_to is None
    assert "长期".encode("utf-16-le") in encode_text(card)


def test_expired_card_is_reported_with_what_was_read(sim, reader):
    sim.place("马晓燕")
    with pytest.raises(CardExpired) as raised:
        reader.read_card()
    assert raised.value.card.name == "马晓燕"
    assert "2020-07-01" in str(raised.value)


def test_invalid_check_digit(sim, reader):
    good = sim.cards[0]
    wrong = "0" if good.id_number[-1] != "0" else "1"
    sim.place(replace(good, id_number=good.id_number[:17] + wrong))
    with pytest.raises(BadIdNumber) as raised:
        reader.read_card()
    assert good.id_number not in str(raised.value)  # personal data stays out of messages


def test_bad_checksum(sim, reader, events):
    sim.place(0)
    sim.fault = "bad_checksum"
    with pytest.raises(ChecksumError):
        reader.read_card()
    assert events[-1].state == "error"


def test_short_frame(sim, reader):
    sim.place(0)
    sim.fault = "short_frame"
    with pytest.raises(FrameLengthError, match="short frame"):
        reader.read_card()


def test_unknown_status(sim, reader):
    sim.place(0)
    sim.fault = "unknown_status"
    with pytest.raises(UnknownStatus, match="0x77"):
        reader.read_card()


def test_card_lifted_mid_read(sim, reader):
    sim.place(0)
    sim.fault = "lift_mid_read"
    with pytest.raises(CardRemoved):
        reader.read_card()
    assert not reader.card_present()


def test_reader_that_never_answers(sim, reader, events):
    sim.fault = "silent"
    started = time.monotonic()
    with pytest.raises(DeviceTimeout, match="did not answer find card within 0.3s"):
        reader.card_present()
    assert time.monotonic() - started < 1.0
    assert events[-1].state == "unreachable"
    sim.fault = None
    assert not reader.card_present()
    assert events[-1].state == "ok"


def test_reader_over_tcp(pty_available):
    simulator = IdCardSim()
    endpoint = simulator.start_tcp()
    reader = open_id_reader(f"sam+socket://127.0.0.1:{endpoint.port}", today=lambda: TODAY)
    try:
        simulator.place("扎西多吉")
        card = reader.read_card()
        assert (card.name, card.nation) == ("扎西多吉", "藏")
    finally:
        reader.close()
        simulator.stop()


def test_watcher_reports_each_card_once_per_placement(sim, reader):
    cards, errors, lifts = [], [], []
    watcher = CardWatcher(reader, cards.append, errors.append, interval=0.01, on_lift=lambda: lifts.append(1))
    for _ in range(3):
        watcher.poll_once()
    assert cards == [] and lifts == []  # no card was there to lift
    sim.place("王小明")
    for _ in range(5):
        watcher.poll_once()
    assert [c.name for c in cards] == ["王小明"]
    sim.lift()
    for _ in range(3):
        watcher.poll_once()
    assert len(lifts) == 1  # once per lift, not once per empty poll
    sim.place("王小明")
    watcher.poll_once()
    assert [c.name for c in cards] == ["王小明", "王小明"]
    sim.lift()
    for _ in range(3):
        watcher.poll_once()
    sim.place("马晓燕")
    for _ in range(3):
        watcher.poll_once()
    assert len(cards) == 2 and [type(e) for e in errors] == [CardExpired]


def test_watcher_thread(sim, reader):
    seen = []
    watcher = CardWatcher(reader, seen.append, interval=0.02).start()
    try:
        sim.place("欧阳诗琪")
        deadline = time.monotonic() + 5
        while not seen and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        watcher.stop()
    assert [c.name for c in seen] == ["欧阳诗琪"]


def test_sim_url(pty_available):
    reader = open_id_reader("sim://?card=2", today=lambda: TODAY)
    try:
        assert reader.read_card().name == "张建国"
    finally:
        reader.close()


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_wedge_reader_takes_machine_typed_numbers_only():
    clock = FakeClock()
    reader = open_id_reader("wedge://", today=lambda: TODAY)
    reader.clock = clock

    def type_keys(keys, gap):
        for key in keys:
            clock.now += gap
            reader.feed(key)

    type_keys("510114199006151235\r", 0.01)
    assert reader.card_present()
    card = reader.read_card()
    assert (card.id_number, card.birth, card.sex, card.source) == (
        "510114199006151235",
        date(1990, 6, 15),
        "男",
        "wedge",
    )
    assert not reader.card_present()
    type_keys("510114199006151235\r", 0.5)  # a person typing
    assert not reader.card_present()
    type_keys("51011419900615123\r", 0.01)  # 17 characters
    assert not reader.card_present()
    type_keys("510114199006151230\n", 0.01)
    with pytest.raises(BadIdNumber):
        reader.read_card()
    with pytest.raises(NoCard):
        reader.read_card()


def test_shipped_cards_are_valid_and_cover_the_cases():
    cards = load_cards()
    assert all(gb11643.is_valid(c.id_number) and gb11643.birth_date(c.id_number) == c.birth for c in cards)
    assert all(gb11643.sex(c.id_number) == c.sex for c in cards)
    assert any(c.age(TODAY) >= 70 for c in cards)
    assert any(c.long_term for c in cards)
    assert any(c.is_expired(TODAY) for c in cards)
    assert all(parse_text(encode_text(c), c.photo) == c for c in cards)


@pytest.mark.parametrize(
    "number, valid",
    [
        ("11010519491231002X", True),  # the standard's own example
        ("440524188001010014", True),
        ("110105194912310021", False),
        ("11010519491231002", False),
        ("1101051949123100XX", False),
    ],
)
def test_gb11643_check_character(number, valid):
    assert gb11643.is_valid(number) is valid


def test_reader_comes_back_after_the_bridge_restarts(pty_available):
    simulator = IdCardSim()
    port = simulator.start_tcp().port
    events = []
    reader = open_id_reader(f"sam+socket://127.0.0.1:{port}?timeout=0.3", on_state=events.append)
    try:
        assert not reader.card_present()
        simulator.stop()
        with pytest.raises((DeviceUnavailable, DeviceTimeout)):
            reader.card_present()
        simulator.start_tcp(port)
        simulator.place(0)
        assert reader.card_present()
        assert [e.state for e in events] == ["ok", "unreachable", "ok"]
    finally:
        reader.close()
        simulator.stop()


def test_any_pyserial_url_opens_a_loop_echo_is_no_answer():
    reader = open_id_reader("sam+loop://?timeout=0.2")
    try:
        # loop:// sends our own command frame back; a command is not a response.
        with pytest.raises(FrameLengthError):
            reader.card_present()
    finally:
        reader.close()


@pytest.mark.parametrize("url", ["sim://?card=nobody", "sim://?fault=smoke", "nfc://reader", "sam+socket://nohost"])
def test_bad_reader_urls_are_refused_clearly(url):
    from devices import BadDeviceUrl

    with pytest.raises(BadDeviceUrl) as raised:
        open_id_reader(url)
    assert url in str(raised.value)

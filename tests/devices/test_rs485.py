"""Rating pads and LED screens sharing one bus with the bus simulator."""

from __future__ import annotations

import pytest

from devices import DeviceTimeout, PadEvent, ProtocolError, open_led, open_pad
from devices.rs485 import bus as rs485_bus
from devices.rs485.frame import Frame, decode, encode
from devices.sim import BusSim


@pytest.fixture
def wire(pty_available):
    simulator = BusSim()
    simulator.add_pad(1)
    simulator.add_led(2)
    simulator.add_pad(3)
    simulator.add_led(4)
    endpoint = simulator.start_pty()
    yield simulator, f"rs485+serial://{endpoint.path}"
    simulator.stop()


def test_frame_layout():
    raw = encode(Frame(0x02, 0x02, bytes([1, 2, 0x0A])))
    assert raw == bytes([0xFF, 0x68, 5, 5, 0x68, 0x02, 0x02, 1, 2, 0x0A, (2 + 2 + 1 + 2 + 10) % 256, 0x16])
    assert decode(raw) == Frame(2, 2, bytes([1, 2, 0x0A]))


def test_pads_and_screens_share_one_bus(wire):
    simulator, url = wire
    events = []
    pad1, led2 = open_pad(f"{url}?addr=1", on_state=events.append), open_led(f"{url}?addr=2&digits=4")
    pad3, led4 = open_pad(f"{url}?addr=3"), open_led(f"{url}?addr=4")
    try:
        assert pad1.bus is led2.bus is pad3.bus is led4.bus
        simulator.devices[1].rate(4)
        simulator.devices[3].press("call")
        simulator.devices[3].rate(1)
        assert pad1.poll() == PadEvent(1, "rating", 4)
        assert pad1.poll() is None
        assert pad3.poll() == PadEvent(3, "call")
        assert pad3.poll() == PadEvent(3, "rating", 1)
        led2.show("12")
        led4.show("8 7")
        led2.beep(2)
        assert simulator.devices[2].text == "  12"
        assert simulator.devices[4].text == " 8 7"
        assert (simulator.devices[2].beeps, simulator.devices[4].beeps) == (2, 0)
        assert [(e.device, e.state) for e in events] == [("pad@1", "ok")]
    finally:
        for device in (pad1, led2, pad3, led4):
            device.close()
    assert url.split("://")[1] not in rs485_bus._buses  # the shared port closes with its last user


def test_clerk_keys(wire):
    simulator, url = wire
    pad = open_pad(f"{url}?addr=1")
    try:
        for key in ("call", "recall", "pause", "evaluate"):
            simulator.devices[1].press(key)
            assert pad.poll() == PadEvent(1, key)
    finally:
        pad.close()


def test_a_dead_device_is_unreachable_while_its_neighbour_works(wire):
    simulator, url = wire
    events = []
    led2, pad1 = open_led(f"{url}?addr=2&timeout=0.2", on_state=events.append), open_pad(f"{url}?addr=1")
    try:
        simulator.devices[2].silent = True
        with pytest.raises(DeviceTimeout, match="led at address 2"):
            led2.show("1")
        assert events[-1].state == "unreachable"
        assert pad1.poll() is None
        simulator.devices[2].silent = False
        led2.show("1")
        assert events[-1].state == "ok"
    finally:
        led2.close()
        pad1.close()


def test_address_nobody_answers(wire):
    _, url = wire
    pad = open_pad(f"{url}?addr=9&timeout=0.1")
    try:
        with pytest.raises(DeviceTimeout):
            pad.poll()
    finally:
        pad.close()


def test_corrupt_reply_is_a_protocol_error(wire):
    simulator, url = wire
    pad = open_pad(f"{url}?addr=1&timeout=0.2")
    simulator.noise = True
    try:
        with pytest.raises(ProtocolError, match="checksum"):
            pad.poll()
        simulator.noise = False
        simulator.devices[1].rate(2)
        assert pad.poll() == PadEvent(1, "rating", 2)
    finally:
        pad.close()


def test_led_refuses_what_it_cannot_show(wire):
    _, url = wire
    old = open_led(f"{url}?addr=2&digits=3&text=0")
    led = open_led(f"{url}?addr=4")
    try:
        for text in ("A12", "1234"):
            with pytest.raises(ValueError):
                old.show(text)
        for text in ("😀", "号" * 127):
            with pytest.raises(ValueError, match="GBK"):
                led.show(text)
    finally:
        old.close()
        led.close()


def test_led_shows_ticket_numbers_and_chinese_in_gbk(wire):
    simulator, url = wire
    led = open_led(f"{url}?addr=2")
    try:
        for text in ("A012", "请稍候", "暂停服务", "0012"):
            led.show(text)
        assert simulator.devices[2].history == ["A012", "请稍候", "暂停服务", "0012"]
        assert simulator.devices[2].text == "0012"
    finally:
        led.close()
    # The bytes on the wire: CMD 0x04 and the GBK code of each character (请 is C7 EB).
    assert encode(Frame(2, 0x04, "请稍候".encode("gbk")))[7:9] == bytes([0xC7, 0xEB])


def test_an_old_screen_ignores_text_and_times_out(wire):
    simulator, url = wire
    simulator.devices[2].speaks_text = False
    led = open_led(f"{url}?addr=2&timeout=0.2")
    try:
        led.show("12")
        with pytest.raises(DeviceTimeout):
            led.show("A012")
        assert simulator.devices[2].history == ["  12"]
    finally:
        led.close()


def test_pad_asks_for_a_rating_and_rests_after_the_press(wire):
    simulator, url = wire
    pad = open_pad(f"{url}?addr=1")
    try:
        pad.ask()
        assert simulator.devices[1].asking and simulator.devices[1].asks == 1
        simulator.devices[1].rate(3)
        assert pad.poll() == PadEvent(1, "rating", 3)
        assert not simulator.devices[1].asking
        pad.ask()
        pad.cancel()
        assert not simulator.devices[1].asking and simulator.devices[1].asks == 2
    finally:
        pad.close()


def test_bus_over_tcp_and_sim_url(pty_available):
    simulator = BusSim()
    simulator.add_pad(5)
    endpoint = simulator.start_tcp()
    pad = open_pad(f"rs485+socket://127.0.0.1:{endpoint.port}?addr=5")
    try:
        simulator.devices[5].rate(3)
        assert pad.poll() == PadEvent(5, "rating", 3)
    finally:
        pad.close()
        simulator.stop()
    led = open_led("sim://?addr=7")
    try:
        led.show("42")
        assert led.simulator.devices[7].text == "  42"
    finally:
        led.close()


def test_a_false_header_in_noise_does_not_swallow_the_reply(wire):
    simulator, url = wire
    simulator.garbage = bytes([0x68, 0x07, 0x07, 0x68, 0x01, 0x99, 0x16, 0x00, 0xFF, 0x68])
    pad = open_pad(f"{url}?addr=1")
    try:
        simulator.devices[1].rate(2)
        assert pad.poll() == PadEvent(1, "rating", 2)
    finally:
        pad.close()

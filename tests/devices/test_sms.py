"""The SMS adapters: PDUs laid out as 3GPP TS 23.040 says, the modem's AT dialogue against the
simulator on a pty (with its failures), and the HTTP gateway against a real server on loopback."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from devices.errors import DeviceTimeout, DeviceUnavailable
from devices.sim.gsm import ModemSim
from devices.sms.gateway import HttpGateway
from devices.sms.modem import SmsError
from devices.sms.open import open_modem
from devices.sms.pdu import decode_submit, encode_submit, tpdu_length


def test_decodes_the_classic_7bit_submit():
    # The SMS-SUBMIT of the GSM 03.40 / 23.040 tutorials: "hellohello" to +46708251358, GSM 7-bit.
    assert decode_submit("0011000B916407281553F80000AA0AE8329BFD4697D9EC37").text == "hellohello"
    assert decode_submit("0011000B916407281553F80000AA0AE8329BFD4697D9EC37").to == "+46708251358"


def test_ucs2_submit_field_by_field():
    (pdu,) = encode_submit("+8613812341234", "取号A1")
    assert pdu == (
        "00"  # SMSC: none given, the SIM's own
        "11"  # TP-MTI 01 SMS-SUBMIT, TP-VPF 10 relative, no UDHI
        "00"  # TP-MR: the modem numbers it
        "0D91"
        "683118321432F4"  # TP-DA: 13 digits, international, semi-octets swapped, F-padded
        "00"  # TP-PID
        "08"  # TP-DCS: UCS-2
        "A7"  # TP-VP: 24 hours
        "08"  # TP-UDL: 8 octets
        "53D6"
        "53F7"
        "0041"
        "0031"  # 取 号 A 1 in UTF-16BE
    )
    assert tpdu_length(pdu) == len(pdu) // 2 - 1
    assert decode_submit(pdu).to == "+8613812341234" and decode_submit(pdu).text == "取号A1"


def test_long_messages_are_split_with_a_concatenation_header():
    text = "您的号码即将叫到，" * 10 + "😀" * 40  # 90 BMP characters and 40 surrogate pairs
    pdus = encode_submit("13812341234", text, reference=0x5A)
    parts = [decode_submit(p) for p in pdus]
    assert [(p.reference, p.part, p.parts) for p in parts] == [(0x5A, i, len(pdus)) for i in range(1, len(pdus) + 1)]
    assert "".join(p.text for p in parts) == text
    first = bytes.fromhex(pdus[0])
    assert first[1] & 0x40  # TP-UDHI
    assert first[first.index(bytes([5, 0, 3, 0x5A])) :][:6] == bytes([5, 0, 3, 0x5A, len(pdus), 1])
    assert all(tpdu_length(p) <= 6 + 2 + 7 + 1 + 1 + 1 + 1 + 140 for p in pdus)
    assert len(encode_submit("13812341234", "短" * 70)) == 1 and len(encode_submit("13812341234", "短" * 71)) == 2


@pytest.fixture
def modem(pty_available):
    m = open_modem("sim://?timeout=2")
    yield m
    m.close()


def test_sends_chinese_through_the_at_dialogue(modem):
    assert modem.send("13812341234", "【示范区】请A012号到2楼21号窗口办理。") == [1]
    long = "请" * 100
    assert len(modem.send("+8613812341234", long)) == 2
    sim: ModemSim = modem.simulator
    assert sim.messages == [("13812341234", "【示范区】请A012号到2楼21号窗口办理。"), ("+8613812341234", long)]
    assert sim.pdu_mode and not sim.echo
    assert modem.health.state == "ok"


@pytest.mark.parametrize(
    ("state", "device_state", "words"),
    [
        ("no_sim", "no_sim", "no SIM"),
        ("no_signal", "no_signal", "signal"),
        ("no_credit", "no_credit", r"\+CMS ERROR: 21"),
    ],
)
def test_failures_are_device_states(modem, state, device_state, words):
    changes = []
    modem.health.listener = changes.append
    modem.simulator.state = state
    with pytest.raises(SmsError, match=words):
        modem.send("13812341234", "测试")
    assert modem.health.state == device_state and changes[-1].state == device_state
    assert modem.simulator.messages == []
    modem.simulator.state = "ok"
    modem.send("13812341234", "测试")
    assert modem.health.state == "ok" and changes[-1].state == "ok"


def test_a_silent_or_vanished_modem_is_unreachable(modem):
    modem.timeout = 0.3
    modem.simulator.state = "silent"
    with pytest.raises(DeviceTimeout):
        modem.send("13812341234", "测试")
    assert modem.health.state == "unreachable"
    gone = open_modem("gsm+serial:///dev/ttyNOSUCH")
    assert gone.health.state == "unreachable"
    with pytest.raises(DeviceUnavailable):
        gone.send("13812341234", "测试")


class Provider(BaseHTTPRequestHandler):
    """A provider's SMS API: checks the key, answers 402 once the account is out of credit."""

    received: list[dict] = []
    credit = True

    def _answer(self, body: dict | None) -> None:
        query = parse_qs(urlsplit(self.path).query)
        if self.headers.get("Authorization") != "Bearer k-123":
            self.send_response(401)
        elif not Provider.credit:
            self.send_response(402)
        else:
            Provider.received.append({"to": query["to"][0], "msg": query["msg"][0], "body": body})
            self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"ok": true}' if Provider.credit else b'{"error": "no credit for 13812341234"}')

    def do_POST(self):
        self._answer(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))

    def do_GET(self):
        self._answer(None)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Provider.received, Provider.credit = [], True
    yield f"http://127.0.0.1:{server.server_address[1]}/send?to={{phone}}&msg={{text}}"
    server.shutdown()
    server.server_close()


def test_http_gateway(provider):
    gateway = HttpGateway(provider, token="k-123")
    gateway.send("13812341234", "请A012号到2楼21号窗口办理 & 谢谢")
    assert Provider.received == [
        {
            "to": "13812341234",
            "msg": "请A012号到2楼21号窗口办理 & 谢谢",
            "body": {"phone": "13812341234", "text": "请A012号到2楼21号窗口办理 & 谢谢"},
        }
    ]
    assert gateway.health.state == "ok"
    Provider.credit = False
    with pytest.raises(SmsError) as caught:
        gateway.send("13812341234", "x")
    assert gateway.health.state == "no_credit"
    assert "13812341234" not in str(caught.value) and "138****1234" in gateway.health.detail
    wrong = HttpGateway(provider, method="GET", token="wrong")
    with pytest.raises(SmsError):
        wrong.send("13812341234", "x")
    assert wrong.health.state == "bad_credentials"
    closed = HttpGateway("http://127.0.0.1:9/send?to={phone}&key=SECRET", timeout=1)
    with pytest.raises(DeviceUnavailable) as caught:
        closed.send("13812341234", "x")
    assert closed.health.state == "unreachable" and "SECRET" not in str(caught.value)
    for g in (gateway, wrong, closed):
        g.close()

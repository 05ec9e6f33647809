"""SMS-SUBMIT PDUs (3GPP TS 23.040 9.2.2.2) for a modem in PDU mode, and their decoding for the simulator.

Hand-written rather than taken from PyPI: `smspdu` was last released in 2011 and `python-gsmmodem-new`
(2021) carries a whole modem stack of its own around its PDU code; what the hall needs is one message
type in one direction, UCS-2 (Chinese) with the concatenation header, which is this page.
"""

from __future__ import annotations

from dataclasses import dataclass

UCS2 = 0x08  # TP-DCS: 16-bit, no message class (23.038 4)
GSM7 = 0x00
MAX_OCTETS = 140  # TP-UD of one message
UDH_CONCAT = 6  # UDHL + IEI 00 (8-bit reference) + IEDL + reference, total, sequence
VALIDITY_24H = 0xA7  # TP-VP relative: (167 - 143) * 30 min + 12 h = 24 h; a call next morning is news for nobody

# The GSM 7-bit default alphabet (23.038 6.2.1), for decoding what other senders put on the line.
GSM7_ALPHABET = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


@dataclass(frozen=True)
class Submit:
    """One decoded SMS-SUBMIT: whom to, the text, and where it sits in a concatenated message."""

    to: str
    text: str
    reference: int | None = None
    part: int = 1
    parts: int = 1


def _address(number: str) -> bytes:
    digits = number.removeprefix("+")
    if not digits.isdigit() or not 3 <= len(digits) <= 20:
        raise ValueError(f"{number!r} is not a phone number")
    toa = 0x91 if number.startswith("+") else 0x81  # international / unknown numbering plan E.164
    padded = digits + "F" * (len(digits) % 2)
    swapped = "".join(padded[i + 1] + padded[i] for i in range(0, len(padded), 2))
    return bytes([len(digits), toa]) + bytes.fromhex(swapped)


def _parts(text: str) -> list[bytes]:
    """The text in UCS-2 pieces that fit one message each; a surrogate pair is never split."""
    data = text.encode("utf-16-be")
    if len(data) <= MAX_OCTETS:
        return [data]
    room = MAX_OCTETS - UDH_CONCAT
    pieces, start = [], 0
    while start < len(data):
        end = min(start + room, len(data))
        if end < len(data) and 0xD8 <= data[end - 2] <= 0xDB:  # a high surrogate would end the piece
            end -= 2
        pieces.append(data[start:end])
        start = end
    return pieces


def encode_submit(to: str, text: str, reference: int = 0) -> list[str]:
    """The PDUs (hex, with an empty SMSC field: the SIM's own centre) that carry `text` to `to`.
    `reference` ties the parts of a long message together; the phone joins them."""
    if not text:
        raise ValueError("an empty message")
    pieces = _parts(text)
    if len(pieces) > 255:
        raise ValueError("message too long")
    pdus = []
    for seq, piece in enumerate(pieces, 1):
        udh = b"" if len(pieces) == 1 else bytes([5, 0x00, 3, reference & 0xFF, len(pieces), seq])
        first = 0x11 | (0x40 if udh else 0)  # SMS-SUBMIT, relative validity, UDHI when there is a header
        ud = udh + piece
        tpdu = bytes([first, 0x00]) + _address(to) + bytes([0x00, UCS2, VALIDITY_24H, len(ud)]) + ud
        pdus.append("00" + tpdu.hex().upper())
    return pdus


def tpdu_length(pdu: str) -> int:
    """What AT+CMGS wants: the octets after the SMSC field."""
    raw = bytes.fromhex(pdu)
    return len(raw) - 1 - raw[0]


def _unpack7(data: bytes, count: int, skip_bits: int = 0) -> str:
    bits = int.from_bytes(data, "little")
    chars = []
    for i in range(count):
        code = (bits >> (skip_bits + 7 * i)) & 0x7F
        chars.append(GSM7_ALPHABET[code])
    return "".join(chars)


def decode_submit(pdu: str) -> Submit:
    """Decode one SMS-SUBMIT (hex, SMSC field first) as a modem's network side would see it."""
    raw = bytes.fromhex(pdu)
    i = 1 + raw[0]  # past the SMSC field
    first = raw[i]
    if first & 0x03 != 0x01:
        raise ValueError("not an SMS-SUBMIT")
    i += 2  # first octet, TP-MR
    digits, toa = raw[i], raw[i + 1]
    semi = raw[i + 2 : i + 2 + (digits + 1) // 2].hex().upper()
    number = "".join(semi[j + 1] + semi[j] for j in range(0, len(semi), 2))[:digits]
    to = ("+" if toa == 0x91 else "") + number
    i += 2 + (digits + 1) // 2
    dcs = raw[i + 1]
    i += 2
    vpf = (first >> 3) & 0x03
    i += {0: 0, 2: 1}.get(vpf, 7)
    udl = raw[i]
    ud = raw[i + 1 :]
    reference, part, parts, header = None, 1, 1, 0
    if first & 0x40:
        header = ud[0] + 1
        j = 1
        while j < header:
            iei, length = ud[j], ud[j + 1]
            if iei == 0x00:
                reference, parts, part = ud[j + 2], ud[j + 3], ud[j + 4]
            elif iei == 0x08:
                reference, parts, part = int.from_bytes(ud[j + 2 : j + 4], "big"), ud[j + 4], ud[j + 5]
            j += 2 + length
    if dcs & 0x0C == UCS2:
        text = ud[header:udl].decode("utf-16-be")
    elif dcs & 0x0C == GSM7:
        fill = (7 - (header * 8) % 7) % 7
        text = _unpack7(ud[header:], udl - (header * 8 + fill) // 7, fill)
    else:
        raise ValueError(f"data coding scheme {dcs:#04x} is not text")
    return Submit(to, text, reference, part, parts)

"""A SAM ID-card reader: answers find, select and read with the frames of a real module, serves
cards from a YAML file, and can misbehave the ways real readers do."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import yaml

from devices.errors import ChecksumError, FrameLengthError, ProtocolError
from devices.idcard import protocol
from devices.idcard.record import LONG_TERM, PHOTO_LENGTH, TEXT_LENGTH, IdCard, encode_text
from devices.sim.endpoint import Simulator

CARDS_FILE = Path(__file__).with_name("cards.yaml")
# silent: the reader never answers; bad_checksum / short_frame / unknown_status spoil the read
# response; lift_mid_read: the card leaves the field while being read.
FAULTS = ("silent", "bad_checksum", "short_frame", "unknown_status", "lift_mid_read")


def _date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def load_cards(path: Path = CARDS_FILE) -> list[IdCard]:
    cards = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
        number = str(entry["id_number"])
        cards.append(
            IdCard(
                id_number=number,
                birth=_date(entry["birth"]),
                sex=entry["sex"],
                name=entry["name"],
                nation=entry["nation"],
                address=entry["address"],
                issuer=entry["issuer"],
                valid_from=_date(entry["valid_from"]),
                valid_to=None if entry["valid_to"] == LONG_TERM else _date(entry["valid_to"]),
                # The real photo is WLT-compressed and encrypted; stand-in bytes of the right size.
                photo=(hashlib.sha256(number.encode()).digest() * 32)[:PHOTO_LENGTH],
            )
        )
    return cards


class IdCardSim(Simulator):
    def __init__(self, cards: list[IdCard] | None = None, fault: str | None = None):
        super().__init__()
        self.cards = cards if cards is not None else load_cards()
        self.card: IdCard | None = None
        self.fault = fault
        self._splitter = protocol.FrameSplitter()

    @property
    def fault(self) -> str | None:
        return self._fault

    @fault.setter
    def fault(self, value: str | None) -> None:
        if value is not None and value not in FAULTS:
            raise ValueError(f"fault {value!r}; use one of {', '.join(FAULTS)}")
        self._fault = value

    def place(self, card: IdCard | str | int) -> IdCard:
        """Put a card on the reader: a record, an index into `cards` (also as text, "0"), or an
        ID number or name from `cards`."""
        if isinstance(card, str) and card.isdigit() and len(card) < 18:
            card = int(card)
        if isinstance(card, int):
            if not 0 <= card < len(self.cards):
                raise ValueError(f"card index {card}: the simulator has {len(self.cards)} cards")
            card = self.cards[card]
        elif isinstance(card, str):
            found = next((c for c in self.cards if card in (c.id_number, c.name)), None)
            if found is None:
                raise ValueError(f"no card with number or name {card!r} in the simulator's cards")
            card = found
        with self.lock:
            self.card = card
        return card

    def lift(self) -> None:
        with self.lock:
            self.card = None

    def handle(self, data: bytes) -> bytes:
        self._splitter.feed(data)
        reply = b""
        while True:
            try:
                frame = self._splitter.next_frame()
            except FrameLengthError:
                reply += protocol.encode_response(0x11)
                continue
            if frame is None:
                return b"" if self.fault == "silent" else reply
            reply += self._answer(frame)

    def _answer(self, frame: bytes) -> bytes:
        try:
            command, para, _ = protocol.decode_command(frame)
        except ChecksumError:
            return protocol.encode_response(0x10)
        except ProtocolError:
            return protocol.encode_response(0x11)
        if (command, para) == protocol.FIND_CARD:
            return protocol.encode_response(0x9F, bytes(4)) if self.card else protocol.encode_response(0x80)
        if (command, para) == protocol.SELECT_CARD:
            return protocol.encode_response(0x90, bytes(8)) if self.card else protocol.encode_response(0x81)
        if (command, para) == protocol.READ_BASE:
            return self._read()
        if command in (0x10, 0x11, 0x12) and para == 0xFF:  # reset, status, module id of the SAM itself
            return protocol.encode_response(0x90, bytes(16) if command == 0x12 else b"")
        return protocol.encode_response(0x21)

    def _read(self) -> bytes:
        if self.card is None:
            return protocol.encode_response(0x41)
        if self.fault == "lift_mid_read":
            self.card = None
            return protocol.encode_response(0x41)
        if self.fault == "unknown_status":
            return protocol.encode_response(0x77)
        payload = (
            TEXT_LENGTH.to_bytes(2, "big")
            + PHOTO_LENGTH.to_bytes(2, "big")
            + encode_text(self.card)
            + self.card.photo.ljust(PHOTO_LENGTH, b"\x00")
        )
        response = protocol.encode_response(0x90, payload)
        if self.fault == "bad_checksum":
            return response[:-1] + bytes([response[-1] ^ 0xFF])
        if self.fault == "short_frame":
            return response[: len(response) // 2]
        return response

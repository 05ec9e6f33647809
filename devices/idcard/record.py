"""The typed record of a resident ID card, its 256-byte text block (GA 467: UCS-2LE, fixed
fields padded with spaces) and the checks a kiosk applies before trusting it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from devices.errors import (
    BadBirthDate,
    BadIdNumber,
    CardExpired,
    CardNotYetValid,
    ProtocolError,
)
from devices.idcard import gb11643

# Field widths in bytes, in card order; the 36 bytes after the last field are reserved.
FIELDS = (
    ("name", 30),
    ("sex", 2),
    ("nation", 4),
    ("birth", 16),
    ("address", 70),
    ("id_number", 36),
    ("issuer", 30),
    ("valid_from", 16),
    ("valid_to", 16),
)
TEXT_LENGTH = 256
PHOTO_LENGTH = 1024
LONG_TERM = "长期"

SEXES = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}
# GB 3304 nationality codes as the card stores them.
NATIONS = dict(
    enumerate(
        (
            "汉",
            "蒙古",
            "回",
            "藏",
            "维吾尔",
            "苗",
            "彝",
            "壮",
            "布依",
            "朝鲜",
            "满",
            "侗",
            "瑶",
            "白",
            "土家",
            "哈尼",
            "哈萨克",
            "傣",
            "黎",
            "傈僳",
            "佤",
            "畲",
            "高山",
            "拉祜",
            "水",
            "东乡",
            "纳西",
            "景颇",
            "柯尔克孜",
            "土",
            "达斡尔",
            "仫佬",
            "羌",
            "布朗",
            "撒拉",
            "毛南",
            "仡佬",
            "锡伯",
            "阿昌",
            "普米",
            "塔吉克",
            "怒",
            "乌孜别克",
            "俄罗斯",
            "鄂温克",
            "德昂",
            "保安",
            "裕固",
            "京",
            "塔塔尔",
            "独龙",
            "鄂伦春",
            "赫哲",
            "门巴",
            "珞巴",
            "基诺",
        ),
        start=1,
    )
) | {97: "其他", 98: "外国血统中国籍人士"}
_NATION_CODES = {name: code for code, name in NATIONS.items()}
_SEX_CODES = {name: code for code, name in SEXES.items()}


@dataclass(frozen=True)
class IdCard:
    id_number: str
    birth: date
    sex: str
    name: str | None = None
    nation: str | None = None
    address: str | None = None
    issuer: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None  # None on a read card means 长期 (no end)
    photo: bytes = field(default=b"", repr=False)  # WLT-compressed: decoding needs the licensed vendor library
    source: str = "sam"

    @classmethod
    def from_number(cls, number: str, source: str) -> IdCard:
        """What a bare number tells (keyboard-wedge readers send nothing else)."""
        try:
            birth = gb11643.birth_date(number)
        except ValueError:
            raise BadBirthDate(f"ID number {mask(number)} has no valid birth date") from None
        return cls(id_number=number, birth=birth, sex=gb11643.sex(number), source=source)

    @property
    def long_term(self) -> bool:
        return self.valid_from is not None and self.valid_to is None

    def age(self, on: date) -> int:
        return on.year - self.birth.year - ((on.month, on.day) < (self.birth.month, self.birth.day))

    def is_expired(self, on: date) -> bool:
        return self.valid_to is not None and on > self.valid_to


def mask(number: str) -> str:
    """For messages and logs: ID numbers are personal data."""
    return number[:4] + "*" * max(0, len(number) - 8) + number[-4:] if len(number) > 8 else "*" * len(number)


def validate(card: IdCard, today: date) -> IdCard:
    """Return the card if it can be trusted on `today`, else raise the matching InvalidCard."""
    number = card.id_number
    if not gb11643.is_valid(number):
        raise BadIdNumber(f"ID number {mask(number)} fails the GB 11643 check", card)
    try:
        encoded_birth = gb11643.birth_date(number)
    except ValueError:
        raise BadBirthDate(f"ID number {mask(number)} holds no valid birth date", card) from None
    if encoded_birth != card.birth or not date(1880, 1, 1) <= card.birth <= today:
        raise BadBirthDate(f"birth date {card.birth} does not match the ID number or is impossible", card)
    if card.valid_from is not None and card.valid_from > today:
        raise CardNotYetValid(f"card valid only from {card.valid_from}", card)
    if card.is_expired(today):
        raise CardExpired(f"card expired on {card.valid_to}", card)
    return card


def _date(text: str, field: str) -> date:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise ProtocolError(f"card field {field} is not a date: {text!r}") from None


def parse_text(text: bytes, photo: bytes = b"") -> IdCard:
    """Parse the text block; raises ProtocolError for a block that is not a card's."""
    if len(text) != TEXT_LENGTH:
        raise ProtocolError(f"card text is {len(text)} bytes, expected {TEXT_LENGTH}")
    fields, offset = {}, 0
    for name, width in FIELDS:
        fields[name] = text[offset : offset + width].decode("utf-16-le", errors="replace").strip(" \x00")
        offset += width
    for name in ("birth", "valid_from", "valid_to"):
        if name == "valid_to" and fields[name] == LONG_TERM:
            continue
        if not (len(fields[name]) == 8 and fields[name].isascii() and fields[name].isdigit()):
            raise ProtocolError(f"card field {name} is not a date: {fields[name]!r}")
    nation_code = fields["nation"]
    nation = NATIONS.get(int(nation_code)) if nation_code.isascii() and nation_code.isdigit() else None
    return IdCard(
        id_number=fields["id_number"],
        birth=_date(fields["birth"], "birth"),
        sex=SEXES.get(fields["sex"], "未知"),
        name=fields["name"],
        nation=nation or nation_code,
        address=fields["address"],
        issuer=fields["issuer"],
        valid_from=_date(fields["valid_from"], "valid_from"),
        valid_to=None if fields["valid_to"] == LONG_TERM else _date(fields["valid_to"], "valid_to"),
        photo=photo,
    )


def encode_text(card: IdCard) -> bytes:
    """The text block a card carries; the inverse of `parse_text` (the simulator serves it)."""
    values = {
        "name": card.name or "",
        "sex": _SEX_CODES.get(card.sex, "0"),
        "nation": f"{_NATION_CODES.get(card.nation or '', 97):02d}",
        "birth": card.birth.strftime("%Y%m%d"),
        "address": card.address or "",
        "id_number": card.id_number,
        "issuer": card.issuer or "",
        "valid_from": card.valid_from.strftime("%Y%m%d") if card.valid_from else "",
        "valid_to": card.valid_to.strftime("%Y%m%d") if card.valid_to else LONG_TERM,
    }
    block = b""
    for name, width in FIELDS:
        encoded = values[name].encode("utf-16-le")[:width]
        block += encoded + " ".encode("utf-16-le") * ((width - len(encoded)) // 2)
    return block + " ".encode("utf-16-le") * ((TEXT_LENGTH - len(block)) // 2)

"""Personal data kept minimal: names masked, ID numbers reduced to a keyed hash."""

from __future__ import annotations

import hashlib
import hmac


def mask_name(name: str) -> str:
    """张三 -> 张*, 张小三 -> 张*三, 欧阳小明 -> 欧**明."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def id_hash(secret: bytes, id_number: str) -> str:
    return hmac.new(secret, id_number.strip().upper().encode(), hashlib.sha256).hexdigest()


def phone_hash(secret: bytes, phone: str) -> str:
    """Keyed as ID numbers are (and apart from them: a phone number never matches an ID hash)."""
    return hmac.new(secret, b"phone:" + phone.strip().encode(), hashlib.sha256).hexdigest()

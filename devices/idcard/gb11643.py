"""Citizen identification numbers (GB 11643-1999): 6-digit region, 8-digit birth date, 3-digit
sequence (odd for men), and an ISO 7064 MOD 11-2 check character."""

from __future__ import annotations

import re
from datetime import date

_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_CHECK = "10X98765432"
_SHAPE = re.compile(r"\d{17}[\dX]")


def check_character(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def is_valid(number: str) -> bool:
    """Shape and check character only; the birth date is checked by `birth_date`."""
    return bool(_SHAPE.fullmatch(number)) and check_character(number[:17]) == number[17]


def birth_date(number: str) -> date:
    """Raises ValueError when digits 7-14 are not a real date."""
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def sex(number: str) -> str:
    return "男" if int(number[16]) % 2 else "女"

"""Resident ID numbers (GB 11643): the check digit and the birth date they carry."""

from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_FORM = re.compile(r"^\d{17}[\dX]$")


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def birth_date(id_number: str) -> date:
    """The birth date of a valid ID number; ValueError names what is wrong otherwise."""
    n = id_number.strip().upper()
    if not _FORM.match(n):
        raise ValueError("an ID number is 17 digits and a digit or X")
    if check_digit(n[:17]) != n[17]:
        raise ValueError("the check digit does not match")
    try:
        return date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
    except ValueError:
        raise ValueError("the birth date in the ID number is not a date") from None

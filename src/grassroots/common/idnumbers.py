"""Citizen ID numbers (公民身份号码, GB 11643-1999): the check digit and what a number says
about its holder (birth date, gender). Pure functions; the masking for display is in
``common.masking`` and the storage at rest in ``common.crypto``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ID_LENGTH = 18
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


def id_check_char(first17: str) -> str:
    """The check character of an 18-character ID number from its first 17 digits
    (ISO 7064 MOD 11-2)."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


@dataclass(frozen=True, slots=True)
class IdFacts:
    """What an ID number says about its holder."""

    birth_date: dt.date
    #: ``m`` or ``f`` (the 17th digit: odd for men, even for women).
    gender: str


def id_number_problem(number: str) -> str | None:
    """``None`` when ``number`` is a well-formed 18-character ID number, else one word
    naming what is wrong: ``length``, ``digits``, ``date`` or ``checksum``."""
    if len(number) != ID_LENGTH:
        return "length"
    if not number.isascii() or not number[:17].isdecimal():
        return "digits"
    if not (number[17].isdecimal() or number[17] == "X"):
        return "digits"
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "date"
    if id_check_char(number[:17]) != number[17]:
        return "checksum"
    return None


def id_facts(number: str) -> IdFacts:
    """The birth date and gender a well-formed ID number holds (``id_number_problem`` first)."""
    born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return IdFacts(born, "m" if int(number[16]) % 2 else "f")

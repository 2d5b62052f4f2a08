"""Masking of personal data for display (phones, ID numbers, names)."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """138****1234: the first three and the last four digits stay."""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_id_number(number: str) -> str:
    """5134************12: region prefix and the last two characters stay."""
    n = number.strip()
    if len(n) <= 6:
        return "*" * len(n)
    return f"{n[:4]}{'*' * (len(n) - 6)}{n[-2:]}"


def mask_name(name: str) -> str:
    """张** / 阿**: only the first character stays."""
    n = name.strip()
    if len(n) <= 1:
        return n
    return n[0] + "*" * (len(n) - 1)

"""Password complexity (等级保护 asks for it): at least three of the four character classes
— lower-case letters, upper-case letters, digits, other characters. The length is
``MinimumLengthValidator``'s (10)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def character_classes(password: str) -> int:
    """How many of lower-case, upper-case, digit and other characters ``password`` holds."""
    lower = any(c.islower() for c in password)
    upper = any(c.isupper() for c in password)
    digit = any(c.isdigit() for c in password)
    other = any(not (c.islower() or c.isupper() or c.isdigit()) for c in password)
    return lower + upper + digit + other


class CharacterClassesValidator:
    """At least ``min_classes`` (3) of the four character classes."""

    def __init__(self, min_classes: int = 3) -> None:
        if not 1 <= min_classes <= 4:
            raise ValueError("min_classes is between 1 and 4")
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _(
                    "This password is too simple: use at least %(n)d of lower-case letters, "
                    "upper-case letters, digits and symbols."
                ),
                code="password_too_simple",
                params={"n": self.min_classes},
            )

    def get_help_text(self) -> str:
        return _(
            "Your password must contain at least %(n)d of lower-case letters, upper-case "
            "letters, digits and symbols."
        ) % {"n": self.min_classes}

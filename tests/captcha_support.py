"""The public report form's captcha in tests: a seeded random source makes every challenge
the same, so a test knows the answer without any switch that turns the captcha off."""

from __future__ import annotations

import random

import pytest

SEED = 20261125


def _seeded() -> random.Random:
    return random.Random(SEED)


def fix_captcha(monkeypatch: pytest.MonkeyPatch) -> str:
    """Every challenge drawn from now on (also in a live server's thread) has this answer."""
    from grassroots.portal import captcha

    monkeypatch.setattr(captcha, "source", _seeded)
    return captcha.new_answer(_seeded())


def solved() -> dict[str, str]:
    """The two captcha fields of a posted report form, solved (after ``fix_captcha``)."""
    from grassroots.portal import captcha

    return {"captcha_token": captcha.issue(), "captcha": captcha.new_answer(_seeded())}

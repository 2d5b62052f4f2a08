"""Filters of the assessment pages: money in yuan and numbers without trailing zeros."""

from __future__ import annotations

from typing import Any

from django import template

from grassroots.assessment import wording

register = template.Library()


@register.filter
def yuan(fen: Any) -> str:
    """Integer fen as yuan: ``123456`` → ``1,234.56``."""
    return wording.yuan(None if fen is None else int(fen))


@register.filter
def num(value: Any) -> str:
    """A stored decimal without trailing zeros (``75.000000`` → ``75``; None → ``—``)."""
    return wording.num(value)

"""``{% calendar_coverage_warning as warning %}``: the admin's calendar coverage warning."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def calendar_coverage_warning() -> str:
    """The warning while the next 60 days reach a year not covered, else ""."""
    from grassroots.common.admin import coverage_warning

    return coverage_warning()

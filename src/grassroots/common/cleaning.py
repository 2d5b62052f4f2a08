"""Cleaning what a person typed, shared by the apps' actions: each app's ``clean_text``
raises its own domain error (``EventError``, ``SupervisionError``, ``CadresError``) through
this one.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from grassroots.common.errors import DomainError


def clean_text(
    value: object,
    *,
    field: str,
    error: type[DomainError],
    required: bool = False,
    max_length: int,
) -> str:
    """A stripped text without NUL characters; ``error`` (naming ``field``) when it is not
    text, missing (if required) or longer than ``max_length``."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise error(_("This must be text."), field=field)
    text = value.replace("\x00", "").strip()
    if required and not text:
        raise error(_("This field is required."), field=field, code="required")
    if len(text) > max_length:
        raise error(
            _("At most %(n)d characters.") % {"n": max_length}, field=field, code="too_long"
        )
    return text

"""Strings of third-party apps that ship no Chinese catalogue, so that makemessages keeps
them in ours (django-axes' admin section names the log-in lock-out records)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

THIRD_PARTY_STRINGS = (
    gettext_noop("Axes"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
)

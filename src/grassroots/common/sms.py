"""Text messages (短信): one small interface, and a default that only writes to the log.

A backend is any object with ``send(phone, text) -> SmsResult``; ``settings.SMS_BACKEND``
(``GRASSROOTS_SMS_BACKEND``) names its class by dotted path. The default ``LogBackend``
writes each message to the ``grassroots.sms`` logger and answers ``sent=False,
logged=True``: nothing in the platform may report a message as delivered unless a real
gateway said it accepted it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from grassroots.common.masking import mask_phone

logger = logging.getLogger("grassroots.sms")


@dataclass(frozen=True, slots=True)
class SmsResult:
    """What happened to one message.

    ``sent``: a gateway accepted it for delivery. ``logged``: it was only written to the
    log (no gateway). ``error``: why it was not sent, when a gateway refused it.
    """

    sent: bool
    logged: bool = False
    error: str = ""


@runtime_checkable
class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> SmsResult: ...


class LogBackend:
    """The default: no gateway. Each message goes to the ``grassroots.sms`` logger (INFO),
    the phone masked, and is reported as logged, never as sent."""

    def send(self, phone: str, text: str) -> SmsResult:
        logger.info("SMS (not sent, no gateway) to %s: %s", mask_phone(phone), text)
        return SmsResult(sent=False, logged=True)


@lru_cache(maxsize=4)
def _backend(path: str) -> SmsBackend:
    try:
        cls = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"SMS_BACKEND (GRASSROOTS_SMS_BACKEND) {path!r} cannot be imported: {exc}"
        ) from exc
    backend = cls()
    if not isinstance(backend, SmsBackend):
        raise ImproperlyConfigured(
            f"SMS_BACKEND {path!r} has no send(phone, text) method returning an SmsResult"
        )
    return backend


def get_backend() -> SmsBackend:
    """The backend ``settings.SMS_BACKEND`` names (one instance per process and path)."""
    return _backend(str(settings.SMS_BACKEND))

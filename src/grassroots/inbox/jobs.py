"""Background work of the inbox (Huey): texting notifications after they commit."""

from __future__ import annotations

import logging
from collections import defaultdict

from huey.contrib.djhuey import db_task

from grassroots.common.sms import get_backend
from grassroots.inbox.models import Notification, SmsState

logger = logging.getLogger(__name__)

MAX_SMS_CHARS = 300


def sms_text(subject: str, body: str) -> str:
    text = f"{subject} {body}".strip() if body else subject
    return text if len(text) <= MAX_SMS_CHARS else text[: MAX_SMS_CHARS - 1] + "…"


def send_pending(ids: list[int]) -> dict[str, int]:
    """Text the still-pending notifications among ``ids`` through the configured backend
    and record what the backend answered; returns how many ended in each state."""
    backend = get_backend()
    outcome: dict[str, list[int]] = defaultdict(list)
    rows = (
        Notification.objects.filter(pk__in=ids, sms=SmsState.PENDING)
        .order_by("pk")
        .values_list("pk", "subject", "body", "recipient__phone")
    )
    for pk, subject, body, phone in rows:
        if not phone:
            outcome[SmsState.NO_PHONE].append(pk)
            continue
        try:
            result = backend.send(phone, sms_text(subject, body))
        except Exception:  # a gateway error must not lose the other messages
            logger.exception("SMS backend failed for notification %s", pk)
            outcome[SmsState.FAILED].append(pk)
            continue
        state: str = (
            SmsState.SENT if result.sent else SmsState.LOGGED if result.logged else SmsState.FAILED
        )
        outcome[state].append(pk)
    for state, pks in outcome.items():
        # Only a still-pending row changes: a second run of the same task is harmless.
        Notification.objects.filter(pk__in=pks, sms=SmsState.PENDING).update(sms=state)
    return {str(state): len(pks) for state, pks in outcome.items()}


@db_task()
def send_sms(ids: list[int]) -> dict[str, int]:
    """Text the notifications ``ids`` (queued by ``actions.deliver`` after commit)."""
    return send_pending(ids)

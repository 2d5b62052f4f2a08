"""Who hears of a case (inbox messages, written after the action's transaction commits):

* a rectification requested or returned, a case overdue → the village's cadres (the
  members of the case's village whose role may respond, ``oversight.respond``);
* a rectification reported → whoever opened the case.

A failing delivery is logged and never undoes the action.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from grassroots.inbox.actions import Message, deliver
from grassroots.org.models import Membership
from grassroots.org.permissions import roles_granting
from grassroots.oversight.permissions import RESPOND

logger = logging.getLogger(__name__)

OBJECT_TYPE = "oversight.case"


def responders(unit_ids: Iterable[int]) -> dict[int, set[int]]:
    """``{village id: {user id}}``: the active members of each village who may respond."""
    found: dict[int, set[int]] = {}
    rows = (
        Membership.objects.active()
        .filter(unit_id__in=set(unit_ids), role__in=roles_granting(RESPOND), user__is_active=True)
        .order_by()
        .values_list("unit_id", "user_id")
    )
    for unit_id, user_id in rows:
        found.setdefault(unit_id, set()).add(user_id)
    return found


def message(case_id: int, number: str, recipient_id: int, subject: str, body: str) -> Message:
    return Message(
        recipient_id=recipient_id,
        subject=subject,
        body=body,
        url=reverse("oversight:case_detail", args=[case_id]),
        object_type=OBJECT_TYPE,
        object_id=str(case_id),
    )


def _send(messages: list[Message]) -> None:
    try:
        with transaction.atomic():
            deliver(messages)
    except Exception:
        logger.exception("oversight: the case's messages were not delivered")


def on_commit(
    case_id: int,
    number: str,
    matter: str,
    kind: str,
    *,
    unit_id: int,
    opener_id: int | None,
    actor_id: int | None,
) -> None:
    """After commit, tell the people concerned of the step ``kind`` (requested, returned:
    the village's cadres; responded: the opener)."""

    def run() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            params = {"number": number, "matter": matter}
            if kind == "responded":
                recipients = {opener_id} if opener_id else set()
                subject = _("Rectification reported on case %(number)s: %(matter)s") % params
            else:
                recipients = set(responders([unit_id]).get(unit_id, set()))
                subject = (
                    _("Rectification requested by the oversight committee: %(number)s %(matter)s")
                    if kind == "requested"
                    else _("Case %(number)s returned for more rectification: %(matter)s")
                ) % params
            if actor_id is not None:
                recipients.discard(actor_id)
            _send(
                [
                    message(case_id, number, r, subject, matter)
                    for r in sorted(x for x in recipients if x)
                ]
            )

    transaction.on_commit(run)

"""What raters hear of their rating sheets (inbox): the wording and the delivery.

==========  ===========================================================================
kind        when, to whom
==========  ===========================================================================
sent        ``create_form``: each rater, with the link to their sheet and the closing
            date
flagged     ``submit_sheet`` or ``close_form`` left the sheet *flagged*: its rater,
            who must justify it in writing before it counts
reminder    the closing job (``actions.rating_sweep``): the rater of a sheet still
            pending when its form closes today or tomorrow, once per sheet and day
==========  ===========================================================================

The actions call ``notify_on_commit``: the messages are written after the action's
transaction commits (a failing delivery is logged and never undoes the action). The job
calls ``deliver_notices`` inside its own transaction, together with the marker that makes
a reminder go out once. Messages are written in the site's language (Chinese first), and
an inactive rater gets none. Every message points at the rater's sheet page
(``assessment:sheet``) and names the sheet (``assessment.ratingsheet``, its id).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.inbox.actions import Message, deliver

SENT = "sent"
FLAGGED = "flagged"
REMINDER = "reminder"
OBJECT_TYPE = "assessment.ratingsheet"
INSTRUCTIONS_MAX = 1000

#: What each diagnostics flag means (the same words as the sheet page).
FLAG_LABELS: dict[str, Promise] = {
    "constant": gettext_lazy("Same score for every unit"),
    "low_spread": gettext_lazy("Scores spread far less than the group's (ratio below 0.5)"),
    "identical": gettext_lazy("More than 80% identical scores"),
    "lenient": gettext_lazy("Much more lenient than the other raters"),
    "severe": gettext_lazy("Much more severe than the other raters"),
}


@dataclass(frozen=True, slots=True)
class SheetNotice:
    """One message about one rating sheet to its rater."""

    kind: str
    sheet_id: int
    rater_id: int
    form_id: int
    title: str
    closes_on: dt.date
    instructions: str = ""
    flags: tuple[str, ...] = ()
    at_close: bool = False
    day: dt.date | None = None  # a reminder's day (today or tomorrow is the closing day)


def sheet_url(form_id: int) -> str:
    """The rater's sheet page of a form (empty while the pages are not routed)."""
    try:
        return reverse("assessment:sheet", args=[form_id])
    except NoReverseMatch:
        return ""


def _sent(notice: SheetNotice, params: dict[str, str]) -> tuple[str, str]:
    subject = _("Rating form to fill in: %(title)s") % params
    body = (
        _(
            "You are a rater of “%(title)s”. Give every unit a score from 0 to 100 on your "
            "sheet by the end of %(date)s (Beijing time); the form closes after that day."
        )
        % params
    )
    if notice.instructions:
        text = notice.instructions
        if len(text) > INSTRUCTIONS_MAX:
            text = text[: INSTRUCTIONS_MAX - 1] + "…"
        body = f"{body}\n\n{text}"
    return subject, body


def _flagged(notice: SheetNotice, params: dict[str, str]) -> tuple[str, str]:
    subject = _("Your rating sheet “%(title)s” needs a written justification") % params
    flags = {"flags": "; ".join(str(FLAG_LABELS.get(f, f)) for f in notice.flags)}
    if notice.at_close:
        first = (
            _(
                "Checked against all the sheets when the form closed, your scores were "
                "flagged by the anti-averaging check: %(flags)s."
            )
            % flags
        )
    else:
        first = _("Your scores were flagged by the anti-averaging check: %(flags)s.") % flags
    then = _(
        "The sheet counts only once you explain your scores in writing on the sheet page, "
        "or the office may exclude it."
    )
    return subject, f"{first}\n{then}"


def _reminder(notice: SheetNotice, params: dict[str, str]) -> tuple[str, str]:
    if notice.day is not None and notice.day >= notice.closes_on:
        subject = _("Last day to fill in “%(title)s”: %(date)s") % params
    else:
        subject = _("“%(title)s” closes tomorrow, %(date)s") % params
    body = (
        _(
            "You have not submitted your rating sheet yet. Give every unit a score from 0 to "
            "100 by the end of %(date)s (Beijing time); a sheet not submitted does not count."
        )
        % params
    )
    return subject, body


_WORDING = {SENT: _sent, FLAGGED: _flagged, REMINDER: _reminder}


def wording(notice: SheetNotice) -> tuple[str, str]:
    """The subject and text of the message (in the active language)."""
    params = {"title": notice.title, "date": notice.closes_on.isoformat()}
    return _WORDING[notice.kind](notice, params)


def message(notice: SheetNotice) -> Message:
    subject, body = wording(notice)
    return Message(
        recipient_id=notice.rater_id,
        subject=subject,
        body=body,
        url=sheet_url(notice.form_id),
        object_type=OBJECT_TYPE,
        object_id=str(notice.sheet_id),
    )


def deliver_notices(notices: Sequence[SheetNotice]) -> int:
    """Put each notice in its rater's inbox (active raters only); the number of messages.
    One query for the raters, one INSERT."""
    if not notices:
        return 0
    from grassroots.org.models import User

    active = set(
        User.objects.filter(pk__in={n.rater_id for n in notices}, is_active=True)
        .order_by()
        .values_list("pk", flat=True)
    )
    with translation.override(settings.LANGUAGE_CODE):
        messages = [message(n) for n in notices if n.rater_id in active]
    return deliver(messages)


def notify_on_commit(notices: Sequence[SheetNotice]) -> None:
    """``deliver_notices`` once the action's transaction commits (robust: a failure is
    logged, the action stands)."""
    if not notices:
        return
    frozen = tuple(notices)
    transaction.on_commit(lambda: _deliver_now(frozen), robust=True)


def _deliver_now(notices: Sequence[SheetNotice]) -> None:
    with transaction.atomic():
        deliver_notices(notices)

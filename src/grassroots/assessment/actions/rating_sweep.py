"""The closing job of the rating forms (the worker, hourly, and ``grassroots close-forms``).

``sweep_rating_forms(today)``:

* **closes** every open form whose closing day (``closes_on``, a local date in the site's
  time zone, Asia/Shanghai) is before ``today``, through ``ratings.close_form`` with the
  system as the actor (the audit entry has no actor, and says so in its note). Each form
  closes in its own transaction: a form closed meanwhile by the office is skipped, and a
  form that fails is logged and left open for the next run.
* **reminds** the rater of every sheet still *pending* on an open form that closes today
  or tomorrow, once per sheet and day: each reminder is an audit entry
  ``assessment.sheet.reminded`` (``after.day``) written with the message in one
  transaction, and a run skips the sheets the audit already holds for the day. A run
  locks the forms it reminds of (``select_for_update``, in id order, as every rating
  action locks a form first), so two runs never overlap and a sheet submitted meanwhile
  is not reminded.

Running twice on the same day is safe: the second run finds nothing to close and nobody
to remind.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from grassroots.assessment import rating_notices
from grassroots.assessment.actions.ratings import close_form
from grassroots.assessment.errors import IllegalTransition
from grassroots.assessment.models import FormState, RatingForm, RatingSheet, SheetState

logger = logging.getLogger(__name__)

REMINDED = "assessment.sheet.reminded"


@dataclass(frozen=True, slots=True)
class ClosedForm:
    """A form the job closed, with its sheets by state after the close."""

    pk: int
    title: str
    period: str
    closes_on: dt.date
    sheets: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "pk": self.pk,
            "title": self.title,
            "period": self.period,
            "closes_on": self.closes_on.isoformat(),
            "sheets": dict(self.sheets),
        }


@dataclass
class SweepReport:
    """What one run of ``sweep_rating_forms`` did."""

    day: dt.date
    closed: list[ClosedForm] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)  # forms left open by an error (logged)
    reminded: int = 0  # sheets whose rater was reminded
    forms_reminded: int = 0  # forms those sheets belong to
    reminders_skipped: bool = False  # the job runs before the reminder hour

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "closed": [c.as_dict() for c in self.closed],
            "failed": list(self.failed),
            "reminded": self.reminded,
            "forms_reminded": self.forms_reminded,
            "reminders_skipped": self.reminders_skipped,
        }


def close_due_forms(today: dt.date, report: SweepReport) -> None:
    """Close, as the system, every open form whose closing day is before ``today``."""
    due = list(
        RatingForm.objects.filter(state=FormState.OPEN, closes_on__lt=today)
        .select_related("scheme__root")
        .order_by("closes_on", "pk")
    )
    for form in due:
        try:
            closed = close_form(form, actor=None)
        except IllegalTransition:  # closed meanwhile by the office or another run
            continue
        except Exception:
            logger.exception("rating form %s could not be closed", form.pk)
            report.failed.append(form.pk)
            continue
        counts = dict(
            RatingSheet.objects.filter(form=closed)
            .order_by()
            .values_list("state")
            .annotate(n=Count("pk"))
            .values_list("state", "n")
        )
        report.closed.append(
            ClosedForm(
                pk=closed.pk,
                title=closed.title,
                period=closed.period,
                closes_on=closed.closes_on,
                sheets={state.value: counts.get(state.value, 0) for state in SheetState},
            )
        )


@transaction.atomic
def remind_raters(today: dt.date, report: SweepReport) -> None:
    """Remind the raters of pending sheets on open forms closing ``today`` or tomorrow,
    once per sheet and day (see the module)."""
    from grassroots.audit.actions import record
    from grassroots.audit.models import AuditEntry

    closing = RatingForm.objects.filter(
        state=FormState.OPEN, closes_on__gte=today, closes_on__lte=today + dt.timedelta(days=1)
    )
    forms = {
        f.pk: f
        for f in closing.select_for_update(of=("self",))
        .select_related("scheme__root")
        .order_by("pk")
    }
    if not forms:
        return
    sheets = list(
        RatingSheet.objects.filter(
            form_id__in=forms, state=SheetState.PENDING, rater__is_active=True
        )
        .order_by("pk")
        .only("pk", "form_id", "rater_id", "state")
    )
    if not sheets:
        return
    done = set(
        AuditEntry.objects.filter(
            action=REMINDED,
            object_type=rating_notices.OBJECT_TYPE,
            object_id__in=[str(s.pk) for s in sheets],
            after__day=today.isoformat(),
        ).values_list("object_id", flat=True)
    )
    notices: list[rating_notices.SheetNotice] = []
    for sheet in sheets:
        if str(sheet.pk) in done:
            continue
        form = forms[sheet.form_id]
        record(
            REMINDED,
            sheet,
            actor=None,
            unit=form.scheme.root,
            after={"day": today, "closes_on": form.closes_on, "rater": sheet.rater_id},
        )
        notices.append(
            rating_notices.SheetNotice(
                kind=rating_notices.REMINDER,
                sheet_id=sheet.pk,
                rater_id=sheet.rater_id,
                form_id=form.pk,
                title=form.title,
                closes_on=form.closes_on,
                day=today,
            )
        )
    rating_notices.deliver_notices(notices)
    report.reminded += len(notices)
    report.forms_reminded += len({n.form_id for n in notices})


def sweep_rating_forms(today: dt.date | None = None, *, remind: bool = True) -> SweepReport:
    """Close the forms past their closing day, then (with ``remind``) remind the raters of
    pending sheets on forms closing today or tomorrow; ``today`` defaults to the local
    date. Idempotent per day (see the module)."""
    today = today or timezone.localdate()
    report = SweepReport(day=today)
    close_due_forms(today, report)
    if remind:
        remind_raters(today, report)
    else:
        report.reminders_skipped = True
    return report

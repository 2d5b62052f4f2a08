"""Deadline rules of events: plain functions of a category and moments in time.

Definitions (every moment aware; working days and hours on the official calendar of
``common.workdays``):

* **respond_by** = ``add_work_hours(reported_at, category.response_hours)``: the first
  answer (accept, reject, dispatch or start) is due within the category's working hours.
* **resolve_by** = ``add_workdays(reported_at, category.resolve_workdays)``: the end of the
  n-th working day after the day of the report (the day of the report does not count), so
  an event reported on 2026-09-30 with 3 working days is due at the end of 2026-10-10:
  10-01…10-07 are the National Day holiday, 10-08 and 10-09 count, and so does the
  make-up workday Saturday 10-10.
* A dispatcher may give a new handling deadline when dispatching or through
  ``set_deadline``: it must be later than now (:func:`check_new_deadline`).
* Escalation does not move the deadline (the lapse stays visible); it raises the level.
* A reopened event (resident unsatisfied) gets a fresh handling deadline counted from the
  moment of reopening: :func:`reopen_deadline`.
* "Overdue" is never stored: ``resolve_by < now`` on an open event.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.common.workdays import add_work_hours, add_workdays
from grassroots.events.errors import EventError

if TYPE_CHECKING:
    from grassroots.events.models import Category


def respond_deadline(category: Category, reported_at: dt.datetime) -> dt.datetime:
    """When the first answer to an event of ``category`` reported at ``reported_at`` is due."""
    return add_work_hours(reported_at, category.response_hours)


def resolve_deadline(category: Category, start: dt.datetime) -> dt.datetime:
    """The handling deadline counted from ``start`` (the report, or a reopening)."""
    return add_workdays(start, int(category.resolve_workdays))


def initial_deadlines(
    category: Category, reported_at: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """``(respond_by, resolve_by)`` of a new event."""
    return respond_deadline(category, reported_at), resolve_deadline(category, reported_at)


def reopen_deadline(category: Category, reopened_at: dt.datetime) -> dt.datetime:
    """The new handling deadline of an event reopened at ``reopened_at``."""
    return resolve_deadline(category, reopened_at)


def check_new_deadline(
    resolve_by: object, *, now: dt.datetime | None = None, field: str = "resolve_by"
) -> dt.datetime:
    """A deadline set by hand: an aware datetime later than ``now``; else EventError."""
    if not isinstance(resolve_by, dt.datetime):
        raise EventError(_("Give the deadline as a date and time."), field=field, code="invalid")
    if timezone.is_naive(resolve_by):
        raise EventError(
            _("Give the deadline with its time zone."), field=field, code="naive_datetime"
        )
    if resolve_by <= (now or timezone.now()):
        raise EventError(_("The deadline must be in the future."), field=field, code="past")
    return resolve_by


def is_overdue(
    resolve_by: dt.datetime | None, *, open_: bool, now: dt.datetime | None = None
) -> bool:
    """Whether an event with this deadline is overdue now (only open events can be)."""
    return open_ and resolve_by is not None and resolve_by < (now or timezone.now())

"""Poverty-relapse monitoring (防返贫监测): putting a household under monitoring, its
assistance measures and its reviews (回访).

Rules (``RegistersError`` on the field at fault, nothing written):

* the household is a ``residents.Household`` living here (not moved out or dissolved);
  the monitoring belongs to its village, and the actor holds ``registers.manage`` over
  that village (PermissionDenied otherwise);
* one open monitoring per household: a second is a conflict on ``household`` (409); a
  household whose risk was removed is monitored again by a new monitoring;
* ``kind`` one of ``MonitorKind``; ``risks`` one or more of ``Risk``; ``since`` not in
  the future; ``members`` 1–99; the income per person ≥ 0 (yuan, two decimals);
* the next review is due ``review_every_days`` (the village's policy) after ``since``,
  then after each review;
* a review is not in the future, nor before the monitoring began or the last review; a
  review that removes the risk needs a note (what changed) and closes the monitoring
  (``removed``, ``removed_on`` = the review day). A closed monitoring takes no review or
  assistance (409).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.org.permissions import require
from grassroots.registers.actions._base import lock, move
from grassroots.registers.actions.windows import date_of, decimal_of, text_of, whole_of
from grassroots.registers.errors import IllegalTransition, RegistersConflict, RegistersError
from grassroots.registers.models import Assistance, MonitoredHousehold, Review
from grassroots.registers.permissions import MANAGE
from grassroots.registers.queries import policy_for
from grassroots.registers.states import AssistanceKind, MonitorKind, MonitorStatus, Risk
from grassroots.residents.models import Household
from grassroots.residents.states import HouseholdStatus

if TYPE_CHECKING:
    from grassroots.org.models import User

MS = MonitorStatus
MONITOR_TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    MS.MONITORING: frozenset({MS.REMOVED}),
    MS.REMOVED: frozenset(),  # monitored again: a new monitoring
}
MEMBERS_MAX: Final = 99
INCOME_MAX: Final = Decimal("9999999.99")
AMOUNT_MAX: Final = Decimal("99999999.99")
NOTE_MAX: Final = 255
DESCRIPTION_MAX: Final = 255


def snapshot(monitored: MonitoredHousehold) -> dict[str, Any]:
    """The monitoring's fields as the audit log keeps them (no personal data)."""
    return {
        "household": monitored.household.number,
        "kind": monitored.kind,
        "risks": list(monitored.risks),
        "since": monitored.since,
        "members": monitored.members,
        "income_per_capita": monitored.income_per_capita,
        "status": monitored.status,
        "removed_on": monitored.removed_on,
        "last_reviewed_on": monitored.last_reviewed_on,
        "review_due_on": monitored.review_due_on,
        "note": monitored.note,
    }


def risks_of(value: object) -> list[str]:
    """The risks, one or more of ``Risk``, in the order of the choices, each once."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple | set | frozenset):
        raise RegistersError(_("Choose at least one risk."), field="risks")
    chosen = {str(v) for v in value if v}
    unknown = sorted(chosen - set(Risk.values))
    if unknown:
        raise RegistersError(_("Unknown risk: %(name)s.") % {"name": unknown[0]}, field="risks")
    if not chosen:
        raise RegistersError(_("Choose at least one risk."), field="risks")
    return [r for r in Risk.values if r in chosen]


def _household(value: object) -> Household:
    household_id = value.pk if isinstance(value, Household) else value
    if isinstance(household_id, bool) or not isinstance(household_id, int):
        raise RegistersError(_("Choose a household."), field="household")
    household: Household | None = (
        Household.objects.select_for_update(of=("self",))
        .select_related("village", "grid")
        .filter(pk=household_id)
        .first()
    )
    if household is None:
        raise RegistersError(_("No such household."), field="household")
    return household


def monitoring_fields(data: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The checked fields of a monitoring (``kind``, ``risks``, ``since``, ``members``,
    ``income_per_capita``, ``note``)."""
    kind = data.get("kind")
    if kind not in MonitorKind.values:
        raise RegistersError(_("Choose the monitoring type."), field="kind")
    since = date_of(data.get("since"), "since", not_after=today)
    income = decimal_of(data.get("income_per_capita"), "income_per_capita", high=INCOME_MAX)
    return {
        "kind": kind,
        "risks": risks_of(data.get("risks")),
        "since": since,
        "members": whole_of(data.get("members"), "members", 1, MEMBERS_MAX),
        "income_per_capita": income,
        "note": text_of(data.get("note"), "note", NOTE_MAX),
    }


@transaction.atomic
def put_under_monitoring(*, actor: User, household: object, **data: Any) -> MonitoredHousehold:
    """Put ``household`` (a Household or its id) under monitoring: ``kind``, ``risks``,
    ``since``, ``members``, ``income_per_capita``, ``note`` (see the module docstring).
    The household's row is locked while the open monitoring is looked for. Audit
    ``registers.monitored.created``."""
    today = timezone.localdate()
    home = _household(household)
    require(actor, MANAGE, home.village)
    if home.status != HouseholdStatus.ACTIVE:
        raise RegistersError(
            _("The household no longer lives here (%(status)s).")
            % {"status": home.get_status_display()},
            field="household",
        )
    clean = monitoring_fields(data, today)
    if MonitoredHousehold.objects.filter(household=home, status=MS.MONITORING).exists():
        raise RegistersConflict(
            _("Household %(number)s is already monitored.") % {"number": home.number},
            field="household",
        )
    policy = policy_for(home.village)
    monitored = MonitoredHousehold(
        unit=home.village,
        household=home,
        review_due_on=clean["since"] + dt.timedelta(days=policy.review_every_days),
        **clean,
    )
    try:
        with transaction.atomic():
            monitored.save()
    except IntegrityError as exc:
        raise RegistersConflict(
            _("Household %(number)s is already monitored.") % {"number": home.number},
            field="household",
        ) from exc
    record("registers.monitored.created", monitored, actor=actor, after=snapshot(monitored))
    return monitored


def _open(monitored_id: int, actor: User) -> MonitoredHousehold:
    monitored = lock(MonitoredHousehold, monitored_id, "unit", "household__grid")
    require(actor, MANAGE, monitored)
    return monitored


@transaction.atomic
def update_monitoring(monitored_id: int, *, actor: User, **data: Any) -> MonitoredHousehold:
    """Correct an open monitoring's ``kind``, ``risks``, ``since``, ``members``,
    ``income_per_capita`` and ``note`` (the next review moves with ``since`` while none
    was made). A closed monitoring refuses (409). Audit ``registers.monitored.updated``
    with the fields changed."""
    monitored = _open(monitored_id, actor)
    if monitored.status != MS.MONITORING:
        raise IllegalTransition(
            str(monitored.get_status_display()), str(MS.MONITORING.label), field="status"
        )
    clean = monitoring_fields(data, timezone.localdate())
    if monitored.last_reviewed_on is not None and clean["since"] > monitored.last_reviewed_on:
        raise RegistersError(
            _("The household was reviewed on %(day)s, before this date.")
            % {"day": monitored.last_reviewed_on.isoformat()},
            field="since",
        )
    before = snapshot(monitored)
    for name, value in clean.items():
        setattr(monitored, name, value)
    if monitored.last_reviewed_on is None:
        every = policy_for(monitored.unit).review_every_days
        monitored.review_due_on = clean["since"] + dt.timedelta(days=every)
    after = snapshot(monitored)
    changed = sorted(k for k in after if after[k] != before[k])
    if not changed:
        return monitored
    monitored.save(update_fields=[*clean, "review_due_on", "updated_at"])
    record(
        "registers.monitored.updated",
        monitored,
        actor=actor,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return monitored


@transaction.atomic
def add_assistance(
    monitored_id: int,
    *,
    actor: User,
    kind: object,
    started_on: object,
    description: object,
    amount: object = None,
) -> Assistance:
    """Add an assistance measure (帮扶措施) to an open monitoring: its ``kind``, the day it
    started (not in the future), what it is, and its amount in yuan (optional, ≥ 0).
    Audit ``registers.assistance.created``."""
    monitored = _open(monitored_id, actor)
    if monitored.status != MS.MONITORING:
        raise RegistersConflict(
            _("The household's risk was removed: it takes no more assistance here."),
            field="kind",
        )
    if not isinstance(kind, str) or kind not in AssistanceKind.values:
        raise RegistersError(_("Choose the kind of assistance."), field="kind")
    day = date_of(started_on, "started_on", not_after=timezone.localdate())
    assert day is not None  # noqa: S101 -- required
    assistance = Assistance.objects.create(
        monitored=monitored,
        kind=kind,
        started_on=day,
        description=text_of(description, "description", DESCRIPTION_MAX, required=True),
        amount=decimal_of(amount, "amount", high=AMOUNT_MAX, required=False),
        created_by=actor,
    )
    record(
        "registers.assistance.created",
        monitored,
        actor=actor,
        after={
            "assistance": assistance.pk,
            "kind": assistance.kind,
            "started_on": assistance.started_on,
            "amount": assistance.amount,
        },
    )
    return assistance


@transaction.atomic
def record_review(
    monitored_id: int,
    *,
    actor: User,
    reviewed_on: object,
    income_per_capita: object,
    risk_removed: object = False,
    note: object = "",
) -> Review:
    """Record a review visit (回访) of an open monitoring: the day (not in the future, not
    before ``since`` nor the last review), the income per person found (≥ 0), whether the
    risk is gone (then a note is required and the monitoring closes: ``removed`` with
    ``removed_on``) and a note. The monitoring takes the income and the day; its next
    review falls due ``review_every_days`` later. Audit ``registers.monitored.reviewed``
    (and ``registers.monitored.removed`` when the risk goes)."""
    monitored = _open(monitored_id, actor)
    if monitored.status != MS.MONITORING:
        raise IllegalTransition(
            str(monitored.get_status_display()), str(MS.MONITORING.label), field="status"
        )
    day = date_of(reviewed_on, "reviewed_on", not_after=timezone.localdate())
    assert day is not None  # noqa: S101 -- required
    if day < monitored.since:
        raise RegistersError(
            _("The monitoring began on %(day)s, after this date.")
            % {"day": monitored.since.isoformat()},
            field="reviewed_on",
        )
    if monitored.last_reviewed_on is not None and day < monitored.last_reviewed_on:
        raise RegistersError(
            _("The last review was on %(day)s, after this date.")
            % {"day": monitored.last_reviewed_on.isoformat()},
            field="reviewed_on",
        )
    income = decimal_of(income_per_capita, "income_per_capita", high=INCOME_MAX)
    assert income is not None  # noqa: S101 -- required
    if not isinstance(risk_removed, bool):
        raise RegistersError(_("Say whether the risk is removed."), field="risk_removed")
    remark = text_of(note, "note", NOTE_MAX)
    if risk_removed and not remark:
        raise RegistersError(
            _("Say what changed: a removal needs a note."), field="note", code="required"
        )
    before = snapshot(monitored)
    review = Review.objects.create(
        monitored=monitored,
        reviewed_on=day,
        income_per_capita=income,
        risk_removed=risk_removed,
        note=remark,
        reviewer=actor,
    )
    every = policy_for(monitored.unit).review_every_days
    monitored.income_per_capita = income
    monitored.last_reviewed_on = day
    monitored.review_due_on = day + dt.timedelta(days=every)
    if risk_removed:
        move(monitored, "status", MS.REMOVED, MONITOR_TRANSITIONS)
        monitored.removed_on = day
    monitored.save(
        update_fields=[
            "income_per_capita",
            "last_reviewed_on",
            "review_due_on",
            "status",
            "removed_on",
            "updated_at",
        ]
    )
    after = snapshot(monitored)
    changed = sorted(k for k in after if after[k] != before[k])
    record(
        "registers.monitored.removed" if risk_removed else "registers.monitored.reviewed",
        monitored,
        actor=actor,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed} | {"review": review.pk},
        note=remark,
    )
    return review

"""Care of the key groups (重点人群) and the grid workers' visits (走访): every write.

* ``configure_key_group`` — the city office defines a group and how often its people are
  visited (``residents.configure``); a new frequency re-dates the open care of the group.
* ``add_to_group`` / ``end_care`` — a resident put in a group's care, or taken out of it
  (``residents.edit`` over the resident's grid). ``end_care_of`` ends all the open care of
  a resident who moved out or died (called by the residents' own actions).
* ``record_visit`` — a visit with whom was met, what was found and photos
  (``residents.visit``); someone met moves the next visit's due date; a problem found
  opens an event (``events.actions.report_event``) in the same transaction.
* ``send_overdue_notices`` — the nightly inbox notice to each grid worker of their
  overdue visits.

Due dates follow ``residents.care`` (the first visit within the group's frequency from
``since``; then the frequency after each effective visit). Bad input raises
``ResidentsError`` naming the field before anything is written; a lost race or a record
that changed meanwhile raises ``ResidentsConflict`` (409). Audit entries carry masked
names only, never ID numbers or phones.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grassroots.audit.actions import record
from grassroots.common.cleaning import clean_text as _clean_text
from grassroots.events.actions import report_event
from grassroots.events.attachments import PreparedPhoto, prepare_photos, write_file
from grassroots.events.errors import EventError
from grassroots.events.models import Category, Event, EventSource
from grassroots.org.models import Membership, Role, Unit, User
from grassroots.org.permissions import require
from grassroots.org.queries import grant_paths
from grassroots.residents import care
from grassroots.residents.actions._base import lock, lock_many
from grassroots.residents.errors import ResidentsConflict, ResidentsError
from grassroots.residents.models import KeyGroup, KeyPerson, Resident, Visit, VisitPhoto
from grassroots.residents.permissions import CONFIGURE, EDIT, VISIT
from grassroots.residents.states import EFFECTIVE_MET, Met, PersonStatus

NAME_MAX = 64
DESCRIPTION_MAX = 255
NOTE_MAX = 255
REASON_MAX = 255
FINDINGS_MAX = 2000
KEY_MAX = 64
#: At least once a year: a longer frequency is a typing mistake.
EVERY_MAX = 366
ORDER_MAX = 9999
CODE_MAX = 32
#: What the inbox notice of overdue visits is filed under (one per worker and day).
NOTICE_TYPE = "residents.overdue_visits"


def clean_text(value: object, field: str, limit: int, *, required: bool = False) -> str:
    return _clean_text(
        value, field=field, error=ResidentsError, required=required, max_length=limit
    )


def _whole(value: object, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ResidentsError(
            _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high},
            field=field,
        )
    return value


def _day(
    value: object, field: str, *, today: dt.date, not_before: dt.date | None = None
) -> dt.date:
    """A date that is not in the future (nor before ``not_before``)."""
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ResidentsError(_("Enter a date."), field=field)
    if value > today:
        raise ResidentsError(_("The date cannot be in the future."), field=field)
    if not_before is not None and value < not_before:
        raise ResidentsError(
            _("The date cannot be before %(day)s.") % {"day": not_before.isoformat()}, field=field
        )
    return value


def _summary(kp: KeyPerson) -> dict[str, Any]:
    """What the audit keeps of a person in care (the name masked)."""
    return {
        "resident": kp.resident.masked_name,
        "group": kp.group.code,
        "grid": kp.grid.code,
        "since": kp.since,
        "ended_on": kp.ended_on,
        "last_visit_on": kp.last_visit_on,
        "due_on": kp.due_on,
    }


def _lock_person(key_person: KeyPerson | int) -> KeyPerson:
    pk = key_person if isinstance(key_person, int) else key_person.pk
    return lock(KeyPerson, pk, "group", "grid", "resident")


# --- key groups ---------------------------------------------------------------------------------


def _group_summary(group: KeyGroup) -> dict[str, Any]:
    return {
        "code": group.code,
        "name": group.name,
        "visit_every_days": group.visit_every_days,
        "order": group.order,
        "active": group.active,
    }


def _config_unit(actor: User) -> Unit | None:
    """Where the audit entry of a key group is placed: the actor's topmost unit holding
    ``residents.configure`` (none for a superuser without membership)."""
    paths = sorted(grant_paths(actor, CONFIGURE), key=lambda p: (p.count("."), p))
    return Unit.objects.filter(path=paths[0]).first() if paths else None


@transaction.atomic
def configure_key_group(
    *,
    actor: User,
    group: KeyGroup | None = None,
    code: str = "",
    name: str,
    description: str = "",
    visit_every_days: int,
    order: int = 0,
    active: bool = True,
) -> KeyGroup:
    """Create a key group (``group`` None; ``code`` required, a unique slug) or change one
    (its code stays). ``visit_every_days`` from 1 to 366. When the frequency changes, the
    next visit of everyone in the group's open care is re-dated: their last effective
    visit (or the day they were put in care) plus the new frequency."""
    require(actor, CONFIGURE)
    name = clean_text(name, "name", NAME_MAX, required=True)
    description = clean_text(description, "description", DESCRIPTION_MAX)
    every = _whole(visit_every_days, "visit_every_days", 1, EVERY_MAX)
    order = _whole(order, "order", 0, ORDER_MAX)
    if not isinstance(active, bool):
        raise ResidentsError(_("Say yes or no."), field="active")
    if group is None:
        code = clean_text(code, "code", CODE_MAX, required=True).lower()
        if not all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in code):
            raise ResidentsError(
                _("Use lowercase letters, digits, “-” and “_” only."), field="code"
            )
        if KeyGroup.objects.filter(code=code).exists():
            raise ResidentsConflict(_("A key group with this code exists."), field="code")
        group = KeyGroup(code=code)
        before: dict[str, Any] | None = None
        verb = "created"
    else:
        group = lock(KeyGroup, group.pk)
        before = _group_summary(group)
        verb = "updated"
    changed_every = before is not None and before["visit_every_days"] != every
    group.name, group.description = name, description
    group.visit_every_days, group.order, group.active = every, order, active
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError:
        raise ResidentsConflict(_("A key group with this code exists."), field="code") from None
    redated = _redate(group) if changed_every else 0
    after = {**_group_summary(group), "redated": redated} if redated else _group_summary(group)
    record(
        f"residents.keygroup.{verb}",
        group,
        actor=actor,
        before=before,
        after=after,
        unit=_config_unit(actor),
    )
    return group


def _redate(group: KeyGroup) -> int:
    """Re-date the open care of ``group`` after its frequency changed; how many rows."""
    people = lock_many(
        KeyPerson,
        list(group.people.filter(ended_on__isnull=True).values_list("pk", flat=True)),
    )
    for kp in people:
        kp.due_on = care.anchor_due(kp.since, kp.last_visit_on, group.visit_every_days)
    KeyPerson.objects.bulk_update(people, ["due_on"], batch_size=500)
    return len(people)


# --- care -----------------------------------------------------------------------------------------


@transaction.atomic
def add_to_group(
    resident: Resident | int,
    group: KeyGroup,
    *,
    actor: User,
    since: dt.date | None = None,
    note: str = "",
) -> KeyPerson:
    """Put a resident in a key group's care from ``since`` (default today; not in the
    future). The resident must be living here; the group active; one open care per
    resident and group (``ResidentsConflict`` on ``group``). The care is owed in the
    resident's grid; the first visit is due within the group's frequency from ``since``."""
    pk = resident if isinstance(resident, int) else resident.pk
    person = lock(Resident, pk, "household__grid")
    require(actor, EDIT, person)
    today = timezone.localdate()
    since = _day(since or today, "since", today=today)
    note = clean_text(note, "note", NOTE_MAX)
    if person.status != PersonStatus.PRESENT:
        raise ResidentsError(
            _("Only a resident living here can be put in care (this one is “%(status)s”).")
            % {"status": person.get_status_display()},
            field="resident",
        )
    if not isinstance(group, KeyGroup) or group.pk is None:
        raise ResidentsError(_("Choose a key group."), field="group")
    group = KeyGroup.objects.get(pk=group.pk)
    if not group.active:
        raise ResidentsError(_("This key group is no longer in use."), field="group")
    if KeyPerson.objects.filter(resident=person, group=group, ended_on__isnull=True).exists():
        raise ResidentsConflict(
            _("This resident is already in the care of “%(group)s”.") % {"group": group.name},
            field="group",
        )
    kp = KeyPerson(
        resident=person,
        group=group,
        grid=person.household.grid,
        since=since,
        due_on=care.first_due(since, group.visit_every_days),
        note=note,
    )
    try:
        with transaction.atomic():
            kp.save(force_insert=True)
    except IntegrityError:
        raise ResidentsConflict(
            _("This resident is already in the care of “%(group)s”.") % {"group": group.name},
            field="group",
        ) from None
    record("residents.keyperson.added", kp, actor=actor, after=_summary(kp))
    return kp


@transaction.atomic
def end_care(
    key_person: KeyPerson | int,
    *,
    actor: User,
    ended_on: dt.date | None = None,
    reason: str,
) -> KeyPerson:
    """End the care of a person (default today; not in the future nor before ``since``)
    with a reason. Care already ended is a conflict."""
    kp = _lock_person(key_person)
    require(actor, EDIT, kp)
    if kp.ended_on is not None:
        raise ResidentsConflict(
            _("This care already ended on %(day)s.") % {"day": kp.ended_on.isoformat()}
        )
    today = timezone.localdate()
    ended_on = _day(ended_on or today, "ended_on", today=today, not_before=kp.since)
    reason = clean_text(reason, "reason", REASON_MAX, required=True)
    return _end(kp, actor=actor, ended_on=ended_on, reason=reason)


def _end(kp: KeyPerson, *, actor: User | None, ended_on: dt.date, reason: str) -> KeyPerson:
    before = _summary(kp)
    kp.ended_on, kp.end_reason = ended_on, reason
    kp.save(update_fields=["ended_on", "end_reason", "updated_at"])
    record(
        "residents.keyperson.ended",
        kp,
        actor=actor,
        before=before,
        after={**_summary(kp), "reason": reason},
    )
    return kp


@transaction.atomic
def end_care_of(resident: Resident, *, actor: User, on: dt.date, reason: str) -> list[KeyPerson]:
    """End every open care of ``resident`` on ``on`` (a care that started later ends on
    its first day), e.g. when they moved out or died; returns the care ended. Called inside
    the action that changed the resident, which has checked ``residents.edit``."""
    require(actor, EDIT, resident)
    reason = clean_text(reason, "reason", REASON_MAX, required=True)
    ids = list(
        KeyPerson.objects.filter(resident_id=resident.pk, ended_on__isnull=True).values_list(
            "pk", flat=True
        )
    )
    ended = []
    for kp in lock_many(KeyPerson, ids):
        if kp.ended_on is not None:
            continue
        kp = KeyPerson.objects.select_related("group", "grid", "resident").get(pk=kp.pk)
        ended.append(_end(kp, actor=actor, ended_on=max(on, kp.since), reason=reason))
    return ended


# --- visits ---------------------------------------------------------------------------------------


def _key(value: object) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not value.strip() or not value.isprintable():
        raise ResidentsError(
            _("The form's key is damaged; reload the page."), field="idempotency_key"
        )
    value = value.strip()
    if len(value) > KEY_MAX:
        raise ResidentsError(
            _("The form's key is damaged; reload the page."), field="idempotency_key"
        )
    return value


def _photos(uploads: Sequence[Any]) -> list[PreparedPhoto]:
    try:
        return prepare_photos(uploads or ())
    except EventError as exc:
        raise ResidentsError(exc.message, field="photos", code=exc.code) from None


def _first_visit(kp: KeyPerson, actor: User, key: str) -> Visit | None:
    """The visit already recorded with this key by this visitor (a retried form)."""
    if not key:
        return None
    first = Visit.objects.filter(visitor=actor, idempotency_key=key).first()
    if first is not None and first.key_person_id != kp.pk:
        raise ResidentsConflict(
            _("This form was already used for another person; reload the page."),
            field="idempotency_key",
        )
    return first


#: The visit form's field for an error of the event opened (others: the form itself).
EVENT_FIELDS = {
    "category": "category",
    "title": "title",
    "description": "findings",
    "photos": "photos",
}


@transaction.atomic
def record_visit(
    key_person: KeyPerson | int,
    *,
    actor: User,
    visited_on: dt.date | None = None,
    met: str,
    findings: str = "",
    problem_found: bool = False,
    category: Category | None = None,
    title: str = "",
    photos: Sequence[Any] = (),
    idempotency_key: str | None = None,
) -> Visit:
    """Record a care visit by ``actor`` (``residents.visit`` over the grid).

    ``visited_on`` (default today) not in the future nor before the care began; the care
    must be open. ``met`` is one of ``states.Met``; ``findings`` are required when nobody
    was met (what was done instead) or a problem was found (it is the event's
    description). Someone met (``EFFECTIVE_MET``) makes the visit count: the last visit
    and the next due date move forward (never back, for a visit entered late). With
    ``problem_found``, an event of ``category`` titled ``title`` is reported (source
    patrol, at the person's grid, with the photos) and linked to the visit. Photos are
    cleaned and stored like the events' photos. A retry with the same ``idempotency_key``
    by the same visitor returns the first visit unchanged.
    """
    kp = _lock_person(key_person)
    require(actor, VISIT, kp)
    key = _key(idempotency_key)
    first = _first_visit(kp, actor, key)
    if first is not None:
        return first
    if kp.ended_on is not None:
        raise ResidentsConflict(
            _("This care ended on %(day)s: no more visits are recorded.")
            % {"day": kp.ended_on.isoformat()}
        )
    today = timezone.localdate()
    visited_on = _day(visited_on or today, "visited_on", today=today, not_before=kp.since)
    if met not in Met.values:
        raise ResidentsError(_("Say whom you met."), field="met")
    findings = clean_text(findings, "findings", FINDINGS_MAX)
    if problem_found and not findings:
        raise ResidentsError(
            _("Describe the problem found: it becomes the event's description."), field="findings"
        )
    if met == Met.NOBODY and not findings:
        raise ResidentsError(
            _("Nobody was met: say what you did (a note left, a neighbour asked…)."),
            field="findings",
        )
    if problem_found and category is None:
        raise ResidentsError(_("Choose the category of the problem."), field="category")
    if problem_found and not (title or "").strip():
        raise ResidentsError(_("Give the problem a short title."), field="title")
    prepared = _photos(photos)

    visit = Visit(
        key_person=kp,
        grid=kp.grid,
        visitor=actor,
        visited_on=visited_on,
        met=met,
        findings=findings,
        problem_found=bool(problem_found),
        idempotency_key=key,
    )
    try:
        with transaction.atomic():
            visit.save(force_insert=True)
    except IntegrityError:
        first = _first_visit(kp, actor, key)
        if first is None:
            raise
        return first
    stored = set()
    for photo in prepared:
        if photo.sha256 in stored:
            continue
        stored.add(photo.sha256)
        write_file(photo)
        VisitPhoto.objects.create(
            visit=visit, sha256=photo.sha256, content_type=photo.content_type, size=photo.size
        )
    if problem_found and category is not None:
        visit.event = _open_event(
            visit, actor=actor, category=category, title=title, photos=prepared
        )
        visit.save(update_fields=["event"])

    before = _summary(kp)
    if met in EFFECTIVE_MET:
        last, due = care.after_visit(
            due_on=kp.due_on,
            last_visit_on=kp.last_visit_on,
            visited_on=visited_on,
            every=kp.group.visit_every_days,
        )
        if (last, due) != (kp.last_visit_on, kp.due_on):
            kp.last_visit_on, kp.due_on = last, due
            kp.save(update_fields=["last_visit_on", "due_on", "updated_at"])
    record(
        "residents.visit.recorded",
        visit,
        actor=actor,
        before={"due_on": before["due_on"], "last_visit_on": before["last_visit_on"]},
        after={
            "person": kp.resident.masked_name,
            "group": kp.group.code,
            "visited_on": visited_on,
            "met": met,
            "problem_found": visit.problem_found,
            "event": visit.event.number if visit.event else "",
            "photos": len(stored),
            "due_on": kp.due_on,
            "last_visit_on": kp.last_visit_on,
        },
    )
    return visit


def _open_event(
    visit: Visit, *, actor: User, category: Category, title: str, photos: Sequence[PreparedPhoto]
) -> Event:
    """Report the problem found as an event of the visit's grid (events' own checks;
    their error comes back on the visit form's field)."""
    try:
        return report_event(
            actor=actor,
            category=category,
            title=title,
            source=EventSource.PATROL,
            unit=visit.grid,
            description=visit.findings,
            photos=photos,
        )
    except EventError as exc:
        field = EVENT_FIELDS.get(exc.field or "")
        raise ResidentsError(exc.message, field=field, code=exc.code) from None
    except PermissionDenied:
        raise PermissionDenied(_("You may not report events in this grid.")) from None


# --- the nightly notice ---------------------------------------------------------------------


@dataclass
class NoticeReport:
    day: dt.date
    workers: int = 0
    overdue: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "workers": self.workers,
            "overdue": self.overdue,
            "skipped": self.skipped,
        }


def send_overdue_notices(today: dt.date | None = None) -> NoticeReport:
    """Put in each grid worker's inbox how many visits of their grid(s) are overdue
    (open care due before ``today``), once per worker and day (a second run the same day
    sends nothing more). Three queries and one insert, whatever the number of grids."""
    from django.conf import settings

    from grassroots.inbox.actions import Message, deliver
    from grassroots.inbox.models import Notification

    today = today or timezone.localdate()
    report = NoticeReport(day=today)
    per_grid = dict(
        KeyPerson.objects.filter(ended_on__isnull=True, due_on__lt=today)
        .values("grid__path")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("grid__path", "n")
    )
    if not per_grid:
        return report
    # Who works where: a worker's grids are the ones at or below their units.
    by_path: dict[str, set[int]] = defaultdict(set)
    for user_id, path in (
        Membership.objects.active(on=today)
        .filter(role=Role.GRID_WORKER, unit__active=True, user__is_active=True)
        .values_list("user_id", "unit__path")
    ):
        by_path[path].add(user_id)
    totals: dict[int, int] = defaultdict(int)
    for grid_path, n in per_grid.items():
        parts = grid_path.split(".")
        users = set().union(
            *(by_path.get(".".join(parts[:i]), set()) for i in range(1, len(parts) + 1))
        )
        for user_id in users:
            totals[user_id] += n
    already = set(
        Notification.objects.filter(
            object_type=NOTICE_TYPE, object_id=today.isoformat(), recipient_id__in=list(totals)
        ).values_list("recipient_id", flat=True)
    )
    url = reverse("residents:m_visits")
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for user_id, n in sorted(totals.items()):
            if user_id in already:
                report.skipped += 1
                continue
            report.workers += 1
            report.overdue += n
            messages.append(
                Message(
                    recipient_id=user_id,
                    subject=ngettext(
                        "%(n)d care visit is overdue", "%(n)d care visits are overdue", n
                    )
                    % {"n": n},
                    body=_("Visit the people in care whose visit is overdue, most overdue first."),
                    url=url,
                    object_type=NOTICE_TYPE,
                    object_id=today.isoformat(),
                )
            )
        with transaction.atomic():
            deliver(messages)
    return report

"""The reserve pool (选: 后备干部): nomination by a unit with the democratic recommendation
tally (民主推荐), review by the organisation department (admitted into the pool, or not
with a reason), removal from the pool with a reason, and the key posts (关键岗位) the
reserve ratio is counted against.

The appointment of a reserve (in the pool → appointed) is the selection's decision
(``actions.selection``), not made here.

Scope (``permissions``): a unit nominates with ``cadres.nominate`` over itself (a
township's leader for the township and its villages, the organisation department
anywhere in its city), the cadre being in that unit or below it; reviews, removals and
key posts need ``cadres.manage``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, cast

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.cadres.actions._base import lock, move
from grassroots.cadres.actions.files import (
    clean_cadre,
    clean_choice,
    clean_date,
    clean_int,
    clean_text,
    clean_unit,
    not_future,
    pk_of,
    today,
)
from grassroots.cadres.errors import CadresConflict, CadresError
from grassroots.cadres.models import Cadre, KeyPost, ReserveEntry
from grassroots.cadres.permissions import MANAGE, NOMINATE
from grassroots.cadres.states import (
    OPEN_RESERVE,
    RESERVE_TRANSITIONS,
    CadreStatus,
    Level,
    ReserveStatus,
)
from grassroots.org.models import Unit, is_within
from grassroots.org.permissions import require

if TYPE_CHECKING:
    from grassroots.org.models import User

RESERVE_TABLE = cast("Mapping[str, frozenset[str]]", RESERVE_TRANSITIONS)
#: The most people a recommendation meeting can have.
MAX_VOTERS = 100_000


def _open_entry_error(entry: ReserveEntry | None) -> CadresConflict:
    if entry is not None and entry.status == ReserveStatus.IN_POOL:
        message = _("%(name)s is already in the reserve pool (since %(day)s).") % {
            "name": entry.cadre.name,
            "day": entry.entered_on.isoformat() if entry.entered_on else "",
        }
    elif entry is not None:
        message = _("%(name)s has already been nominated (%(day)s) and awaits review.") % {
            "name": entry.cadre.name,
            "day": timezone.localtime(entry.nominated_at).date().isoformat(),
        }
    else:
        message = _("This cadre has just been nominated by someone else.")
    return CadresConflict(message, field="cadre")


@transaction.atomic
def nominate(
    cadre: Cadre | int,
    *,
    actor: User,
    unit: Unit | int,
    target_level: str,
    voters: int | str,
    votes: int | str,
    reason: str,
) -> ReserveEntry:
    """Nominate a cadre in office for the reserve pool on behalf of ``unit`` (the cadre's
    unit or one above it), with the democratic recommendation tally: ``voters`` people
    took part (at least one) and ``votes`` of them recommended the cadre.

    A cadre has at most one open entry (nominated or in the pool); two nominations at once
    leave one, the other gets a clear conflict."""
    nominating = clean_unit(unit)
    require(actor, NOMINATE, nominating)
    found = clean_cadre(cadre, field="cadre", active=False)
    locked = lock(Cadre, found.pk, "unit")
    if not is_within(locked.unit.path, nominating.path):
        raise CadresError(
            _("%(unit)s can nominate its own cadres and those of the units below it only.")
            % {"unit": nominating.name},
            field="unit",
            code="outside_unit",
        )
    if locked.status != CadreStatus.ACTIVE:
        raise CadresError(
            _("%(name)s is no longer in office.") % {"name": locked.name},
            field="cadre",
            code="not_active",
        )
    level = clean_choice(target_level, Level, field="target_level")
    people = clean_int(voters, field="voters", minimum=1, maximum=MAX_VOTERS)
    recommended = clean_int(votes, field="votes", minimum=0, maximum=MAX_VOTERS)
    if recommended > people:
        raise CadresError(
            _("More votes (%(votes)d) than people taking part (%(voters)d).")
            % {"votes": recommended, "voters": people},
            field="votes",
            code="votes_over_voters",
        )
    grounds = clean_text(reason, field="reason", required=True)
    open_entry = (
        ReserveEntry.objects.select_related("cadre")
        .filter(cadre=locked, status__in=[s.value for s in OPEN_RESERVE])
        .first()
    )
    if open_entry is not None:
        raise _open_entry_error(open_entry)
    try:
        with transaction.atomic():
            entry = ReserveEntry.objects.create(
                cadre=locked,
                unit=nominating,
                target_level=level,
                voters=people,
                votes=recommended,
                reason=grounds,
                nominated_by=actor,
            )
    except IntegrityError as exc:
        # the partial unique index: someone nominated the same cadre a moment ago
        raise _open_entry_error(None) from exc
    record(
        "cadres.reserveentry.nominated",
        entry,
        actor=actor,
        after={
            "cadre": locked.pk,
            "unit": nominating.pk,
            "target_level": level,
            "voters": people,
            "votes": recommended,
        },
        note=grounds,
    )
    return entry


@transaction.atomic
def review_entry(
    entry: ReserveEntry | int,
    *,
    actor: User,
    admit: bool,
    note: str = "",
    entered_on: dt.date | str | None = None,
) -> ReserveEntry:
    """The organisation department's review of a nomination: admitted into the pool on
    ``entered_on`` (default today), or not admitted — with the reason (``note``)."""
    locked = lock(ReserveEntry, pk_of(entry, ReserveEntry, field="entry"), "unit", "cadre")
    require(actor, MANAGE, locked)
    text = clean_text(note, field="note")
    if not admit and not text:
        raise CadresError(
            _("Give the reason why the nomination is not admitted."),
            field="note",
            code="required",
        )
    target = ReserveStatus.IN_POOL if admit else ReserveStatus.REJECTED
    day = None
    if admit:
        day = not_future(
            clean_date(entered_on, field="entered_on", required=False) or today(),
            field="entered_on",
        )
        if day < timezone.localtime(locked.nominated_at).date():
            raise CadresError(
                _("A reserve cannot enter the pool before the nomination (%(day)s).")
                % {"day": timezone.localtime(locked.nominated_at).date().isoformat()},
                field="entered_on",
            )
    before = {"status": locked.status}
    move(locked, "status", target, RESERVE_TABLE)
    locked.reviewed_by, locked.reviewed_at, locked.review_note = actor, timezone.now(), text
    locked.entered_on = day
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note", "entered_on"])
    record(
        "cadres.reserveentry.admitted" if admit else "cadres.reserveentry.rejected",
        locked,
        actor=actor,
        before=before,
        after={"status": locked.status, "entered_on": day.isoformat() if day else ""},
        note=text,
    )
    return locked


@transaction.atomic
def remove_from_pool(
    entry: ReserveEntry | int,
    *,
    actor: User,
    reason: str,
    exited_on: dt.date | str | None = None,
) -> ReserveEntry:
    """Take a reserve out of the pool (出库) on ``exited_on`` (default today), with the
    reason."""
    locked = lock(ReserveEntry, pk_of(entry, ReserveEntry, field="entry"), "unit", "cadre")
    require(actor, MANAGE, locked)
    text = clean_text(reason, field="reason", required=True)
    day = not_future(
        clean_date(exited_on, field="exited_on", required=False) or today(), field="exited_on"
    )
    if locked.entered_on is not None and day < locked.entered_on:
        raise CadresError(
            _("This date is before the entry into the pool (%(day)s).")
            % {"day": locked.entered_on.isoformat()},
            field="exited_on",
        )
    before = {"status": locked.status}
    move(locked, "status", ReserveStatus.REMOVED, RESERVE_TABLE)
    locked.exited_on, locked.exit_reason = day, text
    locked.save(update_fields=["status", "exited_on", "exit_reason"])
    record(
        "cadres.reserveentry.removed",
        locked,
        actor=actor,
        before=before,
        after={"status": locked.status, "exited_on": day.isoformat()},
        note=text,
    )
    return locked


# --- key posts ------------------------------------------------------------------------------


@transaction.atomic
def add_key_post(
    *,
    actor: User,
    unit: Unit | int,
    title: str,
    level: str,
    holder: Cadre | int | None = None,
) -> KeyPost:
    """Add a key post of a unit (the reserve ratio counts reserves against these)."""
    where = clean_unit(unit)
    require(actor, MANAGE, where)
    text = clean_text(title, field="title", required=True, max_length=100)
    value = clean_choice(level, Level, field="level")
    who = None
    if holder is not None:
        who = clean_cadre(holder, field="holder")
        if not is_within(who.unit.path, where.path):
            raise CadresError(
                _("The holder must be a cadre of %(unit)s or a unit below it.")
                % {"unit": where.name},
                field="holder",
            )
    lock(Unit, where.pk)  # two clerks adding the same post at once: one sees the other's
    if KeyPost.objects.filter(unit=where, title=text).exists():
        raise CadresError(
            _("%(unit)s already has the key post “%(title)s”.")
            % {"unit": where.name, "title": text},
            field="title",
            code="duplicate",
        )
    post = KeyPost.objects.create(unit=where, title=text, level=value, holder=who)
    record(
        "cadres.keypost.added",
        post,
        actor=actor,
        after={"unit": where.pk, "title": text, "level": value, "holder": who.pk if who else None},
    )
    return post


@transaction.atomic
def remove_key_post(post: KeyPost | int, *, actor: User, note: str = "") -> None:
    """Remove a key post (an open vacancy of it keeps its title but loses the link)."""
    locked = lock(KeyPost, pk_of(post, KeyPost, field="post"), "unit")
    require(actor, MANAGE, locked)
    text = clean_text(note, field="note")
    record(
        "cadres.keypost.removed",
        locked,
        actor=actor,
        before={"unit": locked.unit_id, "title": locked.title, "level": locked.level},
        note=text,
    )
    locked.delete()

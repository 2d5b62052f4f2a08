"""Resolutions of a held meeting (决策在先, 民主集中制): the vote's rules, the numbering
within the unit and year, and the tasks a passed resolution opens. See
``actions.meetings``' docstring for the rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.org.models import Unit
from grassroots.partybuilding.actions._base import lock
from grassroots.partybuilding.actions.meetings import (
    MS,
    QUORUM,
    TASKS_MAX,
    TEXT_MAX,
    TITLE_MAX,
    _locked,
    amount_of,
    count_of,
    require_record,
    text_of,
)
from grassroots.partybuilding.errors import PartybuildingConflict, PartybuildingError
from grassroots.partybuilding.models import Resolution, ResolutionTask
from grassroots.partybuilding.states import MatterKind

if TYPE_CHECKING:
    from grassroots.org.models import User
    from grassroots.supervision.models import Task

__all__: Final = [
    "Vote",
    "add_resolution",
    "create_tasks_from_resolution",
    "next_number",
    "origin_of",
    "vote_of",
]


@dataclass(frozen=True, slots=True)
class Vote:
    members_total: int
    members_present: int
    votes_for: int
    votes_against: int
    votes_abstain: int

    @property
    def quorate(self) -> bool:
        return Decimal(self.members_present) > QUORUM * self.members_total

    @property
    def passed(self) -> bool:
        """More than half of all the voting members voted for it (民主集中制)."""
        return self.quorate and 2 * self.votes_for > self.members_total


def vote_of(
    members_total: object,
    members_present: object,
    votes_for: object,
    votes_against: object = 0,
    votes_abstain: object = 0,
    *,
    people_present: int | None = None,
) -> Vote:
    """Check a vote (see the module docstring); ``people_present``: the meeting's."""
    total = count_of(members_total, "members_total")
    present = count_of(members_present, "members_present")
    yes = count_of(votes_for, "votes_for")
    no = count_of(votes_against or 0, "votes_against")
    abstain = count_of(votes_abstain or 0, "votes_abstain")
    if total == 0:
        raise PartybuildingError(_("A vote needs voting members."), field="members_total")
    if present > total:
        raise PartybuildingError(
            _(
                "Voting members present (%(present)d) cannot be more than the voting members "
                "(%(total)d)."
            )
            % {"present": present, "total": total},
            field="members_present",
        )
    if people_present is not None and present > people_present:
        raise PartybuildingError(
            _(
                "Voting members present (%(present)d) cannot be more than the people present "
                "at the meeting (%(people)d)."
            )
            % {"present": present, "people": people_present},
            field="members_present",
        )
    vote = Vote(total, present, yes, no, abstain)
    if not vote.quorate:
        raise PartybuildingError(
            _(
                "No quorum: %(present)d of %(total)d voting members present; more than half "
                "must be present to vote."
            )
            % {"present": present, "total": total},
            field="members_present",
        )
    if yes + no + abstain > present:
        raise PartybuildingError(
            _(
                "For, against and abstaining add up to %(votes)d, more than the %(present)d "
                "voting members present."
            )
            % {"votes": yes + no + abstain, "present": present},
            field="votes_for",
        )
    return vote


def next_number(unit: Unit, year: int) -> str:
    """The next resolution number of ``unit`` in ``year`` (``2026-07``); the caller holds
    the unit's row lock."""
    prefix = f"{year}-"
    numbers = Resolution.objects.filter(unit=unit, number__startswith=prefix).values_list(
        "number", flat=True
    )
    last = max((int(n[len(prefix) :]) for n in numbers if n[len(prefix) :].isdecimal()), default=0)
    return f"{prefix}{last + 1:02d}"


def resolution_snapshot(r: Resolution) -> dict[str, Any]:
    return {
        "meeting": r.meeting_id,
        "number": r.number,
        "title": r.title,
        "matter": r.matter,
        "amount": r.amount,
        "decided_on": r.decided_on,
        "members_total": r.members_total,
        "members_present": r.members_present,
        "for": r.votes_for,
        "against": r.votes_against,
        "abstain": r.votes_abstain,
        "passed": r.passed,
    }


@transaction.atomic
def add_resolution(
    meeting_id: int,
    *,
    actor: User,
    title: object,
    members_total: object,
    members_present: object,
    votes_for: object,
    votes_against: object = 0,
    votes_abstain: object = 0,
    text: object = "",
    matter: object = MatterKind.OTHER,
    amount: object = None,
) -> Resolution:
    """Record a resolution of a held meeting with its vote, decided on the meeting's day
    and numbered within the unit and year; ``passed`` by the rule of the module
    docstring (a vote that fails is recorded too). Audit
    ``partybuilding.resolution.added``."""
    meeting = _locked(meeting_id, actor)
    if meeting.status != MS.HELD or meeting.held_on is None:
        raise PartybuildingError(
            _("Resolutions belong to a meeting recorded as held: record the meeting first."),
            field="meeting",
            code="not_held",
        )
    heading = text_of(title, "title", TITLE_MAX, required=True)
    body = text_of(text, "text", TEXT_MAX)
    if matter not in MatterKind.values:
        raise PartybuildingError(_("Choose what the resolution decides."), field="matter")
    money = amount_of(amount)
    vote = vote_of(
        members_total,
        members_present,
        votes_for,
        votes_against,
        votes_abstain,
        people_present=meeting.present_count or None,
    )
    unit = lock(Unit, meeting.unit_id)
    resolution = Resolution(
        meeting=meeting,
        unit=unit,
        unit_path=unit.path,
        number=next_number(unit, meeting.held_on.year),
        title=heading,
        text=body,
        matter=str(matter),
        amount=money,
        decided_on=meeting.held_on,
        members_total=vote.members_total,
        members_present=vote.members_present,
        votes_for=vote.votes_for,
        votes_against=vote.votes_against,
        votes_abstain=vote.votes_abstain,
        passed=vote.passed,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            resolution.save()
    except IntegrityError as exc:  # pragma: no cover -- the unit's lock serialises numbers
        raise PartybuildingConflict(_("Try again: the number was just taken.")) from exc
    record(
        "partybuilding.resolution.added",
        resolution,
        actor=actor,
        after=resolution_snapshot(resolution),
    )
    return resolution


def origin_of(resolution: Resolution) -> str:
    """The ``Task.origin`` of a task a resolution opened."""
    return f"partybuilding.resolution:{resolution.pk}"


@transaction.atomic
def create_tasks_from_resolution(
    resolution_id: int, *, actor: User, tasks: Sequence[Mapping[str, Any]]
) -> list[Task]:
    """Open the supervised tasks a passed resolution decided (each ``title``,
    ``deadline``, ``description``): commitments of the meeting's unit issued by its parent
    (``supervision.actions.commitments.commit_task``, which checks
    ``supervision.commit``). All or none. Audit ``partybuilding.resolution.tasks``."""
    from grassroots.supervision.actions.commitments import commit_task
    from grassroots.supervision.errors import SupervisionError

    resolution = lock(Resolution, resolution_id, "unit", "meeting")
    require_record(actor, resolution.unit)
    if not resolution.passed:
        raise PartybuildingError(
            _("Only a passed resolution opens tasks."), field="tasks", code="not_passed"
        )
    wanted = [
        t
        for t in (tasks if isinstance(tasks, Sequence) else ())
        if isinstance(t, Mapping)
        and any(str(t.get(k) or "").strip() for k in ("title", "deadline", "description"))
    ]
    if not wanted:
        raise PartybuildingError(_("Give one task at least."), field="tasks")
    if len(wanted) > TASKS_MAX:
        raise PartybuildingError(
            _("At most %(n)d tasks at once.") % {"n": TASKS_MAX}, field="tasks"
        )
    created: list[Task] = []
    for i, spec in enumerate(wanted, start=1):
        try:
            task = commit_task(
                actor=actor,
                origin=origin_of(resolution),
                unit=resolution.unit,
                title=spec.get("title") or "",
                deadline=spec.get("deadline"),  # type: ignore[arg-type]
                description=spec.get("description") or "",
            )
        except SupervisionError as exc:
            raise PartybuildingError(
                _("Task %(n)d: %(problem)s") % {"n": i, "problem": exc.message},
                field="tasks",
            ) from exc
        created.append(task)
    ResolutionTask.objects.bulk_create(
        [ResolutionTask(resolution=resolution, task=t) for t in created]
    )
    record(
        "partybuilding.resolution.tasks",
        resolution,
        actor=actor,
        after={"tasks": [t.pk for t in created]},
    )
    return created

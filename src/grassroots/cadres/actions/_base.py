"""What every cadres action shares: locking in a fixed order, the one function that
changes a status (it consults the tables in ``states``), and the committee's vote as the
selection and the error-tolerance decisions check and record it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from grassroots.cadres.errors import CadresError, IllegalTransition
from grassroots.cadres.models import CommitteeVote
from grassroots.cadres.rules import Vote, VoteError, check_vote

if TYPE_CHECKING:
    from grassroots.org.models import User

M = TypeVar("M", bound=models.Model)
#: Committee figures are small numbers; anything bigger is a typing mistake.
VOTE_MAX = 999


def lock(model: type[M], pk: int, *related: str) -> M:
    """The row ``pk`` of ``model`` locked for this transaction (404 when absent).

    ``select_for_update(of=("self",))`` locks only that row even when related rows are
    joined in; callers that need two rows lock them in ``pk`` order (``lock_many``).
    """
    qs = model._default_manager.select_for_update(of=("self",))
    if related:
        qs = qs.select_related(*related)
    return get_object_or_404(qs, pk=pk)


def lock_many(model: type[M], pks: list[int]) -> list[M]:
    """Several rows locked in ``pk`` order (no deadlock between two such callers)."""
    return list(
        model._default_manager.select_for_update().filter(pk__in=sorted(set(pks))).order_by("pk")
    )


def move(
    obj: models.Model,
    field: str,
    target: str,
    table: Mapping[Any, frozenset[Any]],
) -> None:
    """Set ``obj.<field>`` to ``target`` if the transition table allows it, else raise."""
    current = getattr(obj, field)
    allowed = table.get(current, frozenset())
    if target not in allowed:
        display = getattr(obj, f"get_{field}_display", lambda: current)
        choices = getattr(obj._meta.get_field(field), "choices", None) or []
        label = dict(choices).get(target, target)
        raise IllegalTransition(str(display()), str(label), field=field)
    setattr(obj, field, target)


def checked_vote(
    *,
    members: object,
    present: object,
    votes_for: object,
    votes_against: object,
    abstentions: object,
) -> Vote:
    """The committee's figures as a ``Vote``; ``CadresError`` on the figure at fault unless
    each is a whole number from 0 to ``VOTE_MAX`` and the vote is consistent, quorate and
    carried (``rules.check_vote``)."""
    figures = {
        "members": members,
        "present": present,
        "votes_for": votes_for,
        "votes_against": votes_against,
        "abstentions": abstentions,
    }
    counts: dict[str, int] = {}
    for name, value in figures.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= VOTE_MAX:
            raise CadresError(
                _("Enter a whole number from 0 to %(max)d.") % {"max": VOTE_MAX}, field=name
            )
        counts[name] = value
    vote = Vote(**counts)
    try:
        check_vote(vote)
    except VoteError as exc:
        raise CadresError(exc.message, field=exc.field) from None
    return vote


def set_vote(
    obj: CommitteeVote, vote: Vote, *, meeting_on: dt.date, actor: User, now: dt.datetime
) -> list[str]:
    """Write the committee's ``vote``, its meeting and who recorded it when onto ``obj``;
    the names of the fields set (for ``save(update_fields=...)``)."""
    obj.members, obj.present = vote.members, vote.present
    obj.votes_for, obj.votes_against = vote.votes_for, vote.votes_against
    obj.abstentions = vote.abstentions
    obj.meeting_on = meeting_on
    obj.decided_by = actor
    obj.decided_at = now
    return [
        "members",
        "present",
        "votes_for",
        "votes_against",
        "abstentions",
        "meeting_on",
        "decided_by",
        "decided_at",
    ]

"""What every cadres action shares: locking in a fixed order, the one function that
changes a status (it consults the tables in ``states``), and the committee's vote as the
selection and the error-tolerance decisions check and record it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext as _

from grassroots.cadres.errors import CadresError, IllegalTransition
from grassroots.cadres.models import CommitteeVote
from grassroots.cadres.rules import Vote, VoteError, check_vote
from grassroots.common import locking
from grassroots.common.locking import lock as lock
from grassroots.common.locking import lock_many as lock_many

if TYPE_CHECKING:
    from grassroots.org.models import User

#: Committee figures are small numbers; anything bigger is a typing mistake.
VOTE_MAX = 999


def move(
    obj: models.Model,
    field: str,
    target: str,
    table: Mapping[Any, frozenset[Any]],
) -> None:
    """Set ``obj.<field>`` to ``target`` if the transition table allows it, else raise
    ``IllegalTransition`` (409)."""
    locking.move(obj, field, target, table, IllegalTransition)


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

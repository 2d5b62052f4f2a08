"""Pure rules of cadre work (no ORM): the committee's vote (民主集中制).

《中国共产党地方委员会工作条例》: a committee that decides on appointments meets with at least
two thirds of its members present, and a motion passes when more than half of *all* its
members (应到会成员), not of those present, vote for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True, slots=True)
class Vote:
    members: int
    present: int
    votes_for: int
    votes_against: int
    abstentions: int


class VoteError(ValueError):
    """The vote as entered cannot be right, or does not carry the decision; ``field`` names
    the figure at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def quorum(members: int) -> int:
    """The fewest members present for a valid meeting: two thirds, rounded up."""
    return -(-2 * members // 3)


def majority(members: int) -> int:
    """The fewest votes for that carry a motion: more than half of all members."""
    return members // 2 + 1


def check_vote(vote: Vote) -> None:
    """Raise ``VoteError`` unless the vote is consistent, quorate and carried."""
    if vote.members < 1:
        raise VoteError(_("The committee must have at least one member."), "members")
    if vote.present > vote.members:
        raise VoteError(_("More members present than the committee has."), "present")
    if vote.votes_for + vote.votes_against + vote.abstentions != vote.present:
        raise VoteError(
            _("For, against and abstentions must add up to the members present (%(n)d).")
            % {"n": vote.present},
            "votes_for",
        )
    if vote.present < quorum(vote.members):
        raise VoteError(
            _(
                "No quorum: %(present)d of %(members)d members present, at least %(need)d "
                "(two thirds) must be."
            )
            % {"present": vote.present, "members": vote.members, "need": quorum(vote.members)},
            "present",
        )
    if vote.votes_for < majority(vote.members):
        raise VoteError(
            _(
                "Not carried: %(for)d votes for, more than half of all %(members)d members "
                "(%(need)d) are needed."
            )
            % {"for": vote.votes_for, "members": vote.members, "need": majority(vote.members)},
            "votes_for",
        )

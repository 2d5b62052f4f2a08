"""Helpers of the competitions tests: judges (raters), a competition ready to judge, and
the judges' sheets filled through the actions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from grassroots.org.models import Membership, Role, User
from grassroots.partybuilding.actions import competitions as actions
from grassroots.partybuilding.models import Competition, Entry, Round
from grassroots.partybuilding.states import CompetitionStatus

DEFAULTS: dict[str, object] = {
    "title": "2025年礼州镇乡村文化竞演",
    "year": 2025,
    "description": "",
    "max_score": "100",
    "first_prizes": 1,
    "second_prizes": 1,
    "third_prizes": 1,
}


def make_judge(username: str, unit: Any, full_name: str = "") -> User:
    """An active user with the rater role (a judge needs no other role)."""
    user = User.objects.create_user(
        username=username, password="x-Judge-42", full_name=full_name or f"评委{username}"
    )
    Membership.objects.create(user=user, unit=unit, role=Role.RATER)
    return user


def make_competition(organiser: Any, actor: User, **overrides: object) -> Competition:
    return actions.create_competition(organiser, {**DEFAULTS, **overrides}, actor=actor)


def ready_competition(
    tree: dict[str, Any],
    actor: User,
    *,
    judges: int = 3,
    extra_entries: Sequence[tuple[Any, str]] = (),
    **overrides: object,
) -> tuple[Competition, Round, list[Entry], list[User]]:
    """A competition of 礼州镇 with one round, entries of 礼州村 and 田坝村 (and
    ``extra_entries``), and ``judges`` judges named; still in preparation."""
    competition = make_competition(tree["lizhou"], actor, **overrides)
    the_round = actions.add_round(competition.pk, {"name": "决赛", "order": 1}, actor=actor)
    entries = [
        actions.add_entry(competition.pk, the_round.pk, {"unit": unit, "title": title}, actor=actor)
        for unit, title in [
            (tree["village"], "彝族达体舞"),
            (tree["neighbour_village"], "山歌对唱"),
            *extra_entries,
        ]
    ]
    people = [make_judge(f"judge{i}", tree["city"], f"评委{i}") for i in range(1, judges + 1)]
    for person in people:
        actions.name_judge(competition.pk, person.username, actor=actor)
    return competition, the_round, entries, people


def open_judging(competition: Competition, actor: User) -> Competition:
    return actions.transition(competition.pk, CompetitionStatus.JUDGING, actor=actor)


def score_all(
    competition: Competition,
    sheets: Mapping[User, Sequence[str | Decimal]],
    entries: Sequence[Entry],
    *,
    submit: bool = True,
) -> None:
    """Each judge scores ``entries`` in order (and submits)."""
    for judge, values in sheets.items():
        actions.save_scores(
            competition.pk, {e.pk: v for e, v in zip(entries, values, strict=True)}, actor=judge
        )
        if submit:
            actions.submit_sheet(competition.pk, actor=judge)

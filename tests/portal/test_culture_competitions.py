"""The public results of the culture competitions: published ones only, by round with
rank, village, programme, final score and prize — never the judges nor the performers."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from grassroots.partybuilding.actions import competitions as actions
from grassroots.partybuilding.states import CompetitionStatus
from tests.partybuilding.competitions_support import (
    make_competition,
    open_judging,
    ready_competition,
    score_all,
)

pytestmark = pytest.mark.django_db


def _published(tree: dict[str, Any], actor: Any) -> Any:
    competition, _round, entries, judges = ready_competition(tree, actor)
    actions.edit_competition(
        competition.pk, {**_fields(competition), "title": "礼州镇文化竞演"}, actor=actor
    )
    open_judging(competition, actor)
    score_all(
        competition,
        {judges[0]: ["92", "81"], judges[1]: ["88", "79.5"], judges[2]: ["90", "70"]},
        entries,
    )
    actions.transition(competition.pk, CompetitionStatus.CLOSED, actor=actor)
    actions.transition(competition.pk, CompetitionStatus.PUBLISHED, actor=actor)
    competition.refresh_from_db()
    return competition, judges


def _fields(c: Any) -> dict[str, object]:
    return {
        "title": c.title,
        "year": c.year,
        "max_score": str(c.max_score),
        "first_prizes": c.first_prizes,
        "second_prizes": c.second_prizes,
        "third_prizes": c.third_prizes,
    }


def test_a_published_competition_shows_its_results_without_judges_or_performers(
    tree: dict[str, Any], xc_secretary: Any, client: Any
) -> None:
    competition, judges = _published(tree, xc_secretary)
    listing = client.get(reverse("portal:competitions"))
    assert listing.status_code == 200
    assert "礼州镇文化竞演" in listing.content.decode()
    page = client.get(reverse("portal:competition", args=[competition.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "决赛" in text and "礼州村" in text and "彝族达体舞" in text
    assert "90.00" in text and "76.83" in text  # (81 + 79.5 + 70) / 3
    assert "一等奖" in text and "二等奖" in text
    for judge in judges:
        assert judge.full_name not in text and judge.username not in text
    assert "评委" not in text.replace("评委评分的平均分", "").replace("评委五名", "")


def test_competitions_not_published_are_404_and_unlisted(
    tree: dict[str, Any], xc_secretary: Any, client: Any
) -> None:
    draft = make_competition(tree["lizhou"], xc_secretary, title="筹备中的竞演")
    closed, _round, entries, judges = ready_competition(tree, xc_secretary, title="已评未公布")
    open_judging(closed, xc_secretary)
    score_all(
        closed, {judges[0]: ["9", "8"], judges[1]: ["8", "7"], judges[2]: ["7", "6"]}, entries
    )
    actions.transition(closed.pk, CompetitionStatus.CLOSED, actor=xc_secretary)
    for competition in (draft, closed):
        assert client.get(reverse("portal:competition", args=[competition.pk])).status_code == 404
    listing = client.get(reverse("portal:competitions")).content.decode()
    assert "筹备中的竞演" not in listing and "已评未公布" not in listing
    assert client.get("/public/competitions/99999999999999999999/").status_code == 404
    assert client.get(reverse("portal:competitions") + "?page=abc").status_code == 200
    assert client.post(reverse("portal:competitions")).status_code == 405

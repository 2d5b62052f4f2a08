"""What the competitions refuse — with a Chinese message and nothing changed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from grassroots.partybuilding.actions import competitions as actions
from grassroots.partybuilding.models import Entry, JudgeScore
from grassroots.partybuilding.states import CompetitionStatus
from tests.partybuilding.competitions_support import (
    make_judge,
    open_judging,
    ready_competition,
    score_all,
)

pytestmark = pytest.mark.django_db


def _sheet_url(competition: Any) -> str:
    return reverse("partybuilding:judge_sheet", args=[competition.pk])


def test_a_score_above_the_highest_is_refused_naming_the_entry_and_nothing_is_saved(
    tree: dict[str, Any], xc_secretary: Any, login: Any
) -> None:
    competition, _round, entries, judges = ready_competition(tree, xc_secretary)
    open_judging(competition, xc_secretary)
    response = login(judges[0]).post(
        _sheet_url(competition),
        {"do": "save", f"score_{entries[0].pk}": "90", f"score_{entries[1].pk}": "101"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "田坝村 的《山歌对唱》：请填写 0 至 100 之间的分数" in text
    assert not JudgeScore.objects.exists()


@pytest.mark.parametrize("bad", ["-1", "80.123", "八十", "1e2", "80\x00", "9" * 40])
def test_garbage_scores_are_400(
    tree: dict[str, Any], xc_secretary: Any, login: Any, bad: str
) -> None:
    competition, _round, entries, judges = ready_competition(tree, xc_secretary)
    open_judging(competition, xc_secretary)
    response = login(judges[0]).post(
        _sheet_url(competition), {"do": "save", f"score_{entries[0].pk}": bad}
    )
    assert response.status_code == 400
    assert not JudgeScore.objects.exists()


def test_someone_not_a_judge_cannot_see_nor_score_the_sheet(
    tree: dict[str, Any], xc_secretary: Any, village_cadre: Any, login: Any
) -> None:
    competition, _round, entries, _judges = ready_competition(tree, xc_secretary)
    open_judging(competition, xc_secretary)
    for user in (village_cadre, xc_secretary):
        client = login(user)
        assert client.get(_sheet_url(competition)).status_code == 404
        assert (
            client.post(
                _sheet_url(competition), {"do": "save", f"score_{entries[0].pk}": "80"}
            ).status_code
            == 404
        )
    with pytest.raises(Exception, match="不是本次竞演的评委"):
        actions.save_scores(competition.pk, {entries[0].pk: "80"}, actor=village_cadre)
    assert not JudgeScore.objects.exists()


def test_an_entry_from_a_village_outside_the_organiser_is_refused(
    tree: dict[str, Any], xc_secretary: Any, login: Any
) -> None:
    competition, the_round, _entries, _judges = ready_competition(tree, xc_secretary)
    before = Entry.objects.count()
    response = login(xc_secretary).post(
        reverse("partybuilding:competition_entries", args=[competition.pk]),
        {"round": the_round.pk, "unit": tree["other_village"].code, "title": "外乡节目"},
    )
    assert response.status_code == 400  # not among the choices
    with pytest.raises(Exception, match="不是 礼州镇 辖区内的村"):
        actions.add_entry(
            competition.pk,
            the_round.pk,
            {"unit": tree["other_village"], "title": "外乡节目"},
            actor=xc_secretary,
        )
    assert Entry.objects.count() == before


def test_scoring_after_close_is_refused(
    tree: dict[str, Any], xc_secretary: Any, login: Any
) -> None:
    competition, _round, entries, judges = ready_competition(tree, xc_secretary)
    open_judging(competition, xc_secretary)
    score_all(
        competition,
        {judges[0]: ["90", "80"], judges[1]: ["85", "75"], judges[2]: ["88", "70"]},
        entries,
    )
    actions.transition(competition.pk, CompetitionStatus.CLOSED, actor=xc_secretary)
    response = login(judges[0]).post(
        _sheet_url(competition), {"do": "save", f"score_{entries[0].pk}": "10"}
    )
    assert response.status_code == 409
    assert JudgeScore.objects.get(judge__user=judges[0], entry=entries[0]).score == Decimal(90)


def test_judging_needs_two_entries_a_round_and_three_judges(
    tree: dict[str, Any], xc_secretary: Any, login: Any
) -> None:
    competition, _round, _entries, _judges = ready_competition(tree, xc_secretary, judges=2)
    move = reverse("partybuilding:competition_transition", args=[competition.pk])
    response = login(xc_secretary).post(move, {"move": "open"})
    assert response.status_code == 400
    assert "至少需要三名评委（现有 2 名）" in response.content.decode()
    competition.refresh_from_db()
    assert competition.status == CompetitionStatus.DRAFT
    actions.add_round(competition.pk, {"name": "复赛", "order": 2}, actor=xc_secretary)
    actions.name_judge(
        competition.pk, make_judge("judge9", tree["city"]).username, actor=xc_secretary
    )
    response = login(xc_secretary).post(move, {"move": "open"})
    assert response.status_code == 400
    assert "轮次“复赛”至少需要两个参赛节目" in response.content.decode()


def test_closing_is_refused_while_a_judge_has_not_submitted(
    tree: dict[str, Any], xc_secretary: Any, login: Any
) -> None:
    competition, _round, entries, judges = ready_competition(tree, xc_secretary)
    open_judging(competition, xc_secretary)
    score_all(competition, {judges[0]: ["90", "80"], judges[1]: ["85", "75"]}, entries)
    response = login(xc_secretary).post(
        reverse("partybuilding:competition_transition", args=[competition.pk]), {"move": "close"}
    )
    assert response.status_code == 400
    assert "尚未提交评分表：评委3" in response.content.decode()
    assert not Entry.objects.filter(rank__isnull=False).exists()


def test_a_sheet_cannot_be_submitted_with_an_entry_unscored(
    tree: dict[str, Any], xc_secretary: Any, login: Any
) -> None:
    competition, _round, entries, judges = ready_competition(tree, xc_secretary)
    open_judging(competition, xc_secretary)
    response = login(judges[0]).post(
        _sheet_url(competition), {"do": "submit", f"score_{entries[0].pk}": "90"}
    )
    assert response.status_code == 400
    assert "尚未打分" in response.content.decode()
    assert not JudgeScore.objects.exists()  # the save and the submit are one


def test_a_prepared_competition_changes_only_in_preparation(
    tree: dict[str, Any], xc_secretary: Any
) -> None:
    competition, the_round, _entries, _judges = ready_competition(tree, xc_secretary)
    open_judging(competition, xc_secretary)
    with pytest.raises(Exception, match="筹备"):
        actions.add_entry(
            competition.pk,
            the_round.pk,
            {"unit": tree["village"], "title": "迟到的节目"},
            actor=xc_secretary,
        )
    assert Entry.objects.count() == 2


def test_garbage_on_the_organising_pages_is_never_a_500(
    tree: dict[str, Any], xc_secretary: Any, login: Any
) -> None:
    competition, _round, _entries, _judges = ready_competition(tree, xc_secretary)
    client = login(xc_secretary)
    for url, data in [
        (
            reverse("partybuilding:competition_rounds", args=[competition.pk]),
            {"name": "x\x00", "order": "a"},
        ),
        (reverse("partybuilding:competition_rounds", args=[competition.pk]), {"remove": "abc"}),
        (
            reverse("partybuilding:competition_entries", args=[competition.pk]),
            {"round": "9999", "unit": "x"},
        ),
        (
            reverse("partybuilding:competition_judges", args=[competition.pk]),
            {"username": "nobody"},
        ),
        (
            reverse("partybuilding:competition_judges", args=[competition.pk]),
            {"username": "x" * 400},
        ),
        (
            reverse("partybuilding:competition_edit", args=[competition.pk]),
            {"title": "t", "year": "2026-02-30"},
        ),
        (reverse("partybuilding:competition_transition", args=[competition.pk]), {"move": "fly"}),
    ]:
        assert client.post(url, data).status_code in (400, 404), url
    assert (
        client.get(
            reverse("partybuilding:competitions") + "?year=abc&status=\x00&page=x"
        ).status_code
        == 200
    )
    assert (
        client.get(
            reverse("partybuilding:competition_rounds", args=[competition.pk]) + "?edit=zz"
        ).status_code
        == 404
    )
    assert competition.rounds.count() == 1

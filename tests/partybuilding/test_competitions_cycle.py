"""The full cycle of a culture competition through the pages: prepared by the township,
judged by three raters (one gives every programme the same score and is flagged),
closed once justified, ranked by merit with a tie, published on the portal without the
judges' names."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from grassroots.audit.models import AuditEntry
from grassroots.inbox.models import Notification
from grassroots.partybuilding.models import Competition, Entry
from grassroots.partybuilding.states import CompetitionStatus
from tests.partybuilding.competitions_support import make_judge

pytestmark = pytest.mark.django_db


def _sheet(client: Any, competition: Competition, scores: dict[Entry, str], do: str) -> Any:
    data = {f"score_{e.pk}": v for e, v in scores.items()}
    data["do"] = do
    return client.post(reverse("partybuilding:judge_sheet", args=[competition.pk]), data)


def test_a_competition_is_prepared_judged_closed_and_published(
    tree: dict[str, Any], xc_secretary: Any, login: Any
) -> None:
    organiser = login(xc_secretary)
    # Given a new competition of 礼州镇 …
    response = organiser.post(
        reverse("partybuilding:competition_new"),
        {
            "organiser": tree["lizhou"].code,
            "title": "礼州镇村歌村舞大赛",
            "year": 2025,
            "max_score": "100",
            "first_prizes": 1,
            "second_prizes": 1,
            "third_prizes": 1,
        },
    )
    assert response.status_code == 302
    competition = Competition.objects.get(title="礼州镇村歌村舞大赛")
    assert competition.organiser == tree["lizhou"]
    # … with a round, three programmes of its villages and three judges
    rounds_url = reverse("partybuilding:competition_rounds", args=[competition.pk])
    assert organiser.post(rounds_url, {"name": "决赛", "order": 1}).status_code == 302
    the_round = competition.rounds.get()
    entries_url = reverse("partybuilding:competition_entries", args=[competition.pk])
    for unit, title in [
        (tree["village"], "彝族达体舞"),
        (tree["neighbour_village"], "山歌对唱"),
        (tree["village"], "快板·新农村"),
    ]:
        response = organiser.post(
            entries_url, {"round": the_round.pk, "unit": unit.code, "title": title}
        )
        assert response.status_code == 302, response.content.decode()
    dance, song, clapper = Entry.objects.filter(round=the_round).order_by("pk")
    judges = [make_judge(f"judge{i}", tree["city"], f"评委{i}号") for i in (1, 2, 3)]
    judges_url = reverse("partybuilding:competition_judges", args=[competition.pk])
    for judge in judges:
        assert organiser.post(judges_url, {"username": judge.username}).status_code == 302
    move_url = reverse("partybuilding:competition_transition", args=[competition.pk])
    assert organiser.post(move_url, {"move": "open"}).status_code == 302
    competition.refresh_from_db()
    assert competition.status == CompetitionStatus.JUDGING
    assert Notification.objects.filter(recipient=judges[0]).count() == 1

    # When the judges score on their sheets (the third gives every programme 80)
    first, second, third = (login(j) for j in judges)
    assert first.get(reverse("partybuilding:judge_sheet", args=[competition.pk])).status_code == 200
    assert (
        _sheet(first, competition, {dance: "90", song: "80", clapper: "70"}, "submit").status_code
        == 302
    )
    assert (
        _sheet(second, competition, {dance: "85", song: "70", clapper: "80"}, "save").status_code
        == 302
    )
    assert (
        _sheet(second, competition, {dance: "85", song: "70", clapper: "80"}, "submit").status_code
        == 302
    )
    response = _sheet(third, competition, {dance: "80", song: "80", clapper: "80"}, "submit")
    assert response.status_code == 302
    page = third.get(reverse("partybuilding:judge_sheet", args=[competition.pk])).content.decode()
    assert "对所有单位打分相同" in page

    # Then closing is refused while the flagged sheet has no justification, naming its judge
    response = organiser.post(move_url, {"move": "close"})
    assert response.status_code == 400
    assert "评委3号" in response.content.decode()
    competition.refresh_from_db()
    assert competition.status == CompetitionStatus.JUDGING
    assert not Entry.objects.filter(round=the_round, rank__isnull=False).exists()
    detail = organiser.get(reverse("partybuilding:competition_detail", args=[competition.pk]))
    assert "评委3号" in detail.content.decode()

    # When the judge justifies the sheet, scoring closes and the results follow merit
    response = third.post(
        reverse("partybuilding:judge_sheet", args=[competition.pk]),
        {"do": "justify", "justification": "三个节目水平确实相当, 经慎重考虑给同分。"},
    )
    assert response.status_code == 302
    assert organiser.post(move_url, {"move": "close"}).status_code == 302
    dance.refresh_from_db()
    song.refresh_from_db()
    clapper.refresh_from_db()
    assert (dance.final_score, dance.rank, dance.prize) == (Decimal("85.00"), 1, "first")
    # 山歌对唱 (80+70+80)/3 and 快板 (70+80+80)/3 tie: both rank 2, both a second prize
    assert (song.final_score, song.rank, song.prize) == (Decimal("76.67"), 2, "second")
    assert (clapper.final_score, clapper.rank, clapper.prize) == (Decimal("76.67"), 2, "second")

    # And once published, the portal shows the results, never the judges' names
    assert organiser.post(move_url, {"move": "publish"}).status_code == 302
    competition.refresh_from_db()
    assert competition.status == CompetitionStatus.PUBLISHED
    assert competition.published_at is not None
    public = login(judges[0]).__class__()  # an anonymous client
    listing = public.get(reverse("portal:competitions")).content.decode()
    assert "礼州镇村歌村舞大赛" in listing
    page = public.get(reverse("portal:competition", args=[competition.pk])).content.decode()
    assert "彝族达体舞" in page and "田坝村" in page and "85.00" in page
    for judge in judges:
        assert judge.full_name not in page
        assert judge.username not in page
    actions = set(
        AuditEntry.objects.filter(object_type="partybuilding.competition").values_list(
            "action", flat=True
        )
    )
    assert {
        "partybuilding.competition.created",
        "partybuilding.competition.judging",
        "partybuilding.competition.closed",
        "partybuilding.competition.published",
    } <= actions


def test_a_competition_not_published_is_404_on_the_portal(
    tree: dict[str, Any], xc_secretary: Any, client: Any
) -> None:
    from tests.partybuilding.competitions_support import make_competition

    competition = make_competition(tree["lizhou"], xc_secretary)
    assert client.get(reverse("portal:competition", args=[competition.pk])).status_code == 404
    assert competition.title not in client.get(reverse("portal:competitions")).content.decode()

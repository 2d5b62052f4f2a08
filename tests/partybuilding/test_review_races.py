"""Two people at once on one record of party building: meetings, resolutions, venue
inspections and the judges' sheets while the organiser closes scoring.

PostgreSQL only (SQLite serialises writers): real threads, each with its own connection,
released together by a barrier."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection

from grassroots.audit.models import AuditEntry
from grassroots.common.errors import DomainError
from grassroots.partybuilding.actions import competitions as competition_actions
from grassroots.partybuilding.actions import meetings as meeting_actions
from grassroots.partybuilding.actions import meetings_resolutions as resolution_actions
from grassroots.partybuilding.models import (
    Attendance,
    CompetitionJudge,
    Entry,
    Inspection,
    Meeting,
    Resolution,
    Venue,
)
from grassroots.partybuilding.states import CompetitionStatus
from tests.conftest import ensure_party_defaults
from tests.events.test_races import losers, race
from tests.partybuilding import meetings_support as ms
from tests.partybuilding import venues_support as vs
from tests.partybuilding.competitions_support import open_judging, ready_competition

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]


@pytest.fixture
def second_cadre(tree: Any) -> Any:
    """Another cadre of 礼州村 (a meeting is recorded by its own unit)."""
    from tests.conftest import _person

    return _person("village_cadre2", "village_cadre", tree["village"])


@pytest.fixture(autouse=True)
def _setup(tmp_path: Any, settings: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path / "data"
    ensure_party_defaults()
    with time_machine.travel(ms.NOW, tick=False):
        yield


def test_two_records_of_one_meeting_one_wins(
    tree: Any, village_cadre: Any, second_cadre: Any
) -> None:
    for month in ("2026-07", "2026-08", "2026-09"):
        meeting = ms.planned(village_cadre, tree["village"], month)
        results = race(
            lambda m=meeting, p=month: meeting_actions.record_held(
                m.pk, actor=village_cadre, held_on=f"{p}-10", attendance=ms.rows(5, 2)
            ),
            lambda m=meeting, p=month: meeting_actions.record_held(
                m.pk, actor=second_cadre, held_on=f"{p}-12", attendance=ms.rows(3, 1)
            ),
        )
        failed = losers(results)
        assert len(failed) == 1, results
        assert isinstance(failed[0], DomainError), failed
        winner = next(r for r in results if not isinstance(r, Exception))
        saved = Meeting.objects.get(pk=meeting.pk)
        assert saved.status == "held" and saved.held_on == winner.held_on
        rows = Attendance.objects.filter(meeting=meeting)
        assert rows.count() == saved.expected_count == winner.expected_count
        assert rows.filter(present=True).count() == saved.present_count
        held = AuditEntry.objects.filter(
            action="partybuilding.meeting.held", object_id=str(meeting.pk)
        )
        assert held.count() == 1


def test_resolutions_numbered_at_once_get_distinct_numbers(
    tree: Any, village_cadre: Any, second_cadre: Any
) -> None:
    first = ms.held(village_cadre, tree["village"], "2026-08", "2026-08-12")
    second = ms.held(village_cadre, tree["village"], "2026-09", "2026-09-12")

    def add(meeting: Meeting, actor: Any, title: str) -> Resolution:
        return resolution_actions.add_resolution(
            meeting.pk,
            actor=actor,
            title=title,
            members_total=7,
            members_present=5,
            votes_for=5,
        )

    for n in range(3):
        results = race(
            lambda n=n: add(first, village_cadre, f"甲{n}"),
            lambda n=n: add(second, second_cadre, f"乙{n}"),
            lambda n=n: add(first, second_cadre, f"丙{n}"),
        )
        assert not losers(results), results
    numbers = list(Resolution.objects.filter(unit=tree["village"]).values_list("number", flat=True))
    assert len(numbers) == 9
    assert sorted(numbers) == [f"2026-{i:02d}" for i in range(1, 10)]
    added = AuditEntry.objects.filter(action="partybuilding.resolution.added")
    assert added.count() == 9


def test_two_inspections_at_once_leave_the_latest_by_date_on_the_venue(
    tree: Any, xc_secretary: Any, city_admin: Any
) -> None:
    venue = vs.venue(city_admin, tree["village"])
    days = [
        ("2026-05-01", "2026-05-10"),
        ("2026-05-18", "2026-05-12"),
        ("2026-05-19", "2026-05-19"),
    ]
    for early, late in days:
        results = race(
            lambda d=early: vs.inspect(xc_secretary, venue, d, vs.all_ids()),
            lambda d=late: vs.inspect(city_admin, venue, d, vs.ids_without(0, 1, 2, 3)),
        )
        assert not losers(results), results
        saved = Venue.objects.get(pk=venue.pk)
        latest = Inspection.objects.filter(venue=venue).order_by("-inspected_on", "-pk").first()
        assert latest is not None
        assert saved.last_inspected_on == latest.inspected_on
        assert saved.last_score == latest.score
        assert saved.meets_standard == latest.meets_standard
    assert AuditEntry.objects.filter(action="partybuilding.venue.inspected").count() == 6


def test_sheets_submitted_while_the_organiser_closes_stay_consistent(
    tree: Any, xc_secretary: Any
) -> None:
    for attempt in range(3):
        competition, _round, entries, judges = (
            ready_competition(tree, xc_secretary, title=f"竞演{attempt}")
            if attempt == 0
            else _again(tree, xc_secretary, attempt)
        )
        open_judging(competition, xc_secretary)
        for judge, values in zip(judges, (("80", "70"), ("85", "75"), ("82", "72")), strict=True):
            competition_actions.save_scores(
                competition.pk,
                {e.pk: v for e, v in zip(entries, values, strict=True)},
                actor=judge,
            )
        competition_actions.submit_sheet(competition.pk, actor=judges[0])
        results = race(
            lambda c=competition, j=judges[1]: competition_actions.submit_sheet(c.pk, actor=j),
            lambda c=competition, j=judges[2]: competition_actions.submit_sheet(c.pk, actor=j),
            lambda c=competition: competition_actions.transition(
                c.pk, CompetitionStatus.CLOSED, actor=xc_secretary
            ),
        )
        closed = not isinstance(results[2], Exception)
        assert not losers(results[:2]), results
        status = type(competition).objects.get(pk=competition.pk).status
        sheets = CompetitionJudge.objects.filter(competition=competition)
        scored = Entry.objects.filter(round__competition=competition, final_score__isnull=False)
        if closed:
            assert status == CompetitionStatus.CLOSED
            assert not sheets.filter(submitted_at__isnull=True).exists()
            assert scored.count() == len(entries)
        else:
            assert isinstance(results[2], DomainError), results
            assert status == CompetitionStatus.JUDGING
            assert not scored.exists()
            assert not sheets.filter(submitted_at__isnull=True).exists()
            closed_now = competition_actions.transition(
                competition.pk, CompetitionStatus.CLOSED, actor=xc_secretary
            )
            assert closed_now.status == CompetitionStatus.CLOSED
        submitted = AuditEntry.objects.filter(
            action="partybuilding.competition.sheet_submitted",
            object_id__in=[str(pk) for pk in sheets.values_list("pk", flat=True)],
        )
        assert submitted.count() == 3


def _again(tree: Any, actor: Any, attempt: int) -> tuple[Any, Any, list[Entry], list[Any]]:
    """Another competition with the same judges (they exist already)."""
    from django.contrib.auth import get_user_model

    competition = competition_actions.create_competition(
        tree["lizhou"],
        {
            "title": f"竞演{attempt}",
            "year": 2025,
            "description": "",
            "max_score": "100",
            "first_prizes": 1,
            "second_prizes": 1,
            "third_prizes": 1,
        },
        actor=actor,
    )
    the_round = competition_actions.add_round(
        competition.pk, {"name": "决赛", "order": 1}, actor=actor
    )
    entries = [
        competition_actions.add_entry(
            competition.pk, the_round.pk, {"unit": unit, "title": title}, actor=actor
        )
        for unit, title in [
            (tree["village"], "彝族达体舞"),
            (tree["neighbour_village"], "山歌对唱"),
        ]
    ]
    people = [get_user_model().objects.get(username=f"judge{i}") for i in (1, 2, 3)]
    for person in people:
        competition_actions.name_judge(competition.pk, person.username, actor=actor)
    return competition, the_round, entries, people

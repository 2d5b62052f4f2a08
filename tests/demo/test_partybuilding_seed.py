"""The demo's party building and oversight: a year of 党建月会 whose counts are their
attendance rows and whose resolutions pass by the 民主集中制 rule, numbered per unit and
year; tasks from resolutions; the decision log with flagged projects; venues carrying their
latest inspection; the culture archive; a published competition ranked and prized by merit;
oversight cases in every status with a consistent timeline; the ``committee`` login."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Count, Q
from django.test import Client

from grassroots.demo.users import DEMO_PASSWORD
from grassroots.org.models import Membership, Unit
from grassroots.oversight.models import Case, Step
from grassroots.oversight.states import CaseStatus
from grassroots.partybuilding import models as pb
from grassroots.supervision.models import Task, TaskAction, tree_path_of
from tests.conftest import seeded_town

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=TZ)
TODAY = NOW.date()

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def town(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    with seeded_town(django_db_blocker, months=1, now=NOW) as summary:
        yield summary


@pytest.fixture
def lizhou(town: Any) -> Unit:
    return Unit.objects.get(code="513401101")


def test_a_year_of_monthly_meetings_for_every_township_and_village(town: Any, lizhou: Unit) -> None:
    units = Unit.objects.filter(Q(pk=lizhou.pk) | Q(parent=lizhou)).exclude(kind="department")
    monthly = pb.Meeting.objects.filter(kind="party_monthly")
    assert town.party_meetings == pb.Meeting.objects.count() > monthly.count()
    per_unit = Counter(monthly.values_list("unit_id", flat=True))
    assert set(per_unit) == set(units.values_list("pk", flat=True))
    assert set(per_unit.values()) == {12}
    periods = sorted(set(monthly.values_list("period", flat=True)))
    assert periods[0] == "2025-12" and periods[-1] == "2026-11" and len(periods) == 12
    held = monthly.filter(status="held")
    assert 0.85 < held.count() / monthly.count() < 1
    assert monthly.filter(status="planned", planned_on__lt=TODAY).exists()  # missed months
    late = [m for m in held if m.held_on.strftime("%Y-%m") != m.period]
    assert late and len(late) < held.count() * 0.2
    assert not pb.Meeting.objects.filter(held_on__gt=TODAY).exists()
    assert all("目督" in m.agenda for m in held)
    kinds = set(pb.Meeting.objects.values_list("kind", flat=True))
    assert kinds == {"party_monthly", "committee", "theme_day", "villagers", "oversight"}


def test_meeting_counts_are_their_attendance_rows(town: Any) -> None:
    meetings = pb.Meeting.objects.annotate(
        rows=Count("attendance"), here=Count("attendance", filter=Q(attendance__present=True))
    )
    for meeting in meetings:
        assert (meeting.expected_count, meeting.present_count) == (meeting.rows, meeting.here)
        if meeting.status == "held":
            assert meeting.present_count >= 0.8 * meeting.expected_count > 0
        else:
            assert meeting.rows == 0 and meeting.held_on is None
    absent = pb.Attendance.objects.filter(present=False)
    assert absent.exists() and not absent.filter(absence_reason="").exists()
    # the demo logins sit on their own rows (the cadre files' names)
    assert pb.Attendance.objects.filter(user__username="unit_leader").exists()


def test_resolutions_pass_by_the_rule_and_are_numbered_per_unit_and_year(town: Any) -> None:
    resolutions = list(pb.Resolution.objects.select_related("meeting"))
    assert town.resolutions == len(resolutions) > 200
    for r in resolutions:
        assert r.votes_for + r.votes_against + r.votes_abstain <= r.members_present
        assert r.members_present <= r.members_total
        assert r.passed == (
            2 * r.votes_for > r.members_total and 2 * r.members_present > r.members_total
        )
        assert r.meeting.status == "held" and r.decided_on == r.meeting.held_on
        voters = r.meeting.attendance.filter(voting=True)
        assert r.members_total == voters.count()
        assert r.members_present == voters.filter(present=True).count()
    assert any(not r.passed for r in resolutions) and sum(
        r.passed for r in resolutions
    ) > 0.9 * len(resolutions)
    by_unit: dict[tuple[int, int], list[pb.Resolution]] = defaultdict(list)
    for r in sorted(resolutions, key=lambda r: (r.decided_on, r.number)):
        by_unit[(r.unit_id, r.decided_on.year)].append(r)
    for (_unit, year), rows in by_unit.items():
        assert [r.number for r in rows] == [f"{year}-{n:02d}" for n in range(1, len(rows) + 1)]
    assert {"村道硬化项目实施方案", "村集体经济收益分红方案", "推荐村级后备干部人选"} & {
        r.title for r in resolutions
    }


def test_some_resolutions_created_supervised_tasks(town: Any) -> None:
    links = list(
        pb.ResolutionTask.objects.select_related("resolution", "task__unit", "task__issuer")
    )
    assert 1 <= len(links) <= 14
    for link in links:
        task, resolution = link.task, link.resolution
        assert task.origin == f"partybuilding.resolution:{resolution.pk}"
        assert task.kind == "key_task" and task.unit_id == resolution.unit_id
        assert task.issuer_id == task.unit.parent_id and task.issuer_path == task.issuer.path
        assert task.unit_path == task.unit.path and task.tree_path == tree_path_of(task.pk, None)
        assert task.start_date == resolution.decided_on < task.deadline
        assert resolution.passed
        assert TaskAction.objects.filter(task=task, kind="create").count() == 1
    assert Task.objects.filter(origin__startswith="partybuilding.resolution:").count() == len(links)


def test_the_decision_log_links_the_projects_that_had_a_resolution(town: Any) -> None:
    links = list(pb.DecisionLink.objects.select_related("resolution"))
    assert town.counts and links  # 礼州镇农贸市场改造
    for link in links:
        task = Task.objects.get(pk=int(link.reference.split(":")[1]))
        assert task.kind == "livelihood" and link.unit_id == task.unit_id
        assert link.acted_on == task.start_date and link.resolution.passed
        assert link.resolution.matter == link.matter == "livelihood"
    assert not links[0].after_the_fact


def test_venues_carry_their_latest_inspection(town: Any) -> None:
    venues = list(pb.Venue.objects.prefetch_related("inspections__items"))
    assert town.venues == len(venues) > 10
    assert {v.status for v in venues} >= {"in_use", "building"}
    checklist = pb.ChecklistItem.objects.filter(active=True).count()
    for venue in venues:
        inspections = sorted(venue.inspections.all(), key=lambda i: (i.inspected_on, i.pk))
        if venue.status != "in_use":
            assert not inspections and venue.last_score is None
            continue
        assert 1 <= len(inspections) <= 3
        latest = inspections[-1]
        assert (venue.last_score, venue.meets_standard, venue.last_inspected_on) == (
            latest.score,
            latest.meets_standard,
            latest.inspected_on,
        )
        for inspection in inspections:
            items = list(inspection.items.all())
            assert len(items) == checklist
            total = sum(i.points for i in items)
            met = sum(i.points for i in items if i.met)
            score = (Decimal(100 * met) / total).quantize(Decimal("0.01"), ROUND_HALF_UP)
            assert inspection.score == score
            assert inspection.meets_standard == (
                all(i.met for i in items if i.required) and score >= 80
            )
    verdicts = {v.meets_standard for v in venues if v.last_inspected_on}
    assert verdicts == {True, False}


def test_the_culture_archive_of_the_demo_township(town: Any, lizhou: Unit) -> None:
    villages = Unit.objects.filter(parent=lizhou).exclude(kind="department")
    assert pb.Song.objects.filter(unit__parent=lizhou).count() >= 5
    for village in villages:
        chapters = pb.VillageHistory.objects.filter(unit=village).count()
        mottos = pb.FamilyMotto.objects.filter(unit=village).count()
        performers = pb.Performer.objects.filter(unit=village).count()
        assert 2 <= chapters <= 4 and 5 <= mottos <= 10 and 5 <= performers <= 15
    families = set(pb.FamilyMotto.objects.values_list("family", flat=True))
    assert families & {"阿说家", "吉克家", "沙马家"} and families & {"王家", "李家", "张家"}
    performer = pb.Performer.objects.first()
    assert performer is not None and performer.phone.startswith("139")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM partybuilding_performer LIMIT 1")
        (stored,) = cursor.fetchone()
    assert not stored.startswith("139")  # encrypted at rest


def test_the_published_competition_is_ranked_and_prized_by_merit(town: Any, lizhou: Unit) -> None:
    published = pb.Competition.objects.get(status="published")
    assert published.organiser_id == lizhou.pk and published.year == 2026
    assert pb.Competition.objects.filter(status="draft").count() == 1
    assert published.judges.count() == 5
    assert set(published.judges.values_list("user__username", flat=True)) >= {
        "rater",
        "unit_leader",
    }
    first, final = published.rounds.order_by("order")
    villages = Unit.objects.filter(parent=lizhou).exclude(kind="department").count()
    assert first.entries.count() == villages and final.entries.count() == 6
    for round_ in (first, final):
        entries = list(round_.entries.prefetch_related("scores"))
        for entry in entries:
            scores = sorted(s.score for s in entry.scores.all())
            assert len(scores) == 5
            trimmed = sum(scores[1:-1], Decimal(0)) / 3
            assert entry.final_score == trimmed.quantize(Decimal("0.01"), ROUND_HALF_UP)
            better = [e for e in entries if (e.final_score or 0) > (entry.final_score or 0)]
            assert entry.rank == 1 + len(better)
        by_rank = sorted(entries, key=lambda e: e.rank or 0)
        prizes = [e.prize for e in by_rank]
        assert prizes[0] == "first"
        order = {"first": 1, "second": 2, "third": 3, "": 4}
        assert [order[p] for p in prizes] == sorted(order[p] for p in prizes)
        assert "third" in prizes
    finalists = set(final.entries.values_list("unit_id", flat=True))
    best = first.entries.order_by("rank")[:6]
    assert finalists == {e.unit_id for e in best}


def test_oversight_cases_in_every_status_with_their_steps(town: Any, lizhou: Unit) -> None:
    cases = list(Case.objects.prefetch_related("steps"))
    assert town.oversight_cases == len(cases) and 5 <= len(cases) <= 8
    assert {c.status for c in cases} == set(CaseStatus.values)
    assert all(c.unit.parent_id == lizhou.pk for c in cases)
    transitions = {
        "requested": "rectifying",
        "responded": "responded",
        "returned": "rectifying",
        "closed": "closed",
        "dismissed": "dismissed",
    }
    for case in cases:
        steps = sorted(case.steps.all(), key=lambda s: (s.at, s.pk))
        assert steps[0].kind == "opened" and steps[0].at.date() == case.opened_on
        status = "open"
        for step in steps[1:]:
            status = transitions[step.kind]
        assert status == case.status
        if case.status == "closed":
            assert case.closed_on == steps[-1].at.astimezone(TZ).date() and case.closed_by_id
            assert case.evidence.filter(step=steps[-1]).exists()  # closing needs a file
        else:
            assert case.closed_on is None
        if case.status == "dismissed":
            assert case.conclusion and not case.request
        if case.request:  # the request set the first deadline; a return may move it later
            assert case.first_deadline is not None and case.deadline is not None
            assert case.first_deadline <= case.deadline
            moved = any(step.kind == "returned" for step in steps)
            assert (case.deadline > case.first_deadline) == moved
        else:
            assert case.first_deadline is None and case.deadline is None
        assert case.number.startswith(f"JD-{case.opened_on.year}-")
    late = [c for c in cases if c.closed_on_time is False]
    assert late and any(c.closed_on_time for c in cases)
    assert any(c.overdue_on(TODAY) for c in cases)
    numbers = defaultdict(list)
    for case in sorted(cases, key=lambda c: (c.opened_on, c.pk)):
        numbers[case.unit_id].append(case.number)
    for rows in numbers.values():
        assert rows == [f"JD-2026-{n:04d}" for n in range(1, len(rows) + 1)]
    assert Step.objects.filter(actor__username="committee").exists()


def test_the_committee_login_opens_the_oversight_page(town: Any, lizhou: Unit) -> None:
    committee = Membership.objects.select_related("unit", "user").get(user__username="committee")
    assert committee.role == "supervisor" and committee.unit.parent_id == lizhou.pk
    office = Membership.objects.select_related("unit").get(user__username="supervisor")
    assert office.role == "supervisor" and office.unit_id == lizhou.pk
    assert committee.user.check_password(DEMO_PASSWORD)
    client = Client()
    client.force_login(committee.user)
    with time_machine.travel(NOW, tick=False):
        response = client.get("/oversight/")
    assert response.status_code == 200
    own = Case.objects.filter(unit=committee.unit).first()
    assert own is not None and own.number in response.content.decode()


def test_the_same_rng_gives_the_same_year(town: Any) -> None:
    from grassroots.demo.partybuilding import seed_partybuilding

    def counts() -> tuple[int, ...]:
        return (
            pb.Meeting.objects.count(),
            pb.Attendance.objects.count(),
            pb.Resolution.objects.count(),
            pb.Resolution.objects.filter(passed=True).count(),
            pb.Venue.objects.count(),
            pb.Inspection.objects.count(),
            pb.Performer.objects.count(),
            pb.FamilyMotto.objects.count(),
            pb.JudgeScore.objects.count(),
            Case.objects.count(),
            pb.ResolutionTask.objects.count(),
        )

    first = counts()
    titles = sorted(pb.Resolution.objects.values_list("unit__code", "number", "title"))
    from grassroots.demo.seeding import _clear_units  # noqa: F401 - the same list of models

    for model in (
        Step,
        Case,
        pb.JudgeScore,
        pb.CompetitionJudge,
        pb.Entry,
        pb.Round,
        pb.Competition,
        pb.Performer,
        pb.FamilyMotto,
        pb.VillageHistory,
        pb.Song,
        pb.InspectionItem,
        pb.Inspection,
        pb.Venue,
        pb.DecisionLink,
        pb.ResolutionTask,
    ):
        model.objects.all().delete()
    Task.objects.filter(origin__startswith="partybuilding.resolution:").delete()
    pb.Resolution.objects.all().delete()
    pb.Meeting.objects.all().delete()
    with time_machine.travel(NOW, tick=False):
        seed_partybuilding(rng=random.Random("2026:partybuilding"))
    assert counts() == first
    assert sorted(pb.Resolution.objects.values_list("unit__code", "number", "title")) == titles

"""The demo's cadres: files of the township and its villages, key posts, the reserve pool in
every state, training, tempering, last year's grades within quotas, the organisation
department's login; a vacancy filled by the committee and one open and ranked; an
error-tolerance case in effect whose waiver the recomputed assessment month shows."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from grassroots.audit.models import AuditEntry
from grassroots.cadres.models import (
    Cadre,
    Grade,
    KeyMoment,
    KeyPost,
    Mentorship,
    PostRecord,
    ReserveEntry,
    Tempering,
    ToleranceCase,
    TrainingRecord,
    Vacancy,
)
from grassroots.cadres.shape import excellent_quota
from grassroots.cadres.states import (
    CadreStatus,
    ReserveStatus,
    TemperingState,
    ToleranceState,
    VacancyState,
    YearGrade,
)
from grassroots.common.idnumbers import id_number_problem
from grassroots.org.models import Membership, Unit
from tests.conftest import seeded_town

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=TZ)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def town(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    with seeded_town(django_db_blocker, months=2, now=NOW) as summary:
        yield summary


@pytest.fixture
def lizhou(town: Any) -> Unit:
    return Unit.objects.get(code="513401101")


def test_the_organisation_department_has_a_login_on_the_city(town: Any) -> None:
    membership = Membership.objects.select_related("unit", "user").get(role="org_department")
    assert membership.user.username == "org_department"
    assert membership.unit.code == "513401"


def test_the_township_and_every_village_have_their_teams(town: Any, lizhou: Unit) -> None:
    assert town.cadres == Cadre.objects.count() > 0
    units = set(Cadre.objects.values_list("unit_id", flat=True))
    villages = set(
        Unit.objects.filter(parent=lizhou, kind__in=("village", "community")).values_list(
            "pk", flat=True
        )
    )
    assert units == villages | {lizhou.pk}
    assert Cadre.objects.filter(unit=lizhou).count() == 16
    # every file has a valid ID number, a unique one, and its current post on record
    numbers = list(Cadre.objects.values_list("id_number", flat=True))
    assert len(set(numbers)) == len(numbers)
    assert all(id_number_problem(n) is None for n in numbers)
    in_office = Cadre.objects.filter(status=CadreStatus.ACTIVE).count()
    assert in_office == len(numbers) - 1  # one was transferred out (see below)
    assert PostRecord.objects.filter(ended_on__isnull=True).count() == in_office
    ethnicities = Counter(Cadre.objects.values_list("ethnicity", flat=True))
    assert ethnicities["彝族"] > 10 and ethnicities["汉族"] > 10
    assert Cadre.objects.filter(gender="f").count() > 10


def test_the_demo_logins_hold_their_posts(town: Any, lizhou: Unit) -> None:
    leader = Cadre.objects.get(user__username="unit_leader")
    assert (leader.unit, leader.post, leader.name) == (lizhou, "党委书记", "李国强")
    assert Cadre.objects.get(user__username="supervisor").post == "纪委书记"
    village = Membership.objects.get(role="village_cadre").unit
    assert Cadre.objects.get(user__username="village_cadre").unit == village


def test_key_posts_are_held(town: Any, lizhou: Unit) -> None:
    posts = KeyPost.objects.filter(unit=lizhou)
    assert {p.title for p in posts} == {"党委书记", "党委副书记、镇长", "党委副书记"}
    assert all(p.holder is not None and p.holder.unit_id == lizhou.pk for p in posts)
    assert KeyPost.objects.filter(level="village_head").count() == len(
        set(Cadre.objects.exclude(unit=lizhou).values_list("unit_id", flat=True))
    )


def test_the_pool_has_nominations_in_every_state(town: Any) -> None:
    states = Counter(ReserveEntry.objects.values_list("status", flat=True))
    for state in ("nominated", "rejected", "in_pool", "removed", "appointed"):
        assert states[state] >= 1, state
    assert ReserveEntry.objects.filter(status="rejected").exclude(review_note="").exists()
    assert ReserveEntry.objects.filter(status="removed").exclude(exit_reason="").exists()
    entry = ReserveEntry.objects.filter(status="in_pool").first()
    assert entry is not None and entry.entered_on is not None and entry.votes <= entry.voters
    # written through the actions: audited
    assert AuditEntry.objects.filter(action__startswith="cadres.reserveentry.").exists()


def test_training_tempering_mentors_and_key_moments(town: Any) -> None:
    last_year = NOW.year - 1
    assert TrainingRecord.objects.filter(ended_on__year=last_year).count() > 50
    assert TrainingRecord.objects.filter(ended_on__year=NOW.year).exists()
    assert not TrainingRecord.objects.filter(ended_on__gt=NOW.date()).exists()
    states = Counter(Tempering.objects.values_list("state", flat=True))
    assert states[TemperingState.ONGOING] >= 2 and states[TemperingState.EVALUATED] >= 2
    assert not Tempering.objects.filter(state="evaluated", appraisal="").exists()
    assert Mentorship.objects.count() >= 3
    assert KeyMoment.objects.filter(kind__in=("emergency", "commendation")).count() == 2


def test_last_years_grades_are_within_quotas(town: Any) -> None:
    year = NOW.year - 1
    grades = Grade.objects.filter(year=year)
    assert grades.count() == Cadre.objects.count()  # graded before one of them left
    for unit_id in set(grades.values_list("unit_id", flat=True)):
        of_unit = grades.filter(unit_id=unit_id)
        excellent = of_unit.filter(grade=YearGrade.EXCELLENT).count()
        assert excellent <= excellent_quota(of_unit.count(), 20)
    assert grades.filter(grade=YearGrade.EXCELLENT).exists()
    assert grades.filter(grade=YearGrade.BASIC).count() == 1


# --- selection and error tolerance (demo.cadres_cycle) ------------------------------------------


def test_a_vacancy_was_filled_from_the_pool_by_the_committee(town: Any) -> None:
    filled = Vacancy.objects.get(state=VacancyState.FILLED)
    assert filled.chosen is not None and filled.chosen.status == ReserveStatus.APPOINTED
    assert filled.candidates.filter(eligible=True).order_by("rank").first().entry == filled.chosen
    assert (filled.members, filled.present, filled.votes_for) == (9, 8, 7)
    appointed = filled.chosen.cadre
    assert (appointed.post, appointed.level) == (filled.title, filled.level)
    assert PostRecord.objects.filter(cadre=appointed, vacancy=filled, ended_on=None).exists()


def test_one_vacancy_is_open_and_ranked(town: Any) -> None:
    vacancy = Vacancy.objects.get(state=VacancyState.OPEN)
    assert vacancy.ranked_at is not None and vacancy.weights
    ranked = list(vacancy.candidates.order_by("rank"))
    assert ranked and all(c.breakdown for c in ranked)
    # the post came free: its holder was transferred out
    left = Cadre.objects.get(status=CadreStatus.LEFT)
    assert left.post == vacancy.title


def test_a_tolerance_case_took_effect_and_waives_a_deduction(town: Any) -> None:
    from grassroots.assessment.models import Run, Score

    case = ToleranceCase.objects.get()
    assert case.state == ToleranceState.EFFECTIVE and case.items >= 1 and case.metric
    assert case.notice_ends is not None and case.effective_at is not None
    assert case.effective_at >= case.notice_ends
    assert all(v["met"] for v in case.checklist.values()) and len(case.checklist) == 4
    assert case.measures.filter(state="done").exists() and case.corrected_at is not None
    period = case.affected_month.strftime("%Y-%m")
    runs = list(Run.objects.filter(period=period).order_by("version"))
    first, last = runs[0], runs[-1]
    assert last.version > first.version

    def score(run: Run) -> Score:
        return Score.objects.get(run=run, unit=case.unit, indicator__metric=case.metric)

    before, after = score(first), score(last)
    assert after.raw_value == max(before.raw_value - case.items, 0)
    assert after.points > before.points  # fewer points deducted
    waiver = after.explanation["waiver"]
    assert waiver["waived"] == case.items
    assert waiver["reasons"] == [f"{case.number} {case.title}"]

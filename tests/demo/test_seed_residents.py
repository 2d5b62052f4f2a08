"""The demo's people and places of 礼州镇 (人地事物) and their care visits: households capped
per grid, valid and unique ID numbers stored encrypted with their blind index, one head
per household, floating population, moves and deaths with dates, places with managers,
people in care of every key group with visits over the history, due dates that follow the
rule, some overdue; and a reseed with --reset clears them."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import Count, F, Max, Q

from grassroots.common.crypto import current_prefix, digest
from grassroots.common.idnumbers import id_facts, id_number_problem
from grassroots.demo.residents import GRID_CAP, plan_visits
from grassroots.org.models import Membership, Unit
from grassroots.residents.models import Household, KeyGroup, KeyPerson, Place, Resident, Visit
from grassroots.residents.states import EFFECTIVE_MET, Met
from tests.conftest import seeded_town

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=TZ)
TODAY = NOW.date()
MONTHS = 2
HISTORY_START = TODAY - dt.timedelta(days=round(MONTHS * 365.25 / 12))

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def town(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    with seeded_town(django_db_blocker, months=MONTHS, now=NOW) as summary:
        yield summary


@pytest.fixture
def lizhou(town: Any) -> Unit:
    return Unit.objects.get(code="513401101")


def test_every_grid_of_the_township_has_households_within_the_cap(town: Any, lizhou: Unit) -> None:
    grids = Unit.objects.filter(path__startswith=lizhou.path + ".", kind="grid")
    counts = dict(Household.objects.values("grid").annotate(n=Count("pk")).values_list("grid", "n"))
    assert set(counts) == set(grids.values_list("pk", flat=True))
    assert all(0 < n <= GRID_CAP for n in counts.values())
    assert town.residents == Resident.objects.count() > 10_000
    # the household's village is its grid's village; 户号 unique within the village
    assert not Household.objects.exclude(village=F("grid__parent")).exists()
    numbers = Counter(Household.objects.values_list("village_id", "number"))
    assert max(numbers.values()) == 1


def test_id_numbers_are_valid_unique_and_looked_up_by_their_digest(town: Any) -> None:
    rows = list(Resident.objects.values_list("id_number", "id_digest", "birth_date", "gender"))
    assert rows and all(number for number, *_rest in rows)
    assert len({number for number, *_rest in rows}) == len(rows)
    for number, blind, born, gender in rows:
        assert id_number_problem(number) is None, number
        facts = id_facts(number)
        assert number.startswith("513401")
        assert (facts.birth_date, facts.gender) == (born, gender)
        assert blind == digest(number)
    # stored encrypted: the column holds tokens, not the numbers
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM residents_resident LIMIT 50")
        raw = cursor.fetchall()
    assert all(n.startswith(current_prefix()) for n, _p in raw)
    assert all(p == "" or p.startswith(current_prefix()) for _n, p in raw)


def test_one_head_per_household_present_while_it_lives_here(town: Any) -> None:
    heads = Household.objects.annotate(
        heads=Count("members", filter=Q(members__relationship="head")),
        present=Count("members", filter=Q(members__relationship="head", members__status="present")),
    )
    assert not heads.exclude(heads=1).exists()
    assert not heads.filter(status="active").exclude(present=1).exists()
    moved = Household.objects.filter(status="moved_out")
    assert moved.exists()
    assert not Resident.objects.filter(household__in=moved).exclude(status="moved_out").exists()


def test_floating_population_moves_and_deaths_have_their_dates(town: Any) -> None:
    total = Resident.objects.count()
    floating = Resident.objects.filter(residence="floating")
    assert 0.05 < floating.count() / total < 0.2
    assert not floating.filter(moved_in_on__isnull=True).exists()
    assert not floating.filter(moved_in_on__gt=TODAY).exists()
    deceased = Resident.objects.filter(status="deceased")
    moved_out = Resident.objects.filter(status="moved_out")
    assert deceased.exists() and moved_out.exists()
    assert not deceased.filter(died_on__isnull=True).exists()
    assert not moved_out.filter(moved_out_on__isnull=True).exists()
    assert not Resident.objects.filter(Q(died_on__gt=TODAY) | Q(moved_out_on__gt=TODAY)).exists()
    assert not Resident.objects.filter(status="present").exclude(died_on=None).exists()
    assert not Resident.objects.filter(moved_out_on__lte=F("moved_in_on")).exists()
    assert not Resident.objects.filter(died_on__lte=F("birth_date")).exists()
    # both Han and Yi names (a Yi clan name starts some of them)
    names = list(Resident.objects.values_list("name", flat=True)[:3000])
    assert any(n.startswith(("吉克", "沙马", "海来", "曲比")) for n in names)
    assert any(n[0] in "王李张刘陈" for n in names)


def test_places_have_managers_phones_and_positions(town: Any) -> None:
    kinds = Counter(Place.objects.values_list("kind", flat=True))
    for kind in ("compound", "house", "rental", "business"):
        assert kinds[kind] > 0, kind
    for place in Place.objects.filter(kind="rental")[:20]:
        assert place.manager_name and place.manager_phone.isdigit()
        assert len(place.manager_phone) == 11 and place.capacity
        assert place.lat is not None and place.lon is not None
    # floating households live in the rentals and compounds
    assert Household.objects.filter(place__kind="rental", members__residence="floating").exists()


def test_every_key_group_has_people_in_care_on_their_grid(town: Any) -> None:
    groups = Counter(KeyPerson.objects.values_list("group__code", flat=True))
    for code in (
        "elderly_alone",
        "empty_nest",
        "left_behind_child",
        "disabled",
        "subsistence",
        "relapse_monitor",
        "serious_illness",
        "veteran",
    ):
        assert groups[code] > 0, code
    assert town.people_in_care == KeyPerson.objects.count()
    assert not KeyPerson.objects.exclude(grid=F("resident__household__grid")).exists()
    assert not KeyPerson.objects.filter(since__gt=TODAY).exists()
    ended = KeyPerson.objects.filter(ended_on__isnull=False)
    assert ended.exists() and not ended.filter(end_reason="").exists()
    # the elderly living alone are their household's only member, 60 or older
    for person in KeyPerson.objects.filter(group__code="elderly_alone").select_related(
        "resident__household"
    )[:50]:
        assert person.resident.household.members.count() == 1
        assert person.resident.age_on(TODAY) >= 60


def test_due_dates_follow_the_last_effective_visit(town: Any) -> None:
    every = dict(KeyGroup.objects.values_list("pk", "visit_every_days"))
    last = dict(
        Visit.objects.filter(met__in=EFFECTIVE_MET)
        .values("key_person")
        .annotate(last=Max("visited_on"))
        .values_list("key_person", "last")
    )
    people = list(
        KeyPerson.objects.values_list("pk", "group_id", "since", "last_visit_on", "due_on")
    )
    for pk, group_id, since, last_visit_on, due_on in people:
        assert last_visit_on == last.get(pk)
        assert due_on == (last_visit_on or since) + dt.timedelta(days=every[group_id])
    overdue = sum(
        1 for *_rest, due_on in people if due_on < TODAY
    )  # some are overdue, most are not
    assert 0 < overdue < len(people) / 3


def test_visits_cover_the_history_on_the_grid_by_its_worker(town: Any) -> None:
    assert town.visits == Visit.objects.count() > 1000
    visits = Visit.objects.all()
    assert not visits.filter(Q(visited_on__lt=HISTORY_START) | Q(visited_on__gt=TODAY)).exists()
    assert not visits.exclude(grid=F("key_person__grid")).exists()
    assert visits.filter(problem_found=True).exists()
    assert visits.filter(met=Met.NOBODY).exists()
    assert not visits.filter(problem_found=True, findings="").exists()
    # the demo grid worker is the visitor on their grid
    worker = Membership.objects.get(user__username="grid_worker")
    assert visits.filter(grid=worker.unit).exclude(visitor=worker.user).count() == 0
    assert visits.filter(grid=worker.unit).exists()
    # everyone in care since before the history (and still in care) was visited in it
    old = KeyPerson.objects.filter(since__lt=HISTORY_START, ended_on__isnull=True)
    assert not old.filter(visits__isnull=True).exists()


def test_plan_visits_keeps_to_its_window() -> None:
    import random

    rng = random.Random(5)
    start, end = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
    by_day: defaultdict[str, int] = defaultdict(int)
    for _n in range(200):
        since = dt.date(2024, 5, 1) + dt.timedelta(days=rng.randint(0, 700))
        visits, last = plan_visits(rng, since, 30, start, end)
        days = [d for d, _m, _p in visits]
        assert days == sorted(days)
        assert all(max(start, since) <= d <= end for d in days)
        assert last == max((d for d, met, _p in visits if met != Met.NOBODY), default=None)
        if since < start:
            assert days and days[0] < start + dt.timedelta(days=31)
        for _d, met, _p in visits:
            by_day[met] += 1
    assert by_day[Met.PERSON] > by_day[Met.NOBODY] > 0


def test_a_reseed_with_reset_clears_them(town: Any) -> None:
    from grassroots.demo.seeding import seed

    seed("town", seed=2026, months=0, reset=True)
    for model in (Place, Household, Resident, KeyPerson, Visit):
        assert not model.objects.exists(), model
    assert KeyGroup.objects.count() >= 10  # the configured groups stay
    connection.check_constraints()

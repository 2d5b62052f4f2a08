"""The demo's special registers: 礼州镇's homesteads with the 一户一宅 cases the check would
open (every finding that still holds has its open case), construction and relocation cases
since 2016 whose "new" flag follows the built day, monitored households with assistance and
reviews due on time, every village's collective income with this year's target, and the
邛海天窗 parcels of the lakeside townships on the programme's straight line; a reseed with
--reset clears them."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import Count, F, Max, Sum

from grassroots.common.workdays import current_calendar
from grassroots.org.models import Unit, UnitKind
from grassroots.registers import models as reg
from grassroots.registers.models import BASELINE
from grassroots.registers.states import OPEN_CONSTRUCTION, OPEN_HOMESTEAD_CASE
from grassroots.residents.models import Household, KeyPerson
from tests.conftest import seeded_town

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=TZ)
TODAY = NOW.date()
LIMIT = Decimal(150)  # the default area standard (no policy is seeded)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def town(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    with seeded_town(django_db_blocker, months=1, now=NOW) as summary:
        yield summary


@pytest.fixture
def lizhou(town: Any) -> Unit:
    return Unit.objects.get(code="513401101")


def test_the_village_households_hold_their_homesteads(town: Any, lizhou: Unit) -> None:
    parcels = reg.Homestead.objects.all()
    assert town.homesteads == parcels.count() > 1000
    assert not parcels.exclude(unit=F("household__village")).exists()
    assert set(parcels.values_list("unit__kind", flat=True)) == {UnitKind.VILLAGE}
    assert set(parcels.values_list("unit__parent", flat=True)) == {lizhou.pk}
    held = Counter(reg.Homestead.objects.values_list("household_id", flat=True))
    two = sum(1 for n in held.values() if n == 2)
    assert max(held.values()) == 2 and 0.01 < two / len(held) < 0.06
    # the original sizes: the oversize ones still held, plus those cut back by rectification
    oversize = (
        parcels.filter(area__gt=LIMIT).count()
        + reg.HomesteadCase.objects.filter(kind="oversize", status="rectified").count()
    )
    assert 0.01 < oversize / len(held) < 0.04
    sample = parcels.exclude(approval_document="").first()
    assert sample is not None and sample.approved_on is not None and sample.geometry
    assert len(set(parcels.values_list("unit", "parcel_number"))) == parcels.count()


def test_every_finding_that_still_holds_has_its_open_case(town: Any) -> None:
    active = reg.Homestead.objects.filter(active=True)
    multiple = {
        h for h, n in active.values("household").annotate(n=Count("pk")).values_list(
            "household", "n"
        ) if n > 1
    }  # fmt: skip
    oversize = set(active.filter(area__gt=LIMIT).values_list("pk", flat=True))
    cases = reg.HomesteadCase.objects.filter(status__in=OPEN_HOMESTEAD_CASE)
    assert set(cases.filter(kind="multiple").values_list("household", flat=True)) == multiple
    assert set(cases.filter(kind="oversize").values_list("homestead", flat=True)) == oversize
    assert multiple and oversize
    # rectified ones changed the parcels: the extra one given back, the excess handed back
    states = Counter(reg.HomesteadCase.objects.values_list("status", flat=True))
    assert states["rectified"] and states["rectifying"] and states["open"]
    closed = reg.HomesteadCase.objects.filter(status="rectified")
    assert not closed.filter(closed_on__isnull=True).exists()
    assert not closed.filter(closed_on__lt=F("found_on")).exists()
    assert not closed.filter(closed_on__gt=TODAY).exists()
    assert (
        reg.Homestead.objects.filter(active=False).count() == closed.filter(kind="multiple").count()
    )


def test_homestead_cases_are_due_after_the_working_days(town: Any) -> None:
    calendar = current_calendar()
    cases = list(reg.HomesteadCase.objects.all())
    assert town.homestead_cases == len(cases)
    for case in cases:
        assert case.due_on == calendar.add_workdays(case.found_on, 60)
        assert case.unit_id == case.household.village_id
        assert case.finding
    overdue = [c for c in cases if c.status in OPEN_HOMESTEAD_CASE and c.due_on < TODAY]
    assert overdue and len(overdue) < len(cases)


def test_construction_cases_since_2016_new_or_not_by_the_built_day(town: Any) -> None:
    cases = reg.ConstructionCase.objects.all()
    assert town.construction_cases == cases.count()
    assert cases.filter(is_new=False).exists() and cases.filter(is_new=True).exists()
    assert not cases.filter(is_new=True, started_on__lte=BASELINE).exists()
    assert not cases.filter(is_new=False, started_on__gt=BASELINE).exists()
    assert not cases.filter(found_on__lt=dt.date(2016, 1, 1)).exists()
    assert not cases.filter(found_on__gt=TODAY).exists()
    assert not cases.filter(started_on__gt=F("found_on")).exists()
    calendar = current_calendar()
    for case in cases:
        assert case.due_on == calendar.add_workdays(case.found_on, 20)
        if case.status == "demolished":
            assert case.demolished_area and case.area and case.demolished_area <= case.area
        if case.status not in OPEN_CONSTRUCTION:
            assert case.closed_on is not None and case.closed_on >= case.found_on
        if case.kind == "relocation":
            assert case.people
    numbers = list(cases.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    # mostly stopped within the policy's three days; a couple open past the deadline
    new = cases.filter(is_new=True, stopped_on__isnull=False)
    in_time = [c for c in new if (c.stopped_on - c.found_on).days <= 3]
    assert len(in_time) > len(new) / 2
    late = cases.filter(is_new=True, status__in=OPEN_CONSTRUCTION, due_on__lt=TODAY)
    assert late.filter(unit__parent__code="513401101").exists()
    # a case taken from a patrol's 违法建设 report was found on the day it was reported
    for case in cases.exclude(event=None).select_related("event"):
        assert case.event.reported_at.astimezone(TZ).date() == case.found_on
        assert case.source == "patrol" and case.unit_id == case.event.village_id


def test_monitored_households_are_those_in_the_key_group(town: Any, lizhou: Unit) -> None:
    monitored = reg.MonitoredHousehold.objects.all()
    assert town.monitored == monitored.count()
    households = set(
        KeyPerson.objects.filter(group__code="relapse_monitor").values_list(
            "resident__household", flat=True
        )
    )
    assert set(monitored.values_list("household", flat=True)) == households
    share = monitored.count() / Household.objects.filter(village__parent=lizhou).count()
    assert 0.005 < share < 0.03
    assert not monitored.exclude(unit=F("household__village")).exists()
    assert not reg.Assistance.objects.exclude(started_on__gte=F("monitored__since")).exists()
    assert set(monitored.values_list("status", flat=True)) == {"monitoring", "removed"}


def test_reviews_set_the_next_review_due(town: Any) -> None:
    last = dict(
        reg.Review.objects.values("monitored")
        .annotate(last=Max("reviewed_on"))
        .values_list("monitored", "last")
    )
    for record in reg.MonitoredHousehold.objects.prefetch_related("assistance"):
        assert record.last_reviewed_on == last.get(record.pk)
        assert record.review_due_on == (record.last_reviewed_on or record.since) + dt.timedelta(
            days=90
        )
        assert record.assistance.all()
        if record.status == "removed":
            assert record.removed_on == record.last_reviewed_on
            assert record.reviews.get(reviewed_on=record.removed_on).risk_removed
    late = reg.MonitoredHousehold.objects.filter(status="monitoring", review_due_on__lt=TODAY)
    assert reg.MonitoredHousehold.objects.filter(status="monitoring").count() > late.count()
    assert not reg.Review.objects.filter(reviewed_on__gt=TODAY).exists()


def test_every_village_has_its_collective_income_and_target(town: Any) -> None:
    villages = set(
        Unit.objects.filter(kind__in=("village", "community")).values_list("pk", flat=True)
    )
    years = defaultdict(set)
    for unit, year in reg.CollectiveIncome.objects.values_list("unit", "year").distinct():
        years[unit].add(year)
    assert set(years) == villages
    assert all(y == {2024, 2025, 2026} for y in years.values())
    targets = reg.IncomeTarget.objects.filter(year=2026)
    assert set(targets.values_list("unit", flat=True)) == villages
    totals = dict(
        reg.CollectiveIncome.objects.filter(year=2025)
        .values("unit")
        .annotate(total=Sum("amount"))
        .values_list("unit", "total")
    )
    for target in targets:
        assert totals[target.unit_id] < target.amount < totals[target.unit_id] * 2


def test_lakeside_windows_run_about_on_the_straight_line(town: Any) -> None:
    from grassroots.demo.registers_cases import seed_windows

    assert not reg.Window.objects.exists()  # 礼州镇 is not on the lake
    root = Unit.objects.get(code="513401")
    lake = Unit.objects.create(
        code="513401103", name="川兴镇", kind="township", parent=root,
        path=f"{root.path}.513401103", depth=1,
    )  # fmt: skip
    for code, name in (("513401103206", "海丰村村民委员会"), ("513401103001", "川兴堡社区")):
        Unit.objects.create(
            code=code, name=name, kind="village", parent=lake, path=f"{lake.path}.{code}", depth=2
        )
    assert seed_windows(random.Random(3), TODAY) == 70
    windows = reg.Window.objects.all()
    assert set(windows.values_list("plan_year", flat=True)) == set(range(2021, 2031))
    assert not windows.filter(restored_area__gt=F("area")).exists()
    assert not windows.filter(status="restored").exclude(restored_area=F("area")).exists()
    assert not windows.filter(status="restored", restored_on__isnull=True).exists()
    assert not windows.filter(status="planned").exclude(restored_area=0).exists()
    assert windows.filter(plan_year__lt=2026, status="underway").exists()  # some behind
    figures = windows.aggregate(area=Sum("area"), restored=Sum("restored_area"))
    share = figures["restored"] / figures["area"]
    line = Decimal(2026 - 2021 + 0.9) / 10  # late November of the sixth year
    assert abs(share - line) < Decimal("0.2")
    assert len(set(windows.values_list("code", flat=True))) == 70


def test_a_reseed_with_reset_clears_them(town: Any) -> None:
    from grassroots.demo.seeding import seed

    seed("town", seed=2026, months=0, reset=True)
    for model in (
        reg.Homestead,
        reg.HomesteadCase,
        reg.ConstructionCase,
        reg.MonitoredHousehold,
        reg.Review,
        reg.Assistance,
        reg.CollectiveIncome,
        reg.IncomeTarget,
    ):
        assert not model.objects.exists(), model
    connection.check_constraints()

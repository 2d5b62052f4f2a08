"""The numbers people check against each other: the zero line's totals, the list filtered
the same way and ``registers.new_illegal_construction``; every figure of the home page and
the list it links to; the 天窗 progress on the list and ``registers.window_progress``; the
collective economy's growth and target rates on the income page and in the metrics."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from grassroots.common.metrics import Period, get
from grassroots.org.models import Membership
from grassroots.registers.models import (
    CollectiveIncome,
    ConstructionCase,
    Homestead,
    HomesteadCase,
    IncomeTarget,
    MonitoredHousehold,
    Policy,
    Window,
)

pytestmark = pytest.mark.django_db

#: The last day of 2026, so that the year 2026 is a whole period and today its last day.
NOW = dt.datetime(2026, 12, 31, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _clock(
    tree: dict[str, Any], city_admin: Any, xc_secretary: Any, village_cadre: Any
) -> Iterator[None]:
    Membership.objects.update(valid_from=dt.date(2020, 1, 1))
    for user in (city_admin, xc_secretary, village_cadre):
        user.__dict__.pop("_grassroots_grants", None)
    with time_machine.travel(NOW, tick=False):
        yield


def case(unit: Any, n: int, found: dt.date, **kw: Any) -> ConstructionCase:
    fields: dict[str, Any] = {
        "kind": "building",
        "source": "inspection",
        "address": f"{unit.name}{n}组",
        "started_on": found - dt.timedelta(days=10),
        "found_on": found,
        "due_on": found + dt.timedelta(days=30),
        "is_new": True,
    }
    fields.update(kw)
    return ConstructionCase.objects.create(unit=unit, number=f"WJ{n:04d}", **fields)


@pytest.fixture
def cases(tree: dict[str, Any]) -> None:
    """礼州镇 in 2026: one new building, one new building dismissed after checking (not a
    case), one old building, one new relocation; a new building of 2025; one of 安宁镇."""
    village = tree["village"]
    case(village, 1, dt.date(2026, 3, 2))
    case(village, 2, dt.date(2026, 4, 2), status="dismissed", closed_on=dt.date(2026, 4, 3))
    case(village, 3, dt.date(2026, 5, 2), is_new=False, started_on=dt.date(2012, 1, 1))
    case(village, 4, dt.date(2026, 6, 2), kind="relocation")
    case(tree["neighbour_village"], 5, dt.date(2025, 6, 2))
    case(tree["other_village"], 6, dt.date(2026, 7, 2))


def listed(answer: Any) -> int:
    assert answer.status_code == 200
    return int(answer.context["page"].paginator.count)


def test_the_zero_line_the_list_and_the_metric_agree(
    cases: None, tree: dict[str, Any], city_admin: Any, login: Any
) -> None:
    client = login(city_admin)
    lizhou = tree["lizhou"]
    page = client.get(reverse("registers:zero_line"), {"year": 2026, "kind": "building"})
    rows = {r.unit.code: r for r in page.context["table"].rows}
    assert rows[lizhou.code].total == 1
    metric = get("registers.new_illegal_construction")(Period.parse("2026"), [lizhou])
    assert metric[0].value == Decimal(1)
    # the township's year total leads to the list filtered the same way
    link = re.search(
        r'<td class="year-total[^"]*"><a href="([^"]+)">1</a>',
        page.content.decode().split(f'data-code="{lizhou.code}"')[1],
    )
    assert link is not None
    assert listed(client.get(unescape(link[1]))) == 1
    # the list's own filters, by hand: new cases of the township found in 2026
    query = {
        "kind": "building",
        "new_only": "on",
        "unit": lizhou.code,
        "found_from": "2026-01-01",
        "found_to": "2026-12-31",
    }
    assert listed(client.get(reverse("registers:construction"), query)) == 1


def _figures(html: str) -> list[tuple[str, str, str]]:
    """The home page's figures: (link, number, words)."""
    return [
        (unescape(href), n, re.sub(r"<[^>]+>", "", words).strip())
        for href, n, words in re.findall(
            r'<a href="([^"]+)"><span class="n">([^<]*)</span>(.*?)</a>', html
        )
    ]


def test_every_figure_of_the_home_page_is_what_its_link_shows(
    cases: None, tree: dict[str, Any], xc_secretary: Any, login: Any, make_household: Any
) -> None:
    village = tree["village"]
    household, other = make_household(), make_household()
    held = Homestead.objects.create(
        unit=village, household=household, parcel_number="JC1", area=Decimal(100)
    )
    Homestead.objects.create(
        unit=village, household=other, parcel_number="JC2", area=Decimal(90), active=False
    )
    for status, due in (("open", TODAY), ("rectified", TODAY), ("rectifying", dt.date(2026, 1, 5))):
        HomesteadCase.objects.create(
            unit=village,
            household=household,
            homestead=held if status != "rectifying" else None,
            kind="oversize" if status != "rectifying" else "multiple",
            finding="超标准",
            found_on=dt.date(2026, 1, 1),
            due_on=due,
            status=status,
        )
    for code, area, restored in (("Q1", 1000, 1000), ("Q2", 3000, 500), ("Q3", 7, 0)):
        Window.objects.create(
            unit=village,
            code=code,
            name=code,
            area=Decimal(area),
            plan_year=2025,
            restored_area=Decimal(restored),
            status="restored" if area == restored else "underway",
            restored_on=dt.date(2025, 9, 1) if area == restored else None,
        )
    for i, status in enumerate(("monitoring", "removed", "monitoring")):
        MonitoredHousehold.objects.create(
            unit=village,
            household=make_household(),
            kind="edge",
            since=dt.date(2026, 1, 1),
            income_per_capita=Decimal(6000),
            review_due_on=dt.date(2026, 3, 1) if i else dt.date(2027, 3, 1),
            status=status,
        )
    CollectiveIncome.objects.create(unit=village, year=2026, source="operating", amount=120000)
    CollectiveIncome.objects.create(unit=village, year=2026, source="subsidy", amount=30000.5)
    client = login(xc_secretary)
    home = client.get(reverse("registers:home"))
    figures = _figures(home.content.decode())
    assert len(figures) == 11, figures
    for link, n, words in figures:
        answer = client.get(link)
        assert answer.status_code == 200, link
        c = answer.context
        path = link.split("?")[0]
        if path == reverse("registers:zero_line"):
            shown = str(c["table"].total)
        elif path == reverse("registers:windows") and "%" in n:
            shown = f"{c['view'].restored_percent}%"
        elif path == reverse("registers:income"):
            shown = (
                str(c["summary"].reporting)
                if "村" in words
                else f"{c['summary'].total / 10000:.2f}"  # 万元, as the page totals it
            )
        else:
            shown = str(c["page"].paginator.count)
        assert n == shown, (words, link, n, shown)


def test_the_window_progress_on_the_list_is_the_metric(
    tree: dict[str, Any], village_cadre: Any, login: Any
) -> None:
    """At the last day of 2026 the list's progress against the straight line of 礼州村 is
    ``registers.window_progress`` of 2026 for 礼州村, and so is its restored share."""
    village = tree["village"]
    for code, area, restored, year in (
        ("Q1", 1000, 1000, 2024),
        ("Q2", 3000, 500, 2026),
        ("Q3", 800, 0, 2028),
        ("Q4", 1200, 1000, 2029),
    ):
        Window.objects.create(
            unit=village,
            code=code,
            name=code,
            area=Decimal(area),
            plan_year=year,
            restored_area=Decimal(restored),
            status="restored" if area == restored else ("underway" if restored else "planned"),
            restored_on=dt.date(2025, 9, 1) if area == restored else None,
        )
    view = login(village_cadre).get(reverse("registers:windows")).context["view"]
    (metric,) = get("registers.window_progress")(Period.parse("2026"), [village])
    assert view.progress.percent == metric.value
    assert view.progress.credited == metric.numerator
    assert view.progress.planned == metric.denominator


def test_the_income_page_s_rates_are_the_metrics(
    tree: dict[str, Any], city_admin: Any, login: Any
) -> None:
    """A township's growth and share of its targets on the income page, filtered to the
    township, are the metrics of that township; a village whose income of last year was
    0 has no growth and counts in neither."""
    village, neighbour = tree["village"], tree["neighbour_village"]
    for unit, year, amount in (
        (village, 2025, 100000),
        (village, 2026, 110000),
        (neighbour, 2025, 0),
        (neighbour, 2026, 50000),
    ):
        CollectiveIncome.objects.create(unit=unit, year=year, source="operating", amount=amount)
    IncomeTarget.objects.create(unit=village, year=2026, amount=200000)
    IncomeTarget.objects.create(unit=neighbour, year=2026, amount=40000)
    page = login(city_admin).get(
        reverse("registers:income"), {"year": 2026, "township": tree["lizhou"].code}
    )
    summary = page.context["summary"]
    period = Period.parse("2026")
    (growth,) = get("registers.collective_income_growth_rate")(period, [tree["lizhou"]])
    (target,) = get("registers.collective_income_target_rate")(period, [tree["lizhou"]])
    assert summary.growth == growth.value == Decimal("10.00")
    assert summary.progress == target.value
    rows = {r.unit.pk: r for r in page.context["page"].object_list}
    (village_growth,) = get("registers.collective_income_growth_rate")(period, [village])
    assert rows[village.pk].growth == village_growth.value
    assert rows[neighbour.pk].growth is None


def test_the_window_progress_of_a_township_follows_each_village_s_programme(
    tree: dict[str, Any], xc_secretary: Any, login: Any
) -> None:
    """A village with a programme of its own (2024–2033) under a township on the city's
    (2021–2030): the township's progress on the list is the metric's, each parcel on the
    straight line of its own village's programme."""
    Policy.objects.create(unit=tree["village"], window_first_year=2024, window_last_year=2033)
    for unit, code, area, restored in (
        (tree["village"], "Q1", 1000, 200),
        (tree["neighbour_village"], "Q2", 1000, 200),
    ):
        Window.objects.create(
            unit=unit,
            code=code,
            name=code,
            area=Decimal(area),
            plan_year=2027,
            restored_area=Decimal(restored),
            status="underway",
        )
    view = login(xc_secretary).get(reverse("registers:windows")).context["view"]
    (metric,) = get("registers.window_progress")(Period.parse("2026"), [tree["lizhou"]])
    assert (view.progress.credited, view.progress.planned) == (
        metric.numerator,
        metric.denominator,
    )
    assert view.progress.percent == metric.value


def test_a_grid_worker_s_zero_line_holds_the_cases_of_their_grid(
    tree: dict[str, Any], grid_worker: Any, login: Any
) -> None:
    """The grid worker sees the cases found on their grid: the zero line counts them in a
    row named after the grid, as the home figure does (it showed no row and "on target")."""
    Membership.objects.update(valid_from=dt.date(2020, 1, 1))
    grid_worker.__dict__.pop("_grassroots_grants", None)
    case(tree["village"], 1, dt.date(2026, 3, 2), grid=tree["grid"])
    case(tree["village"], 2, dt.date(2026, 4, 2))  # not on the grid: not theirs
    client = login(grid_worker)
    home = client.get(reverse("registers:home")).context["o"]
    page = client.get(reverse("registers:zero_line"), {"year": 2026, "kind": "building"})
    table = page.context["table"]
    assert [(r.unit.label, r.total) for r in table.rows] == [("礼州村第1网格", 1)]
    assert table.total == home.construction_new_this_year == 1
    assert not table.at_target

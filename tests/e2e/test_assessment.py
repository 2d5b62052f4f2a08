"""End to end, in Chromium, in Chinese: 月考 and 季晒 on the real pages.

Last month 礼州镇 had four events reported in 礼州村: two handled on time, two left late;
安宁镇 had none. The city office computes last month on the scheme's page and reads the
ranking → a representative fills the open 民主测评 sheet of the quarter → the office closes
the form, computes the quarter and publishes it (季晒): the public portal shows its
SHA-256 → 礼州镇's secretary goes from the rank in "my results" to the breakdown, to the
records behind the overdue deduction, to a single late event.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.e2e.browsing import Browse
from tests.pages_support import World, advance, report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def last_month() -> tuple[dt.date, str, str]:
    """The 12th of last month, its label (``2026-10``) and its quarter (``2026-Q4``)."""
    first = timezone.localdate().replace(day=1)
    day = (first - dt.timedelta(days=1)).replace(day=12)
    return day, f"{day.year}-{day.month:02d}", f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def township_scheme(world: World, year: int) -> Any:
    """Townships of 西昌: on-time handling (50 points, 0 % → 100 %), its rank in the peer
    group (30), 民主测评 (20, 60 → 95), 2 points off per overdue event (at most 10)."""
    from grassroots.assessment.models import Category, Indicator, Scheme, Source

    scheme = Scheme.objects.create(
        code=f"xc-township-{year}",
        name=f"西昌市{year}年度乡镇(街道)目标绩效考核",
        year=year,
        level="township",
        root=world.tree["city"],
        grade_quota={"excellent_share": "0.5", "poor_below": "20"},
        list_rule={"red_top_n": 1, "black_bottom_n": 1},
        reward_pool_fen=100_000_00,
        reward_params={"excellent": "1.5", "good": "1.2", "average": "1.0"},
    )
    specs = [
        ("on-time", "事件按期处置率", Category.COMMON, "50", "events.on_time_handling_rate",
         "range_linear", {"floor": 0, "target": 100}),
        ("on-time-rank", "按期处置率排名", Category.COMMON, "30", "events.on_time_handling_rate",
         "rank_points", {}),
        ("democratic-rating", "民主测评", Category.SATISFACTION, "20", "", "range_linear",
         {"floor": 60, "target": 95}),
        ("overdue", "事件超期扣分", Category.DEDUCTION, "0", "events.overdue_count",
         "per_item_deduction", {"per_item": 2, "cap": 10}),
    ]  # fmt: skip
    for position, (code, name, category, weight, metric, rule, params) in enumerate(specs):
        Indicator.objects.create(
            scheme=scheme,
            code=code,
            name=name,
            category=category,
            weight=Decimal(weight),
            source=Source.METRIC if metric else Source.MANUAL,
            metric=metric,
            direction="lower" if code == "overdue" else "higher",
            rule=rule,
            params=params,
            duty="基层社会治理：群众诉求的受理、处置与办结",
            position=position,
        )
    return scheme


def test_a_month_computed_a_sheet_filled_a_quarter_published_and_a_late_event_found(
    browse: Browse,
    world: World,
    city_admin: Any,
    xc_secretary: Any,
    village_cadre: Any,
    grid_worker: Any,
    dept_staff: Any,
) -> None:
    from grassroots.assessment.actions.ratings import create_form
    from grassroots.assessment.models import Publication, RatingSheet, Run
    from grassroots.org.models import Membership, Role, User

    day, month, quarter = last_month()
    # the cast's memberships hold since last year, so that they act last month
    Membership.objects.update(valid_from=dt.date(day.year - 1, 1, 1))
    with time_machine.travel(
        dt.datetime.combine(day, dt.time(10)).replace(tzinfo=timezone.get_current_timezone()),
        tick=False,
    ):
        events = [report(world, grid_worker, title=f"路边堆放建筑垃圾{n}") for n in range(4)]
        for event in events[:2]:
            advance(event, "closed", world=world, cadre=village_cadre, staff=dept_staff)
    late = {e.number for e in events[2:]}
    scheme = township_scheme(world, day.year)
    rater = User.objects.create_user(username="rater", password=PASSWORD, full_name="周代表")
    Membership.objects.create(user=rater, unit=world.tree["city"], role=Role.RATER)
    form = create_form(
        scheme,
        indicator=scheme.indicators.get(code="democratic-rating"),
        period=quarter,
        title=f"{quarter} 民主测评",
        closes_on=timezone.localdate() + dt.timedelta(days=5),
        raters=[rater],
        actor=city_admin,
    )
    lizhou, anning = world.tree["lizhou"], world.tree["anning"]

    # 1. 月考: the office computes last month on the scheme's page
    office = browse.login(city_admin, next_url=f"/assessment/schemes/{scheme.pk}/")
    office.fill("section.compute input[name=period]", month)
    office.click("section.compute button[type=submit]")
    office.wait_for_url(re.compile(r"/assessment/runs/\d+/$"))
    assert month in office.locator("h1").inner_text()
    first = office.locator(f"tr.result-row[data-unit='{lizhou.code}']")
    assert first.locator("td.rank").inner_text().startswith("1")
    assert "51.00" in first.inner_text()  # 25 for 50 % on time + 30 for rank 1 − 2 × 2 late
    assert office.locator(f"tr.result-row[data-unit='{anning.code}']").count() == 1

    # 2. the representative fills the quarter's 民主测评 sheet
    person = browse.login(rater, next_url=f"/assessment/forms/{form.pk}/sheet/")
    person.fill(f"#id_score_{lizhou.pk}", "88")
    person.fill(f"#id_score_{anning.pk}", "71.5")
    person.locator("form:has(input[name=action][value=submit]) button[type=submit]").click()
    person.wait_for_load_state()
    assert person.locator(".badge.st-submitted").count() == 1
    sheet = RatingSheet.objects.get(form=form, rater=rater)
    assert sheet.state == "submitted"
    assert sheet.ratings.get(unit=anning).score == Decimal("71.5")

    # 3. 季晒: the office closes the form, computes the quarter and publishes it
    office.goto(f"/assessment/forms/{form.pk}/")
    office.click("form.close-form button[type=submit]")
    office.wait_for_load_state()
    office.goto(f"/assessment/schemes/{scheme.pk}/")
    office.fill("section.compute input[name=period]", quarter)
    office.click("section.compute button[type=submit]")
    office.wait_for_url(re.compile(r"/assessment/runs/\d+/$"))
    run = Run.objects.get(scheme=scheme, period=quarter)
    office.click("a.publish")
    office.wait_for_url(re.compile(rf"/assessment/runs/{run.pk}/publish/$"))
    office.click("main form button[type=submit]")
    office.wait_for_url(re.compile(rf"/assessment/runs/{run.pk}/$"))
    publication = Publication.objects.get(run=run)
    assert publication.sha256 in office.locator(".messages").inner_text()

    public = browse.open("public")
    public.goto("/public/assessment/")
    assert publication.sha256 in public.locator("main").inner_text()

    # 4. 礼州镇's secretary: rank → breakdown → records → one late event
    leader = browse.login(xc_secretary, next_url="/assessment/mine/")
    row = leader.locator("tr.result-row", has_text=quarter)
    assert row.locator("td.num").first.inner_text().strip().startswith("1 / 2")
    row.locator("a").first.click()
    leader.wait_for_url(re.compile(rf"/assessment/runs/{run.pk}/units/{lizhou.pk}/$"))
    assert "民主测评" in leader.locator("table.breakdown").inner_text()
    overdue = leader.locator("tr.score-row[data-indicator='overdue']")
    assert "-4.00" in overdue.inner_text()
    overdue.locator("a.evidence-link").click()
    leader.wait_for_url(re.compile(r"/assessment/scores/\d+/evidence/"))
    records = leader.locator("table.records tr.record-row")
    assert records.count() == 4  # the events due last quarter; the late ones counted
    assert leader.locator("table.records tr.record-row.not-counted").count() == 2
    leader.click("nav.tabs a[href='?counted=1']")
    leader.wait_for_url(re.compile(r"\?counted=1$"))
    assert records.count() == 2
    records.first.locator("a").first.click()
    leader.wait_for_url(re.compile(r"/events/\d+/$"))
    assert any(number in leader.locator("main").inner_text() for number in late)

    assert browse.unexpected_errors() == []

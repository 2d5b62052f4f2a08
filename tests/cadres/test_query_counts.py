"""The cadres pages' query counts do not grow with their rows (no query per row): each
page is counted with a few rows and with many (the calendar's clock-driven revision check
left out)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.cadres.test_selection_actions import add_record, add_reserve
from tests.cadres.test_tolerance_support import NOW, deduction_scheme, under_notice

pytestmark = pytest.mark.django_db

_codes = itertools.count(1)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def queries_of(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return sum(1 for q in ctx.captured_queries if "common_calendar" not in q["sql"])


def grows(client: Any, urls: list[str], add: Callable[[int], None]) -> dict[str, tuple[int, int]]:
    """``{url: (queries with a few rows, with many)}`` for the urls whose count grew."""
    add(2)
    few = {u: queries_of(client, u) for u in urls}
    add(22)
    many = {u: queries_of(client, u) for u in urls}
    return {u: (few[u], many[u]) for u in urls if few[u] != many[u]}


def new_unit(parent: Any) -> Any:
    from grassroots.org.models import Unit, UnitKind

    n = next(_codes)
    return Unit.objects.create(
        code=f"{parent.code}{n:03d}", name=f"村{n}", kind=UnitKind.VILLAGE, parent=parent
    )


def test_the_file_lists_home_and_pool(
    login: Any, make_cadre: Any, org_dept: Any, tree: dict[str, Any]
) -> None:
    from grassroots.cadres.models import KeyPost, Vacancy

    def add(n: int) -> None:
        for _ in range(n):
            unit = new_unit(tree["lizhou"])
            cadre = make_cadre(unit=unit)
            add_reserve(cadre, org_dept)
            add_reserve(make_cadre(unit=unit), org_dept, status="nominated", entered_on=None)
            add_record(cadre, org_dept, hours=2)
            KeyPost.objects.create(unit=unit, title="主任", level="village_head", holder=cadre)
            Vacancy.objects.create(
                unit=unit, title="副主任", level="village_head", opened_by=org_dept
            )

    urls = [
        "/cadres/",
        "/cadres/files/",
        "/cadres/pool/",
        "/cadres/keyposts/",
        "/cadres/training/short/",
        "/cadres/vacancies/",
        f"/cadres/grades/?unit={tree['lizhou'].code}",
    ]
    assert grows(login(org_dept), urls, add) == {}


def test_a_file(login: Any, make_cadre: Any, org_dept: Any, tree: dict[str, Any]) -> None:
    """Posts, pool entries, training, mentors both ways, tempering, key moments and yearly
    grades (their units' published results read in one call for all the years)."""
    from grassroots.cadres.models import Grade, KeyMoment, Mentorship, PostRecord, TrainingRecord

    cadre = make_cadre()
    years = itertools.count(2025, -1)

    def add(n: int) -> None:
        for _ in range(n):
            year = next(years)
            unit = new_unit(tree["lizhou"])
            mentor = make_cadre(unit=unit)
            TrainingRecord.objects.create(
                cadre=cadre,
                course="专题",
                provider="党校",
                hours=Decimal(8),
                started_on=dt.date(year, 3, 1),
                ended_on=dt.date(year, 3, 5),
                result="passed",
                recorded_by=org_dept,
            )
            Mentorship.objects.create(cadre=cadre, mentor=mentor, started_on=dt.date(year, 1, 1))
            Mentorship.objects.create(cadre=mentor, mentor=cadre, started_on=dt.date(year, 1, 1))
            PostRecord.objects.create(
                cadre=cadre, unit=unit, post="委员", level="staff", started_on=dt.date(year, 1, 1)
            )
            KeyMoment.objects.create(
                cadre=cadre,
                kind="task",
                outcome="credit",
                occurred_on=dt.date(year, 1, 1),
                title="抗洪",
            )
            Grade.objects.create(
                cadre=cadre, year=year, unit=unit, grade="competent", decided_by=org_dept
            )
            add_reserve(cadre, org_dept, unit=unit, status="appointed")
            add_record(cadre, org_dept, months=6)

    client = login(org_dept)
    assert (
        grows(client, [f"/cadres/files/{cadre.pk}/", f"/cadres/files/{cadre.pk}/print/"], add) == {}
    )


def test_a_ranking(login: Any, make_cadre: Any, org_dept: Any, tree: dict[str, Any]) -> None:
    from grassroots.cadres.actions.selection import open_vacancy, rank_vacancy

    vacancy = open_vacancy(
        actor=org_dept, unit=tree["lizhou"], title="副镇长", level="deputy_section"
    )

    def add(n: int) -> None:
        for i in range(n):
            cadre = make_cadre(level="staff", unit=new_unit(tree["lizhou"]))
            add_record(cadre, org_dept, months=6, hours=40, grades="CC" if i % 3 else "CI")
            add_reserve(cadre, org_dept, status="in_pool" if i % 4 else "nominated")
        rank_vacancy(vacancy.pk, actor=org_dept)

    client = login(org_dept)
    urls = [f"/cadres/vacancies/{vacancy.pk}/"]
    assert grows(client, urls, add) == {}


def test_tolerance_pages(
    login: Any, org_dept: Any, xc_secretary: Any, tree: dict[str, Any]
) -> None:
    from grassroots.cadres.actions import tolerance as actions

    deduction_scheme(tree)
    case = under_notice(xc_secretary, org_dept, tree["village"])

    def add(n: int) -> None:
        for _ in range(n):
            under_notice(xc_secretary, org_dept, new_unit(tree["lizhou"]))
            actions.add_measure(
                case.pk,
                actor=org_dept,
                description="整改",
                responsible="x",
                due_on=dt.date(2026, 10, 20),
            )
            actions.file_objection(
                case.pk, actor=None, text="有异议", name="张三", phone="13900000000"
            )

    client = login(org_dept)
    urls = ["/cadres/", "/cadres/tolerance/", f"/cadres/tolerance/{case.pk}/"]
    assert grows(client, urls, add) == {}

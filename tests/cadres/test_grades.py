"""Yearly grades within the Excellent quota of each unit, and the grades page with the
unit's published assessment beside.

The clock stands at 2026-09-01 10:00 (Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import translation

from grassroots.audit.models import AuditEntry
from grassroots.cadres.actions.files import set_grade
from grassroots.cadres.errors import CadresError
from grassroots.cadres.models import Grade, Policy

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    """The clock at 2026-09-01 10:00; the actions' messages in English (their msgids)."""
    with (
        time_machine.travel(dt.datetime(2026, 9, 1, 10, tzinfo=CST), tick=False),
        translation.override("en"),
    ):
        yield


@pytest.fixture
def ten(make_cadre: Any) -> list[Any]:
    """Ten cadres in office at 礼州镇 (quota at 20%: two Excellent), and one retired."""
    make_cadre(name="退休者", status="retired")
    return [make_cadre(name=f"干部{i:02d}") for i in range(10)]


def test_grades_within_the_quota(ten: list[Any], xc_secretary: Any, tree: dict[str, Any]) -> None:
    set_grade(ten[0], actor=xc_secretary, year=2025, grade="excellent")
    set_grade(ten[1], actor=xc_secretary, year=2025, grade="excellent", note="实绩突出")
    with pytest.raises(CadresError) as caught:
        set_grade(ten[2], actor=xc_secretary, year=2025, grade="excellent")
    assert caught.value.field == "grade"
    assert "2 of 2" in caught.value.message and "20%" in caught.value.message
    assert "礼州镇" in caught.value.message
    assert not Grade.objects.filter(cadre=ten[2]).exists()
    # other grades are not limited; another year has its own quota
    set_grade(ten[2], actor=xc_secretary, year=2025, grade="competent")
    set_grade(ten[2], actor=xc_secretary, year=2024, grade="excellent")
    # giving an Excellent grade again to one who has it uses no new place
    set_grade(ten[1], actor=xc_secretary, year=2025, grade="excellent", note="复核")
    # a place freed is a place to take
    set_grade(ten[0], actor=xc_secretary, year=2025, grade="competent")
    set_grade(ten[2], actor=xc_secretary, year=2025, grade="excellent")
    assert Grade.objects.filter(year=2025, grade="excellent").count() == 2
    grade = Grade.objects.get(cadre=ten[2], year=2025)
    assert (grade.unit, grade.decided_by) == (tree["lizhou"], xc_secretary)
    assert AuditEntry.objects.filter(action="cadres.grade.given").count() == 4
    changed = AuditEntry.objects.filter(action="cadres.grade.changed").order_by("pk").last()
    assert changed is not None and changed.before["grade"] == "competent"
    assert changed.after["grade"] == "excellent"


def test_the_quota_follows_the_policy_and_is_at_least_one(
    make_cadre: Any, xc_secretary: Any, tree: dict[str, Any]
) -> None:
    few = [make_cadre() for _ in range(3)]
    set_grade(few[0], actor=xc_secretary, year=2025, grade="excellent")  # floor(0.6) → 1
    with pytest.raises(CadresError, match="1 of 1"):
        set_grade(few[1], actor=xc_secretary, year=2025, grade="excellent")
    Policy.objects.create(unit=tree["city"], excellent_quota_percent=70)
    set_grade(few[1], actor=xc_secretary, year=2025, grade="excellent")  # floor(2.1) → 2
    with pytest.raises(CadresError, match="70%"):
        set_grade(few[2], actor=xc_secretary, year=2025, grade="excellent")


@pytest.mark.parametrize(
    ("year", "grade", "field"),
    [
        (2027, "competent", "year"),
        (1999, "competent", "year"),
        ("last", "competent", "year"),
        (2025, "superb", "grade"),
    ],
)
def test_a_bad_grade_is_refused(
    ten: list[Any], xc_secretary: Any, year: Any, grade: str, field: str
) -> None:
    with pytest.raises(CadresError) as caught:
        set_grade(ten[0], actor=xc_secretary, year=year, grade=grade)
    assert caught.value.field == field
    assert not Grade.objects.exists()


def test_who_may_grade(
    ten: list[Any],
    org_dept: Any,
    outsider: Any,
    city_admin: Any,
    supervisor: Any,
    village_cadre: Any,
) -> None:
    for person in (outsider, city_admin, supervisor, village_cadre):
        with pytest.raises(PermissionDenied):
            set_grade(ten[0], actor=person, year=2025, grade="competent")
    assert not Grade.objects.exists()
    set_grade(ten[0], actor=org_dept, year=2025, grade="competent")


def test_the_grades_page(
    login: Any,
    ten: list[Any],
    org_dept: Any,
    xc_secretary: Any,
    outsider: Any,
    city_admin: Any,
    tree: dict[str, Any],
    monkeypatch: Any,
) -> None:
    set_grade(ten[0], actor=xc_secretary, year=2025, grade="excellent")
    monkeypatch.setattr(
        "grassroots.cadres.views.files.published_results",
        lambda ids, year=None: [
            {
                "unit_id": ids[0],
                "period": "2025",
                "total": Decimal("88.40"),
                "rank": 3,
                "group_size": 25,
                "grade": "good",
                "vetoed": False,
            }
        ],
    )
    url = f"/cadres/grades/?unit={tree['lizhou'].code}&year=2025"
    for person in (org_dept, xc_secretary):
        response = login(person).get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert (response.context["used"], response.context["quota"]) == (1, 2)
        assert "干部00" in html and "88.40" in html and "退休者" not in html
    # without a choice, the first unit with cadres in office (not the city itself)
    assert login(org_dept).get("/cadres/grades/").context["unit"] == tree["lizhou"]
    assert login(outsider).get(url).status_code == 404
    assert login(city_admin).get(url).status_code == 403
    client = login(xc_secretary)
    form = f"/cadres/files/{ten[1].pk}/grade/"
    assert client.post(form, {"year": "2025", "grade": "excellent", "next": url}).status_code == 302
    refused = client.post(
        form.replace(str(ten[1].pk), str(ten[2].pk)), {"year": "2025", "grade": "excellent"}
    )
    assert refused.status_code == 400
    assert "优秀等次名额已满" in refused.context["form"].errors["grade"][0]
    assert Grade.objects.filter(year=2025, grade="excellent").count() == 2
    # an unsafe next is not followed
    done = client.post(
        form, {"year": "2025", "grade": "competent", "next": "https://evil.example/"}
    )
    assert done.status_code == 302 and "evil" not in done["Location"]

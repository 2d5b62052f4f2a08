"""The calendar in the admin: edits reach the working-day functions at once, and a
warning shows while the next 60 days reach a year that is not covered."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from grassroots.common import workdays
from grassroots.common.models import CalendarDay, CalendarYear
from tests.conftest import LAST_LIBRARY_YEAR, ensure_seeded

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")
WARNING_ID = 'id="calendar-coverage-warning"'
WARNING_TEXT = "is not entered"


@pytest.fixture(autouse=True)
def _seeded() -> None:
    ensure_seeded()


@pytest.fixture
def admin_client(login: Any) -> Client:
    from grassroots.org.models import User

    root = User.objects.create_superuser(
        username="root", password="Correct-Horse-42", full_name="系统管理员"
    )
    client: Client = login(root)
    client.cookies["django_language"] = "en"  # the language switch's cookie
    return client


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_warning_while_the_next_60_days_reach_an_uncovered_year(
    admin_client: Client, tmp_path: Path
) -> None:
    # LAST_LIBRARY_YEAR is 2026 with chinese-calendar 1.11.0
    late = dt.datetime(LAST_LIBRARY_YEAR, 11, 25, 10, 0, tzinfo=CST)
    with time_machine.travel(late, tick=False):
        index = page(admin_client, "/admin/")
        assert WARNING_ID in index
        assert 'href="/admin/common/calendarday/"' in index  # the stock index is all there
        assert 'href="/admin/org/unit/"' in index
        assert f"calendar of {LAST_LIBRARY_YEAR + 1} is not entered" in index
        assert f"--year {LAST_LIBRARY_YEAR + 1} --complete" in index
        for url in ("/admin/common/calendarday/", "/admin/common/calendaryear/"):
            assert WARNING_TEXT in page(admin_client, url)
        notice = tmp_path / "next.csv"
        notice.write_text(f"date,kind,name\n{LAST_LIBRARY_YEAR + 1}-01-01,休,元旦\n")
        call_command("import_calendar", str(notice), "--year", str(LAST_LIBRARY_YEAR + 1))
        assert WARNING_ID in page(admin_client, "/admin/")  # imported, not complete
        call_command(
            "import_calendar", str(notice), "--year", str(LAST_LIBRARY_YEAR + 1), "--complete"
        )
        assert WARNING_ID not in page(admin_client, "/admin/")
        assert WARNING_TEXT not in page(admin_client, "/admin/common/calendarday/")


def test_no_warning_when_the_next_60_days_are_covered(admin_client: Client) -> None:
    with time_machine.travel(dt.datetime(LAST_LIBRARY_YEAR, 6, 1, 10, 0, tzinfo=CST)):
        assert WARNING_ID not in page(admin_client, "/admin/")
        assert WARNING_TEXT not in page(admin_client, "/admin/common/calendarday/")


def test_marking_a_year_complete_in_the_admin_ends_the_warning(admin_client: Client) -> None:
    with time_machine.travel(dt.datetime(LAST_LIBRARY_YEAR, 11, 25, 10, 0, tzinfo=CST)):
        response = admin_client.post(
            "/admin/common/calendaryear/add/",
            {"year": LAST_LIBRARY_YEAR + 1, "complete": "on", "source": "人工录入"},
        )
        assert response.status_code == 302
        assert WARNING_ID not in page(admin_client, "/admin/")


def test_admin_edits_reach_the_working_day_functions_at_once(admin_client: Client) -> None:
    monday = dt.date(2031, 6, 2)
    assert workdays.is_workday(monday)
    response = admin_client.post(
        "/admin/common/calendarday/add/",
        {
            "date": "2031-06-02",
            "kind": "holiday",
            "name": "测试假日",
            "notice_year": "",
            "note": "",
        },
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=monday)
    assert day.notice_year == 2031
    assert not workdays.is_workday(monday)

    response = admin_client.post(
        f"/admin/common/calendarday/{day.pk}/change/",
        {"date": "2031-06-07", "kind": "workday", "name": "测试调休", "notice_year": "2031"},
    )
    assert response.status_code == 302
    assert workdays.is_workday(monday)
    assert workdays.is_workday(dt.date(2031, 6, 7))  # a Saturday worked

    response = admin_client.post(f"/admin/common/calendarday/{day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not workdays.is_workday(dt.date(2031, 6, 7))


def test_admin_refuses_a_make_up_workday_on_a_weekday(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/common/calendarday/add/",
        {"date": "2031-06-02", "kind": "workday", "name": "", "notice_year": ""},
    )
    assert response.status_code == 200
    assert "must be a Saturday or a Sunday" in response.content.decode()
    response = admin_client.post(
        "/admin/common/calendarday/add/",
        {"date": "2031-06-02", "kind": "holiday", "name": "", "notice_year": "2033"},
    )
    assert "notice of its own year" in response.content.decode()
    assert not CalendarDay.objects.filter(date=dt.date(2031, 6, 2)).exists()


def test_changelist_filters_by_notice_year_and_searches_names(admin_client: Client) -> None:
    response = admin_client.get("/admin/common/calendarday/?year=2026&q=国庆")
    listed = list(response.context["cl"].result_list)
    assert {day.name for day in listed} == {"国庆节"}
    assert {day.notice_year for day in listed} == {2026}
    assert len(listed) == 9  # 10-01..07 off, 09-20 and 10-10 worked
    years = page(admin_client, "/admin/common/calendaryear/")
    assert CalendarYear.objects.count() >= 23
    assert "chinese-calendar" in years


def test_admin_edits_are_audited_and_need_the_city_role(
    login: Any, tree: dict[str, Any], city_admin: Any, xc_secretary: Any
) -> None:
    from grassroots.audit.models import AuditEntry
    from grassroots.org.models import User

    User.objects.filter(pk__in=[city_admin.pk, xc_secretary.pk]).update(is_staff=True)
    city_admin.refresh_from_db()
    xc_secretary.refresh_from_db()
    form = {"date": "2031-06-02", "kind": "holiday", "name": "测试", "notice_year": 2031}
    refused = login(xc_secretary).post("/admin/common/calendarday/add/", form)
    assert refused.status_code == 403
    assert not CalendarDay.objects.filter(date=dt.date(2031, 6, 2)).exists()
    created = login(city_admin).post("/admin/common/calendarday/add/", form)
    assert created.status_code == 302
    entry = AuditEntry.objects.get(action="common.calendarday.created")
    assert entry.actor == city_admin
    assert entry.after["name"] == "测试"

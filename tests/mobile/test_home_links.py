"""The grid worker's phone home leads to their care visits (with the overdue count) and to
the people and places of their grid."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_the_phone_home_links_visits_with_the_overdue_count(
    login: Any, grid_worker: Any, make_household: Any, dept_staff: Any
) -> None:
    from grassroots.residents.models import KeyGroup, KeyPerson

    person = make_household(members=1).members.get()
    KeyPerson.objects.create(
        resident=person,
        group=KeyGroup.objects.get(code="elderly_alone"),
        grid=person.household.grid,
        since=dt.date(2026, 1, 1),
        due_on=timezone.localdate() - dt.timedelta(days=3),
    )
    page = login(grid_worker).get(reverse("mobile:home"))
    html = page.content.decode()
    assert reverse("residents:m_visits") in html and reverse("residents:m_home") in html
    assert page.context["visits_overdue"] == 1
    assert "我的走访" in html and "1 人超期" in html

"""When a person leaves (moves out, dies, or their household moves out), their care ends
that day; the household page shows each member's care and leads to adding one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from grassroots.residents.actions.care import add_to_group
from grassroots.residents.actions.households import (
    record_deceased,
    record_moved_out,
    set_household_status,
)
from grassroots.residents.models import KeyGroup, KeyPerson

pytestmark = pytest.mark.django_db

SINCE = dt.date(2026, 3, 1)


def _in_care(person: Any, actor: Any, code: str = "elderly_alone") -> KeyPerson:
    return add_to_group(person, KeyGroup.objects.get(code=code), actor=actor, since=SINCE)


@pytest.mark.parametrize("leave", [record_moved_out, record_deceased])
def test_a_person_who_leaves_is_no_longer_owed_visits(
    leave: Any, make_household: Any, village_cadre: Any
) -> None:
    person = make_household(members=1).members.get()
    kp = _in_care(person, village_cadre)
    leave(person, actor=village_cadre, on=dt.date(2026, 5, 4))
    kp.refresh_from_db()
    assert kp.ended_on == dt.date(2026, 5, 4)
    assert kp.end_reason in {"迁出", "死亡"}


def test_a_household_moving_out_ends_the_care_of_everyone_in_it(
    make_household: Any, village_cadre: Any
) -> None:
    household = make_household(members=2)
    first, second = household.members.order_by("pk")
    cares = [_in_care(first, village_cadre), _in_care(second, village_cadre, "disabled")]
    set_household_status(household, actor=village_cadre, status="moved_out", on="2026-06-01")
    assert {KeyPerson.objects.get(pk=c.pk).ended_on for c in cares} == {dt.date(2026, 6, 1)}


def test_the_household_page_shows_each_members_care(
    make_household: Any, village_cadre: Any, login: Any
) -> None:
    household = make_household(members=2)
    first, second = household.members.order_by("pk")
    kp = _in_care(first, village_cadre)
    html = login(village_cadre).get(reverse("residents:household_detail", args=[household.pk]))
    text = html.content.decode()
    assert reverse("residents:care_detail", args=[kp.pk]) in text
    assert "独居老人" in text
    assert reverse("residents:care_add", args=[second.pk]) in text


def test_the_overview_counts_people_in_care_and_overdue_visits(
    make_household: Any, village_cadre: Any, login: Any, outsider: Any
) -> None:
    person = make_household(members=1).members.get()
    _in_care(person, village_cadre)  # due 7 days after 2026-03-01: long overdue
    page = login(village_cadre).get(reverse("residents:home"))
    assert page.context["care"] == {"in_care": 1, "overdue": 1}
    assert reverse("residents:overdue") in page.content.decode()
    assert login(outsider).get(reverse("residents:home")).context["care"]["in_care"] == 0

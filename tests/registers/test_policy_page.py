"""The registers' policy page: the city office edits the city's policy (every field
checked), a unit leader reads the policy that applies; a baseline change refreshes the
construction cases' "new" flags."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from grassroots.audit.models import AuditEntry
from grassroots.registers.actions import policy as policy_actions
from grassroots.registers.errors import RegistersError
from grassroots.registers.models import Policy

pytestmark = pytest.mark.django_db

URL = "/registers/policy/"
GOOD = {
    "homestead_area_limit": "120",
    "rectify_workdays": "40",
    "baseline": "2015-12-31",
    "stop_within_days": "3",
    "construction_workdays": "20",
    "window_first_year": "2021",
    "window_last_year": "2030",
    "review_every_days": "90",
}


def test_the_url_name() -> None:
    assert reverse("registers:policy") == URL


def test_the_city_office_saves_the_citys_policy(
    tree: dict[str, Any], login: Any, city_admin: Any
) -> None:
    client = login(city_admin)
    page = client.get(URL)
    assert page.status_code == 200
    assert 'name="homestead_area_limit"' in page.content.decode()
    answer = client.post(URL, GOOD)
    assert answer.status_code == 302
    policy = Policy.objects.get(unit=tree["city"])
    assert policy.homestead_area_limit == Decimal(120)
    assert policy.rectify_workdays == 40
    entry = AuditEntry.objects.get(action="registers.policy.updated")
    assert entry.after == {"homestead_area_limit": "120.00", "rectify_workdays": 40}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("homestead_area_limit", "5"),
        ("homestead_area_limit", "1001"),
        ("homestead_area_limit", "12.345"),
        ("rectify_workdays", "0"),
        ("review_every_days", "366"),
        ("stop_within_days", "-1"),
        ("baseline", "1999-12-31"),
        ("baseline", "2999-01-01"),
        ("window_first_year", "1999"),
        ("window_last_year", "2101"),
        ("window_last_year", "2020"),  # before the first year
    ],
)
def test_every_field_is_checked(login: Any, city_admin: Any, field: str, value: str) -> None:
    answer = login(city_admin).post(URL, {**GOOD, field: value})
    assert answer.status_code == 400
    assert f'data-field="{field}"' in answer.content.decode()
    errors = answer.context["form"].errors
    assert field in errors
    assert not Policy.objects.exists()


def test_a_form_that_does_not_parse_is_a_400(login: Any, city_admin: Any) -> None:
    answer = login(city_admin).post(URL, {**GOOD, "rectify_workdays": "abc", "baseline": "x\x00"})
    assert answer.status_code == 400
    assert not Policy.objects.exists()


def test_a_unit_leader_reads_the_policy_that_applies(
    tree: dict[str, Any], login: Any, xc_secretary: Any
) -> None:
    Policy.objects.create(unit=tree["city"], homestead_area_limit=Decimal(135))
    client = login(xc_secretary)
    page = client.get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "135" in text and 'name="homestead_area_limit"' not in text
    assert "西昌市" in text  # where it comes from
    assert client.post(URL, GOOD).status_code == 403
    assert Policy.objects.get().homestead_area_limit == Decimal(135)


def test_who_may_not_see_it(login: Any, resident: Any, dept_staff: Any, city_admin: Any) -> None:
    assert login(resident).get(URL).status_code == 403
    assert login(dept_staff).get(URL).status_code == 403
    assert login(city_admin).get(URL, {"unit": "513401102"}).status_code == 404


def test_a_baseline_change_refreshes_the_construction_flags(
    tree: dict[str, Any], city_admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Any, Any]] = []
    monkeypatch.setattr(
        policy_actions,
        "construction_refresh",
        lambda: lambda unit, actor: calls.append((unit, actor)),
    )
    policy_actions.update_policy(tree["city"], {"rectify_workdays": 30}, actor=city_admin)
    assert calls == []  # the baseline did not change
    policy_actions.update_policy(tree["city"], {"baseline": dt.date(2016, 6, 30)}, actor=city_admin)
    assert calls == [(tree["city"], city_admin)]


def test_the_construction_register_offers_the_refresh() -> None:
    assert callable(policy_actions.construction_refresh())


def test_a_township_policy_starts_from_the_one_that_applied(
    tree: dict[str, Any], city_admin: Any
) -> None:
    Policy.objects.create(unit=tree["city"], homestead_area_limit=Decimal(130), rectify_workdays=45)
    own = policy_actions.update_policy(tree["lizhou"], {"rectify_workdays": 50}, actor=city_admin)
    assert (own.homestead_area_limit, own.rectify_workdays) == (Decimal(130), 50)


def test_unknown_fields_and_outsiders_are_refused(
    tree: dict[str, Any], city_admin: Any, xc_secretary: Any
) -> None:
    with pytest.raises(RegistersError) as caught:
        policy_actions.update_policy(tree["city"], {"colour": "red"}, actor=city_admin)
    assert caught.value.field == "colour"
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        policy_actions.update_policy(tree["lizhou"], {"rectify_workdays": 9}, actor=xc_secretary)
    assert not Policy.objects.exists()

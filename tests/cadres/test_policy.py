"""The organisation department's policy (``set_policy`` and the ``cadres:policy`` page):
every rule on its field, nothing written on bad input, the nearest policy above a unit
applies, and the weights reach the ranking."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

GOOD: dict[str, Any] = {
    "reserve_ratio": "2.5",
    "yearly_training_hours": "60",
    "excellent_quota_percent": 15,
    "public_notice_workdays": 7,
    "min_grassroots_years": 3,
    "max_age": {"deputy_section": 40, "section_chief": 45, "staff": None},
    "weights": {
        "hard_post_months": 30,
        "training_hours": 10,
        "yearly_grades": 20,
        "unit_assessment": 10,
        "key_moments": 20,
        "grassroots_years": 10,
        "age": 0,
    },
}


def policies() -> list[dict[str, Any]]:
    from grassroots.cadres.models import Policy

    return [dict(row) for row in Policy.objects.order_by("pk").values()]


def audit_count() -> int:
    from grassroots.audit.models import AuditEntry

    return AuditEntry.objects.filter(action="cadres.policy.set").count()


def test_the_department_sets_a_policy_that_the_units_below_follow(
    org_dept: Any, tree: dict[str, Any]
) -> None:
    from grassroots.cadres.actions.policy import set_policy
    from grassroots.cadres.queries import policy_for

    policy = set_policy(tree["city"], actor=org_dept, **GOOD)

    assert policy.reserve_ratio == Decimal("2.5")
    assert policy.max_age == {"deputy_section": 40, "section_chief": 45}
    assert policy.weights["age"] == 0 and policy.weights["hard_post_months"] == 30
    inherited = policy_for(tree["village"])
    assert inherited.pk == policy.pk
    assert audit_count() == 1

    own = set_policy(tree["lizhou"], actor=org_dept, **{**GOOD, "min_grassroots_years": 5})
    assert policy_for(tree["village"]).pk == own.pk
    assert policy_for(tree["anning"]).pk == policy.pk


def test_saving_again_updates_the_same_row(org_dept: Any, tree: dict[str, Any]) -> None:
    from grassroots.cadres.actions.policy import set_policy

    set_policy(tree["city"], actor=org_dept, **GOOD)
    set_policy(tree["city"], actor=org_dept, **{**GOOD, "excellent_quota_percent": 20})
    [row] = policies()
    assert row["excellent_quota_percent"] == 20
    assert audit_count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reserve_ratio": "0"}, "reserve_ratio"),
        ({"reserve_ratio": "-1"}, "reserve_ratio"),
        ({"reserve_ratio": "1.234"}, "reserve_ratio"),
        ({"reserve_ratio": "two"}, "reserve_ratio"),
        ({"yearly_training_hours": "-0.5"}, "yearly_training_hours"),
        ({"excellent_quota_percent": 101}, "excellent_quota_percent"),
        ({"public_notice_workdays": 0}, "public_notice_workdays"),
        ({"public_notice_workdays": 31}, "public_notice_workdays"),
        ({"min_grassroots_years": -1}, "min_grassroots_years"),
        ({"weights": {**GOOD["weights"], "age": 101}}, "weight_age"),
        ({"weights": {**GOOD["weights"], "training_hours": -1}}, "weight_training_hours"),
        ({"weights": {**GOOD["weights"], "luck": 5}}, "weight_luck"),
        ({"max_age": {"deputy_section": 17}}, "max_age_deputy_section"),
        ({"max_age": {"section_chief": 66}}, "max_age_section_chief"),
        ({"max_age": {"minister": 50}}, "max_age_minister"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_changes_nothing(
    org_dept: Any, tree: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    from grassroots.cadres.actions.policy import set_policy
    from grassroots.cadres.errors import CadresError

    set_policy(tree["city"], actor=org_dept, **GOOD)
    before = policies()
    with pytest.raises(CadresError) as exc:
        set_policy(tree["city"], actor=org_dept, **{**GOOD, **change})
    assert exc.value.field == field
    assert policies() == before
    assert audit_count() == 1


def test_only_the_organisation_department_sets_it(
    xc_secretary: Any, city_admin: Any, tree: dict[str, Any]
) -> None:
    from grassroots.cadres.actions.policy import set_policy

    for who in (xc_secretary, city_admin):
        with pytest.raises(PermissionDenied):
            set_policy(tree["lizhou"], actor=who, **GOOD)
    assert policies() == []


# --- the page ----------------------------------------------------------------------------


def form_data(**change: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reserve_ratio": "2",
        "yearly_training_hours": "56",
        "excellent_quota_percent": "20",
        "public_notice_workdays": "5",
        "min_grassroots_years": "2",
        "weight_hard_post_months": "20",
        "weight_training_hours": "15",
        "weight_yearly_grades": "20",
        "weight_unit_assessment": "10",
        "weight_key_moments": "15",
        "weight_grassroots_years": "10",
        "weight_age": "10",
        "max_age_deputy_section": "40",
        "max_age_section_chief": "",
        "max_age_staff": "",
        "max_age_village_head": "",
        "max_age_village": "",
    }
    data.update(change)
    return data


def test_the_page_shows_the_defaults_and_saves(
    login: Any, org_dept: Any, tree: dict[str, Any]
) -> None:
    from grassroots.cadres.models import Policy

    client = login(org_dept)
    url = reverse("cadres:policy")
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="weight_hard_post_months"' in body and 'value="20"' in body
    assert 'name="max_age_deputy_section"' in body

    response = client.post(f"{url}?unit={tree['lizhou'].code}", form_data(weight_age="0"))
    assert response.status_code == 302
    saved = Policy.objects.get()
    assert saved.unit == tree["lizhou"]
    assert saved.weights["age"] == 0 and saved.max_age == {"deputy_section": 40}

    # 礼州镇 has its own; 安宁镇 follows the defaults
    own = client.get(f"{url}?unit={tree['lizhou'].code}").content.decode()
    assert 'name="weight_age"' in own and re.search(r'name="weight_age"[^>]*value="0"', own)


def test_a_bad_weight_is_shown_on_its_field(login: Any, org_dept: Any) -> None:
    response = login(org_dept).post(reverse("cadres:policy"), form_data(weight_age="150"))
    assert response.status_code == 400
    body = response.content.decode()
    assert re.search(r'data-field="weight_age".*?class="error"', body, flags=re.S)
    assert policies() == []


@pytest.mark.parametrize("who", ["xc_secretary", "city_admin", "supervisor"])
def test_others_do_not_see_the_policy(
    login: Any, who: str, request: pytest.FixtureRequest, org_dept: Any
) -> None:
    client = login(request.getfixturevalue(who))
    assert client.get(reverse("cadres:policy")).status_code == 404
    assert client.post(reverse("cadres:policy"), form_data()).status_code == 404


def test_a_unit_outside_the_scope_is_not_found(login: Any, org_dept: Any) -> None:
    assert login(org_dept).get(reverse("cadres:policy"), {"unit": "999999"}).status_code == 404

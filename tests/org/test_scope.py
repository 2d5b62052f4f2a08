"""Scope: a membership sees its unit's subtree, for the actions its role is granted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from grassroots.org.models import Membership, Unit
from grassroots.org.permissions import can, require
from grassroots.org.queries import active_grants

pytestmark = pytest.mark.django_db


def codes(qs: Any) -> set[str]:
    return set(qs.values_list("code", flat=True))


def test_within_is_the_unit_and_its_subtree(tree: dict[str, Any]) -> None:
    assert codes(Unit.objects.within(tree["lizhou"])) == {
        "513401101",
        "513401101201",
        "513401101202",
        "513401101201001",
    }
    assert codes(Unit.objects.below(tree["village"])) == {"513401101201001"}


def test_prefix_of_a_code_is_not_a_subtree(tree: dict[str, Any]) -> None:
    # 5134011 would be a textual prefix of 513401101's path segment; paths split on dots.
    Unit.objects.create(code="5134011019", name="假单位", kind="township", parent=tree["city"])
    assert "5134011019" not in codes(Unit.objects.within(tree["lizhou"]))


def test_village_cadre_sees_own_village_only(tree: dict[str, Any], village_cadre: Any) -> None:
    assert codes(Unit.objects.visible_to(village_cadre)) == {"513401101201", "513401101201001"}
    assert can(village_cadre, "org.view_unit", tree["village"])
    assert not can(village_cadre, "org.view_unit", tree["neighbour_village"])
    assert not can(village_cadre, "org.view_unit", tree["lizhou"])


def test_township_leader_sees_township_not_the_other(
    tree: dict[str, Any], xc_secretary: Any, outsider: Any
) -> None:
    assert "513401102201" not in codes(Unit.objects.visible_to(xc_secretary))
    assert codes(Unit.objects.visible_to(outsider)) == {"513401102", "513401102201"}


def test_city_admin_sees_everything_below_the_city(tree: dict[str, Any], city_admin: Any) -> None:
    assert codes(Unit.objects.visible_to(city_admin)) == codes(Unit.objects.all())
    assert can(city_admin, "org.change_unit", tree["grid"])


def test_resident_and_anonymous_see_nothing(tree: dict[str, Any], resident: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not Unit.objects.visible_to(resident).exists()
    assert not Unit.objects.visible_to(AnonymousUser()).exists()
    assert not can(AnonymousUser(), "org.view_unit", tree["city"])


def test_role_grants_only_its_actions(tree: dict[str, Any], supervisor: Any) -> None:
    assert can(supervisor, "org.view_unit", tree["village"])
    assert not can(supervisor, "org.change_unit", tree["village"])
    with pytest.raises(PermissionDenied):
        require(supervisor, "org.change_unit", tree["village"])


def test_expired_membership_grants_nothing(tree: dict[str, Any], village_cadre: Any) -> None:
    Membership.objects.filter(user=village_cadre).update(
        valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2021, 1, 1)
    )
    village_cadre.refresh_from_db()
    assert active_grants(village_cadre) == ()
    assert not Unit.objects.visible_to(village_cadre).exists()


def test_inactive_unit_grants_nothing(tree: dict[str, Any], village_cadre: Any) -> None:
    Unit.objects.filter(pk=tree["village"].pk).update(active=False)
    assert not can(village_cadre, "org.view_unit", tree["grid"])


def test_several_memberships_union(tree: dict[str, Any], village_cadre: Any) -> None:
    Membership.objects.create(user=village_cadre, unit=tree["other_village"], role="village_cadre")
    village_cadre.refresh_from_db()
    assert codes(Unit.objects.visible_to(village_cadre)) == {
        "513401101201",
        "513401101201001",
        "513401102201",
    }

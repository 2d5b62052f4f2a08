"""Writes to the tree and to memberships: scoped, locked, audited, and clear when refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from grassroots.audit.models import AuditEntry
from grassroots.org import actions
from grassroots.org.errors import OrgError
from grassroots.org.models import Membership, Unit

pytestmark = pytest.mark.django_db


def test_create_unit_is_audited(tree: dict[str, Any], city_admin: Any) -> None:
    unit = actions.create_unit(
        actor=city_admin,
        code="513401101203",
        name="新村",
        kind="village",
        parent=tree["lizhou"],
        households=800,
    )
    assert unit.path == "513401.513401101.513401101203"
    assert unit.depth == 2
    entry = AuditEntry.objects.get(action="org.unit.created")
    assert entry.actor == city_admin
    assert entry.after["households"] == 800


def test_township_leader_cannot_change_units(tree: dict[str, Any], xc_secretary: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.update_unit(tree["village"].pk, actor=xc_secretary, changes={"name": "改名"})
    assert Unit.objects.get(pk=tree["village"].pk).name == "礼州村"
    assert not AuditEntry.objects.filter(action="org.unit.changed").exists()


def test_moving_a_unit_rewrites_its_subtree(tree: dict[str, Any], city_admin: Any) -> None:
    actions.update_unit(tree["village"].pk, actor=city_admin, changes={"parent": tree["anning"]})
    grid = Unit.objects.get(code="513401101201001")
    assert grid.path == "513401.513401102.513401101201.513401101201001"
    assert grid.depth == 3
    assert set(Unit.objects.within(tree["anning"]).values_list("code", flat=True)) >= {
        "513401101201",
        "513401101201001",
    }
    entry = AuditEntry.objects.get(action="org.unit.changed")
    assert entry.before["parent"] == "513401101"
    assert entry.after["parent"] == "513401102"


def test_a_unit_cannot_move_below_itself(tree: dict[str, Any], city_admin: Any) -> None:
    with pytest.raises(OrgError) as err:
        actions.update_unit(tree["lizhou"].pk, actor=city_admin, changes={"parent": tree["grid"]})
    assert err.value.field == "parent"
    assert Unit.objects.get(pk=tree["lizhou"].pk).path == "513401.513401101"


def test_grant_and_end_membership(tree: dict[str, Any], xc_secretary: Any, resident: Any) -> None:
    m = actions.grant_membership(
        actor=xc_secretary,
        user=resident,
        unit=tree["village"],
        role="village_cadre",
        title="村委委员",
    )
    assert Unit.objects.visible_to(resident).filter(code="513401101201").exists()
    today = timezone.localdate()
    actions.end_membership(m.pk, actor=xc_secretary)
    assert Membership.objects.get(pk=m.pk).valid_to == today
    assert AuditEntry.objects.filter(action__startswith="org.membership.").count() == 2
    resident.refresh_from_db()  # drops the cached grants
    with time_machine.travel(today + dt.timedelta(days=1)):
        assert not Unit.objects.visible_to(resident).exists()


def test_end_date_before_start_is_refused(
    tree: dict[str, Any], xc_secretary: Any, resident: Any
) -> None:
    with pytest.raises(OrgError) as err:
        actions.grant_membership(
            actor=xc_secretary,
            user=resident,
            unit=tree["village"],
            role="village_cadre",
            valid_from=dt.date(2026, 5, 1),
            valid_to=dt.date(2026, 4, 1),
        )
    assert err.value.field == "valid_to"
    assert not Membership.objects.filter(user=resident).exists()


def test_leader_cannot_grant_roles_in_another_township(
    tree: dict[str, Any], outsider: Any, resident: Any
) -> None:
    with pytest.raises(PermissionDenied):
        actions.grant_membership(
            actor=outsider, user=resident, unit=tree["village"], role="village_cadre"
        )

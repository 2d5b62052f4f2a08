"""The Django admin: in Chinese, scoped by role, writing through the actions."""

from __future__ import annotations

from typing import Any

import pytest

from grassroots.audit.models import AuditEntry
from grassroots.org.models import Unit, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_city_admin(city_admin: Any) -> Any:
    User.objects.filter(pk=city_admin.pk).update(is_staff=True)
    city_admin.refresh_from_db()
    return city_admin


def test_admin_index_is_in_chinese(login: Any, staff_city_admin: Any) -> None:
    body = login(staff_city_admin).get("/admin/").content.decode()
    assert "单位" in body  # the Unit model, translated
    assert "站点管理" in body or "管理" in body


def test_admin_unit_list_is_scoped(login: Any, tree: dict[str, Any], xc_secretary: Any) -> None:
    User.objects.filter(pk=xc_secretary.pk).update(is_staff=True)
    response = login(xc_secretary).get("/admin/org/unit/")
    assert response.status_code == 200
    shown = {u.code for u in response.context["cl"].result_list}
    assert "513401101201" in shown
    assert "513401102201" not in shown


def test_admin_edit_goes_through_the_action(
    login: Any, tree: dict[str, Any], staff_city_admin: Any
) -> None:
    village = tree["village"]
    response = login(staff_city_admin).post(
        f"/admin/org/unit/{village.pk}/change/",
        {
            "name": "礼州村(新)",
            "kind": "village",
            "parent": tree["lizhou"].pk,
            "peer_group": "513401:village",
            "population": 3000,
            "households": 1000,
            "geometry": "null",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Unit.objects.get(pk=village.pk).name == "礼州村(新)"
    assert AuditEntry.objects.filter(action="org.unit.changed", actor=staff_city_admin).exists()


def test_admin_refuses_a_parent_outside_scope(
    login: Any, tree: dict[str, Any], xc_secretary: Any
) -> None:
    from grassroots.org.permissions import grant

    grant("unit_leader", "org.change_unit")
    try:
        User.objects.filter(pk=xc_secretary.pk).update(is_staff=True)
        response = login(xc_secretary).post(
            "/admin/org/unit/add/",
            {
                "code": "513401102299",
                "name": "越权村",
                "kind": "village",
                "parent": tree["anning"].pk,
                "peer_group": "",
                "population": 0,
                "households": 0,
                "geometry": "null",
                "active": "on",
            },
        )
        assert response.status_code == 200  # the form again, with the error on the field
        assert response.context["adminform"].form.errors["parent"]
        assert not Unit.objects.filter(code="513401102299").exists()
    finally:
        from grassroots.org import permissions

        permissions._GRANTS["unit_leader"].discard("org.change_unit")


def test_demo_city_admin_manages_units_in_the_admin(db: Any, login: Any) -> None:
    from grassroots.demo.seeding import seed

    seed("town", seed=7, months=0)
    city_admin = User.objects.get(username="city_admin")
    client = login(city_admin)
    assert client.get("/admin/org/unit/").status_code == 200
    assert client.get("/admin/org/membership/").status_code == 200
    village_cadre = User.objects.get(username="village_cadre")
    assert login(village_cadre).get("/admin/org/unit/").status_code == 302  # not staff

"""The party-building home page and the oversight case list: who may open them."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("city_admin", 200),
        ("xc_secretary", 200),
        ("village_cadre", 200),
        ("supervisor", 200),
        ("grid_worker", 403),
        ("dept_staff", 403),
        ("resident", 403),
    ],
)
def test_home_by_role(who: str, status: int, request: Any, login: Any) -> None:
    user = request.getfixturevalue(who)
    response = login(user).get(reverse("partybuilding:home"))
    assert response.status_code == status
    if status == 200:
        assert "党建月会" in response.content.decode() or "党建" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("committee_member", 200), ("supervisor", 200), ("village_cadre", 200), ("grid_worker", 403)],
)
def test_oversight_list_by_role(who: str, status: int, request: Any, login: Any) -> None:
    user = request.getfixturevalue(who)
    assert login(user).get(reverse("oversight:home")).status_code == status

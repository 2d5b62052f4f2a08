"""The oversight committee's page of flagged decisions: who sees which village's, and the
link to open a case."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse

from tests.partybuilding.decisions_world import world

pytestmark = pytest.mark.django_db
__all__ = ["world"]


def flags_page(login: Any, user: Any, **query: str) -> str:
    response = login(user).get(reverse("oversight:flags"), query)
    assert response.status_code == 200
    return str(response.content.decode())


def test_a_committee_member_sees_their_village_only(
    world: dict[str, Any], login: Any, committee_member: Any
) -> None:
    page = flags_page(login, committee_member)
    assert "礼州村村道硬化" in page and "村党支部书记" in page
    assert "田坝村水渠维修" not in page and "安宁村文化广场" not in page
    assert "田坝村小额资金" not in page  # below the fund rule's amount: never flagged


def test_the_township_office_sees_every_village_of_its_township(
    world: dict[str, Any], login: Any, supervisor: Any
) -> None:
    page = flags_page(login, supervisor)
    for title in ("礼州村村道硬化", "田坝村水渠维修", "礼州镇饮水工程", "村级考核"):
        assert title in page
    assert "安宁村文化广场" not in page and "田坝村小额资金" not in page
    try:
        reverse("oversight:case_new")
    except NoReverseMatch:
        return
    assert "source=flagged" in page and f"unit={world['t3'].unit_id}" in page


def test_an_authorised_decision_leaves_the_page(
    world: dict[str, Any], login: Any, committee_member: Any, village_cadre: Any
) -> None:
    from grassroots.partybuilding.actions.decisions import link_decision

    link_decision(f"supervision.task:{world['t1'].pk}", world["r_village"].pk, actor=village_cadre)
    assert "礼州村村道硬化" not in flags_page(login, committee_member)


def test_an_outsider_sees_their_own_township_only(
    world: dict[str, Any], login: Any, outsider: Any
) -> None:
    page = flags_page(login, outsider)
    assert "安宁村文化广场" in page and "礼州村村道硬化" not in page


@pytest.mark.parametrize("who", ["grid_worker", "resident", "dept_staff"])
def test_others_may_not_see_it(world: dict[str, Any], login: Any, request: Any, who: str) -> None:
    response = login(request.getfixturevalue(who)).get(reverse("oversight:flags"))
    assert response.status_code == 403


def test_filters_and_garbage(
    world: dict[str, Any], login: Any, supervisor: Any, tree: dict[str, Any]
) -> None:
    page = flags_page(login, supervisor, unit=tree["neighbour_village"].code)
    assert "田坝村水渠维修" in page and "礼州村村道硬化" not in page
    assert "礼州村村道硬化" not in flags_page(login, supervisor, year="2025")
    for query in ({"unit": "\x00"}, {"year": "abc"}, {"page": "-1"}, {"unit": tree["anning"].code}):
        flags_page(login, supervisor, **query)

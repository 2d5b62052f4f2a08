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


def test_village_secretary_sees_this_months_meeting_of_the_village(
    village_cadre: Any, tree: dict[str, Any], login: Any
) -> None:
    from django.utils import timezone

    from grassroots.partybuilding.models import Meeting
    from grassroots.partybuilding.states import MeetingKind

    client = login(village_cadre)
    page = client.get(reverse("partybuilding:home")).content.decode()
    assert "礼州村" in page and "尚未安排" in page
    assert f"{reverse('partybuilding:meeting_new')}?unit={tree['village'].code}" in page
    village = tree["village"]
    meeting = Meeting.objects.create(
        unit=village,
        unit_path=village.path,
        kind=MeetingKind.PARTY_MONTHLY,
        period=f"{timezone.localdate():%Y-%m}",
        title="党建月会",
    )
    page = client.get(reverse("partybuilding:home")).content.decode()
    assert "已安排, 尚未记录" in page
    assert reverse("partybuilding:meeting_record", args=[meeting.pk]) in page
    form = client.get(f"{reverse('partybuilding:meeting_new')}?unit={village.code}")
    assert form.status_code == 200


def test_a_township_leader_gets_no_card_for_the_villages(xc_secretary: Any, login: Any) -> None:
    page = login(xc_secretary).get(reverse("partybuilding:home")).content.decode()
    assert "礼州镇" in page and "礼州村" not in page

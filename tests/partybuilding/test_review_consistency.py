"""Pages that count the same things agree: the party-building home page's figures and the
list pages they link to; the missed-month page and ``monthly_meetings_on_schedule``; the
venues map's "meets the standard" and ``venue_standard_rate``'s numerator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from grassroots.common.metrics import Period, get
from grassroots.partybuilding.actions import culture as culture_actions
from grassroots.partybuilding.actions import meetings as meeting_actions
from grassroots.partybuilding.actions.venues import move_venue
from grassroots.partybuilding.states import CompetitionStatus
from tests.conftest import ensure_party_defaults
from tests.partybuilding import meetings_support as ms
from tests.partybuilding import venues_support as vs
from tests.partybuilding.competitions_support import make_competition, ready_competition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(tmp_path: Any, settings: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_party_defaults()
    with time_machine.travel(ms.NOW, tick=False):
        yield


@pytest.fixture
def world(
    tree: dict[str, Any],
    city_admin: Any,
    xc_secretary: Any,
    village_cadre: Any,
    neighbour_cadre: Any,
    outsider: Any,
) -> dict[str, Any]:
    # October 2026 (this month): 礼州村 held, 田坝村 cancelled, 礼州镇 planned, 安宁村 held
    ms.held(village_cadre, tree["village"], "2026-10", "2026-10-12")
    cancelled = ms.planned(neighbour_cadre, tree["neighbour_village"], "2026-10")
    meeting_actions.cancel_meeting(cancelled.pk, actor=neighbour_cadre, reason="防汛")
    ms.planned(xc_secretary, tree["lizhou"], "2026-10")
    ms.held(city_admin, tree["other_village"], "2026-10", "2026-10-08")
    # September: 礼州村 on time, 田坝村 late (held on 10-02), 礼州镇 none, 安宁村 planned
    ms.held(village_cadre, tree["village"], "2026-09", "2026-09-28")
    ms.held(neighbour_cadre, tree["neighbour_village"], "2026-09", "2026-10-02")
    ms.planned(city_admin, tree["other_village"], "2026-09")
    # venues: 礼州村 meets; 田坝村 met then closed, and one building; 安宁村 fails
    a = vs.venue(city_admin, tree["village"])
    vs.inspect(city_admin, a, "2026-10-01", vs.all_ids())
    b = vs.venue(city_admin, tree["neighbour_village"], "田坝村阵地")
    vs.inspect(city_admin, b, "2026-09-01", vs.all_ids())
    move_venue(b.pk, actor=city_admin, status="closed")
    vs.venue(
        city_admin, tree["neighbour_village"], "田坝村新阵地", status="building", built_on=None
    )
    c = vs.venue(city_admin, tree["other_village"], "安宁村阵地")
    vs.inspect(city_admin, c, "2026-10-01", [])
    # culture: a retired performer is off the roster
    for unit in (tree["village"], tree["other_village"]):
        culture_actions.create_song(unit, {"title": f"{unit.name}之歌"}, actor=city_admin)
        culture_actions.create_motto(unit, {"family": "王家", "motto": "勤俭"}, actor=city_admin)
        culture_actions.create_performer(
            unit, {"name": "阿说", "specialty": "singing"}, actor=city_admin
        )
    retired = culture_actions.create_performer(
        tree["village"], {"name": "老李", "specialty": "dance"}, actor=city_admin
    )
    culture_actions.deactivate_performer(retired.pk, actor=city_admin)
    # competitions: one in preparation, one published (not under way)
    make_competition(tree["lizhou"], xc_secretary, title="筹备中的竞演")
    done, *_rest = ready_competition(tree, xc_secretary, title="已公布的竞演")
    type(done).objects.filter(pk=done.pk).update(status=CompetitionStatus.PUBLISHED)
    return tree


def total(client: Any, name: str, link: str = "") -> int:
    response = client.get(reverse(f"partybuilding:{name}") + link)
    assert response.status_code == 200, (name, link)
    return int(response.context["page"].paginator.count)


@pytest.mark.parametrize("role", ["city_admin", "xc_secretary", "village_cadre", "outsider"])
def test_the_home_page_figures_are_the_linked_lists_totals(
    world: dict[str, Any], role: str, request: Any, login: Any
) -> None:
    client = login(request.getfixturevalue(role))
    home = client.get(reverse("partybuilding:home"))
    assert home.status_code == 200
    o = home.context["o"] if "o" in home.context else home.context["overview"]
    text = home.content.decode()
    month = "?period=2026-10&kind=party_monthly"
    assert o.monthly_planned == total(client, "meetings", month)
    assert o.monthly_held == total(client, "meetings", month + "&status=held")
    assert o.venues == total(client, "venues")
    assert o.venues_meeting_standard == total(client, "venues", "?meets=yes")
    assert o.songs == total(client, "songs")
    assert o.mottos == total(client, "mottos")
    assert o.performers == total(client, "performers")
    competitions = reverse("partybuilding:competitions")
    link = next(
        (part.split('"')[0] for part in text.split('href="')[1:] if part.startswith(competitions)),
        None,
    )
    assert link is not None
    assert o.competitions_open == total(client, "competitions", link[len(competitions) :])


@pytest.mark.parametrize("month", ["2026-09", "2026-10"])
def test_the_missed_page_and_the_on_schedule_metric_agree(
    world: dict[str, Any], city_admin: Any, xc_secretary: Any, login: Any, month: str
) -> None:
    metric = get("partybuilding.monthly_meetings_on_schedule")
    for user, unit in ((city_admin, world["city"]), (xc_secretary, world["lizhou"])):
        (value,) = metric(Period.parse(month), [unit])
        missed = total(login(user), "missed", f"?period={month}")
        assert missed == value.denominator - value.numerator, (unit.name, month)


def test_the_map_counts_the_metrics_villages_meeting_the_standard(
    world: dict[str, Any], city_admin: Any, xc_secretary: Any, login: Any
) -> None:
    metric = get("partybuilding.venue_standard_rate")
    for user, unit in ((city_admin, world["city"]), (xc_secretary, world["lizhou"])):
        (value,) = metric(Period.parse("2026-10"), [unit])
        page = login(user).get(reverse("partybuilding:venues_map"))
        legend = {state: n for state, _label, n, _fill in page.context["legend"]}
        assert legend["meets"] == value.numerator, unit.name
        assert sum(legend.values()) == value.denominator, unit.name

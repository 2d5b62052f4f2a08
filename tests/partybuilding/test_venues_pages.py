"""The venues pages by role: the list (filters, masking, no N+1), a venue's page, the
forms, the inspection form (400 with a Chinese message, nothing written), the photos, the
checklist page and the coverage map."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grassroots.partybuilding.models import ChecklistItem, Inspection, Venue
from tests.partybuilding.venues_support import (
    NOW,
    all_ids,
    ids_without,
    inspect,
    not_a_photo,
    photo,
    venue,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def venues(tree: dict[str, Any], city_admin: Any) -> dict[str, Venue]:
    return {
        "lizhou": venue(city_admin, tree["village"], manager="张管理 13812345678"),
        "anning": venue(city_admin, tree["other_village"], "安宁村文化院坝", kind="culture_yard"),
    }


@pytest.mark.parametrize(
    ("who", "status", "sees_anning"),
    [
        ("city_admin", 200, True),
        ("xc_secretary", 200, False),
        ("village_cadre", 200, False),
        ("supervisor", 200, False),
        ("grid_worker", 403, False),
        ("resident", 403, False),
    ],
)
def test_list_by_role(
    request: Any, login: Any, venues: Any, who: str, status: int, sees_anning: bool
) -> None:
    page = login(request.getfixturevalue(who)).get(reverse("partybuilding:venues"))
    assert page.status_code == status
    if status == 200:
        html = page.content.decode()
        assert "礼州村党群服务中心" in html
        assert ("安宁村文化院坝" in html) is sees_anning
        assert "13812345678" not in html and "138****5678" in html


def test_list_filters_and_bad_parameters(
    login: Any, city_admin: Any, venues: Any, xc_secretary: Any
) -> None:
    inspect(xc_secretary, venues["lizhou"], "2026-05-10", all_ids())
    client = login(city_admin)
    html = client.get(reverse("partybuilding:venues") + "?meets=yes").content.decode()
    assert "礼州村党群服务中心" in html and "安宁村文化院坝" not in html
    html = client.get(reverse("partybuilding:venues") + "?meets=never").content.decode()
    assert "礼州村党群服务中心" not in html and "安宁村文化院坝" in html
    html = client.get(reverse("partybuilding:venues") + "?kind=culture_yard").content.decode()
    assert "礼州村党群服务中心" not in html
    html = client.get(reverse("partybuilding:venues") + "?unit=513401102").content.decode()
    assert "礼州村党群服务中心" not in html and "安宁村文化院坝" in html
    for query in ("?kind=x", "?unit=%00", "?q=%00", "?page=abc", "?meets=" + "x" * 500):
        assert client.get(reverse("partybuilding:venues") + query).status_code == 200


def test_list_query_count_does_not_grow(login: Any, city_admin: Any, tree: dict[str, Any]) -> None:
    client = login(city_admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("partybuilding:venues")).status_code == 200
        return len([q for q in ctx.captured_queries if "common_calendar" not in q["sql"]])

    venue(city_admin, tree["village"], "一号")
    few = count()
    for n in range(8):
        venue(city_admin, tree["neighbour_village"], f"阵地{n}")
    assert count() == few


def test_village_cadre_records_its_venue_but_cannot_inspect(
    login: Any, village_cadre: Any, tree: dict[str, Any]
) -> None:
    client = login(village_cadre)
    assert client.get(reverse("partybuilding:venue_new")).status_code == 200
    response = client.post(
        reverse("partybuilding:venue_new"),
        {
            "unit": tree["village"].code,
            "kind": "activity",
            "name": "礼州村活动室",
            "status": "building",
            "area_m2": "220",
        },
    )
    assert response.status_code == 302, response.content.decode()
    v = Venue.objects.get(name="礼州村活动室")
    assert client.get(reverse("partybuilding:venue_detail", args=[v.pk])).status_code == 200
    assert client.get(reverse("partybuilding:venue_inspect", args=[v.pk])).status_code == 403
    response = client.post(
        reverse("partybuilding:venue_status", args=[v.pk]),
        {"status": "in_use", "completed_on": "2026-05-01"},
    )
    assert response.status_code == 302
    v.refresh_from_db()
    assert v.status == "in_use" and str(v.built_on) == "2026-05-01"
    html = client.get(reverse("partybuilding:venue_detail", args=[v.pk])).content.decode()
    history = html.split('class="history"')[1]
    assert "在建 → 建成使用" in history, history  # the status history
    # another village: not in the choices
    response = client.post(
        reverse("partybuilding:venue_new"),
        {
            "unit": tree["neighbour_village"].code,
            "kind": "activity",
            "name": "x",
            "status": "planned",
        },
    )
    assert response.status_code == 400
    response = client.post(
        reverse("partybuilding:venue_status", args=[v.pk]), {"status": "planned"}
    )
    assert response.status_code == 409


def test_secretary_inspects_lizhou_not_anning(login: Any, xc_secretary: Any, venues: Any) -> None:
    client = login(xc_secretary)
    lizhou, anning = venues["lizhou"], venues["anning"]
    assert client.get(reverse("partybuilding:venue_inspect", args=[anning.pk])).status_code == 404
    assert client.get(reverse("partybuilding:venue_detail", args=[anning.pk])).status_code == 404
    page = client.get(reverse("partybuilding:venue_inspect", args=[lizhou.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "标识标牌" in html and 'type="checkbox"' in html
    data: dict[str, Any] = {
        "inspected_on": "2026-05-19",
        "met": [str(i) for i in ids_without(5, 6)],
        f"note_{ids_without()[5]}": "书屋登记缺失",
        "note": "总体良好",
        "photos": [photo()],
    }
    response = client.post(reverse("partybuilding:venue_inspect", args=[lizhou.pk]), data)
    assert response.status_code == 302
    ins = Inspection.objects.get()
    assert str(ins.score) == "85.00" and ins.meets_standard
    html = client.get(reverse("partybuilding:venue_detail", args=[lizhou.pk])).content.decode()
    assert "书屋登记缺失" in html and "85.00" in html
    photo_url = reverse("partybuilding:inspection_photo", args=[ins.photos.get().pk])
    assert photo_url in html
    served = client.get(photo_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    b"".join(served.streaming_content)  # not close(): it would close the test's connection
    response = client.post(
        reverse("partybuilding:venue_inspect", args=[anning.pk]), {**data, "photos": []}
    )
    assert response.status_code == 404
    assert Inspection.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"inspected_on": "2026-05-21"}, "日期不能晚于今天"),
        ({"inspected_on": "2026-02-30"}, "有效"),
        ({"met": ["99999"]}, "标准中没有在用的项目"),
        ({"met": ["1x"]}, "标准中没有在用的项目"),
        ({"photos": [not_a_photo()]}, "照片"),
        ({"note": "x" * 3000}, "3000"),
    ],
)
def test_bad_inspection_is_400_in_chinese(
    login: Any, xc_secretary: Any, venues: Any, change: dict[str, Any], message: str
) -> None:
    data: dict[str, Any] = {"inspected_on": "2026-05-19", "met": [str(i) for i in all_ids()]}
    data.update(change)
    response = login(xc_secretary).post(
        reverse("partybuilding:venue_inspect", args=[venues["lizhou"].pk]), data
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Inspection.objects.exists()


def test_photo_is_scope_checked(
    login: Any, city_admin: Any, outsider: Any, supervisor: Any, venues: Any
) -> None:
    ins = inspect(city_admin, venues["lizhou"], "2026-05-10", all_ids(), photos=[photo()])
    url = reverse("partybuilding:inspection_photo", args=[ins.photos.get().pk])
    served = login(supervisor).get(url)
    assert served.status_code == 200
    b"".join(served.streaming_content)  # not close(): it would close the test's connection
    assert login(outsider).get(url).status_code == 404
    assert login(supervisor).get("/partybuilding/venues/photos/999999/").status_code == 404


def test_supervisor_reads_only(login: Any, supervisor: Any, venues: Any) -> None:
    client = login(supervisor)
    v = venues["lizhou"]
    html = client.get(reverse("partybuilding:venue_detail", args=[v.pk])).content.decode()
    assert "礼州村党群服务中心" in html
    assert reverse("partybuilding:venue_inspect", args=[v.pk]) not in html
    assert client.get(reverse("partybuilding:venue_new")).status_code == 403
    assert client.get(reverse("partybuilding:venue_edit", args=[v.pk])).status_code == 403
    assert client.get(reverse("partybuilding:venue_inspect", args=[v.pk])).status_code == 403
    assert client.post(reverse("partybuilding:venue_status", args=[v.pk]), {}).status_code == 403
    assert client.get(reverse("partybuilding:checklist")).status_code == 403
    assert client.get(reverse("partybuilding:venues_import")).status_code == 403


def test_edit_venue(login: Any, village_cadre: Any, tree: dict[str, Any]) -> None:
    v = venue(village_cadre, tree["village"])
    client = login(village_cadre)
    url = reverse("partybuilding:venue_edit", args=[v.pk])
    assert client.get(url).status_code == 200
    data = {"unit": tree["village"].code, "kind": "activity", "name": v.name, "area_m2": "abc"}
    response = client.post(url, data)
    assert response.status_code == 400 and "不是数字" in response.content.decode()
    response = client.post(url, {**data, "area_m2": "300.5", "open_hours": "每天 8:00-20:00"})
    assert response.status_code == 302
    v.refresh_from_db()
    assert str(v.area_m2) == "300.50" and v.open_hours == "每天 8:00-20:00"


def test_checklist_page(login: Any, city_admin: Any, xc_secretary: Any) -> None:
    assert login(xc_secretary).get(reverse("partybuilding:checklist")).status_code == 403
    client = login(city_admin)
    url = reverse("partybuilding:checklist")
    html = client.get(url).content.decode()
    assert "党旗" in html and "80" in html
    response = client.post(
        url, {"op": "add", "category": "services", "label": "志愿服务", "points": "5"}
    )
    assert response.status_code == 302
    item = ChecklistItem.objects.get(label="志愿服务")
    response = client.post(url, {"op": "add", "category": "nope", "label": "x", "points": "5"})
    assert response.status_code == 400
    assert client.post(url, {"op": "deactivate", "item": str(item.pk)}).status_code == 302
    item.refresh_from_db()
    assert not item.active
    assert client.post(url, {"op": "up", "item": "abc"}).status_code == 404
    assert client.post(url, {"op": "zzz"}).status_code == 400
    assert client.get(url + f"?edit={item.pk}").status_code == 200
    response = client.post(
        url,
        {
            "op": "edit",
            "item": str(item.pk),
            "category": "services",
            "label": "志愿服务队",
            "points": "8",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.points == 8


def test_map_lists_every_village_with_its_state(
    login: Any, city_admin: Any, xc_secretary: Any, tree: dict[str, Any]
) -> None:
    ok = venue(city_admin, tree["village"])
    inspect(city_admin, ok, "2026-05-10", all_ids())
    venue(city_admin, tree["neighbour_village"], "田坝村阵地", status="building", built_on=None)
    bad = venue(city_admin, tree["other_village"], "安宁村阵地")
    inspect(city_admin, bad, "2026-05-10", [])
    page = login(city_admin).get(reverse("partybuilding:venues_map"))
    assert page.status_code == 200
    html = page.content.decode()
    rows = {
        state: html.split(f'data-state="{state}"')
        for state in ("meets", "building", "not_meeting", "none")
    }
    assert len(rows["meets"]) == 2 and "礼州村" in rows["meets"][1][:400]
    assert len(rows["building"]) == 2 and "田坝村" in rows["building"][1][:400]
    assert len(rows["not_meeting"]) == 2 and "安宁村" in rows["not_meeting"][1][:400]
    mine = login(xc_secretary).get(reverse("partybuilding:venues_map")).content.decode()
    assert "安宁村" not in mine and "礼州村" in mine
    assert login(city_admin).get(reverse("partybuilding:venues_map") + "?unit=x").status_code == 404

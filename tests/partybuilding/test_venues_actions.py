"""Venue actions: registering, moving the status, scoring an inspection (required items,
the pass mark), the latest-by-date rule, bad input, and the checklist's configuration."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from grassroots.audit.models import AuditEntry
from grassroots.partybuilding.actions import venues as actions
from grassroots.partybuilding.errors import IllegalTransition, PartybuildingError
from grassroots.partybuilding.models import Inspection, InspectionPhoto, Venue
from tests.partybuilding.venues_support import (
    NOW,
    all_ids,
    ids_without,
    inspect,
    items,
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


def test_score_of_is_points_met_over_all_points() -> None:
    lines = [(10, True, True), (20, False, True), (10, False, False)]
    assert actions.score_of(lines, Decimal(80)) == (Decimal("75.00"), False)
    assert actions.score_of(lines, Decimal(70)) == (Decimal("75.00"), True)
    assert actions.score_of([(10, True, False), (90, False, True)], Decimal(80)) == (
        Decimal("90.00"),
        False,
    )
    assert actions.score_of([(1, False, True), (2, False, False)], Decimal(0))[0] == Decimal(
        "33.33"
    )


def test_required_item_missing_is_not_meeting_even_at_90(
    tree: dict[str, Any], village_cadre: Any, xc_secretary: Any
) -> None:
    v = venue(village_cadre, tree["village"])
    # The seeded standard: 100 points; item 0 (15 points, required), item 2 (10, required).
    assert sum(i.points for i in items()) == 100
    signage = ids_without(2)  # the required 党旗 item (10 points) missing: 90 points
    ins = inspect(xc_secretary, v, "2026-05-10", signage)
    assert ins.score == Decimal("90.00") and ins.meets_standard is False
    ok = inspect(xc_secretary, v, "2026-05-11", ids_without(5, 6))  # 85 points, all required
    assert ok.score == Decimal("85.00") and ok.meets_standard is True
    v.refresh_from_db()
    assert (v.last_score, v.meets_standard, v.last_inspected_on) == (
        Decimal("85.00"),
        True,
        dt.date(2026, 5, 11),
    )
    entry = AuditEntry.objects.filter(action="partybuilding.venue.inspected").order_by("pk").last()
    assert entry is not None and entry.after["score"] == "85.00"


def test_pass_mark_setting(
    settings: Any, tree: dict[str, Any], village_cadre: Any, xc_secretary: Any
) -> None:
    settings.GRASSROOTS_VENUE_PASS_SCORE = 90
    v = venue(village_cadre, tree["village"])
    assert inspect(xc_secretary, v, "2026-05-10", ids_without(5, 6)).meets_standard is False


def test_latest_by_date_wins_not_latest_recorded(
    tree: dict[str, Any], village_cadre: Any, xc_secretary: Any
) -> None:
    v = venue(village_cadre, tree["village"])
    inspect(xc_secretary, v, "2026-05-15", all_ids())
    inspect(xc_secretary, v, "2026-04-01", [])  # recorded later, but older
    v.refresh_from_db()
    assert v.meets_standard is True and v.last_inspected_on == dt.date(2026, 5, 15)
    assert v.last_score == Decimal("100.00")


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"inspected_on": "2026-05-21"}, "inspected_on", "不能晚于今天"),
        ({"inspected_on": "2026-02-30"}, "inspected_on", "不是日期"),
        ({"met": ["999999"]}, "items", "没有"),
        ({"met": ["abc"]}, "items", "没有"),
        ({"notes": {"x\x00": "a"}}, "items", "没有"),
        ({"note": "a\x00b"}, "note", "不允许"),
    ],
)
def test_bad_inspection_input_writes_nothing(
    tree: dict[str, Any],
    village_cadre: Any,
    xc_secretary: Any,
    kwargs: dict[str, Any],
    field: str,
    message: str,
) -> None:
    v = venue(village_cadre, tree["village"])
    args: dict[str, Any] = {"inspected_on": "2026-05-10", "met": all_ids(), **kwargs}
    with pytest.raises(PartybuildingError) as caught:
        actions.record_inspection(v.pk, actor=xc_secretary, **args)
    assert caught.value.field == field
    assert message in str(caught.value.message)
    assert not Inspection.objects.exists()


def test_a_photo_that_is_not_an_image_is_refused(
    tree: dict[str, Any], village_cadre: Any, xc_secretary: Any
) -> None:
    v = venue(village_cadre, tree["village"])
    with pytest.raises(PartybuildingError) as caught:
        inspect(xc_secretary, v, "2026-05-10", all_ids(), photos=[photo(), not_a_photo()])
    assert caught.value.field == "photos"
    assert not Inspection.objects.exists() and not InspectionPhoto.objects.exists()
    ins = inspect(xc_secretary, v, "2026-05-10", all_ids(), photos=[photo()])
    assert ins.photos.count() == 1


def test_scope_of_inspection(
    tree: dict[str, Any], city_admin: Any, village_cadre: Any, xc_secretary: Any
) -> None:
    v = venue(village_cadre, tree["village"])
    other = venue(city_admin, tree["other_village"], "安宁村文化院坝", kind="culture_yard")
    with pytest.raises(PermissionDenied):
        inspect(village_cadre, v, "2026-05-10", all_ids())
    with pytest.raises(PermissionDenied):
        inspect(xc_secretary, other, "2026-05-10", all_ids())
    assert inspect(city_admin, other, "2026-05-10", all_ids()).meets_standard


def test_planned_venue_cannot_be_inspected(
    tree: dict[str, Any], village_cadre: Any, xc_secretary: Any
) -> None:
    v = venue(village_cadre, tree["village"], status="planned", built_on=None)
    with pytest.raises(PartybuildingError) as caught:
        inspect(xc_secretary, v, "2026-05-10", all_ids())
    assert caught.value.http_status == 409


def test_venue_rules(tree: dict[str, Any], village_cadre: Any) -> None:
    v = venue(village_cadre, tree["village"], status="planned", built_on=None)
    with pytest.raises(PartybuildingError) as caught:
        venue(village_cadre, tree["village"])
    assert caught.value.field == "name" and "已有" in caught.value.message
    with pytest.raises(PartybuildingError) as caught:
        venue(village_cadre, tree["lizhou"], "镇阵地")
    assert caught.value.field == "unit"
    with pytest.raises(PermissionDenied):
        venue(village_cadre, tree["neighbour_village"], "田坝村阵地")
    for bad in ({"area_m2": "abc"}, {"area_m2": "-1"}, {"lat": "91"}, {"built_on": "2027-01-01"}):
        with pytest.raises(PartybuildingError):
            venue(village_cadre, tree["village"], "另一个", **bad)
    assert Venue.objects.count() == 1
    with pytest.raises(IllegalTransition):
        actions.move_venue(v.pk, actor=village_cadre, status="closed")
    actions.move_venue(v.pk, actor=village_cadre, status="building")
    moved = actions.move_venue(
        v.pk, actor=village_cadre, status="in_use", completed_on="2026-05-01"
    )
    assert moved.built_on == dt.date(2026, 5, 1)
    entry = (
        AuditEntry.objects.filter(action="partybuilding.venue.status_changed").order_by("pk").last()
    )
    assert entry is not None and entry.before["status"] == "building"


def test_checklist_change_does_not_alter_past_inspections(
    tree: dict[str, Any], city_admin: Any, village_cadre: Any, xc_secretary: Any
) -> None:
    v = venue(village_cadre, tree["village"])
    ins = inspect(xc_secretary, v, "2026-05-10", ids_without(5, 6))
    first = items()[0]
    actions.update_checklist_item(
        first.pk, actor=city_admin, category="space", label="新标准", points=50, required=True
    )
    actions.set_checklist_item_active(items()[1].pk, actor=city_admin, active=False)
    added = actions.add_checklist_item(
        actor=city_admin, category="services", label="新增事项", points=5, required=True
    )
    ins.refresh_from_db()
    v.refresh_from_db()
    assert ins.score == Decimal("85.00") and ins.meets_standard
    assert ins.items.get(item=first).points == 15
    assert ins.items.count() == 10
    assert v.last_score == Decimal("85.00")
    again = inspect(xc_secretary, v, "2026-05-12", [i.pk for i in items() if i.pk != added.pk])
    assert again.items.count() == 10  # 10 seeded − 1 out of use + 1 added
    assert again.meets_standard is False  # the new required item is missing
    with pytest.raises(PermissionDenied):
        actions.add_checklist_item(
            actor=xc_secretary, category="space", label="x", points=1, required=False
        )
    with pytest.raises(PartybuildingError):
        actions.add_checklist_item(
            actor=city_admin, category="space", label="x", points=0, required=False
        )


def test_reorder(city_admin: Any) -> None:
    first, second = items()[:2]
    actions.move_checklist_item(second.pk, actor=city_admin, direction="up")
    assert [i.pk for i in items()[:2]] == [second.pk, first.pk]
    assert [i.order for i in items()] == list(range(1, 11))

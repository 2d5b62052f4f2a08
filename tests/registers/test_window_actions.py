"""The 天窗 actions: registering, correcting and restoring a parcel — errors by field,
scope, the status rules and the audit entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from grassroots.audit.models import AuditEntry
from grassroots.registers.actions import windows as actions
from grassroots.registers.errors import IllegalTransition, RegistersConflict, RegistersError
from grassroots.registers.models import Policy, Window

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 5, 20, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(TODAY, tick=False):
        yield


def fields(tree: dict[str, Any], **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "unit": tree["village"],
        "code": "QH-001",
        "name": "海河湿地一号",
        "area": "1000",
        "plan_year": 2026,
        "status": "planned",
        "restored_area": "",
        "restored_on": None,
        "lat": "27.85",
        "lon": "102.05",
        "geometry": None,
        "note": "",
    }
    data.update(kw)
    return data


def test_a_cadre_registers_a_parcel_of_their_village(
    tree: dict[str, Any], village_cadre: Any
) -> None:
    window = actions.create_window(actor=village_cadre, **fields(tree))
    assert window.status == "planned"
    assert window.area == Decimal(1000)
    assert window.restored_area == 0
    entry = AuditEntry.objects.get(action="registers.window.created")
    assert entry.object_id == str(window.pk)
    assert (entry.after or {})["code"] == "QH-001"
    assert entry.unit_path == tree["village"].path


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"code": ""}, "code", "必填"),
        ({"name": "  "}, "name", "必填"),
        ({"area": "0"}, "area", "大于0"),
        ({"area": "-5"}, "area", None),
        ({"area": "abc"}, "area", None),
        ({"area": "1.234"}, "area", None),
        ({"plan_year": 2019}, "plan_year", "2021"),
        ({"plan_year": 2031}, "plan_year", "2030"),
        ({"restored_area": "1200"}, "restored_area", None),
        ({"status": "planned", "restored_area": "10"}, "status", None),
        ({"status": "underway", "restored_area": "1000"}, "status", None),
        ({"status": "restored", "restored_area": "1000"}, "restored_on", None),
        (
            {"status": "restored", "restored_area": "999", "restored_on": "2026-01-01"},
            "restored_area",
            None,
        ),
        (
            {"status": "restored", "restored_area": "1000", "restored_on": "2026-06-01"},
            "restored_on",
            None,
        ),
        (
            {"status": "underway", "restored_area": "5", "restored_on": "2026-01-01"},
            "restored_on",
            None,
        ),
        ({"status": "gone"}, "status", None),
        ({"lat": "95"}, "lat", None),
        ({"lat": ""}, "lat", None),
        ({"geometry": {"type": "Point", "coordinates": [1, 2]}}, "geometry", None),
        ({"unit": None}, "unit", None),
    ],
)
def test_bad_input_names_its_field_and_writes_nothing(
    tree: dict[str, Any], village_cadre: Any, change: dict[str, Any], field: str, words: str | None
) -> None:
    with pytest.raises(RegistersError) as caught:
        actions.create_window(actor=village_cadre, **fields(tree, **change))
    assert caught.value.field == field
    if words:
        assert words in caught.value.message
    assert not Window.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_plan_year_follows_the_policy_of_the_unit(
    tree: dict[str, Any], village_cadre: Any
) -> None:
    Policy.objects.create(unit=tree["lizhou"], window_first_year=2018, window_last_year=2027)
    window = actions.create_window(actor=village_cadre, **fields(tree, plan_year=2018))
    assert window.plan_year == 2018
    with pytest.raises(RegistersError) as caught:
        actions.create_window(actor=village_cadre, **fields(tree, code="X", plan_year=2028))
    assert caught.value.field == "plan_year"


def test_the_code_is_unique(tree: dict[str, Any], village_cadre: Any, neighbour_cadre: Any) -> None:
    actions.create_window(actor=village_cadre, **fields(tree))
    with pytest.raises(RegistersError) as caught:
        actions.create_window(actor=neighbour_cadre, **fields(tree, unit=tree["neighbour_village"]))
    assert caught.value.field == "code"
    assert "QH-001" in caught.value.message


def test_scope_a_cadre_may_not_keep_another_village_nor_a_supervisor_anything(
    tree: dict[str, Any], village_cadre: Any, supervisor: Any, grid_worker: Any
) -> None:
    with pytest.raises(PermissionDenied):
        actions.create_window(actor=village_cadre, **fields(tree, unit=tree["neighbour_village"]))
    for person in (supervisor, grid_worker):
        with pytest.raises(PermissionDenied):
            actions.create_window(actor=person, **fields(tree))
    with pytest.raises(RegistersError) as caught:
        actions.create_window(actor=village_cadre, **fields(tree, unit=tree["grid"]))
    assert caught.value.field == "unit"
    assert not Window.objects.exists()


def test_a_correction_writes_the_changed_fields_to_the_audit(
    tree: dict[str, Any], village_cadre: Any, xc_secretary: Any, outsider: Any
) -> None:
    window = actions.create_window(actor=village_cadre, **fields(tree))
    with pytest.raises(PermissionDenied):
        actions.update_window(window.pk, actor=outsider, **fields(tree, name="改名"))
    updated = actions.update_window(
        window.pk,
        actor=xc_secretary,
        **fields(tree, name="海河湿地1号", status="underway", restored_area="250"),
    )
    assert updated.status == "underway"
    assert updated.restored_area == Decimal(250)
    entry = AuditEntry.objects.get(action="registers.window.updated")
    assert entry.before == {"name": "海河湿地一号", "restored_area": "0.00", "status": "planned"}
    assert (entry.after or {})["restored_area"] == "250"
    # the same fields again change nothing and write nothing
    actions.update_window(
        window.pk,
        actor=xc_secretary,
        **fields(tree, name="海河湿地1号", status="underway", restored_area="250"),
    )
    assert AuditEntry.objects.filter(action="registers.window.updated").count() == 1


def test_restoration_adds_area_and_completes_the_parcel(
    tree: dict[str, Any], village_cadre: Any
) -> None:
    window = actions.create_window(actor=village_cadre, **fields(tree))
    window = actions.record_restoration(
        window.pk, actor=village_cadre, on="2026-05-01", added="400", note="清退养殖"
    )
    assert (window.status, window.restored_area, window.restored_on) == (
        "underway",
        Decimal(400),
        None,
    )
    window = actions.record_restoration(
        window.pk, actor=village_cadre, on="2026-05-10", total="1000"
    )
    assert window.status == "restored"
    assert window.restored_on == dt.date(2026, 5, 10)
    entries = list(AuditEntry.objects.filter(action="registers.window.restored").order_by("pk"))
    assert [(e.after or {})["status"] for e in entries] == ["underway", "restored"]
    assert entries[0].note == "清退养殖"
    with pytest.raises(IllegalTransition):
        actions.record_restoration(window.pk, actor=village_cadre, on="2026-05-11", added="1")


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"on": "2026-05-01"}, "added"),  # neither
        ({"on": "2026-05-01", "added": "1", "total": "5"}, "added"),  # both
        ({"on": "2026-05-01", "added": "0"}, "added"),
        ({"on": "2026-05-01", "added": "2000"}, "added"),
        ({"on": "2026-05-01", "total": "100"}, "total"),  # down from 300
        ({"on": "2026-05-01", "total": "1001"}, "total"),
        ({"on": "2026-06-01", "added": "5"}, "on"),  # the future
        ({"on": "x", "added": "5"}, "on"),
    ],
)
def test_bad_restorations_name_their_field(
    tree: dict[str, Any], village_cadre: Any, kw: dict[str, Any], field: str
) -> None:
    window = actions.create_window(
        actor=village_cadre, **fields(tree, status="underway", restored_area="300")
    )
    with pytest.raises(RegistersError) as caught:
        actions.record_restoration(window.pk, actor=village_cadre, **kw)
    assert caught.value.field == field
    window.refresh_from_db()
    assert window.restored_area == Decimal(300)
    assert not AuditEntry.objects.filter(action="registers.window.restored").exists()


def test_a_restoration_is_refused_out_of_scope(
    tree: dict[str, Any], village_cadre: Any, neighbour_cadre: Any
) -> None:
    window = actions.create_window(actor=village_cadre, **fields(tree))
    with pytest.raises(PermissionDenied):
        actions.record_restoration(window.pk, actor=neighbour_cadre, on="2026-05-01", added="1")


def test_a_code_taken_meanwhile_is_a_conflict(tree: dict[str, Any], village_cadre: Any) -> None:
    window = Window(unit=tree["village"], code="QH-9", name="n", area=Decimal(5), plan_year=2026)
    window.save()
    clash = Window(unit=tree["village"], code="QH-9", name="m", area=Decimal(5), plan_year=2026)
    with pytest.raises(RegistersConflict) as caught:
        actions._save(clash)
    assert caught.value.field == "code"

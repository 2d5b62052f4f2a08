"""The shipped 西昌 taxonomy, its loader, and category edits in the admin."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from grassroots.audit.models import AuditEntry
from grassroots.events import taxonomy
from grassroots.events.models import Category
from grassroots.org.models import Unit, UnitKind

pytestmark = pytest.mark.django_db

DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}


@pytest.fixture
def departments(tree: dict[str, Any]) -> dict[str, Unit]:
    names = {
        "D01": "住房和城乡建设局",
        "D02": "自然资源局",
        "D03": "生态环境局",
        "D04": "农业农村局",
        "D05": "应急管理局",
        "D06": "信访局",
        "D07": "城市管理局",
        "D08": "民政局",
    }
    units = {"D01": tree["department"]}
    for suffix, name in names.items():
        if suffix not in units:
            units[suffix] = Unit.objects.create(
                code=f"513401{suffix}",
                name=f"西昌市{name}",
                kind=UnitKind.DEPARTMENT,
                parent=tree["city"],
            )
    return units


def test_the_shipped_file_is_a_realistic_two_level_taxonomy() -> None:
    entries = taxonomy.read_taxonomy()
    tops = [e for e in entries if e["parent"] is None]
    names = {e["name"] for e in tops}
    for expected in (
        "市容环境",
        "街面秩序",
        "矛盾纠纷",
        "安全隐患",
        "违法建设",
        "民生服务",
        "生态环保(邛海)",
        "基础设施",
        "社会治安",
        "卫生健康",
    ):
        assert expected in names
    for top in tops:
        children = [e for e in entries if e["parent"] == top["code"]]
        assert 1 <= len(children) <= 8, top["code"]
        assert all(not e.get("children") for e in children)  # two levels only
    for entry in entries:
        assert Decimal(entry["response_hours"]) > 0
        assert 1 <= entry["resolve_workdays"] <= 30
        assert entry["department"] in (None, *(f"D0{i}" for i in range(1, 9)))
        for attribute in entry["attributes"]:
            assert attribute["datatype"] in DATATYPES
            assert {"code", "required", "description", "order", "variable"} <= set(attribute)
            if attribute["datatype"].endswith("valuelist"):
                assert attribute["values"] and all(
                    {"key", "name"} <= set(v) for v in attribute["values"]
                )
    by_code = {e["code"]: e for e in entries}
    building = {a["code"]: a for a in by_code["WFJS01"]["attributes"]}
    assert building["building_area"]["datatype"] == "number"
    assert building["building_area"]["required"] is True
    assert "floors" in building
    hazard = {a["code"]: a for a in by_code["AQYH01"]["attributes"]}
    assert hazard["hazard_level"]["datatype"] == "singlevaluelist"


def test_load_is_idempotent_and_links_departments(departments: dict[str, Unit]) -> None:
    count = taxonomy.load_taxonomy(departments)
    entries = taxonomy.read_taxonomy()
    assert count == len(entries) == Category.objects.count()
    assert taxonomy.load_taxonomy(departments) == 0
    assert Category.objects.count() == len(entries)
    garbage = Category.objects.get(code="SRHJ01")
    assert garbage.parent is not None and garbage.parent.code == "SRHJ"
    assert garbage.default_department == departments["D07"]
    assert Category.objects.get(code="STHB01").default_department == departments["D03"]
    assert Category.objects.get(code="MDJF01").default_department is None
    assert not Category.objects.get(code="SHZA03").public
    assert AuditEntry.objects.filter(action="events.category.created").count() == len(entries)


def test_departments_found_by_suffix_by_default(departments: dict[str, Unit]) -> None:
    taxonomy.load_taxonomy()
    assert Category.objects.get(code="AQYH01").default_department == departments["D05"]


def test_a_changed_entry_is_updated_unless_kept(
    departments: dict[str, Unit], tmp_path: Path
) -> None:
    taxonomy.load_taxonomy(departments)
    garbage = Category.objects.get(code="SRHJ01")
    garbage.resolve_workdays = 9
    garbage.save()
    assert taxonomy.load_taxonomy(departments, update=False) == 0
    assert Category.objects.get(code="SRHJ01").resolve_workdays == 9
    assert taxonomy.load_taxonomy(departments) == 1
    assert Category.objects.get(code="SRHJ01").resolve_workdays == 1
    entry = AuditEntry.objects.filter(action="events.category.changed").get()
    assert entry.before["resolve_workdays"] == 9
    assert entry.after["resolve_workdays"] == 1


def test_a_malformed_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps({"categories": [{"code": "A", "name": "x"}, {"code": "A", "name": "y"}]})
    )
    with pytest.raises(taxonomy.TaxonomyError, match="twice"):
        taxonomy.read_taxonomy(path)
    path.write_text(json.dumps({"categories": [{"name": "x"}]}))
    with pytest.raises(taxonomy.TaxonomyError):
        taxonomy.read_taxonomy(path)
    with pytest.raises(CommandError):
        call_command("load_categories", str(path))


def test_command(departments: dict[str, Unit], capsys: Any) -> None:
    call_command("load_categories")
    assert Category.objects.filter(code="WFJS01").exists()
    call_command("load_categories", "--keep-existing")
    assert "0 categories" in capsys.readouterr().out


def test_default_department_for_a_county(
    departments: dict[str, Unit], tree: dict[str, Any]
) -> None:
    taxonomy.load_taxonomy(departments)
    category = Category.objects.get(code="SRHJ01")
    assert taxonomy.default_department_for(category, tree["grid"]) == departments["D07"]
    assert (
        taxonomy.default_department_for(Category.objects.get(code="MDJF01"), tree["grid"]) is None
    )


def test_reporting_with_a_loaded_category(
    departments: dict[str, Unit], grids: dict[str, Any], grid_worker: Any
) -> None:
    from grassroots.events.actions import report_event
    from grassroots.events.errors import EventError

    taxonomy.load_taxonomy(departments)
    building = Category.objects.get(code="WFJS01")
    with pytest.raises(EventError) as info:
        report_event(
            actor=grid_worker,
            category=building,
            title="新建房屋",
            source="patrol",
            lat=27.85,
            lon=102.05,
        )
    assert info.value.field == "attribute[building_area]"
    event = report_event(
        actor=grid_worker,
        category=building,
        title="新建房屋",
        source="patrol",
        lat=27.85,
        lon=102.05,
        attributes={"building_area": "180", "floors": 3},
    )
    assert event.attributes == {"building_area": 180, "floors": 3}


class TestAdmin:
    def test_city_office_edits_categories_through_the_audited_action(
        self, departments: dict[str, Unit], city_admin: Any, login: Any
    ) -> None:
        taxonomy.load_taxonomy(departments)
        city_admin.is_staff = True
        city_admin.save()
        client = login(city_admin)
        category = Category.objects.get(code="SRHJ02")
        url = f"/admin/events/category/{category.pk}/change/"
        assert client.get(url).status_code == 200
        response = client.post(
            url,
            {
                "code": "SRHJ02",
                "name": "乱堆乱放(改)",
                "parent": category.parent_id,
                "description": "",
                "default_department": departments["D07"].pk,
                "response_hours": "3",
                "resolve_workdays": "4",
                "public": "on",
                "keywords": "堆放",
                "attributes": "[]",
                "active": "on",
                "order": "2",
            },
        )
        assert response.status_code == 302, response.content[:2000]
        category.refresh_from_db()
        assert (category.name, category.resolve_workdays) == ("乱堆乱放(改)", 4)
        entry = AuditEntry.objects.filter(action="events.category.changed").get()
        assert entry.actor == city_admin
        assert entry.before["name"] == "乱堆乱放"

    def test_others_cannot_edit_categories_and_see_events_read_only(
        self,
        departments: dict[str, Unit],
        xc_secretary: Any,
        login: Any,
        grids: dict[str, Any],
        grid_worker: Any,
        outsider: Any,
    ) -> None:
        from grassroots.events.actions import report_event

        taxonomy.load_taxonomy(departments)
        event = report_event(
            actor=grid_worker,
            category=Category.objects.get(code="SRHJ01"),
            title="垃圾",
            source="patrol",
            lat=27.85,
            lon=102.05,
            contact_phone="13912345678",
        )
        for user in (xc_secretary, outsider):
            user.is_staff = True
            user.save()
        client = login(xc_secretary)
        assert client.get("/admin/events/category/").status_code == 403
        assert client.get("/admin/events/event/").status_code == 200
        page = client.get(f"/admin/events/event/{event.pk}/change/")
        assert page.status_code == 200
        assert "139****5678" in page.content.decode()
        assert "13912345678" not in page.content.decode()
        assert client.get("/admin/events/event/add/").status_code == 403
        other = login(outsider)
        listing = other.get("/admin/events/event/")
        assert listing.status_code == 200
        assert event.number not in listing.content.decode()
        assert other.get(f"/admin/events/event/{event.pk}/change/").status_code in (302, 403, 404)

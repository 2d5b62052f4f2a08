"""Cadre files: opening, changing and closing a file (actions), and the log of looks.

The clock stands at 2026-09-01 10:00 (Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import translation

from grassroots.audit.models import AuditEntry
from grassroots.cadres.actions import development, files, pool
from grassroots.cadres.errors import CadresError, IllegalTransition
from grassroots.cadres.models import Cadre, FileView, Mentorship, PostRecord, ReserveEntry
from grassroots.org.models import Unit, UnitKind
from tests.cadres.test_shape import valid_id

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 9, 1)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    """The clock at 2026-09-01 10:00; the actions' messages in English (their msgids)."""
    with (
        time_machine.travel(dt.datetime(2026, 9, 1, 10, tzinfo=CST), tick=False),
        translation.override("en"),
    ):
        yield


def new_file(tree: dict[str, Any], **kw: Any) -> dict[str, Any]:
    """The inputs of a good new file (a 礼州镇 deputy, born 1992-03-08, 彝族)."""
    values: dict[str, Any] = {
        "name": "吉克阿依",
        "gender": "f",
        "ethnicity": "彝族",
        "birth_date": dt.date(1992, 3, 8),
        "id_number": valid_id(dt.date(1992, 3, 8), 31, "f"),
        "phone": "13912345678",
        "education": "bachelor",
        "party_joined_on": dt.date(2013, 6, 1),
        "grassroots_since": dt.date(2015, 8, 1),
        "unit": tree["lizhou"],
        "post": "党委委员、副镇长",
        "level": "deputy_section",
    }
    values.update(kw)
    return values


def test_the_organisation_department_opens_a_file(tree: dict[str, Any], org_dept: Any) -> None:
    cadre = files.create_cadre(actor=org_dept, **new_file(tree))
    cadre.refresh_from_db()
    assert cadre.name == "吉克阿依"
    assert cadre.status == "active"
    line = PostRecord.objects.get(cadre=cadre)
    assert (line.post, line.started_on, line.ended_on) == ("党委委员、副镇长", TODAY, None)
    entry = AuditEntry.objects.get(action="cadres.cadre.created", object_id=str(cadre.pk))
    assert entry.unit_path == tree["lizhou"].path
    # the audit log never holds the raw ID number or phone
    assert entry.after["id_number"] == "5134************" + cadre.id_number[-2:]
    assert entry.after["phone"] == "139****5678"
    assert cadre.id_number not in str(entry.after)
    assert "13912345678" not in str(entry.after)


def test_the_id_number_is_stored_upper_case_without_spaces(
    tree: dict[str, Any], org_dept: Any
) -> None:
    cadre = files.create_cadre(
        actor=org_dept,
        **new_file(
            tree,
            birth_date=dt.date(1949, 12, 31),
            id_number=" 11010519491231002x ",
            party_joined_on=None,
            grassroots_since=None,
        ),
    )
    assert cadre.id_number == "11010519491231002X"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "  "}, "name"),
        ({"gender": "x"}, "gender"),
        ({"ethnicity": "火星族"}, "ethnicity"),
        ({"ethnicity": "彝"}, "ethnicity"),
        ({"birth_date": dt.date(2015, 1, 1)}, "birth_date"),
        ({"birth_date": "1990-02-30"}, "birth_date"),
        ({"id_number": "51340119920308312"}, "id_number"),
        ({"id_number": "5134011992030831A2"}, "id_number"),
        ({"education": "phd"}, "education"),
        ({"level": "minister"}, "level"),
        ({"phone": "1391234567"}, "phone"),
        ({"phone": "23912345678"}, "phone"),
        ({"post": ""}, "post"),
        ({"party_joined_on": dt.date(2005, 1, 1)}, "party_joined_on"),
        ({"grassroots_since": dt.date(2027, 1, 1)}, "grassroots_since"),
        ({"unit": 999999}, "unit"),
    ],
)
def test_a_bad_file_is_refused_with_the_field_and_nothing_is_written(
    tree: dict[str, Any], org_dept: Any, change: dict[str, Any], field: str
) -> None:
    with pytest.raises(CadresError) as caught:
        files.create_cadre(actor=org_dept, **new_file(tree, **change))
    assert caught.value.field == field
    assert caught.value.message
    assert Cadre.objects.count() == 0
    assert PostRecord.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="cadres.").exists()


def test_the_id_number_check_character_and_its_facts(tree: dict[str, Any], org_dept: Any) -> None:
    good = valid_id(dt.date(1992, 3, 8), 31, "f")
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(CadresError, match="check character") as caught:
        files.create_cadre(actor=org_dept, **new_file(tree, id_number=wrong))
    assert caught.value.field == "id_number"
    with pytest.raises(CadresError, match="1992-03-08") as caught:
        files.create_cadre(actor=org_dept, **new_file(tree, birth_date=dt.date(1992, 3, 9)))
    assert caught.value.field == "id_number"
    with pytest.raises(CadresError, match="gender"):
        files.create_cadre(actor=org_dept, **new_file(tree, gender="m"))
    assert Cadre.objects.count() == 0


def test_an_id_number_belongs_to_one_file(
    tree: dict[str, Any], org_dept: Any, make_cadre: Any
) -> None:
    number = valid_id(dt.date(1992, 3, 8), 31, "f")
    make_cadre(name="已有", id_number=number, unit=tree["anning"])
    with pytest.raises(CadresError, match="already has this ID number") as caught:
        files.create_cadre(actor=org_dept, **new_file(tree, id_number=number))
    assert caught.value.field == "id_number"
    assert Cadre.objects.count() == 1
    # the message names no one: the other file may be out of the actor's scope
    assert "已有" not in caught.value.message


def test_a_grid_is_not_a_cadres_unit(tree: dict[str, Any], org_dept: Any) -> None:
    with pytest.raises(CadresError) as caught:
        files.create_cadre(actor=org_dept, **new_file(tree, unit=tree["grid"]))
    assert caught.value.field == "unit"


def test_only_the_organisation_department_opens_files_in_its_scope(
    tree: dict[str, Any],
    org_dept: Any,
    xc_secretary: Any,
    city_admin: Any,
    supervisor: Any,
    village_cadre: Any,
) -> None:
    for person in (xc_secretary, city_admin, supervisor, village_cadre):
        with pytest.raises(PermissionDenied):
            files.create_cadre(actor=person, **new_file(tree))
    elsewhere = Unit.objects.create(code="513402", name="会理市", kind=UnitKind.COUNTY)
    with pytest.raises(PermissionDenied):
        files.create_cadre(actor=org_dept, **new_file(tree, unit=elsewhere))
    assert Cadre.objects.count() == 0


def test_changing_a_file_masks_the_audit_and_keeps_the_post_history(
    tree: dict[str, Any], org_dept: Any
) -> None:
    cadre = files.create_cadre(actor=org_dept, post_since=dt.date(2020, 1, 1), **new_file(tree))
    files.update_cadre(
        cadre,
        actor=org_dept,
        changes={"phone": "13800001111", "unit": tree["anning"].pk, "post": "党委副书记"},
        post_since=dt.date(2026, 8, 1),
    )
    cadre.refresh_from_db()
    assert (cadre.phone, cadre.unit, cadre.post) == ("13800001111", tree["anning"], "党委副书记")
    lines = list(PostRecord.objects.filter(cadre=cadre).order_by("started_on"))
    assert [(x.unit.name, x.started_on, x.ended_on) for x in lines] == [
        ("礼州镇", dt.date(2020, 1, 1), dt.date(2026, 7, 31)),
        ("安宁镇", dt.date(2026, 8, 1), None),
    ]
    entry = AuditEntry.objects.get(action="cadres.cadre.updated")
    assert entry.before["phone"] == "139****5678"
    assert entry.after["phone"] == "138****1111"
    assert "13800001111" not in str(entry.after) + str(entry.before)
    assert entry.after["unit"] == tree["anning"].pk


def test_a_change_on_the_day_the_post_began_corrects_that_line(
    tree: dict[str, Any], org_dept: Any
) -> None:
    cadre = files.create_cadre(actor=org_dept, **new_file(tree))
    files.update_cadre(cadre, actor=org_dept, changes={"post": "党委委员"})
    line = PostRecord.objects.get(cadre=cadre)
    assert (line.post, line.started_on, line.ended_on) == ("党委委员", TODAY, None)
    with pytest.raises(CadresError) as caught:
        files.update_cadre(
            cadre, actor=org_dept, changes={"post": "镇长"}, post_since=dt.date(2026, 1, 1)
        )
    assert caught.value.field == "post_since"
    cadre.refresh_from_db()
    assert cadre.post == "党委委员"


def test_nothing_changed_writes_nothing(tree: dict[str, Any], org_dept: Any) -> None:
    cadre = files.create_cadre(actor=org_dept, **new_file(tree))
    files.update_cadre(
        cadre, actor=org_dept, changes={"name": "吉克阿依", "phone": "139 1234 5678"}
    )
    assert not AuditEntry.objects.filter(action="cadres.cadre.updated").exists()


def test_an_old_file_with_an_unchecked_id_number_can_still_be_changed(
    tree: dict[str, Any], org_dept: Any, make_cadre: Any
) -> None:
    cadre = make_cadre(id_number="513401199005170001")  # check character not right
    files.update_cadre(
        cadre, actor=org_dept, changes={"id_number": cadre.id_number, "post": "党委书记"}
    )
    cadre.refresh_from_db()
    assert cadre.post == "党委书记"
    with pytest.raises(CadresError) as caught:
        files.update_cadre(cadre, actor=org_dept, changes={"id_number": "513401199005170002"})
    assert caught.value.field == "id_number"


def test_bad_changes_are_refused_and_change_nothing(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any, make_cadre: Any
) -> None:
    cadre = files.create_cadre(actor=org_dept, **new_file(tree))
    other = make_cadre(unit=tree["anning"], id_number=valid_id(dt.date(1990, 5, 17), 1))
    for changes, field in [
        ({"phone": "12"}, "phone"),
        ({"colour": "red"}, "colour"),
        ({"id_number": other.id_number}, "id_number"),
        ({"ethnicity": ""}, "ethnicity"),
    ]:
        with pytest.raises(CadresError) as caught:
            files.update_cadre(cadre, actor=org_dept, changes=changes)
        assert caught.value.field == field
    with pytest.raises(PermissionDenied):
        files.update_cadre(cadre, actor=xc_secretary, changes={"post": "镇长"})
    cadre.refresh_from_db()
    assert (cadre.phone, cadre.post) == ("13912345678", "党委委员、副镇长")
    assert not AuditEntry.objects.filter(action="cadres.cadre.updated").exists()


def test_a_cadre_retires_closing_the_post_mentorships_and_pool_entry(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any, make_cadre: Any
) -> None:
    cadre = make_cadre()
    mentor = make_cadre(name="老书记")
    PostRecord.objects.create(
        cadre=cadre,
        unit=tree["lizhou"],
        post="党委委员",
        level="deputy_section",
        started_on=dt.date(2020, 1, 1),
    )
    development.assign_mentor(cadre, actor=xc_secretary, mentor=mentor)
    entry = pool.nominate(
        cadre,
        actor=xc_secretary,
        unit=tree["lizhou"],
        target_level="section_chief",
        voters=30,
        votes=25,
        reason="实绩突出",
    )
    pool.review_entry(entry, actor=org_dept, admit=True)
    files.set_cadre_status(cadre, actor=org_dept, status="retired", note="到龄退休")
    cadre.refresh_from_db()
    assert cadre.status == "retired"
    assert PostRecord.objects.get(cadre=cadre).ended_on == TODAY
    assert Mentorship.objects.get(cadre=cadre).ended_on == TODAY
    entry.refresh_from_db()
    assert entry.status == "removed"
    assert "到龄退休" in entry.exit_reason
    assert AuditEntry.objects.filter(action="cadres.reserveentry.removed").count() == 1
    assert AuditEntry.objects.get(action="cadres.cadre.status_changed").after["status"] == "retired"
    with pytest.raises(IllegalTransition):
        files.set_cadre_status(cadre, actor=org_dept, status="left")


def test_no_leaving_while_a_tempering_is_ongoing(
    tree: dict[str, Any], org_dept: Any, make_cadre: Any
) -> None:
    cadre = make_cadre()
    development.assign_tempering(
        cadre,
        actor=org_dept,
        kind="land",
        unit=tree["village"],
        post="征拆工作组",
        started_on=dt.date(2026, 6, 1),
        planned_end=dt.date(2026, 12, 31),
    )
    with pytest.raises(CadresError, match="2026-06-01") as caught:
        files.set_cadre_status(cadre, actor=org_dept, status="left")
    assert caught.value.field == "status"
    cadre.refresh_from_db()
    assert cadre.status == "active"
    with pytest.raises(CadresError) as caught:
        files.set_cadre_status(cadre, actor=org_dept, status="active")
    assert not AuditEntry.objects.filter(action="cadres.cadre.status_changed").exists()


def test_the_file_view_log(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any, outsider: Any, make_cadre: Any
) -> None:
    cadre = make_cadre()
    files.log_file_view(cadre, org_dept)
    files.log_file_view(cadre, xc_secretary, "print")
    assert [(v.viewer, v.what) for v in FileView.objects.order_by("pk")] == [
        (org_dept, "file"),
        (xc_secretary, "print"),
    ]
    with pytest.raises(PermissionDenied):
        files.log_file_view(cadre, outsider)
    assert FileView.objects.count() == 2
    assert ReserveEntry.objects.count() == 0

"""The files pages: who sees the overview, the list and a file; every look is logged;
the list shows no ID number or phone; the forms answer bad input with 400.

The clock stands at 2026-09-01 10:00 (Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from grassroots.audit.models import AuditEntry
from grassroots.cadres.actions import development, files, pool
from grassroots.cadres.models import (
    Cadre,
    CorrectiveMeasure,
    FileView,
    KeyPost,
    ToleranceCase,
)
from grassroots.common.masking import mask_id_number, mask_phone
from tests.cadres.test_shape import valid_id

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 9, 1, 10, tzinfo=CST), tick=False):
        yield


@pytest.fixture
def cast(tree: dict[str, Any], make_cadre: Any) -> dict[str, Any]:
    """A township deputy and a village head of 礼州镇, and a deputy of 安宁镇."""
    return {
        "deputy": make_cadre(
            name="吉克阿依",
            gender="f",
            birth_date=dt.date(1992, 3, 8),
            id_number=valid_id(dt.date(1992, 3, 8), 31, "f"),
            phone="13912345678",
        ),
        "village": make_cadre(
            name="沙马拉且",
            unit=tree["village"],
            post="村党支部书记",
            level="village_head",
            ethnicity="汉族",
            education="college",
        ),
        "anning": make_cadre(name="安宁干部", unit=tree["anning"]),
    }


def page(client: Any, url: str) -> tuple[int, str]:
    response = client.get(url)
    return response.status_code, response.content.decode()


def test_the_overview(
    login: Any,
    cast: dict[str, Any],
    org_dept: Any,
    xc_secretary: Any,
    supervisor: Any,
    city_admin: Any,
    village_cadre: Any,
    outsider: Any,
    tree: dict[str, Any],
) -> None:
    KeyPost.objects.create(unit=tree["lizhou"], title="党委书记", level="section_chief")
    status, html = page(login(org_dept), "/cadres/")
    assert status == 200
    assert "fig-cadres" in html and "fig-tol-applied" in html
    assert "fig-short alert" in html
    assert "礼州镇" in html  # the unit short of reserves is named
    status, html = page(login(xc_secretary), "/cadres/")
    assert status == 200
    assert "fig-pool" in html
    # the 纪委 sees the error-tolerance part only
    status, html = page(login(supervisor), "/cadres/")
    assert status == 200
    assert "fig-tol-applied" in html
    assert "fig-cadres" not in html and "吉克阿依" not in html
    for person in (city_admin, village_cadre):
        assert login(person).get("/cadres/").status_code == 403


def test_the_list_shows_names_but_no_id_number_or_phone(
    login: Any, cast: dict[str, Any], org_dept: Any
) -> None:
    status, html = page(login(org_dept), "/cadres/files/")
    assert status == 200
    for cadre in cast.values():
        assert cadre.name in html
        assert cadre.id_number not in html
        assert mask_id_number(cadre.id_number) not in html
        assert cadre.phone not in html
        assert mask_phone(cadre.phone) not in html
    assert not FileView.objects.exists()


def test_the_list_is_scoped_and_filtered(
    login: Any, cast: dict[str, Any], xc_secretary: Any, outsider: Any, tree: dict[str, Any]
) -> None:
    client = login(xc_secretary)
    status, html = page(client, "/cadres/files/")
    assert status == 200
    assert "吉克阿依" in html and "沙马拉且" in html
    assert "安宁干部" not in html
    _status, html = page(client, f"/cadres/files/?unit={tree['village'].code}")
    assert "沙马拉且" in html and "吉克阿依" not in html
    _status, html = page(client, "/cadres/files/?q=吉克")
    assert "吉克阿依" in html and "沙马拉且" not in html
    _status, html = page(client, "/cadres/files/?gender=f&ethnicity=彝族&level=deputy_section")
    assert "吉克阿依" in html and "沙马拉且" not in html
    _status, html = page(client, "/cadres/files/?education=college&status=active")
    assert "沙马拉且" in html and "吉克阿依" not in html
    # a unit out of scope is not a filter choice: the list is not narrowed to it
    _status, html = page(client, f"/cadres/files/?unit={tree['anning'].code}")
    assert "安宁干部" not in html
    status, html = page(login(outsider), "/cadres/files/")
    assert status == 200
    assert "安宁干部" in html and "吉克阿依" not in html


def test_who_may_not_open_the_list(
    login: Any, cast: dict[str, Any], city_admin: Any, supervisor: Any, village_cadre: Any
) -> None:
    for person in (city_admin, supervisor, village_cadre):
        assert login(person).get("/cadres/files/").status_code == 403


def test_the_file_is_shown_in_full_and_every_look_is_logged(
    login: Any, cast: dict[str, Any], org_dept: Any, xc_secretary: Any
) -> None:
    deputy = cast["deputy"]
    url = f"/cadres/files/{deputy.pk}/"
    client = login(org_dept)
    status, html = page(client, url)
    assert status == 200
    assert deputy.id_number in html and "13912345678" in html
    page(client, url)
    assert FileView.objects.filter(cadre=deputy, viewer=org_dept, what="file").count() == 2
    # the organisation department sees who opened it
    assert 'id="views"' in html
    status, html = page(login(xc_secretary), url)
    assert status == 200
    assert deputy.id_number in html
    assert 'id="views"' not in html  # the viewers' log is the department's
    assert FileView.objects.filter(cadre=deputy, viewer=xc_secretary).count() == 1
    # the village's head is under the township's leader too
    assert login(xc_secretary).get(f"/cadres/files/{cast['village'].pk}/").status_code == 200


def test_a_file_out_of_scope_is_not_found_and_not_logged(
    login: Any,
    cast: dict[str, Any],
    outsider: Any,
    city_admin: Any,
    supervisor: Any,
    village_cadre: Any,
    xc_secretary: Any,
) -> None:
    url = f"/cadres/files/{cast['deputy'].pk}/"
    for person in (outsider, city_admin, supervisor, village_cadre):
        assert login(person).get(url).status_code == 404
        assert login(person).get(url + "print/").status_code == 404
    assert login(xc_secretary).get(f"/cadres/files/{cast['anning'].pk}/").status_code == 404
    assert not FileView.objects.exists()


def test_the_printout_is_logged(login: Any, cast: dict[str, Any], org_dept: Any) -> None:
    status, html = page(login(org_dept), f"/cadres/files/{cast['deputy'].pk}/print/")
    assert status == 200
    assert cast["deputy"].id_number in html
    assert FileView.objects.get().what == "print"


def test_the_file_shows_its_records(
    login: Any,
    cast: dict[str, Any],
    org_dept: Any,
    xc_secretary: Any,
    tree: dict[str, Any],
    monkeypatch: Any,
) -> None:
    deputy = cast["deputy"]
    development.record_training(
        deputy,
        actor=xc_secretary,
        course="乡村振兴专题班",
        provider="市委党校",
        hours="24",
        started_on="2026-03-01",
        ended_on="2026-03-04",
        result="passed",
    )
    development.record_training(
        deputy,
        actor=xc_secretary,
        course="不及格的课",
        provider="网络学院",
        hours="30",
        started_on="2026-04-01",
        ended_on="2026-04-04",
        result="failed",
    )
    development.assign_tempering(
        deputy,
        actor=org_dept,
        kind="poverty",
        unit=tree["village"],
        post="驻村第一书记",
        started_on="2025-01-01",
        planned_end="2025-12-31",
    )
    development.record_key_moment(
        deputy,
        actor=xc_secretary,
        kind="emergency",
        occurred_on="2026-07-10",
        title="防汛抢险转移群众",
        detail="连夜转移 120 人",
    )
    files.set_grade(deputy, actor=xc_secretary, year=2025, grade="excellent")
    case = ToleranceCase.objects.create(
        number="RC2026-0001",
        cadre=deputy,
        unit=tree["lizhou"],
        applicant="unit",
        applied_by=xc_secretary,
        title="试点项目进度失误",
        facts="……",
        occurred_on=dt.date(2026, 3, 1),
        affected_month=dt.date(2026, 3, 1),
        state="effective",
    )
    CorrectiveMeasure.objects.create(
        case=case, description="重新制定进度计划", responsible="礼州镇", due_on=dt.date(2026, 10, 1)
    )
    ToleranceCase.objects.create(
        number="RC2026-0002",
        cadre=deputy,
        unit=tree["lizhou"],
        applicant="unit",
        applied_by=xc_secretary,
        title="被拒的申请",
        facts="……",
        occurred_on=dt.date(2026, 3, 1),
        affected_month=dt.date(2026, 3, 1),
        state="refused",
    )
    monkeypatch.setattr(
        "grassroots.cadres.views.files.published_results",
        lambda ids, year=None, years=(): [
            {
                "unit_id": ids[0],
                "year": y,
                "period": f"{y}",
                "total": Decimal("92.50"),
                "rank": 2,
                "group_size": 25,
                "grade": "excellent",
                "vetoed": False,
            }
            for y in years
        ],
    )
    status, html = page(login(org_dept), f"/cadres/files/{deputy.pk}/")
    assert status == 200
    assert "乡村振兴专题班" in html and "驻村第一书记" in html and "防汛抢险转移群众" in html
    assert 'aria-valuenow="43"' in html  # 24 of 56 hours: the failed course does not count
    assert "92.50" in html and "25 个中排第 2" in html  # the unit's published result
    assert "试点项目进度失误" in html and "重新制定进度计划" in html
    assert "被拒的申请" not in html


def test_the_new_file_form(
    login: Any, org_dept: Any, xc_secretary: Any, tree: dict[str, Any]
) -> None:
    client = login(org_dept)
    assert client.get("/cadres/files/new/").status_code == 200
    data = {
        "name": "阿尔木呷",
        "gender": "m",
        "ethnicity": "彝族",
        "birth_date": "1995-10-01",
        "id_number": valid_id(dt.date(1995, 10, 1), 5, "m"),
        "phone": "13700001234",
        "education": "bachelor",
        "unit": str(tree["village"].pk),
        "post": "村委会主任",
        "level": "village_head",
    }
    bad = client.post("/cadres/files/new/", {**data, "id_number": data["id_number"][:-1] + "Y"})
    assert bad.status_code == 400
    assert "ID number" in bad.content.decode() or "身份证" in bad.content.decode()
    assert not Cadre.objects.exists()
    unknown = client.post("/cadres/files/new/", {**data, "login": "nobody"})
    assert unknown.status_code == 400
    assert not Cadre.objects.exists()
    done = client.post("/cadres/files/new/", data)
    cadre = Cadre.objects.get()
    assert done.status_code == 302
    assert done["Location"] == f"/cadres/files/{cadre.pk}/"
    assert cadre.unit == tree["village"]
    assert login(xc_secretary).get("/cadres/files/new/").status_code == 403


def test_the_edit_and_leave_forms(
    login: Any, cast: dict[str, Any], org_dept: Any, xc_secretary: Any, outsider: Any
) -> None:
    deputy = cast["deputy"]
    client = login(org_dept)
    url = f"/cadres/files/{deputy.pk}/edit/"
    assert client.get(url).status_code == 200
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data["birth_date"] = "1992-03-08"
    data["party_joined_on"] = "2012-07-01"
    data["grassroots_since"] = "2014-08-01"
    bad = client.post(url, {**data, "phone": "123"})
    assert bad.status_code == 400
    assert client.post(url, {**data, "phone": "13811112222"}).status_code == 302
    deputy.refresh_from_db()
    assert deputy.phone == "13811112222"
    assert login(xc_secretary).get(url).status_code == 403
    assert login(outsider).get(url).status_code == 404
    leave = f"/cadres/files/{deputy.pk}/leave/"
    assert login(xc_secretary).post(leave, {"status": "left"}).status_code == 403
    assert client.post(leave, {"status": "left", "note": "调任市直部门"}).status_code == 302
    deputy.refresh_from_db()
    assert deputy.status == "left"
    again = client.post(leave, {"status": "retired"})
    assert again.status_code == 409
    assert AuditEntry.objects.filter(action="cadres.cadre.status_changed").count() == 1


def test_the_pages_render_for_both_kinds_of_leader(
    login: Any, cast: dict[str, Any], org_dept: Any, xc_secretary: Any
) -> None:
    deputy = cast["deputy"]
    entry = pool.nominate(
        deputy,
        actor=xc_secretary,
        unit=deputy.unit,
        target_level="section_chief",
        voters=20,
        votes=18,
        reason="实绩突出",
    )
    for person in (org_dept, xc_secretary):
        client = login(person)
        for url in (
            "/cadres/",
            "/cadres/files/",
            f"/cadres/files/{deputy.pk}/",
            f"/cadres/files/{deputy.pk}/print/",
            "/cadres/pool/",
            "/cadres/keyposts/",
            "/cadres/grades/",
            "/cadres/training/short/",
            f"/cadres/files/{deputy.pk}/training/",
            f"/cadres/files/{deputy.pk}/mentor/",
            f"/cadres/files/{deputy.pk}/moment/",
            f"/cadres/files/{deputy.pk}/grade/",
        ):
            assert client.get(url).status_code == 200, (person, url)
    assert login(org_dept).get(f"/cadres/pool/{entry.pk}/review/").status_code == 200
    assert login(org_dept).get(f"/cadres/files/{deputy.pk}/tempering/").status_code == 200

"""The construction register's pages: scope (an outsider gets 404, the supervisor reads but
may not act), the party's phone never in full, the moves and their answers, photos,
bad parameters, the export."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from grassroots.registers.models import CasePhoto, ConstructionCase
from tests.registers.test_construction_support import image_upload

pytestmark = pytest.mark.django_db
pytest_plugins = ("tests.registers.test_construction_support",)

PHONE = "13812345678"


def detail(case: Any) -> str:
    return reverse("registers:construction_detail", args=[case.pk])


def move_url(case: Any, verb: str) -> str:
    return reverse("registers:construction_move", args=[case.pk, verb])


# --- scope -----------------------------------------------------------------------------------


def test_the_list_shows_what_the_viewer_may_see(
    make_case: Any, login: Any, tree: Any, xc_secretary: Any, outsider: Any, city_admin: Any
) -> None:
    mine = make_case(address="礼州村3组12号")
    other = make_case(actor=city_admin, unit=tree["other_village"], address="安宁村1组")
    page = login(xc_secretary).get(reverse("registers:construction"))
    assert page.status_code == 200
    text = page.content.decode()
    assert mine.number in text and other.number not in text
    text = login(outsider).get(reverse("registers:construction")).content.decode()
    assert other.number in text and mine.number not in text


def test_an_outsider_gets_404_everywhere(
    make_case: Any, login: Any, outsider: Any, media: Any
) -> None:
    case = make_case(photos=[image_upload()])
    photo = CasePhoto.objects.get()
    client = login(outsider)
    assert client.get(detail(case)).status_code == 404
    assert client.get(reverse("registers:construction_edit", args=[case.pk])).status_code == 404
    assert client.post(move_url(case, "stop"), {"stopped_on": "2026-06-10"}).status_code == 404
    assert client.get(reverse("registers:construction_photo", args=[photo.pk])).status_code == 404
    assert ConstructionCase.objects.get().status == "found"


def test_the_supervisor_reads_but_may_not_act(
    make_case: Any, login: Any, supervisor: Any, media: Any
) -> None:
    case = make_case()
    client = login(supervisor)
    page = client.get(detail(case))
    assert page.status_code == 200
    assert case.number in page.content.decode()
    assert 'action="' + move_url(case, "stop") not in page.content.decode()
    assert client.post(move_url(case, "stop"), {"stopped_on": "2026-06-10"}).status_code == 403
    assert client.get(reverse("registers:construction_edit", args=[case.pk])).status_code == 403
    upload = client.post(
        reverse("registers:construction_photos", args=[case.pk]),
        {"stage": "before", "photos": [image_upload()]},
    )
    assert upload.status_code == 403
    assert client.get(reverse("registers:construction_new")).status_code == 403
    assert client.get(reverse("registers:construction_import")).status_code == 403
    assert ConstructionCase.objects.get().status == "found"


def test_a_resident_is_refused(login: Any, resident: Any, clock: Any) -> None:
    assert login(resident).get(reverse("registers:construction")).status_code == 403
    assert login(resident).get(reverse("registers:zero_line")).status_code == 403


# --- personal data ---------------------------------------------------------------------------


def test_the_phone_is_never_shown_in_full(
    make_case: Any, login: Any, village_cadre: Any, supervisor: Any
) -> None:
    case = make_case(party_phone=PHONE, party_name="王大明")
    for user in (village_cadre, supervisor):
        client = login(user)
        for url in (detail(case), reverse("registers:construction")):
            text = client.get(url).content.decode()
            assert PHONE not in text
        assert "138****5678" in client.get(detail(case)).content.decode()
    edit = login(village_cadre).get(reverse("registers:construction_edit", args=[case.pk]))
    assert PHONE not in edit.content.decode()
    # The name: in full for who manages the case, masked for the supervisor.
    assert "王大明" in login(village_cadre).get(detail(case)).content.decode()
    supervised = login(supervisor).get(detail(case)).content.decode()
    assert "王大明" not in supervised and "王**" in supervised


def test_the_export_masks_the_phone(
    make_case: Any, login: Any, village_cadre: Any, supervisor: Any
) -> None:
    make_case(party_phone=PHONE, party_name="王大明")
    make_case(kind="relocation", people=3, address="礼州村5组")
    for user, name in ((village_cadre, "王大明"), (supervisor, "王**")):
        response = login(user).get(reverse("registers:construction_export"), {"kind": "building"})
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:3] == ("村(社区)编码", "类型", "当事人")
        assert len(rows) == 2  # the filter kept the building only
        assert rows[1][1] == "乱修滥建"
        assert rows[1][2] == name
        assert rows[1][3] == "138****5678"
        assert PHONE not in str(rows)


# --- a new case ------------------------------------------------------------------------------


def form_data(tree: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "unit": str(tree["village"].pk),
        "kind": "building",
        "source": "inspection",
        "address": "礼州村2组8号",
        "started_on": "2026-05-01",
        "found_on": "2026-06-01",
        "party_name": "李四",
        "party_phone": "13900001111",
        "area": "80",
    }
    data.update(overrides)
    return data


def test_a_cadre_opens_a_case(login: Any, village_cadre: Any, tree: Any, clock: Any) -> None:
    client = login(village_cadre)
    assert client.get(reverse("registers:construction_new")).status_code == 200
    response = client.post(reverse("registers:construction_new"), form_data(tree))
    case = ConstructionCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(case)
    assert case.is_new and case.source == "inspection"


def test_bad_input_comes_back_on_its_field(
    login: Any, village_cadre: Any, tree: Any, clock: Any
) -> None:
    client = login(village_cadre)
    response = client.post(
        reverse("registers:construction_new"), form_data(tree, started_on="2026-06-05")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["started_on"]
    response = client.post(reverse("registers:construction_new"), form_data(tree, area="-1"))
    assert response.status_code == 400
    assert response.context["form"].errors["area"]
    response = client.post(
        reverse("registers:construction_new"), form_data(tree, unit=str(tree["other_village"].pk))
    )
    assert response.status_code == 400  # not a unit of theirs: not offered
    assert not ConstructionCase.objects.exists()


def test_a_grid_worker_reports_for_their_village(
    login: Any, grid_worker: Any, tree: Any, clock: Any, media: Any
) -> None:
    client = login(grid_worker)
    page = client.get(reverse("registers:construction_new"))
    assert page.status_code == 200
    assert list(page.context["form"].fields["source"].choices) == [("patrol", "巡查发现")]
    response = client.post(
        reverse("registers:construction_new"),
        {**form_data(tree, source="patrol"), "photos": [image_upload()]},
    )
    assert response.status_code == 302
    case = ConstructionCase.objects.get()
    assert case.unit == tree["village"] and case.source == "patrol"
    assert case.photos.count() == 1


# --- moves -----------------------------------------------------------------------------------


def test_moves_through_the_page(make_case: Any, login: Any, village_cadre: Any) -> None:
    case = make_case()
    client = login(village_cadre)
    page = client.get(detail(case)).content.decode()
    assert move_url(case, "stop") in page and move_url(case, "return") not in page
    response = client.post(move_url(case, "stop"), {"stopped_on": "2026-06-02", "note": ""})
    assert response.status_code == 302
    response = client.post(
        move_url(case, "demolish"),
        {"closed_on": "2026-06-12", "demolished_area": "999", "note": ""},
    )
    assert response.status_code == 400
    assert response.context["moves"]
    response = client.post(
        move_url(case, "demolish"), {"closed_on": "2026-06-12", "demolished_area": "100"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "demolished" and case.demolished_area == 100
    # A closed case: the same move again is a conflict.
    again = client.post(move_url(case, "stop"), {"stopped_on": "2026-06-13"})
    assert again.status_code == 409
    assert "已拆除" in again.content.decode()
    history = client.get(detail(case)).content.decode()
    assert "已拆除" in history


def test_moving_back_a_building_is_409(make_case: Any, login: Any, village_cadre: Any) -> None:
    case = make_case()
    response = login(village_cadre).post(move_url(case, "return"), {"closed_on": "2026-06-10"})
    assert response.status_code == 409
    assert ConstructionCase.objects.get().status == "found"


@pytest.mark.parametrize(
    "url",
    [
        "/registers/construction/abc/",
        "/registers/construction/99999999999999999999999/",
        "/registers/construction/photos/99999999999999999999999/",
        "/registers/construction/1/move/fly/",
    ],
)
def test_bad_paths_are_404(login: Any, city_admin: Any, clock: Any, url: str) -> None:
    client = login(city_admin)
    response = client.post(url) if "move" in url else client.get(url)
    assert response.status_code == 404


def test_bad_filters_do_not_break_the_list(make_case: Any, login: Any, city_admin: Any) -> None:
    make_case()
    client = login(city_admin)
    for query in (
        {"found_from": "2026-13-45"},
        {"status": "\x00"},
        {"q": "a\x00b"},
        {"page": "x"},
        {"unit": "nowhere", "kind": "shed"},
        {"found_from": "2026-06-30", "found_to": "2026-06-01"},
    ):
        assert client.get(reverse("registers:construction"), query).status_code == 200
        assert client.get(reverse("registers:construction_export"), query).status_code == 200


def test_a_move_must_be_posted(make_case: Any, login: Any, village_cadre: Any) -> None:
    case = make_case()
    assert login(village_cadre).get(move_url(case, "stop")).status_code == 405


# --- edit and photos -------------------------------------------------------------------------


def test_correcting_keeps_the_phone_unless_typed(
    make_case: Any, login: Any, village_cadre: Any
) -> None:
    case = make_case(party_phone=PHONE)
    client = login(village_cadre)
    data = {
        "party_name": "王大明",
        "party_phone": "",
        "address": "礼州村3组12号",
        "started_on": "2014-05-01",
        "found_on": "2026-06-01",
        "area": "120.50",
    }
    response = client.post(reverse("registers:construction_edit", args=[case.pk]), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.party_phone == PHONE
    assert case.is_new is False
    text = client.get(detail(case)).content.decode()
    assert "2014-05-01" in text


def test_photos_side_by_side_and_served_in_scope(
    make_case: Any, login: Any, grid_worker: Any, xc_secretary: Any, media: Any
) -> None:
    case = make_case()
    client = login(xc_secretary)
    response = client.post(
        reverse("registers:construction_photos", args=[case.pk]),
        {"stage": "after", "photos": [image_upload()]},
    )
    assert response.status_code == 302
    photo = CasePhoto.objects.get()
    assert photo.stage == "after"
    served = client.get(reverse("registers:construction_photo", args=[photo.pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content)[:2] == b"\xff\xd8"  # a JPEG
    page = client.get(detail(case)).content.decode()
    assert reverse("registers:construction_photo", args=[photo.pk]) in page
    again = client.post(
        reverse("registers:construction_photos", args=[case.pk]),
        {"stage": "after", "photos": [image_upload("again.jpg")]},
    )
    assert again.status_code == 302  # the same photo again: nothing added
    refused = client.post(
        reverse("registers:construction_photos", args=[case.pk]),
        {"stage": "during", "photos": [image_upload("x.jpg", color=(0, 0, 0))]},
    )
    assert refused.status_code == 400
    assert CasePhoto.objects.count() == 1


def test_the_event_link_of_a_patrol_case(
    login: Any, grid_worker: Any, village_cadre: Any, wfjs: Any, tree: Any, clock: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    from grassroots.events.actions import report_event

    with django_capture_on_commit_callbacks(execute=True):
        event = report_event(
            actor=grid_worker,
            category=wfjs["building"],
            title="未批先建新建房屋",
            source="patrol",
            unit=tree["grid"],
            address="礼州村4组",
        )
    case = ConstructionCase.objects.get(event=event)
    page = login(village_cadre).get(detail(case)).content.decode()
    assert reverse("events:detail", args=[event.pk]) in page
    assert event.number in page
    assert dt.date(2026, 6, 15).isoformat() in page

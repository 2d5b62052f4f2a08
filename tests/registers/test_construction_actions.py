"""The construction register's actions: opening a case (checks by field, new or not since
the baseline, the deadline in working days, who may), the moves and the illegal ones,
corrections, photos and the baseline refresh."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from grassroots.audit.models import AuditEntry
from grassroots.registers.actions import construction as actions
from grassroots.registers.errors import IllegalTransition, RegistersError
from grassroots.registers.models import CasePhoto, ConstructionCase, Policy
from tests.registers.test_construction_support import TODAY, image_upload

pytestmark = pytest.mark.django_db
pytest_plugins = ("tests.registers.test_construction_support",)


# --- opening ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"address": "  "}, "address"),
        ({"started_on": dt.date(2026, 6, 2)}, "started_on"),  # after it was found
        ({"found_on": dt.date(2026, 6, 16)}, "found_on"),  # tomorrow
        ({"started_on": None}, "started_on"),
        ({"party_phone": "12345"}, "party_phone"),
        ({"area": "-3"}, "area"),
        ({"area": "12.345"}, "area"),
        ({"area": "lots"}, "area"),
        ({"people": "0"}, "people"),
        ({"kind": "shed"}, "kind"),
        ({"lat": 27.8}, "lon"),
        ({"lat": 95, "lon": 102}, "lat"),
        ({"party_name": "王" * 65}, "party_name"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_written(
    make_case: Any, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(RegistersError) as caught:
        make_case(**overrides)
    assert caught.value.field == field
    assert ConstructionCase.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="registers.constructioncase").exists()


def test_the_message_is_chinese(make_case: Any) -> None:
    with pytest.raises(RegistersError) as caught:
        make_case(found_on=dt.date(2026, 6, 16))
    assert caught.value.message == "日期不能晚于今天。"


def test_a_unit_that_is_not_a_village_or_township_is_refused(make_case: Any, tree: Any) -> None:
    with pytest.raises(RegistersError) as caught:
        make_case(actor=None, unit=tree["grid"])
    assert caught.value.field == "unit"


@pytest.mark.parametrize(
    ("started_on", "is_new"),
    [(dt.date(2015, 12, 31), False), (dt.date(2016, 1, 1), True), (dt.date(2009, 3, 1), False)],
)
def test_new_since_the_baseline(make_case: Any, started_on: dt.date, is_new: bool) -> None:
    case = make_case(started_on=started_on)
    assert case.is_new is is_new


def test_a_later_baseline_of_the_township_applies(make_case: Any, tree: Any) -> None:
    Policy.objects.create(unit=tree["lizhou"], baseline=dt.date(2020, 12, 31))
    assert make_case(started_on=dt.date(2019, 5, 1)).is_new is False
    assert make_case(started_on=dt.date(2021, 1, 1)).is_new is True


def test_the_deadline_counts_working_days(
    make_case: Any, tree: Any, official_calendar: None
) -> None:
    # Found Friday 2026-06-05; 20 working days skip the weekends and 端午 (Friday 06-19).
    case = make_case(found_on=dt.date(2026, 6, 5))
    assert case.due_on == dt.date(2026, 7, 6)
    Policy.objects.create(unit=tree["village"], construction_workdays=1)
    assert make_case(found_on=dt.date(2026, 6, 5)).due_on == dt.date(2026, 6, 8)  # Monday


def test_numbers_count_per_kind_unit_and_year(make_case: Any, tree: Any) -> None:
    first = make_case()
    second = make_case()
    relocation = make_case(kind="relocation", people=5)
    older = make_case(found_on=dt.date(2025, 11, 3), started_on=dt.date(2025, 11, 1))
    assert first.number == "WJ-513401101201-2026-0001"
    assert second.number == "WJ-513401101201-2026-0002"
    assert relocation.number == "BQ-513401101201-2026-0001"
    assert older.number == "WJ-513401101201-2025-0001"


def test_the_audit_masks_the_party(make_case: Any) -> None:
    case = make_case()
    entry = AuditEntry.objects.get(action="registers.constructioncase.opened")
    assert entry.object_id == str(case.pk)
    assert entry.after is not None
    assert entry.after["party_phone"] == "138****5678"
    assert entry.after["party_name"] == "王**"
    assert "13812345678" not in str(entry.after)
    # …while the case keeps the phone, encrypted at rest.
    assert ConstructionCase.objects.get(pk=case.pk).party_phone == "13812345678"


def test_who_may_open(make_case: Any, tree: Any, grid_worker: Any, supervisor: Any) -> None:
    # A grid worker opens a patrol case in the village of their grid, not an inspection.
    assert make_case(actor=grid_worker, source="patrol").unit == tree["village"]
    with pytest.raises(PermissionDenied):
        make_case(actor=grid_worker, source="inspection")
    with pytest.raises(PermissionDenied):
        make_case(actor=grid_worker, source="patrol", unit=tree["neighbour_village"])
    with pytest.raises(PermissionDenied):
        make_case(actor=supervisor)


def test_outsider_may_not_open_in_another_township(make_case: Any, outsider: Any) -> None:
    with pytest.raises(PermissionDenied):
        make_case(actor=outsider)
    assert ConstructionCase.objects.count() == 0


# --- moves -----------------------------------------------------------------------------------


def test_stop_then_demolish(make_case: Any, village_cadre: Any) -> None:
    case = make_case()
    actions.stop(case.pk, actor=village_cadre, stopped_on=dt.date(2026, 6, 2))
    case = actions.demolish(
        case.pk, actor=village_cadre, closed_on=dt.date(2026, 6, 10), demolished_area="100"
    )
    assert case.status == "demolished"
    assert case.stopped_on == dt.date(2026, 6, 2)
    assert case.demolished_area == Decimal("100.00")
    verbs = list(
        AuditEntry.objects.filter(object_id=str(case.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert verbs == [
        "registers.constructioncase.opened",
        "registers.constructioncase.stopped",
        "registers.constructioncase.demolished",
    ]


def test_demolished_area_within_the_area(make_case: Any, village_cadre: Any) -> None:
    case = make_case(area="50")
    with pytest.raises(RegistersError) as caught:
        actions.demolish(case.pk, actor=village_cadre, closed_on=TODAY, demolished_area="60")
    assert caught.value.field == "demolished_area"
    assert ConstructionCase.objects.get(pk=case.pk).status == "found"


def test_dates_of_moves_are_checked(make_case: Any, village_cadre: Any) -> None:
    case = make_case()
    with pytest.raises(RegistersError) as caught:
        actions.stop(case.pk, actor=village_cadre, stopped_on=dt.date(2026, 5, 31))
    assert caught.value.field == "stopped_on"
    actions.stop(case.pk, actor=village_cadre, stopped_on=dt.date(2026, 6, 5))
    with pytest.raises(RegistersError) as caught:
        actions.regularise(case.pk, actor=village_cadre, closed_on=dt.date(2026, 6, 4), note="x")
    assert caught.value.field == "closed_on"


def test_regularise_needs_the_permit(make_case: Any, village_cadre: Any) -> None:
    case = make_case()
    with pytest.raises(RegistersError) as caught:
        actions.regularise(case.pk, actor=village_cadre, closed_on=TODAY, note=" ")
    assert caught.value.field == "note"
    case = actions.regularise(
        case.pk, actor=village_cadre, closed_on=TODAY, note="乡村建设规划许可证 乡字第2026-015号"
    )
    assert case.status == "regularised"
    assert case.close_note.startswith("乡村建设规划许可证")


def test_moving_back_is_for_relocations_only(make_case: Any, village_cadre: Any) -> None:
    building = make_case()
    with pytest.raises(IllegalTransition) as caught:
        actions.return_people(building.pk, actor=village_cadre, closed_on=TODAY)
    assert caught.value.http_status == 409
    relocation = make_case(kind="relocation", people=4)
    assert actions.return_people(relocation.pk, actor=village_cadre, closed_on=TODAY).status == (
        "returned"
    )


def test_a_closed_case_does_not_move(make_case: Any, village_cadre: Any) -> None:
    case = make_case()
    actions.dismiss(case.pk, actor=village_cadre, reason="经核实为临时棚架, 已自行拆除")
    with pytest.raises(IllegalTransition):
        actions.stop(case.pk, actor=village_cadre, stopped_on=TODAY)
    with pytest.raises(IllegalTransition):
        actions.demolish(case.pk, actor=village_cadre, closed_on=TODAY, demolished_area="1")
    assert ConstructionCase.objects.get(pk=case.pk).status == "dismissed"


def test_stopped_cannot_be_dismissed(make_case: Any, village_cadre: Any) -> None:
    case = make_case()
    actions.stop(case.pk, actor=village_cadre, stopped_on=TODAY)
    with pytest.raises(IllegalTransition):
        actions.dismiss(case.pk, actor=village_cadre, reason="误报")


def test_moves_need_manage_rights(
    make_case: Any, grid_worker: Any, neighbour_cadre: Any, supervisor: Any
) -> None:
    case = make_case()
    for actor in (grid_worker, neighbour_cadre, supervisor):
        with pytest.raises(PermissionDenied):
            actions.stop(case.pk, actor=actor, stopped_on=TODAY)
    assert ConstructionCase.objects.get(pk=case.pk).status == "found"


# --- corrections -----------------------------------------------------------------------------


def test_correcting_the_built_date_recomputes_new(make_case: Any, village_cadre: Any) -> None:
    case = make_case()
    assert case.is_new
    case = actions.correct(case.pk, actor=village_cadre, fields={"started_on": dt.date(2014, 8, 1)})
    assert case.is_new is False
    entry = AuditEntry.objects.get(action="registers.constructioncase.corrected")
    assert entry.before == {"started_on": "2026-05-20", "is_new": True}
    assert entry.after == {"started_on": "2014-08-01", "is_new": False}


def test_correcting_the_found_date_moves_the_deadline(
    make_case: Any, village_cadre: Any, official_calendar: None
) -> None:
    case = make_case(found_on=dt.date(2026, 6, 5))
    case = actions.correct(case.pk, actor=village_cadre, fields={"found_on": dt.date(2026, 6, 8)})
    assert case.due_on == dt.date(2026, 7, 7)


def test_a_correction_is_checked_like_the_opening(make_case: Any, village_cadre: Any) -> None:
    case = make_case()
    with pytest.raises(RegistersError) as caught:
        actions.correct(case.pk, actor=village_cadre, fields={"started_on": TODAY})
    assert caught.value.field == "started_on"
    with pytest.raises(RegistersError) as caught:
        actions.correct(case.pk, actor=village_cadre, fields={"number": "X"})
    assert caught.value.field == "number"
    assert ConstructionCase.objects.get(pk=case.pk).started_on == dt.date(2026, 5, 20)


# --- photos ----------------------------------------------------------------------------------


def test_photos_before_and_after(make_case: Any, grid_worker: Any, media: Any) -> None:
    case = make_case()
    stored = actions.add_photos(
        case.pk, actor=grid_worker, stage="before", uploads=[image_upload()]
    )
    assert len(stored) == 1
    assert (media / "events" / stored[0].sha256[:2] / f"{stored[0].sha256}.jpg").is_file()
    # The same photo again adds nothing.
    assert (
        actions.add_photos(case.pk, actor=grid_worker, stage="before", uploads=[image_upload()])
        == []
    )
    actions.add_photos(
        case.pk, actor=grid_worker, stage="after", uploads=[image_upload(color=(10, 200, 10))]
    )
    assert sorted(CasePhoto.objects.values_list("stage", flat=True)) == ["after", "before"]


def test_not_a_photo_is_refused(make_case: Any, village_cadre: Any, media: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = make_case()
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(RegistersError) as caught:
        actions.add_photos(case.pk, actor=village_cadre, stage="before", uploads=[bad])
    assert caught.value.field == "photos"
    assert not CasePhoto.objects.exists()


def test_at_most_nine_photos_a_stage(make_case: Any, village_cadre: Any, media: Any) -> None:
    case = make_case()
    uploads = [image_upload(color=(i * 20, 10, 10)) for i in range(9)]
    actions.add_photos(case.pk, actor=village_cadre, stage="after", uploads=uploads)
    with pytest.raises(RegistersError) as caught:
        actions.add_photos(
            case.pk, actor=village_cadre, stage="after", uploads=[image_upload(color=(1, 2, 3))]
        )
    assert caught.value.field == "photos"
    assert CasePhoto.objects.filter(stage="after").count() == 9


def test_photos_when_opening(make_case: Any, media: Any) -> None:
    case = make_case(photos=[image_upload()])
    assert list(case.photos.values_list("stage", flat=True)) == ["before"]


def test_an_outsider_adds_no_photo(make_case: Any, outsider: Any, media: Any) -> None:
    case = make_case()
    with pytest.raises(PermissionDenied):
        actions.add_photos(case.pk, actor=outsider, stage="before", uploads=[image_upload()])


# --- the baseline ----------------------------------------------------------------------------


def test_refresh_new_flags_after_a_baseline_change(
    make_case: Any, tree: Any, city_admin: Any
) -> None:
    early = make_case(started_on=dt.date(2018, 3, 1))
    late = make_case(started_on=dt.date(2024, 3, 1))
    other = make_case(actor=city_admin, unit=tree["other_village"], started_on=dt.date(2018, 3, 1))
    Policy.objects.create(unit=tree["lizhou"], baseline=dt.date(2020, 12, 31))
    assert actions.refresh_new_flags(tree["lizhou"], actor=city_admin) == 1
    flags = dict(ConstructionCase.objects.values_list("pk", "is_new"))
    assert flags == {early.pk: False, late.pk: True, other.pk: True}
    assert AuditEntry.objects.filter(
        action="registers.constructioncase.new_flags_refreshed"
    ).exists()
    # Nothing left to change: no second entry.
    assert actions.refresh_new_flags(tree["lizhou"], actor=city_admin) == 0


def test_refresh_needs_the_configure_right(tree: Any, xc_secretary: Any, clock: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.refresh_new_flags(tree["lizhou"], actor=xc_secretary)

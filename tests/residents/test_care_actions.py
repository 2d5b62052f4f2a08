"""The care actions: putting residents in care, visits and their due dates, the event a
problem opens, idempotency, scope, the audit, ending care and the key groups' settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from grassroots.audit.models import AuditEntry
from grassroots.events.models import Event
from grassroots.residents.actions import care as actions
from grassroots.residents.errors import ResidentsConflict, ResidentsError
from grassroots.residents.models import KeyPerson, Visit, VisitPhoto
from grassroots.residents.states import PersonStatus
from grassroots.residents.views.care import photo_file
from tests.events.photos import has_gps, image_bytes, upload
from tests.residents.test_care_support import (
    TODAY,
    day,
    frozen,
    make_category,
    make_group,
    put_in_care,
    visit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with frozen():
        yield


@pytest.fixture
def group(db: Any) -> Any:
    return make_group()


@pytest.fixture
def person(make_household: Any) -> Any:
    return make_household(members=2).members.order_by("pk").first()


@pytest.fixture
def kp(person: Any, group: Any, grid_worker: Any) -> Any:
    return put_in_care(person, group, grid_worker, day("2026-09-01"))


# --- putting in care ------------------------------------------------------------------------------


def test_first_visit_is_due_the_frequency_after_care_begins(kp: Any, person: Any) -> None:
    assert kp.due_on == day("2026-10-01")
    assert kp.grid_id == person.household.grid_id
    assert kp.last_visit_on is None


def test_one_open_care_per_resident_and_group(
    kp: Any, person: Any, group: Any, grid_worker: Any
) -> None:
    with pytest.raises(ResidentsConflict) as caught:
        put_in_care(person, group, grid_worker, TODAY)
    assert caught.value.field == "group"
    assert KeyPerson.objects.filter(resident=person).count() == 1


def test_care_ended_can_begin_again(kp: Any, person: Any, group: Any, grid_worker: Any) -> None:
    actions.end_care(kp, actor=grid_worker, ended_on=day("2026-10-01"), reason="暂时外出务工")
    again = put_in_care(person, group, grid_worker, TODAY)
    assert again.pk != kp.pk and again.due_on == day("2026-11-14")


def test_only_a_resident_living_here_is_put_in_care(
    person: Any, group: Any, grid_worker: Any
) -> None:
    person.status = PersonStatus.DECEASED
    person.save(update_fields=["status"])
    with pytest.raises(ResidentsError) as caught:
        put_in_care(person, group, grid_worker, TODAY)
    assert caught.value.field == "resident"
    assert not KeyPerson.objects.exists()


def test_care_cannot_begin_in_the_future_nor_in_an_unused_group(
    person: Any, group: Any, grid_worker: Any
) -> None:
    with pytest.raises(ResidentsError) as caught:
        put_in_care(person, group, grid_worker, TODAY + dt.timedelta(days=1))
    assert caught.value.field == "since"
    group.active = False
    group.save(update_fields=["active"])
    with pytest.raises(ResidentsError) as caught:
        put_in_care(person, group, grid_worker, TODAY)
    assert caught.value.field == "group"


def test_putting_in_care_needs_edit_over_the_grid(
    person: Any, group: Any, outsider: Any, city_admin: Any, village_cadre: Any, xc_secretary: Any
) -> None:
    for actor in (outsider, city_admin):
        with pytest.raises(PermissionDenied):
            put_in_care(person, group, actor, TODAY)
    assert put_in_care(person, group, xc_secretary, TODAY).pk


def test_the_audit_names_the_person_masked(kp: Any, person: Any) -> None:
    entry = AuditEntry.objects.get(action="residents.keyperson.added")
    text = f"{entry.object_repr} {entry.before} {entry.after}"
    assert person.masked_name in text
    assert person.name not in text
    assert person.id_number not in text and person.phone not in text
    assert entry.after["due_on"] == "2026-10-01"


# --- visits and due dates -------------------------------------------------------------------------


def test_someone_met_moves_the_next_visit(kp: Any, grid_worker: Any) -> None:
    visit(kp, grid_worker, day("2026-09-20"))
    kp.refresh_from_db()
    assert (kp.last_visit_on, kp.due_on) == (day("2026-09-20"), day("2026-10-20"))


def test_nobody_at_home_does_not_count(kp: Any, grid_worker: Any) -> None:
    v = visit(kp, grid_worker, day("2026-10-10"), met="nobody")
    kp.refresh_from_db()
    assert (kp.last_visit_on, kp.due_on) == (None, day("2026-10-01"))
    assert v.pk and v.met == "nobody"


def test_nobody_met_or_a_problem_needs_findings(kp: Any, grid_worker: Any) -> None:
    with pytest.raises(ResidentsError) as caught:
        visit(kp, grid_worker, TODAY, met="nobody", findings="  ")
    assert caught.value.field == "findings"
    assert not Visit.objects.exists()


def test_a_visit_entered_late_does_not_move_the_due_date_back(kp: Any, grid_worker: Any) -> None:
    visit(kp, grid_worker, day("2026-10-10"))
    visit(kp, grid_worker, day("2026-09-05"), met="family")
    kp.refresh_from_db()
    assert (kp.last_visit_on, kp.due_on) == (day("2026-10-10"), day("2026-11-09"))
    assert kp.visits.count() == 2


@pytest.mark.parametrize(
    ("on", "message"),
    [(TODAY + dt.timedelta(days=1), "今天"), (dt.date(2026, 8, 31), "2026-09-01")],
)
def test_a_visit_date_is_not_in_the_future_nor_before_care(
    kp: Any, grid_worker: Any, on: dt.date, message: str
) -> None:
    with pytest.raises(ResidentsError) as caught:
        visit(kp, grid_worker, on)
    assert caught.value.field == "visited_on"
    assert message in caught.value.message
    assert not Visit.objects.exists()


def test_a_retry_with_the_same_key_returns_the_first_visit(kp: Any, grid_worker: Any) -> None:
    key = "6f1c2d7e-1111-4222-8333-444455556666"
    first = visit(kp, grid_worker, day("2026-10-10"), idempotency_key=key)
    again = visit(kp, grid_worker, day("2026-10-12"), met="family", idempotency_key=key)
    assert again.pk == first.pk and again.visited_on == day("2026-10-10")
    assert Visit.objects.count() == 1
    assert AuditEntry.objects.filter(action="residents.visit.recorded").count() == 1


def test_visits_need_the_visit_grant_over_the_grid(
    kp: Any, outsider: Any, xc_secretary: Any, village_cadre: Any, city_admin: Any
) -> None:
    for actor in (outsider, xc_secretary, city_admin):
        with pytest.raises(PermissionDenied):
            visit(kp, actor, TODAY)
    assert visit(kp, village_cadre, TODAY).visitor == village_cadre


def test_a_problem_found_opens_an_event_of_the_grid(
    kp: Any, grid_worker: Any, tree: dict[str, Any]
) -> None:
    category = make_category(tree)
    v = visit(
        kp,
        grid_worker,
        TODAY,
        findings="老人屋顶漏雨, 需维修",
        problem_found=True,
        category=category,
        title="独居老人房屋漏雨",
        photos=[upload()],
    )
    event = Event.objects.get()
    assert v.event_id == event.pk
    assert event.grid_id == kp.grid_id == v.grid_id
    assert event.village_id == tree["village"].pk
    assert event.source == "patrol" and event.reporter == grid_worker
    assert event.description == "老人屋顶漏雨, 需维修"
    assert event.attachments.count() == 1
    entry = AuditEntry.objects.get(action="residents.visit.recorded")
    assert entry.after["event"] == event.number


def test_a_problem_without_category_writes_nothing(kp: Any, grid_worker: Any) -> None:
    with pytest.raises(ResidentsError) as caught:
        visit(kp, grid_worker, TODAY, findings="漏雨", problem_found=True, title="漏雨")
    assert caught.value.field == "category"
    assert not Visit.objects.exists() and not Event.objects.exists()
    kp.refresh_from_db()
    assert kp.last_visit_on is None


def test_an_event_error_comes_back_on_the_visit_field(
    kp: Any, grid_worker: Any, tree: dict[str, Any]
) -> None:
    category = make_category(tree)
    category.active = False
    category.save(update_fields=["active"])
    with pytest.raises(ResidentsError) as caught:
        visit(
            kp,
            grid_worker,
            TODAY,
            findings="漏雨",
            problem_found=True,
            category=category,
            title="漏雨",
        )
    assert caught.value.field == "category"
    assert not Visit.objects.exists() and not Event.objects.exists()


def test_photos_are_cleaned_and_stored(kp: Any, grid_worker: Any) -> None:
    v = visit(kp, grid_worker, TODAY, photos=[upload(content=image_bytes(gps=True))])
    photo = VisitPhoto.objects.get(visit=v)
    stored = photo_file(photo.sha256, photo.content_type).read_bytes()
    assert photo.content_type == "image/jpeg" and photo.size == len(stored)
    assert not has_gps(stored)


def test_a_file_that_is_not_a_photo_is_refused(kp: Any, grid_worker: Any) -> None:
    bad = upload("x.jpg", content=b"not an image at all")
    with pytest.raises(ResidentsError) as caught:
        visit(kp, grid_worker, TODAY, photos=[bad])
    assert caught.value.field == "photos"
    assert not Visit.objects.exists()


def test_the_visit_audit_has_no_personal_numbers(kp: Any, grid_worker: Any, person: Any) -> None:
    visit(kp, grid_worker, TODAY, findings="电话 13900001111 已核实")
    entry = AuditEntry.objects.get(action="residents.visit.recorded")
    text = f"{entry.object_repr} {entry.before} {entry.after}"
    assert person.name not in text and person.id_number not in text
    assert "13900001111" not in text
    assert entry.after["met"] == "person" and entry.after["due_on"] == "2026-11-14"


# --- ending care ----------------------------------------------------------------------------------


def test_ending_care_stops_visits(kp: Any, grid_worker: Any) -> None:
    actions.end_care(kp, actor=grid_worker, ended_on=TODAY, reason="迁往外地")
    with pytest.raises(ResidentsConflict):
        actions.end_care(kp, actor=grid_worker, ended_on=TODAY, reason="再次")
    with pytest.raises(ResidentsConflict):
        visit(kp, grid_worker, TODAY)
    kp.refresh_from_db()
    assert kp.ended_on == TODAY and kp.end_reason == "迁往外地"


def test_ending_care_checks_date_and_reason(kp: Any, grid_worker: Any, outsider: Any) -> None:
    with pytest.raises(ResidentsError) as caught:
        actions.end_care(kp, actor=grid_worker, ended_on=day("2026-08-01"), reason="x")
    assert caught.value.field == "ended_on"
    with pytest.raises(ResidentsError) as caught:
        actions.end_care(kp, actor=grid_worker, ended_on=TODAY, reason=" ")
    assert caught.value.field == "reason"
    with pytest.raises(PermissionDenied):
        actions.end_care(kp, actor=outsider, ended_on=TODAY, reason="x")


def test_end_care_of_a_resident_ends_all_open_care(kp: Any, person: Any, grid_worker: Any) -> None:
    other = put_in_care(person, make_group("test_other", 7, "测试其他"), grid_worker, TODAY)
    ended = actions.end_care_of(person, actor=grid_worker, on=day("2026-10-10"), reason="死亡")
    assert {k.pk for k in ended} == {kp.pk, other.pk}
    kp.refresh_from_db()
    other.refresh_from_db()
    assert kp.ended_on == day("2026-10-10")
    assert other.ended_on == TODAY  # began after the day given: ends on its first day
    assert AuditEntry.objects.filter(action="residents.keyperson.ended").count() == 2


# --- key groups -----------------------------------------------------------------------------------


def test_only_the_city_office_configures_groups(village_cadre: Any, xc_secretary: Any) -> None:
    for actor in (village_cadre, xc_secretary):
        with pytest.raises(PermissionDenied):
            actions.configure_key_group(actor=actor, code="x", name="x", visit_every_days=7)


def test_a_new_frequency_redates_the_open_care(
    kp: Any, group: Any, grid_worker: Any, city_admin: Any
) -> None:
    visit(kp, grid_worker, day("2026-10-01"))
    actions.configure_key_group(
        actor=city_admin, group=group, name=group.name, visit_every_days=7, order=3
    )
    kp.refresh_from_db()
    assert kp.due_on == day("2026-10-08")
    entry = AuditEntry.objects.get(action="residents.keygroup.updated")
    assert entry.before["visit_every_days"] == 30 and entry.after["visit_every_days"] == 7
    assert entry.unit_path == "513401"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"code": "Bad Code", "name": "x", "visit_every_days": 7}, "code"),
        ({"code": "ok", "name": "", "visit_every_days": 7}, "name"),
        ({"code": "ok", "name": "x", "visit_every_days": 0}, "visit_every_days"),
        ({"code": "ok", "name": "x", "visit_every_days": 400}, "visit_every_days"),
    ],
)
def test_bad_group_settings_name_their_field(
    city_admin: Any, fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(ResidentsError) as caught:
        actions.configure_key_group(actor=city_admin, **fields)
    assert caught.value.field == field


def test_a_group_code_is_unique(city_admin: Any, group: Any) -> None:
    with pytest.raises(ResidentsConflict) as caught:
        actions.configure_key_group(
            actor=city_admin, code=group.code, name="另一个", visit_every_days=7
        )
    assert caught.value.field == "code"


# --- the nightly notice ---------------------------------------------------------------------------


def test_grid_workers_hear_of_their_overdue_visits_once_a_day(
    kp: Any, grid_worker: Any, village_cadre: Any, outsider: Any
) -> None:
    from grassroots.inbox.models import Notification

    report = actions.send_overdue_notices(TODAY)
    assert (report.workers, report.overdue) == (1, 1)
    notice = Notification.objects.get()
    assert notice.recipient == grid_worker
    assert notice.link == "/residents/m/visits/"
    assert "1" in notice.subject
    again = actions.send_overdue_notices(TODAY)
    assert again.workers == 0 and again.skipped == 1
    assert Notification.objects.count() == 1


def test_no_notice_when_nothing_is_overdue(kp: Any, grid_worker: Any) -> None:
    from grassroots.inbox.models import Notification

    visit(kp, grid_worker, TODAY)
    assert actions.send_overdue_notices(TODAY).workers == 0
    assert not Notification.objects.exists()

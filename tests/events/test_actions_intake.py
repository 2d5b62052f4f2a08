"""Intake: report_event's checks, placing, numbering and idempotency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone
from django.utils.translation import override

from grassroots.audit.models import AuditEntry
from grassroots.events import actions
from grassroots.events.errors import EventError, OutsideJurisdiction
from grassroots.events.models import Category, Event, EventAction
from grassroots.events.states import EventStatus as S
from tests.events.conftest import POINT_OUTSIDE, POINT_TIANBA
from tests.events.photos import image_bytes, upload

pytestmark = pytest.mark.django_db


def refused(report: Callable[..., Any], **kwargs: Any) -> EventError:
    before = (Event.objects.count(), EventAction.objects.count(), AuditEntry.objects.count())
    with pytest.raises(EventError) as info:
        report(**kwargs)
    after = (Event.objects.count(), EventAction.objects.count(), AuditEntry.objects.count())
    assert after == before
    return info.value


def test_report_records_everything(
    report: Callable[..., Any], grid_worker: Any, category: Any, media: Any
) -> None:
    event = report(
        contact_name="张三",
        contact_phone="138 1234 5678",
        address="礼州镇礼州村3组",
        photos=[upload("a.jpg")],
    )
    assert event.status == S.REPORTED
    assert event.source == "patrol"
    assert event.reporter == grid_worker
    assert event.contact_phone == "13812345678"
    assert event.address == "礼州镇礼州村3组"
    assert (event.lat, event.lon) == (27.85, 102.05)
    assert event.escalation_level == 0
    assert event.respond_by is not None and event.resolve_by is not None
    assert event.respond_by > event.reported_at
    line = EventAction.objects.get(event=event)
    assert (line.kind, line.from_status, line.to_status) == ("report", "", S.REPORTED)
    assert line.created_at == event.reported_at
    assert line.attachments.count() == 1
    entry = AuditEntry.objects.get(action="events.event.reported")
    assert entry.object_id == str(event.pk)
    assert entry.actor == grid_worker


@override_settings(EVENT_NUMBER_PREFIX="LS")
def test_number_is_prefix_local_date_and_id(report: Callable[..., Any]) -> None:
    # 2026-11-24 23:30 in 西昌 is still the 24th there, the 24th 15:30 UTC
    moment = dt.datetime(2026, 11, 24, 15, 30, tzinfo=dt.UTC)
    event = report(reported_at=moment)
    assert event.number == f"LS20261124{event.pk:06d}"
    assert Event.objects.get(pk=event.pk).number == event.number


def test_title_is_required_and_limited(report: Callable[..., Any]) -> None:
    assert refused(report, title="   ").field == "title"
    assert refused(report, title="长" * 121).field == "title"
    assert report(title="长" * 120).title == "长" * 120
    assert report(title="  两个   空格 ").title == "两个 空格"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("source", "fax"),
        ("source", ""),
        ("description", "x" * 5001),
        ("address", "x" * 256),
        ("contact_name", "x" * 65),
        ("contact_phone", "12345"),
        ("contact_phone", "12812345678"),
        ("contact_phone", "1381234567"),
        ("contact_phone", "abc"),
        ("idempotency_key", "k" * 65),
        ("idempotency_key", "   "),
        ("reported_at", dt.datetime(2026, 1, 1, 8, 0)),  # noqa: DTZ001 -- naive on purpose
    ],
)
def test_bad_field_is_named(report: Callable[..., Any], field: str, value: Any) -> None:
    assert refused(report, **{field: value}).field == field


@pytest.mark.parametrize(
    "phone", ["13812345678", "+8613812345678", "0834-3223456", "08343223456", "028-12345678"]
)
def test_good_phones(report: Callable[..., Any], phone: str) -> None:
    assert (
        report(contact_phone=phone).contact_phone.lstrip("+").removeprefix("86")[-7:]
        == (phone[-7:])
    )


def test_reported_in_the_future_is_refused(report: Callable[..., Any]) -> None:
    error = refused(report, reported_at=timezone.now() + dt.timedelta(hours=1))
    assert (error.field, error.code) == ("reported_at", "future")


@pytest.mark.parametrize(
    ("lat", "lon", "field"),
    [
        (27.85, None, "location"),
        (None, 102.05, "location"),
        (91.0, 102.05, "lat"),
        (27.85, -181.0, "lon"),
        (float("nan"), 102.05, "lat"),
        (27.85, float("inf"), "lon"),
        ("north", 102.05, "lat"),
        (True, 102.05, "lat"),
    ],
)
def test_bad_position(report: Callable[..., Any], lat: Any, lon: Any, field: str) -> None:
    assert refused(report, lat=lat, lon=lon).field == field


def test_outside_the_jurisdiction_is_refused_with_the_chinese_message(
    report: Callable[..., Any],
) -> None:
    error = refused(report, point=POINT_OUTSIDE)
    assert isinstance(error, OutsideJurisdiction)
    assert (error.field, error.code) == ("location", "outside_jurisdiction")
    assert "104.060000" in error.message
    assert "网格" in error.message  # the default language is Chinese
    with override("en"):
        error = refused(report, point=POINT_OUTSIDE)
    assert "outside every grid" in error.message


def test_position_decides_the_place_and_unit_is_ignored(
    report: Callable[..., Any], city_admin: Any, tree: dict[str, Any], grids: dict[str, Any]
) -> None:
    event = report(actor=city_admin, point=POINT_TIANBA, unit=tree["other_village"])
    assert event.grid == grids["tianba_grid"]
    assert event.village == tree["neighbour_village"]
    assert event.assignee == tree["neighbour_village"]


def test_without_position_the_unit_is_required(
    report: Callable[..., Any], village_cadre: Any, tree: dict[str, Any]
) -> None:
    error = refused(report, actor=village_cadre, point=(None, None))
    assert (error.field, error.code) == ("location", "required")
    event = report(actor=village_cadre, point=(None, None), unit=tree["village"], address="3组")
    assert event.grid is None
    assert event.village == tree["village"]
    assert event.township == tree["lizhou"]
    assert event.area_path == tree["village"].path
    assert event.assignee == event.dispatcher == tree["village"]
    assert event.address == "3组"


def test_a_grid_given_by_hand_goes_to_its_village(
    report: Callable[..., Any], grid_worker: Any, tree: dict[str, Any]
) -> None:
    event = report(point=(None, None), unit=tree["grid"])
    assert event.grid == tree["grid"]
    assert event.assignee == tree["village"]


def test_a_township_given_by_hand_is_its_own_dispatcher(
    report: Callable[..., Any], xc_secretary: Any, tree: dict[str, Any]
) -> None:
    event = report(actor=xc_secretary, point=(None, None), unit=tree["lizhou"])
    assert (event.grid, event.village, event.township) == (None, None, tree["lizhou"])
    assert event.assignee == tree["lizhou"]


def test_a_unit_out_of_scope_or_a_department_is_refused(
    report: Callable[..., Any], village_cadre: Any, city_admin: Any, tree: dict[str, Any]
) -> None:
    with pytest.raises(PermissionDenied):
        report(actor=village_cadre, point=(None, None), unit=tree["other_village"])
    error = refused(report, actor=city_admin, point=(None, None), unit=tree["department"])
    assert (error.field, error.code) == ("unit", "department")


def test_anonymous_report_with_only_an_address_goes_to_the_root(
    report: Callable[..., Any], tree: dict[str, Any]
) -> None:
    event = report(actor=None, source="open311", point=(None, None), address="西昌市航天大道")
    assert event.assignee == event.dispatcher == tree["city"]
    assert event.area_path == tree["city"].path
    assert event.reporter is None
    assert actions.jurisdiction_root() == tree["city"]


def test_anonymous_reports_need_a_public_source(report: Callable[..., Any]) -> None:
    with pytest.raises(PermissionDenied):
        report(actor=None, source="patrol")
    event = report(actor=None, source="resident", contact_phone="13912345678")
    assert event.reporter is None
    assert EventAction.objects.get(event=event).actor is None


def test_a_resident_reports_without_a_grant(report: Callable[..., Any], resident: Any) -> None:
    with pytest.raises(PermissionDenied):
        report(actor=resident)  # patrol is for staff
    event = report(actor=resident, source="resident")
    assert event.reporter == resident
    assert EventAction.objects.get(event=event).actor_unit is None


def test_category_must_be_active_and_public_for_the_public(
    report: Callable[..., Any], category: Category, grid_worker: Any
) -> None:
    category.public = False
    category.save()
    assert refused(report, actor=None, source="resident").code == "not_public"
    assert refused(report, actor=grid_worker, source="open311").code == "not_public"
    assert report().category == category  # staff may use internal categories
    category.active = False
    category.save()
    error = refused(report)
    assert (error.field, error.code) == ("category", "inactive")


def test_deadlines_come_from_the_category(
    report: Callable[..., Any], category: Category, official_calendar: None
) -> None:
    # Monday 2026-11-23 09:00 in 西昌; 2 working hours, 3 working days
    moment = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)
    event = report(reported_at=moment)
    local = timezone.localtime
    tz = timezone.get_current_timezone()
    assert local(event.respond_by) == dt.datetime(2026, 11, 23, 11, 0, tzinfo=tz)
    assert local(event.resolve_by).date() == dt.date(2026, 11, 26)
    category.response_hours = Decimal("0.5")
    category.save()
    event = report(reported_at=moment)
    assert local(event.respond_by) == dt.datetime(2026, 11, 23, 9, 30, tzinfo=tz)


class TestIdempotency:
    def test_same_key_twice_is_one_event_one_action_one_audit(
        self, report: Callable[..., Any], media: Any
    ) -> None:
        first = report(idempotency_key="abc-123", photos=[upload("a.jpg")])
        again = report(idempotency_key="abc-123", photos=[upload("a.jpg")])
        assert again.pk == first.pk
        assert again.number == first.number
        assert Event.objects.count() == 1
        assert EventAction.objects.count() == 1
        assert AuditEntry.objects.filter(action="events.event.reported").count() == 1
        assert first.attachments.count() == 1

    def test_a_repeat_returns_the_first_event_unchanged(self, report: Callable[..., Any]) -> None:
        first = report(idempotency_key="k1", title="第一次")
        again = report(idempotency_key="k1", title="第二次")
        assert again.pk == first.pk
        assert Event.objects.get(pk=first.pk).title == "第一次"

    def test_another_reporter_cannot_reuse_a_key(
        self, report: Callable[..., Any], village_cadre: Any
    ) -> None:
        report(idempotency_key="k2")
        error = refused(report, actor=village_cadre, idempotency_key="k2")
        assert (error.field, error.code) == ("idempotency_key", "key_reused")

    def test_a_retry_inside_a_transaction_leaves_it_usable(
        self, report: Callable[..., Any], grid_worker: Any
    ) -> None:
        """A retry's insert meets the taken key in a savepoint: the first event comes back
        and the caller's transaction goes on (it is not left broken)."""
        from django.db import transaction

        winner = report(idempotency_key="race")
        with transaction.atomic():
            again = report(idempotency_key="race")
            assert again.pk == winner.pk
            assert Event.objects.count() == 1  # the transaction still answers
        assert EventAction.objects.filter(event=winner).count() == 1


class TestAttributes:
    @pytest.fixture
    def building(self, category: Category) -> Category:
        category.attributes = [
            {"code": "area", "datatype": "number", "required": True, "description": "建筑面积"},
            {
                "code": "stage",
                "datatype": "singlevaluelist",
                "required": False,
                "description": "阶段",
                "values": [{"key": "base", "name": "地基"}, {"key": "roof", "name": "封顶"}],
            },
            {
                "code": "uses",
                "datatype": "multivaluelist",
                "required": False,
                "values": [{"key": "home", "name": "住"}, {"key": "shop", "name": "商"}],
            },
            {"code": "seen", "datatype": "datetime", "required": False},
            {"code": "remark", "datatype": "text", "required": False},
        ]
        category.save()
        return category

    def test_good_answers_are_normalised(
        self, report: Callable[..., Any], building: Category
    ) -> None:
        event = report(
            attributes={
                "area": "120.5",
                "stage": "roof",
                "uses": ["home", "shop"],
                "seen": "2026-11-20T10:00:00+08:00",
                "remark": "夜间施工",
            }
        )
        assert event.attributes == {
            "area": 120.5,
            "stage": "roof",
            "uses": ["home", "shop"],
            "seen": "2026-11-20T10:00:00+08:00",
            "remark": "夜间施工",
        }
        assert report(attributes={"area": "3"}).attributes == {"area": 3}

    @pytest.mark.parametrize(
        ("attributes", "field"),
        [
            ({}, "attribute[area]"),
            ({"area": ""}, "attribute[area]"),
            ({"area": "many"}, "attribute[area]"),
            ({"area": "NaN"}, "attribute[area]"),
            ({"area": 1, "stage": "walls"}, "attribute[stage]"),
            ({"area": 1, "uses": ["home", "farm"]}, "attribute[uses]"),
            ({"area": 1, "seen": "yesterday"}, "attribute[seen]"),
            ({"area": 1, "seen": "2026-11-20T10:00:00"}, "attribute[seen]"),
            ({"area": 1, "colour": "red"}, "attribute[colour]"),
            ("area=1", "attributes"),
        ],
    )
    def test_bad_answers(
        self, report: Callable[..., Any], building: Category, attributes: Any, field: str
    ) -> None:
        assert refused(report, attributes=attributes).field == field


def test_photos_are_checked_before_anything_is_written(
    report: Callable[..., Any], media: Any
) -> None:
    bad = upload("x.jpg", b"not an image at all")
    error = refused(report, photos=[upload("a.jpg"), bad])
    assert error.field == "photos"
    too_many = [upload(f"{i}.jpg", image_bytes(color=(i, i, i))) for i in range(10)]
    assert refused(report, photos=too_many).code == "too_many"


def test_inactive_unit_is_refused(
    report: Callable[..., Any], village_cadre: Any, tree: dict[str, Any]
) -> None:
    village = tree["village"]
    village.active = False
    village.save()
    error = refused(report, actor=village_cadre, point=(None, None), unit=village)
    assert error.field == "unit"


def test_nul_characters_never_reach_the_database(report: Callable[..., Any]) -> None:
    event = report(title="垃圾\x00堆", description="a\x00b", address="x\x00")
    assert (event.title, event.description, event.address) == ("垃圾堆", "ab", "x")
    assert refused(report, idempotency_key="k\x00").field == "idempotency_key"


def test_jurisdiction_root_prefers_the_root_with_grids(
    tree: dict[str, Any], grids: dict[str, Any]
) -> None:
    from grassroots.org.models import Unit, UnitKind

    Unit.objects.create(code="000000", name="测试根", kind=UnitKind.COUNTY)
    assert actions.jurisdiction_root() == tree["city"]


def test_grid_units_cache_follows_the_grid_index(
    report: Callable[..., Any], grids: dict[str, Any], tree: dict[str, Any]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report()
    with CaptureQueriesContext(connection) as queries:
        report()
        # another grid: the first report read every grid of the (city-sized) index at once
        other = report(actor=None, source="resident", point=(27.85, 102.15))
    assert other.grid == grids["tianba_grid"]
    assert other.village == tree["neighbour_village"]
    assert not any('FROM "org_unit"' in q["sql"] for q in queries.captured_queries)
    grid = tree["grid"]
    grid.active = False
    grid.save()  # drops the grid index, and with it the cached units
    error = refused(report)
    assert isinstance(error, OutsideJurisdiction)


def test_category_must_be_given(report: Callable[..., Any]) -> None:
    error = refused(report, category=None)
    assert (error.field, error.code) == ("category", "required")


def test_other_apps_hear_of_a_new_event_once_it_has_committed(
    django_capture_on_commit_callbacks: Any, report: Callable[..., Any], category: Any
) -> None:
    from grassroots.events.signals import event_reported

    heard: list[dict[str, Any]] = []

    def listen(**kw: Any) -> None:
        heard.append(kw)

    event_reported.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            event = report()
        assert heard == []  # not before the commit
        for callback in callbacks:
            callback()
    finally:
        event_reported.disconnect(listen)
    assert [(h["event_id"], h["category_code"]) for h in heard] == [(event.pk, category.code)]

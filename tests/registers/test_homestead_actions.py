"""The homestead register's actions: parcels (checks by field, scope, audit), the
一户一宅 check (idempotent, working-day deadlines) and the cases' moves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from grassroots.audit.models import AuditEntry
from grassroots.registers.actions import homesteads as actions
from grassroots.registers.errors import IllegalTransition, RegistersConflict, RegistersError
from grassroots.registers.models import Homestead, HomesteadCase, Policy
from tests.registers.homesteads_support import parcel

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[102.26, 28.04], [102.261, 28.04], [102.261, 28.041], [102.26, 28.04]]],
}


def values(household: Any, **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"household": household, "parcel_number": "JC-1", "area": "120.5"}
    data.update(kw)
    return data


# --- parcels -------------------------------------------------------------------------------


def test_a_village_cadre_adds_a_parcel_with_an_audit_entry(
    tree: dict[str, Any], village_cadre: Any, make_household: Any
) -> None:
    household = make_household()
    homestead = actions.create_homestead(
        tree["village"],
        values(household, geometry=SQUARE, lat=28.04, lon=102.26, approved_on=dt.date(2012, 5, 1)),
        actor=village_cadre,
    )
    assert homestead.area == Decimal("120.50")
    assert homestead.geometry == SQUARE
    entry = AuditEntry.objects.get(action="registers.homestead.created")
    assert entry.object_id == str(homestead.pk)
    assert entry.after and entry.after["parcel_number"] == "JC-1"
    assert entry.after and entry.after["household"] == household.number
    assert entry.unit_path == tree["village"].path


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"area": "0"}, "area"),
        ({"area": "10000"}, "area"),
        ({"area": "12.345"}, "area"),
        ({"area": "abc"}, "area"),
        ({"parcel_number": "  "}, "parcel_number"),
        ({"parcel_number": "x" * 41}, "parcel_number"),
        ({"approved_on": dt.date(2999, 1, 1)}, "approved_on"),
        ({"lat": 91, "lon": 102}, "lat"),
        ({"lat": 28, "lon": 181}, "lon"),
        ({"lat": 28}, "lon"),
        ({"lat": float("nan"), "lon": 102}, "lat"),
        ({"geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}}, "geometry"),
        ({"geometry": "{not json"}, "geometry"),
        ({"geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1]]]}}, "geometry"),
        ({"geometry": {"type": "Point", "coordinates": [500, 28]}}, "geometry"),
        ({"note": "x" * 256}, "note"),
    ],
)
def test_bad_values_are_refused_by_field_and_nothing_is_written(
    tree: dict[str, Any],
    village_cadre: Any,
    make_household: Any,
    change: dict[str, Any],
    field: str,
) -> None:
    household = make_household()
    with pytest.raises(RegistersError) as caught:
        actions.create_homestead(tree["village"], values(household, **change), actor=village_cadre)
    assert caught.value.field == field
    assert not Homestead.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="registers.homestead").exists()


def test_a_point_geometry_is_taken(
    tree: dict[str, Any], village_cadre: Any, make_household: Any
) -> None:
    point = {"type": "Point", "coordinates": [102.26, 28.04]}
    homestead = actions.create_homestead(
        tree["village"], values(make_household(), geometry=point), actor=village_cadre
    )
    assert homestead.geometry == point


def test_the_parcel_number_is_unique_in_the_village_only(
    tree: dict[str, Any], village_cadre: Any, xc_secretary: Any, make_household: Any
) -> None:
    first = make_household()
    actions.create_homestead(tree["village"], values(first), actor=village_cadre)
    with pytest.raises(RegistersError) as caught:
        actions.create_homestead(tree["village"], values(make_household()), actor=village_cadre)
    assert caught.value.field == "parcel_number"
    # the same number in 田坝村 is another parcel
    from grassroots.org.models import Unit

    grid = Unit.objects.create(
        code="513401101202001", name="田坝村第1网格", kind="grid", parent=tree["neighbour_village"]
    )
    other = make_household(grid=grid)
    actions.create_homestead(tree["neighbour_village"], values(other), actor=xc_secretary)
    assert Homestead.objects.filter(parcel_number="JC-1").count() == 2


def test_the_household_must_be_of_the_village(
    tree: dict[str, Any], xc_secretary: Any, make_household: Any
) -> None:
    household = make_household()  # of 礼州村
    with pytest.raises(RegistersError) as caught:
        actions.create_homestead(tree["neighbour_village"], values(household), actor=xc_secretary)
    assert caught.value.field == "household"


def test_the_unit_must_be_a_village(
    tree: dict[str, Any], xc_secretary: Any, make_household: Any
) -> None:
    with pytest.raises(RegistersError) as caught:
        actions.create_homestead(tree["lizhou"], values(make_household()), actor=xc_secretary)
    assert caught.value.field == "unit"


@pytest.mark.parametrize("who", ["outsider", "supervisor", "grid_worker", "neighbour_cadre"])
def test_only_those_who_manage_the_village_add_parcels(
    request: pytest.FixtureRequest, tree: dict[str, Any], make_household: Any, who: str
) -> None:
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        actions.create_homestead(tree["village"], values(make_household()), actor=actor)
    assert not Homestead.objects.exists()


def test_an_update_records_only_what_changed(
    tree: dict[str, Any], village_cadre: Any, make_household: Any
) -> None:
    household = make_household()
    homestead = parcel(household, "100", parcel_number="JC-9")
    actions.update_homestead(
        homestead.pk, values(household, parcel_number="JC-9", area="110"), actor=village_cadre
    )
    homestead.refresh_from_db()
    assert homestead.area == Decimal("110.00")
    entry = AuditEntry.objects.get(action="registers.homestead.updated")
    assert entry.before == {"area": "100.00"}
    assert entry.after == {"area": "110.00"}
    # nothing changed: no entry
    actions.update_homestead(
        homestead.pk, values(household, parcel_number="JC-9", area="110"), actor=village_cadre
    )
    assert AuditEntry.objects.filter(action="registers.homestead.updated").count() == 1


def test_an_update_cannot_take_another_parcels_number(
    village_cadre: Any, make_household: Any
) -> None:
    household = make_household()
    parcel(household, parcel_number="A")
    second = parcel(household, parcel_number="B")
    with pytest.raises(RegistersError) as caught:
        actions.update_homestead(
            second.pk, values(household, parcel_number="A"), actor=village_cadre
        )
    assert caught.value.field == "parcel_number"


def test_retiring_needs_a_reason_and_happens_once(village_cadre: Any, make_household: Any) -> None:
    homestead = parcel(make_household())
    with pytest.raises(RegistersError) as caught:
        actions.retire_homestead(homestead.pk, actor=village_cadre, reason=" ")
    assert caught.value.field == "reason"
    actions.retire_homestead(homestead.pk, actor=village_cadre, reason="自愿退出，已复垦")
    homestead.refresh_from_db()
    assert homestead.active is False
    entry = AuditEntry.objects.get(action="registers.homestead.retired")
    assert entry.note == "自愿退出，已复垦"
    with pytest.raises(RegistersConflict):
        actions.retire_homestead(homestead.pk, actor=village_cadre, reason="again")
    with pytest.raises(RegistersConflict):
        actions.update_homestead(homestead.pk, values(homestead.household), actor=village_cadre)


# --- the check -------------------------------------------------------------------------------


def test_the_check_opens_a_case_per_finding_and_is_idempotent(
    tree: dict[str, Any], village_cadre: Any, make_household: Any, official_calendar: None
) -> None:
    two = make_household()
    parcel(two, "100")
    parcel(two, "90")
    big = parcel(make_household(), "180")
    parcel(make_household(), "150")  # exactly the standard: fine
    parcel(make_household(), "400", active=False)  # no longer held: ignored
    summary = actions.run_homestead_check(tree["village"], actor=village_cadre)
    assert (summary.findings, summary.multiple, summary.oversize) == (2, 1, 1)
    assert (summary.opened, summary.already_open) == (2, 0)
    multiple = HomesteadCase.objects.get(kind="multiple")
    assert multiple.household == two and multiple.homestead is None
    assert multiple.unit == tree["village"]
    assert "100.00" in multiple.finding and "90.00" in multiple.finding
    oversize = HomesteadCase.objects.get(kind="oversize")
    assert oversize.homestead == big
    assert "180.00" in oversize.finding and "150.00" in oversize.finding
    assert AuditEntry.objects.filter(action="registers.homesteadcase.opened").count() == 2
    run = AuditEntry.objects.get(action="registers.homestead.checked")
    assert run.after and run.after["opened"] == 2 and run.unit_path == tree["village"].path

    again = actions.run_homestead_check(tree["village"], actor=village_cadre)
    assert (again.opened, again.already_open, again.findings) == (0, 2, 2)
    assert HomesteadCase.objects.count() == 2
    assert AuditEntry.objects.filter(action="registers.homesteadcase.opened").count() == 2
    assert AuditEntry.objects.filter(action="registers.homestead.checked").count() == 2


def test_a_finding_that_no_longer_holds_leaves_its_open_case_alone(
    tree: dict[str, Any], village_cadre: Any, make_household: Any, official_calendar: None
) -> None:
    big = parcel(make_household(), "180")
    actions.run_homestead_check(tree["village"], actor=village_cadre)
    actions.retire_homestead(big.pk, actor=village_cadre, reason="已收回")
    summary = actions.run_homestead_check(tree["village"], actor=village_cadre)
    assert summary.findings == 0
    assert HomesteadCase.objects.get().status == "open"


def test_a_dismissed_finding_is_settled_but_a_rectified_one_that_still_holds_is_raised(
    tree: dict[str, Any], village_cadre: Any, make_household: Any, official_calendar: None
) -> None:
    kept = parcel(make_household(), "180")
    parcel(make_household(), "200")
    actions.run_homestead_check(tree["village"], actor=village_cadre)
    dismissed = HomesteadCase.objects.get(homestead=kept)
    actions.dismiss_case(dismissed.pk, actor=village_cadre, reason="依法保留(历史审批)")
    rectified = HomesteadCase.objects.exclude(pk=dismissed.pk).get()
    actions.mark_rectified(rectified.pk, actor=village_cadre, note="已退出", on=None)
    summary = actions.run_homestead_check(tree["village"], actor=village_cadre)
    # The dismissed one is not raised every night again; the "rectified" parcel is still
    # held at 200 m², so the check raises it anew.
    assert (summary.opened, summary.settled) == (1, 1)
    assert not HomesteadCase.objects.filter(homestead=kept, status="open").exists()
    assert HomesteadCase.objects.filter(status="open").count() == 1


def test_the_deadline_counts_working_days_of_the_official_calendar(
    tree: dict[str, Any], xc_secretary: Any, make_household: Any, official_calendar: None
) -> None:
    Policy.objects.create(unit=tree["lizhou"], rectify_workdays=5)
    parcel(make_household(), "300")
    actions.run_homestead_check(tree["lizhou"], actor=xc_secretary, today=dt.date(2026, 9, 29))
    case = HomesteadCase.objects.get()
    assert case.found_on == dt.date(2026, 9, 29)
    # 9-30, (National Day 10-1…10-7 off), 10-8, 10-9, 10-10 (a Saturday worked), 10-12
    assert case.due_on == dt.date(2026, 10, 12)


def test_each_village_is_checked_against_its_own_policy(
    tree: dict[str, Any], xc_secretary: Any, make_household: Any, official_calendar: None
) -> None:
    Policy.objects.create(unit=tree["village"], homestead_area_limit=Decimal(200))
    parcel(make_household(), "180")  # 礼州村: within its 200 m²
    summary = actions.run_homestead_check(tree["lizhou"], actor=xc_secretary)
    assert summary.findings == 0
    Policy.objects.filter(unit=tree["village"]).update(homestead_area_limit=Decimal(170))
    summary = actions.run_homestead_check(tree["lizhou"], actor=xc_secretary)
    assert summary.opened == 1


def test_the_check_needs_manage_over_the_unit(
    tree: dict[str, Any], outsider: Any, supervisor: Any, village_cadre: Any
) -> None:
    for actor, unit in (
        (outsider, tree["lizhou"]),
        (supervisor, tree["lizhou"]),
        (village_cadre, tree["lizhou"]),
    ):
        with pytest.raises(PermissionDenied):
            actions.run_homestead_check(unit, actor=actor)


def test_the_nightly_job_checks_the_whole_tree(
    tree: dict[str, Any], make_household: Any, official_calendar: None
) -> None:
    from grassroots.registers.jobs.homesteads import check_everywhere

    parcel(make_household(), "180")
    (run,) = check_everywhere()
    assert run["opened"] == 1
    entry = AuditEntry.objects.get(action="registers.homestead.checked")
    assert entry.actor is None and entry.unit_path == tree["city"].path


# --- the cases -------------------------------------------------------------------------------


@pytest.fixture
def case(
    tree: dict[str, Any], village_cadre: Any, make_household: Any, official_calendar: None
) -> HomesteadCase:
    parcel(make_household(), "180")
    actions.run_homestead_check(tree["village"], actor=village_cadre)
    return HomesteadCase.objects.get()


def test_a_case_is_rectified_through_its_moves(case: HomesteadCase, village_cadre: Any) -> None:
    actions.start_rectifying(case.pk, actor=village_cadre, measures="超出部分有偿使用")
    actions.mark_rectified(
        case.pk, actor=village_cadre, note="已缴纳有偿使用费", on=timezone.localdate()
    )
    case.refresh_from_db()
    assert case.status == "rectified"
    assert case.measures == "超出部分有偿使用"
    assert case.closed_on == timezone.localdate()
    entries = list(
        AuditEntry.objects.filter(object_id=str(case.pk), object_type="registers.homesteadcase")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert entries == [
        "registers.homesteadcase.opened",
        "registers.homesteadcase.rectifying",
        "registers.homesteadcase.rectified",
    ]


def test_illegal_moves_are_refused(case: HomesteadCase, village_cadre: Any) -> None:
    actions.dismiss_case(case.pk, actor=village_cadre, reason="依法保留")
    with pytest.raises(IllegalTransition) as caught:
        actions.start_rectifying(case.pk, actor=village_cadre, measures="x")
    assert caught.value.http_status == 409
    with pytest.raises(IllegalTransition):
        actions.mark_rectified(case.pk, actor=village_cadre, note="x")
    case.refresh_from_db()
    assert case.status == "dismissed" and case.close_note == "依法保留"


def test_the_rectification_date_is_checked(case: HomesteadCase, village_cadre: Any) -> None:
    for day in (case.found_on - dt.timedelta(days=1), timezone.localdate() + dt.timedelta(days=1)):
        with pytest.raises(RegistersError) as caught:
            actions.mark_rectified(case.pk, actor=village_cadre, note="x", on=day)
        assert caught.value.field == "on"
    case.refresh_from_db()
    assert case.status == "open"


def test_only_managers_move_cases(case: HomesteadCase, supervisor: Any, grid_worker: Any) -> None:
    for actor in (supervisor, grid_worker):
        with pytest.raises(PermissionDenied):
            actions.dismiss_case(case.pk, actor=actor, reason="x")

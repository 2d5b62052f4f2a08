"""Rating forms (民主测评, 领导评价): the office sends a form, raters fill their sheets in the
browser, anti-averaging diagnostics flag sheets that need a justification, the office
excludes sheets with a reason and closes the form; only the counted sheets of a closed form
reach a run.

The village scheme of the conftest assesses 礼州村, 田坝村 and 安宁村 (in code order); a
manual-rating indicator ``rating`` (20 points, linear from 0 to 100) is added here.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.assessment.actions import compute_run
from grassroots.assessment.actions.ratings import (
    close_form,
    create_form,
    exclude_sheet,
    justify_sheet,
    submit_sheet,
)
from grassroots.assessment.errors import AssessmentError, IllegalTransition
from grassroots.assessment.models import (
    Category,
    FormState,
    Indicator,
    Rating,
    RatingForm,
    RatingSheet,
    Score,
    SheetState,
)
from grassroots.audit.models import AuditEntry
from tests.assessment.conftest import CST
from tests.events.test_races import race

CLOSES = dt.date(2026, 10, 31)
_codes = itertools.count()


# --- fixtures ----------------------------------------------------------------------------


def manual_indicator(scheme: Any, code: str = "rating", weight: str = "20") -> Indicator:
    indicator = Indicator(
        scheme=scheme,
        code=code,
        name="群众满意度测评",
        category=Category.SATISFACTION,
        weight=Decimal(weight),
        source="manual",
        rule="range_linear",
        params={"floor": 0, "target": 100},
        position=10,
    )
    indicator.full_clean()
    indicator.save()
    return indicator


@pytest.fixture
def scheme(scheme_factory: Any) -> Any:
    return scheme_factory(shrinkage=False, significance=False)


@pytest.fixture
def indicator(scheme: Any) -> Indicator:
    return manual_indicator(scheme)


@pytest.fixture
def raters(tree: dict[str, Any]) -> list[Any]:
    """Four raters (测评人) with a rater membership at the city."""
    from grassroots.org.models import Membership, User

    people = []
    for name in ("rater_a", "rater_b", "rater_c", "rater_d"):
        user = User.objects.create_user(username=name, password="x", full_name=f"测评人{name[-1]}")
        Membership.objects.create(user=user, unit=tree["city"], role="rater")
        people.append(user)
    return people


@pytest.fixture
def villages(tree: dict[str, Any]) -> list[Any]:
    """The scheme's units in code order: 礼州村, 田坝村, 安宁村."""
    return [tree["village"], tree["neighbour_village"], tree["other_village"]]


@pytest.fixture
def form(scheme: Any, indicator: Indicator, raters: list[Any], city_admin: Any) -> RatingForm:
    return create_form(
        scheme,
        indicator=indicator,
        period="2026-10",
        title="2026年10月群众满意度测评",
        closes_on=CLOSES,
        raters=raters,
        actor=city_admin,
    )


def sheet_of(form: RatingForm, rater: Any) -> RatingSheet:
    return RatingSheet.objects.get(form=form, rater=rater)


def scores(villages: list[Any], *values: int | str) -> dict[int, Decimal]:
    return {u.pk: Decimal(str(v)) for u, v in zip(villages, values, strict=True)}


def fill(form: RatingForm, rater: Any, villages: list[Any], *values: int | str) -> RatingSheet:
    return submit_sheet(sheet_of(form, rater), scores(villages, *values), actor=rater)


# --- creating a form ---------------------------------------------------------------------


def test_a_form_gives_each_rater_a_pending_sheet_and_is_audited(
    form: RatingForm, raters: list[Any]
) -> None:
    assert form.state == FormState.OPEN and form.period == "2026-10"
    sheets = RatingSheet.objects.filter(form=form)
    assert sorted(s.rater_id for s in sheets) == sorted(r.pk for r in raters)
    assert {s.state for s in sheets} == {SheetState.PENDING}
    entry = AuditEntry.objects.get(action="assessment.form.created")
    assert entry.after["period"] == "2026-10" and entry.after["indicator"] == "rating"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"period": "2026-13"}, "period"),
        ({"period": "2025-10"}, "period"),  # not the scheme's year
        ({"title": "  "}, "title"),
        ({"closes_on": dt.date(2026, 10, 14)}, "closes_on"),  # yesterday
        ({"raters": []}, "raters"),
    ],
)
def test_a_bad_form_is_refused_on_its_field(
    scheme: Any, indicator: Indicator, raters: list[Any], city_admin: Any, change: Any, field: str
) -> None:
    kwargs: dict[str, Any] = {
        "indicator": indicator,
        "period": "2026-10",
        "title": "测评",
        "closes_on": CLOSES,
        "raters": raters,
    }
    kwargs.update(change)

    with pytest.raises(AssessmentError) as caught:
        create_form(scheme, actor=city_admin, **kwargs)

    assert caught.value.field == field
    assert not RatingForm.objects.exists() and not RatingSheet.objects.exists()


def test_only_a_manual_rating_indicator_of_the_scheme_takes_a_form(
    scheme: Any, raters: list[Any], city_admin: Any
) -> None:
    metric_indicator = Indicator.objects.get(scheme=scheme, code="patrol")

    with pytest.raises(AssessmentError) as caught:
        create_form(
            scheme,
            indicator=metric_indicator,
            period="2026-10",
            title="测评",
            closes_on=CLOSES,
            raters=raters,
            actor=city_admin,
        )

    assert caught.value.field == "indicator"


def test_one_form_per_indicator_and_period(
    form: RatingForm, scheme: Any, indicator: Indicator, raters: list[Any], city_admin: Any
) -> None:
    with pytest.raises(AssessmentError) as caught:
        create_form(
            scheme,
            indicator=indicator,
            period="2026-10",
            title="again",
            closes_on=CLOSES,
            raters=raters,
            actor=city_admin,
        )

    assert caught.value.field == "period"
    assert RatingForm.objects.count() == 1


def test_the_year_end_review_is_for_the_year_and_only_once(
    scheme: Any, raters: list[Any], city_admin: Any
) -> None:
    def year_end(period: str) -> RatingForm:
        return create_form(
            scheme,
            indicator=None,
            period=period,
            title="年终考评",
            closes_on=CLOSES,
            raters=raters,
            actor=city_admin,
        )

    with pytest.raises(AssessmentError) as monthly:
        year_end("2026-10")
    created = year_end("2026")
    with pytest.raises(AssessmentError) as again:
        year_end("2026")

    assert monthly.value.field == "period" and again.value.field == "period"
    assert created.is_year_end and RatingForm.objects.count() == 1


def test_only_the_city_office_sends_forms(
    scheme: Any, indicator: Indicator, raters: list[Any], xc_secretary: Any
) -> None:
    with pytest.raises(PermissionDenied):
        create_form(
            scheme,
            indicator=indicator,
            period="2026-10",
            title="测评",
            closes_on=CLOSES,
            raters=raters,
            actor=xc_secretary,
        )


# --- filling a sheet ---------------------------------------------------------------------


def test_a_spread_sheet_is_submitted_with_its_diagnostics(
    form: RatingForm, raters: list[Any], villages: list[Any]
) -> None:
    sheet = fill(form, raters[0], villages, 90, 75, 60)

    assert sheet.state == SheetState.SUBMITTED
    assert {r.unit_id: r.score for r in Rating.objects.filter(sheet=sheet)} == scores(
        villages, 90, 75, 60
    )
    d = sheet.diagnostics
    assert d["flags"] == [] and d["mean"] == "75.000000" and d["range"] == "30"
    assert d["sd_ratio"] == "1.000000" and d["group_sheets"] == 1
    entry = AuditEntry.objects.get(action="assessment.sheet.submitted")
    assert entry.after["state"] == "submitted"


def test_submitting_again_replaces_the_scores(
    form: RatingForm, raters: list[Any], villages: list[Any]
) -> None:
    fill(form, raters[0], villages, 90, 75, 60)
    sheet = fill(form, raters[0], villages, 50, "99.5", 10)

    assert sorted(Rating.objects.filter(sheet=sheet).values_list("score", flat=True)) == [
        Decimal(10),
        Decimal(50),
        Decimal("99.5"),
    ]


def test_a_rater_who_gives_everyone_the_same_score_is_flagged(
    form: RatingForm, raters: list[Any], villages: list[Any]
) -> None:
    sheet = fill(form, raters[0], villages, 80, 80, 80)

    assert sheet.state == SheetState.FLAGGED
    assert "constant" in sheet.diagnostics["flags"]


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ((90, 80, None), "安宁村"),  # missing
        ((90, 101, 70), "田坝村"),  # above 100
        ((-1, 80, 70), "礼州村"),  # below 0
        ((90, "80.125", 70), "田坝村"),  # three decimals
    ],
)
def test_every_unit_needs_a_score_from_0_to_100(
    form: RatingForm, raters: list[Any], villages: list[Any], values: Any, named: str
) -> None:
    given_scores = {
        u.pk: Decimal(str(v)) for u, v in zip(villages, values, strict=True) if v is not None
    }

    with pytest.raises(AssessmentError) as caught:
        submit_sheet(sheet_of(form, raters[0]), given_scores, actor=raters[0])

    unit = next(u for u in villages if u.name == named)
    assert caught.value.field == f"score_{unit.pk}" and named in caught.value.message
    assert sheet_of(form, raters[0]).state == SheetState.PENDING
    assert not Rating.objects.exists()


def test_a_unit_outside_the_scheme_is_refused(
    form: RatingForm, raters: list[Any], villages: list[Any], tree: dict[str, Any]
) -> None:
    given_scores = {**scores(villages, 90, 80, 70), tree["lizhou"].pk: Decimal(50)}

    with pytest.raises(AssessmentError) as caught:
        submit_sheet(sheet_of(form, raters[0]), given_scores, actor=raters[0])

    assert caught.value.field == "scores"


def test_only_the_rater_fills_their_sheet(
    form: RatingForm, raters: list[Any], villages: list[Any], city_admin: Any
) -> None:
    for someone in (raters[1], city_admin):
        with pytest.raises(PermissionDenied):
            submit_sheet(sheet_of(form, raters[0]), scores(villages, 90, 80, 70), actor=someone)


def test_no_sheet_after_the_closing_day(
    form: RatingForm, raters: list[Any], villages: list[Any]
) -> None:
    # 2026-10-31 23:30 in 西昌 is still the closing day; an hour later it is not
    with time_machine.travel(dt.datetime(2026, 10, 31, 23, 30, tzinfo=CST), tick=False):
        assert fill(form, raters[0], villages, 90, 80, 70).state == SheetState.SUBMITTED
    with (
        time_machine.travel(dt.datetime(2026, 11, 1, 0, 30, tzinfo=CST), tick=False),
        pytest.raises(IllegalTransition),
    ):
        fill(form, raters[1], villages, 90, 80, 70)
    assert sheet_of(form, raters[1]).state == SheetState.PENDING


def test_no_sheet_once_the_form_is_closed(
    form: RatingForm, raters: list[Any], villages: list[Any], city_admin: Any
) -> None:
    close_form(form, actor=city_admin)

    with pytest.raises(IllegalTransition):
        fill(form, raters[0], villages, 90, 80, 70)


# --- justification and exclusion ---------------------------------------------------------


def test_a_flagged_sheet_counts_once_justified(
    form: RatingForm, raters: list[Any], villages: list[Any]
) -> None:
    sheet = fill(form, raters[0], villages, 80, 80, 80)

    with pytest.raises(AssessmentError) as short:
        justify_sheet(sheet, "都很好", actor=raters[0])
    with pytest.raises(PermissionDenied):
        justify_sheet(sheet, "三个村工作确实都很扎实, 差别不大。", actor=raters[1])
    justified = justify_sheet(sheet, "三个村工作确实都很扎实, 差别不大。", actor=raters[0])

    assert short.value.field == "justification"
    assert justified.state == SheetState.JUSTIFIED
    assert justified.justification.startswith("三个村")
    assert AuditEntry.objects.filter(action="assessment.sheet.justified").count() == 1


def test_an_unflagged_sheet_needs_no_justification(
    form: RatingForm, raters: list[Any], villages: list[Any]
) -> None:
    sheet = fill(form, raters[0], villages, 90, 75, 60)

    with pytest.raises(IllegalTransition):
        justify_sheet(sheet, "这是一段足够长的说明文字。", actor=raters[0])


def test_the_office_excludes_a_sheet_with_a_reason(
    form: RatingForm, raters: list[Any], villages: list[Any], city_admin: Any, xc_secretary: Any
) -> None:
    sheet = fill(form, raters[0], villages, 80, 80, 80)

    with pytest.raises(AssessmentError) as no_reason:
        exclude_sheet(sheet, " ", actor=city_admin)
    with pytest.raises(PermissionDenied):
        exclude_sheet(sheet, "测评人与被测评单位有利害关系", actor=xc_secretary)
    excluded = exclude_sheet(sheet, "测评人与被测评单位有利害关系", actor=city_admin)

    assert no_reason.value.field == "reason"
    assert excluded.state == SheetState.EXCLUDED
    assert excluded.exclusion_reason == "测评人与被测评单位有利害关系"
    with pytest.raises(IllegalTransition):
        exclude_sheet(excluded, "again", actor=city_admin)
    with pytest.raises(IllegalTransition):
        fill(form, raters[0], villages, 90, 75, 60)


# --- closing -----------------------------------------------------------------------------


def test_closing_rechecks_every_sheet_against_the_whole_group(
    form: RatingForm, raters: list[Any], villages: list[Any], city_admin: Any
) -> None:
    a = fill(form, raters[0], villages, 80, 70, 60)  # alone so far: nothing to compare
    assert a.state == SheetState.SUBMITTED and a.diagnostics["flags"] == []
    fill(form, raters[1], villages, 100, 50, 0)
    fill(form, raters[2], villages, 95, 50, 10)
    d = fill(form, raters[3], villages, 75, 75, 75)
    justify_sheet(d, "我认为三个村工作成效相当。", actor=raters[3])

    closed = close_form(form, actor=city_admin)

    assert closed.state == FormState.CLOSED and closed.closed_at is not None
    a.refresh_from_db()
    assert a.state == SheetState.FLAGGED  # its spread is far below the group's
    assert "low_spread" in a.diagnostics["flags"] and a.diagnostics["basis"] == "close"
    assert a.diagnostics["group_sheets"] == 4
    assert sheet_of(form, raters[1]).state == SheetState.SUBMITTED
    assert sheet_of(form, raters[3]).state == SheetState.JUSTIFIED  # stays justified
    entry = AuditEntry.objects.get(action="assessment.form.closed")
    assert entry.after["sheets"]["flagged"] == 1
    with pytest.raises(IllegalTransition):
        close_form(form, actor=city_admin)


def test_pending_sheets_stay_pending_at_close(
    form: RatingForm, raters: list[Any], villages: list[Any], city_admin: Any
) -> None:
    fill(form, raters[0], villages, 90, 75, 60)

    close_form(form, actor=city_admin)

    assert sheet_of(form, raters[1]).state == SheetState.PENDING
    assert sheet_of(form, raters[1]).diagnostics == {}


def test_only_the_office_closes(form: RatingForm, xc_secretary: Any) -> None:
    with pytest.raises(PermissionDenied):
        close_form(form, actor=xc_secretary)
    form.refresh_from_db()
    assert form.state == FormState.OPEN


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    constant=st.integers(min_value=0, max_value=100),
    others=st.lists(
        st.tuples(*(st.integers(min_value=0, max_value=100) for _ in range(3))),
        min_size=0,
        max_size=3,
    ),
    order=st.integers(min_value=0, max_value=3),
)
def test_a_constant_rater_always_ends_flagged(
    scheme: Any,
    raters: list[Any],
    villages: list[Any],
    city_admin: Any,
    constant: int,
    others: list[tuple[int, int, int]],
    order: int,
) -> None:
    indicator = manual_indicator(scheme, code=f"rating-{next(_codes)}")
    form = create_form(
        scheme,
        indicator=indicator,
        period="2026-10",
        title="测评",
        closes_on=CLOSES,
        raters=raters,
        actor=city_admin,
    )
    constant_rater = raters[0]
    fillers = list(zip(raters[1:], others, strict=False))
    position = min(order, len(fillers))
    for rater, values in fillers[:position]:
        fill(form, rater, villages, *values)
    sheet = fill(form, constant_rater, villages, constant, constant, constant)
    assert sheet.state == SheetState.FLAGGED
    for rater, values in fillers[position:]:
        fill(form, rater, villages, *values)

    close_form(form, actor=city_admin)

    sheet.refresh_from_db()
    assert sheet.state == SheetState.FLAGGED and "constant" in sheet.diagnostics["flags"]


# --- into a run --------------------------------------------------------------------------


def _rating_score(run: Any, unit: Any) -> Score:
    return Score.objects.get(run=run, unit=unit, indicator__code="rating")


def test_a_closed_forms_counted_sheets_give_the_points_of_a_run(
    scheme: Any,
    form: RatingForm,
    raters: list[Any],
    villages: list[Any],
    city_admin: Any,
) -> None:
    lizhou, tianba, anning = villages
    fill(form, raters[0], villages, 80, 60, 40)
    fill(form, raters[1], villages, 90, 70, 50)
    fill(form, raters[2], villages, 70, 70, 70)  # constant: flagged, not justified
    excluded = fill(form, raters[3], villages, 0, 100, 0)
    exclude_sheet(excluded, "测评人所在单位与被测评村存在利益关联", actor=city_admin)

    still_open = compute_run(scheme, "2026-10", actor=city_admin)
    assert "rating_form_open:rating" in still_open.notes
    assert _rating_score(still_open, lizhou).points == 0

    close_form(form, actor=city_admin)
    run = compute_run(scheme, "2026-10", actor=city_admin)

    # only the two counted sheets: 礼州村 (80 + 90) / 2 = 85 → 20 × 85 % = 17 points
    assert _rating_score(run, lizhou).raw_value == Decimal(85)
    assert _rating_score(run, lizhou).points == Decimal("17.00")
    assert _rating_score(run, tianba).points == Decimal("13.00")
    assert _rating_score(run, anning).points == Decimal("9.00")
    assert _rating_score(run, lizhou).explanation["ratings"]["sheets"] == 2

    flagged = sheet_of(form, raters[2])
    assert flagged.state == SheetState.FLAGGED
    justify_sheet(flagged, "三个村的测评分我认为应当一致。", actor=raters[2])
    recomputed = compute_run(scheme, "2026-10", actor=city_admin)

    # the justified constant sheet now counts: (80 + 90 + 70) / 3 = 80 → 16 points
    assert _rating_score(recomputed, lizhou).raw_value == Decimal(80)
    assert _rating_score(recomputed, lizhou).points == Decimal("16.00")
    assert _rating_score(recomputed, lizhou).explanation["ratings"]["sheets"] == 3


# --- pages -------------------------------------------------------------------------------


def test_the_list_shows_the_office_its_forms_and_a_rater_their_sheet(
    login: Any, form: RatingForm, city_admin: Any, raters: list[Any], village_cadre: Any
) -> None:
    office = login(city_admin).get("/assessment/forms/")
    rater = login(raters[0]).get("/assessment/forms/")
    other = login(village_cadre).get("/assessment/forms/")

    assert office.status_code == 200 and form.title in office.content.decode()
    assert f"/assessment/forms/{form.pk}/" in office.content.decode()
    assert (
        rater.status_code == 200 and f"/assessment/forms/{form.pk}/sheet/" in rater.content.decode()
    )
    assert other.status_code == 200 and form.title not in other.content.decode()


def test_the_office_sends_a_form_from_the_page(
    login: Any, scheme: Any, indicator: Indicator, raters: list[Any], city_admin: Any
) -> None:
    client = login(city_admin)
    page = client.get("/assessment/forms/new/")
    assert page.status_code == 200 and "测评人a" in page.content.decode()
    data = {
        "scheme": scheme.pk,
        "indicator": indicator.pk,
        "period": "2026-10",
        "title": "十月测评",
        "closes_on": "2026-10-31",
        "raters": [raters[0].pk, raters[1].pk],
    }

    bad = client.post("/assessment/forms/new/", {**data, "period": "2026-13"})
    assert bad.status_code == 400 and 'data-field="period"' in bad.content.decode()
    assert not RatingForm.objects.exists()
    done = client.post("/assessment/forms/new/", data)

    created = RatingForm.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/assessment/forms/{created.pk}/"
    assert created.sheets.count() == 2


def test_only_the_office_may_open_the_new_form_page(login: Any, village_cadre: Any) -> None:
    assert login(village_cadre).get("/assessment/forms/new/").status_code == 403


def test_the_office_page_of_a_form_shows_sheets_and_flags(
    login: Any,
    form: RatingForm,
    raters: list[Any],
    villages: list[Any],
    city_admin: Any,
    outsider: Any,
) -> None:
    fill(form, raters[0], villages, 80, 80, 80)
    url = f"/assessment/forms/{form.pk}/"

    page = login(city_admin).get(url)

    body = page.content.decode()
    assert page.status_code == 200 and "测评人a" in body and "⚑" in body
    assert 'class="bands"' in body
    assert login(outsider).get(url).status_code == 404
    assert login(raters[0]).get(url).status_code == 404


def test_the_office_excludes_and_closes_from_the_page(
    login: Any, form: RatingForm, raters: list[Any], villages: list[Any], city_admin: Any
) -> None:
    sheet = fill(form, raters[0], villages, 80, 80, 80)
    client = login(city_admin)
    url = f"/assessment/forms/{form.pk}/"

    empty = client.post(url, {"action": "exclude", "sheet": sheet.pk, f"s{sheet.pk}-reason": ""})
    assert empty.status_code == 400 and 'role="alert"' in empty.content.decode()
    assert sheet_of(form, raters[0]).state == SheetState.FLAGGED
    excluded = client.post(
        url, {"action": "exclude", "sheet": sheet.pk, f"s{sheet.pk}-reason": "利害关系回避"}
    )
    assert excluded.status_code == 302
    assert sheet_of(form, raters[0]).state == SheetState.EXCLUDED

    closed = client.post(url, {"action": "close"})
    again = client.post(url, {"action": "close"})

    assert closed.status_code == 302 and again.status_code == 409
    form.refresh_from_db()
    assert form.state == FormState.CLOSED


def test_the_rater_fills_the_sheet_in_the_browser(
    login: Any, form: RatingForm, raters: list[Any], villages: list[Any]
) -> None:
    client = login(raters[0])
    url = f"/assessment/forms/{form.pk}/sheet/"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert all(u.name in body for u in villages)
    assert all(f'name="score_{u.pk}"' in body for u in villages)

    missing = client.post(
        url, {"action": "submit", f"score_{villages[0].pk}": "88", f"score_{villages[1].pk}": "120"}
    )
    assert missing.status_code == 400
    body = missing.content.decode()
    assert "田坝村" in body and "安宁村" in body and 'value="88"' in body
    assert not Rating.objects.exists()

    flat = {"action": "submit", **{f"score_{u.pk}": "85" for u in villages}}
    assert client.post(url, flat).status_code == 302
    assert sheet_of(form, raters[0]).state == SheetState.FLAGGED
    page = client.get(url)
    assert 'name="justification"' in page.content.decode()

    short = client.post(url, {"action": "justify", "justification": "好"})
    assert short.status_code == 400
    assert sheet_of(form, raters[0]).state == SheetState.FLAGGED
    done = client.post(
        url, {"action": "justify", "justification": "三个村都完成了全部任务, 成效相当。"}
    )
    assert done.status_code == 302
    assert sheet_of(form, raters[0]).state == SheetState.JUSTIFIED


def test_someone_elses_sheet_is_not_found(
    login: Any, form: RatingForm, city_admin: Any, village_cadre: Any
) -> None:
    url = f"/assessment/forms/{form.pk}/sheet/"
    assert login(village_cadre).get(url).status_code == 404
    assert login(city_admin).get(url).status_code == 404  # the office is not a rater here


def test_a_closed_form_refuses_a_late_sheet_with_409(
    login: Any, form: RatingForm, raters: list[Any], villages: list[Any], city_admin: Any
) -> None:
    close_form(form, actor=city_admin)
    data = {"action": "submit", **{f"score_{u.pk}": "85" for u in villages}}

    response = login(raters[0]).post(f"/assessment/forms/{form.pk}/sheet/", data)

    assert response.status_code == 409 and not Rating.objects.exists()


# --- two at once (PostgreSQL) ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL")
def test_a_sheet_submitted_while_the_form_closes_is_either_in_or_refused(
    scheme: Any, raters: list[Any], villages: list[Any], city_admin: Any
) -> None:
    for round_ in range(4):
        indicator = manual_indicator(scheme, code=f"race-{round_}")
        form = create_form(
            scheme,
            indicator=indicator,
            period="2026-10",
            title="测评",
            closes_on=CLOSES,
            raters=raters,
            actor=city_admin,
        )
        fill(form, raters[1], villages, 90, 70, 50)
        sheet = sheet_of(form, raters[0])
        results = race(
            lambda f=form: close_form(f, actor=city_admin),
            lambda s=sheet: submit_sheet(s, scores(villages, 80, 80, 80), actor=raters[0]),
        )
        sheet.refresh_from_db()
        assert not isinstance(results[0], Exception), results
        if isinstance(results[1], Exception):
            assert isinstance(results[1], IllegalTransition)
            assert sheet.state == SheetState.PENDING
            assert not Rating.objects.filter(sheet=sheet).exists()
        else:  # submitted first, then rechecked by the close
            assert sheet.state == SheetState.FLAGGED
            assert sheet.diagnostics["basis"] == "close"

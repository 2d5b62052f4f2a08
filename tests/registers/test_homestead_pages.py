"""The homestead pages: list and parcel (names masked for those who do not manage),
forms, the check, the cases and their moves; scope (outsider 404, read-only 403)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from grassroots.audit.models import AuditEntry
from grassroots.common.masking import mask_name
from grassroots.registers.actions import homesteads as actions
from grassroots.registers.models import Homestead, HomesteadCase
from tests.registers.homesteads_support import head_name, parcel

pytestmark = pytest.mark.django_db


@pytest.fixture
def big(make_household: Any) -> Homestead:
    """A parcel above the standard (150 m²) of a 礼州村 household."""
    return parcel(make_household(), "188.5", parcel_number="LZ-001")


# --- the list and a parcel -------------------------------------------------------------------


def test_the_list_shows_holders_in_full_to_the_village_clerk(
    login: Any, village_cadre: Any, big: Homestead
) -> None:
    page = login(village_cadre).get(reverse("registers:homesteads"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "LZ-001" in text and head_name(big.household) in text
    assert "超出标准" in text or "超标准" in text


@pytest.mark.parametrize("who", ["supervisor", "grid_worker"])
def test_others_see_holders_masked(
    request: pytest.FixtureRequest, login: Any, big: Homestead, who: str
) -> None:
    viewer = request.getfixturevalue(who)
    name = head_name(big.household)
    for url in (
        reverse("registers:homesteads"),
        reverse("registers:homestead_detail", args=[big.pk]),
    ):
        page = login(viewer).get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert mask_name(name) in text
        assert name not in text


def test_an_outsider_neither_lists_nor_opens_the_parcel(
    login: Any, outsider: Any, big: Homestead
) -> None:
    client = login(outsider)
    assert "LZ-001" not in client.get(reverse("registers:homesteads")).content.decode()
    assert client.get(reverse("registers:homestead_detail", args=[big.pk])).status_code == 404
    assert client.get(reverse("registers:homestead_edit", args=[big.pk])).status_code == 404
    retire = client.post(reverse("registers:homestead_retire", args=[big.pk]), {"reason": "x"})
    assert retire.status_code == 404
    assert Homestead.objects.get().active


def test_someone_without_the_registers_gets_403(login: Any, resident: Any, dept_staff: Any) -> None:
    for user in (resident, dept_staff):
        assert login(user).get(reverse("registers:homesteads")).status_code == 403
        assert login(user).get(reverse("registers:homestead_cases")).status_code == 403


def test_the_filters(login: Any, village_cadre: Any, make_household: Any, big: Homestead) -> None:
    two = make_household()
    parcel(two, "80", parcel_number="LZ-101")
    parcel(two, "70", parcel_number="LZ-102")
    parcel(make_household(), "90", parcel_number="LZ-200", active=False)
    client = login(village_cadre)
    url = reverse("registers:homesteads")

    def listed(**query: str) -> set[str]:
        page = client.get(url, query)
        assert page.status_code == 200
        return {p for p in ("LZ-001", "LZ-101", "LZ-102", "LZ-200") if p in page.content.decode()}

    assert listed() == {"LZ-001", "LZ-101", "LZ-102"}
    assert listed(oversize="on") == {"LZ-001"}
    assert listed(multiple="on") == {"LZ-101", "LZ-102"}
    assert listed(retired="on") == {"LZ-001", "LZ-101", "LZ-102", "LZ-200"}
    assert listed(q="LZ-10") == {"LZ-101", "LZ-102"}
    assert listed(q=two.number) == {"LZ-101", "LZ-102"}
    assert listed(q=head_name(big.household)) == {"LZ-001"}
    assert listed(village="513401101201") == {"LZ-001", "LZ-101", "LZ-102"}


@pytest.mark.parametrize(
    "query",
    [{"page": "abc"}, {"page": "99999"}, {"village": "nope"}, {"q": "a\x00b"}, {"oversize": "x"}],
)
def test_bad_parameters_are_no_500(
    login: Any, village_cadre: Any, big: Homestead, query: dict[str, str]
) -> None:
    client = login(village_cadre)
    assert client.get(reverse("registers:homesteads"), query).status_code == 200
    assert client.get(reverse("registers:homestead_cases"), query).status_code == 200
    assert client.get(reverse("registers:homestead_export"), query).status_code == 200


def test_a_bad_id_is_404(login: Any, village_cadre: Any) -> None:
    client = login(village_cadre)
    assert client.get("/registers/homesteads/abc/").status_code == 404
    assert client.get(reverse("registers:homestead_detail", args=[999999])).status_code == 404
    assert client.get(reverse("registers:homestead_case", args=[999999])).status_code == 404


def test_the_parcel_page_shows_the_household_its_other_parcels_and_history(
    login: Any, village_cadre: Any, make_household: Any
) -> None:
    household = make_household()
    first = parcel(household, parcel_number="LZ-A")
    parcel(household, parcel_number="LZ-B")
    actions.retire_homestead(first.pk, actor=village_cadre, reason="已复垦")
    page = login(village_cadre).get(reverse("registers:homestead_detail", args=[first.pk]))
    text = page.content.decode()
    assert household.number in text and "LZ-B" in text
    assert "已复垦" in text  # the history


# --- forms -----------------------------------------------------------------------------------


def test_adding_a_parcel_through_the_page(
    tree: dict[str, Any], login: Any, village_cadre: Any, make_household: Any
) -> None:
    household = make_household()
    client = login(village_cadre)
    assert client.get(reverse("registers:homestead_new")).status_code == 200
    answer = client.post(
        reverse("registers:homestead_new"),
        {
            "village": tree["village"].code,
            "household_number": household.number,
            "parcel_number": "LZ-NEW",
            "area": "133.3",
            "approved_on": "2015-03-02",
            "geometry": '{"type": "Point", "coordinates": [102.26, 28.04]}',
        },
    )
    homestead = Homestead.objects.get(parcel_number="LZ-NEW")
    assert answer.status_code == 302
    assert answer["Location"] == reverse("registers:homestead_detail", args=[homestead.pk])
    assert homestead.household == household


def test_the_page_shows_the_errors_by_field(
    tree: dict[str, Any], login: Any, village_cadre: Any, make_household: Any
) -> None:
    household = make_household()
    client = login(village_cadre)
    base = {"village": tree["village"].code, "household_number": household.number}
    answer = client.post(
        reverse("registers:homestead_new"), {**base, "parcel_number": "X", "area": "0"}
    )
    assert answer.status_code == 400
    assert "面积" in answer.content.decode()
    unknown = client.post(
        reverse("registers:homestead_new"),
        {**base, "household_number": "NOPE", "parcel_number": "X", "area": "100"},
    )
    assert unknown.status_code == 400
    assert "NOPE" in unknown.content.decode()
    geometry = client.post(
        reverse("registers:homestead_new"),
        {**base, "parcel_number": "X", "area": "100", "geometry": '{"type": "Line"}'},
    )
    assert geometry.status_code == 400
    assert not Homestead.objects.exists()


def test_editing_a_parcel(login: Any, village_cadre: Any, big: Homestead) -> None:
    client = login(village_cadre)
    url = reverse("registers:homestead_edit", args=[big.pk])
    assert client.get(url).status_code == 200
    answer = client.post(
        url,
        {
            "household_number": big.household.number,
            "parcel_number": "LZ-001",
            "area": "140",
            "village": "513401102201",  # ignored: the village stays
        },
    )
    assert answer.status_code == 302
    big.refresh_from_db()
    assert str(big.area) == "140.00" and big.unit.code == "513401101201"


def test_read_only_viewers_get_403_on_every_post(
    login: Any, supervisor: Any, grid_worker: Any, big: Homestead
) -> None:
    for viewer in (supervisor, grid_worker):
        client = login(viewer)
        assert (
            client.post(
                reverse("registers:homestead_retire", args=[big.pk]), {"reason": "x"}
            ).status_code
            == 403
        )
        assert client.get(reverse("registers:homestead_edit", args=[big.pk])).status_code == 403
        assert client.get(reverse("registers:homestead_new")).status_code == 403
        assert client.post(reverse("registers:homestead_check")).status_code == 403
    assert Homestead.objects.get().active


def test_retiring_through_the_page(login: Any, village_cadre: Any, big: Homestead) -> None:
    client = login(village_cadre)
    url = reverse("registers:homestead_retire", args=[big.pk])
    assert client.get(url).status_code == 405
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "退出"}).status_code == 302
    assert client.post(url, {"reason": "again"}).status_code == 409


# --- the check and the cases -----------------------------------------------------------------


def test_the_check_page_runs_once_and_shows_the_summary(
    login: Any, village_cadre: Any, big: Homestead, official_calendar: None
) -> None:
    client = login(village_cadre)
    url = reverse("registers:homestead_check")
    assert client.get(url).status_code == 405
    page = client.post(url)
    assert page.status_code == 200
    assert HomesteadCase.objects.count() == 1
    assert 'class="n opened">1<' in page.content.decode()
    again = client.post(url)
    assert 'class="n opened">0<' in again.content.decode()
    assert 'class="n already-open">1<' in again.content.decode()
    assert HomesteadCase.objects.count() == 1
    assert client.post(url, {"unit": "513401102"}).status_code == 404  # not theirs


@pytest.fixture
def case(big: Homestead, village_cadre: Any, official_calendar: None) -> HomesteadCase:
    actions.run_homestead_check(big.unit, actor=village_cadre)
    return HomesteadCase.objects.get()


def test_the_case_list_filters(login: Any, village_cadre: Any, case: HomesteadCase) -> None:
    client = login(village_cadre)
    url = reverse("registers:homestead_cases")

    def count(**query: str) -> int:
        page = client.get(url, query)
        assert page.status_code == 200
        return int(page.content.decode().count('class="case status-'))

    assert count() == 1
    assert count(kind="oversize") == 1
    assert count(kind="multiple") == 0
    assert count(status="open_any") == 1
    assert count(status="rectified") == 0
    assert count(overdue="on") == 0
    HomesteadCase.objects.update(due_on=dt.date(2020, 1, 1))
    assert count(overdue="on") == 1


def test_the_case_list_by_village(login: Any, xc_secretary: Any, case: HomesteadCase) -> None:
    url = reverse("registers:homestead_cases")
    client = login(xc_secretary)
    assert client.get(url, {"village": "513401101201"}).content.decode().count("case status-") == 1
    assert client.get(url, {"village": "513401101202"}).content.decode().count("case status-") == 0


def test_moving_a_case_through_the_page(
    login: Any, village_cadre: Any, case: HomesteadCase
) -> None:
    client = login(village_cadre)
    detail = client.get(reverse("registers:homestead_case", args=[case.pk]))
    assert detail.status_code == 200
    assert 'name="verb" value="rectifying"' in detail.content.decode()
    url = reverse("registers:homestead_case_move", args=[case.pk])
    assert client.get(url).status_code == 405
    empty = client.post(url, {"verb": "rectifying", "rectifying-measures": ""})
    assert empty.status_code == 400
    moved = client.post(url, {"verb": "rectifying", "rectifying-measures": "超出部分退出"})
    assert moved.status_code == 302
    today = timezone.localdate().isoformat()
    closed = client.post(
        url, {"verb": "rectified", "rectified-note": "已退出", "rectified-closed_on": today}
    )
    assert closed.status_code == 302
    case.refresh_from_db()
    assert case.status == "rectified"
    illegal = client.post(url, {"verb": "dismissed", "dismissed-reason": "x"})
    assert illegal.status_code == 409
    assert client.post(url, {"verb": "reopen"}).status_code == 404
    case.refresh_from_db()
    assert case.status == "rectified"
    assert AuditEntry.objects.filter(action="registers.homesteadcase.rectified").count() == 1


def test_a_future_rectification_date_is_a_400(
    login: Any, village_cadre: Any, case: HomesteadCase
) -> None:
    url = reverse("registers:homestead_case_move", args=[case.pk])
    answer = login(village_cadre).post(
        url, {"verb": "rectified", "rectified-note": "x", "rectified-closed_on": "2999-01-01"}
    )
    assert answer.status_code == 400
    case.refresh_from_db()
    assert case.status == "open"


def test_case_scope(login: Any, outsider: Any, supervisor: Any, case: HomesteadCase) -> None:
    url = reverse("registers:homestead_case_move", args=[case.pk])
    data = {"verb": "dismissed", "dismissed-reason": "x"}
    assert (
        login(outsider).get(reverse("registers:homestead_case", args=[case.pk])).status_code == 404
    )
    assert login(outsider).post(url, data).status_code == 404
    page = login(supervisor).get(reverse("registers:homestead_case", args=[case.pk]))
    assert page.status_code == 200
    assert 'name="verb"' not in page.content.decode()
    assert login(supervisor).post(url, data).status_code == 403
    case.refresh_from_db()
    assert case.status == "open"


def test_a_grid_worker_filters_their_grids_parcels(
    login: Any, grid_worker: Any, big: Homestead, make_household: Any
) -> None:
    parcel(make_household(), "100", parcel_number="LZ-SMALL")
    page = login(grid_worker).get(reverse("registers:homesteads"), {"oversize": "on"})
    text = page.content.decode()
    assert "LZ-001" in text and "LZ-SMALL" not in text


def _queries(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return sum(1 for q in captured.captured_queries if "common_calendar" not in q["sql"])


def test_the_lists_query_count_does_not_grow_with_rows(
    login: Any, village_cadre: Any, make_household: Any, official_calendar: None
) -> None:
    client = login(village_cadre)
    for _ in range(2):
        household = make_household()
        parcel(household, "200")
        parcel(household, "100")
    actions.run_homestead_check(household.village, actor=village_cadre)
    lists = (reverse("registers:homesteads"), reverse("registers:homestead_cases"))
    few = [_queries(client, url) for url in lists]
    for _ in range(8):
        household = make_household()
        parcel(household, "200")
        parcel(household, "100")
    actions.run_homestead_check(household.village, actor=village_cadre)
    assert [_queries(client, url) for url in lists] == few

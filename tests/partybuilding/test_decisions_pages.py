"""The decision log pages: access by role, the log's filters and export, linking and
unlinking through the forms, the rules page, the record pages' resolution box, and the
log's query count."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grassroots.partybuilding.models import DecisionLink, DecisionRule
from tests.partybuilding.decisions_support import make_task
from tests.partybuilding.decisions_world import ref, world

pytestmark = pytest.mark.django_db
__all__ = ["world"]


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("city_admin", 200),
        ("xc_secretary", 200),
        ("village_cadre", 200),
        ("committee_member", 200),
        ("grid_worker", 403),
        ("resident", 403),
    ],
)
def test_the_log_by_role(
    world: dict[str, Any], request: Any, login: Any, who: str, code: int
) -> None:
    response = login(request.getfixturevalue(who)).get(reverse("partybuilding:decisions"))
    assert response.status_code == code


def test_the_log_shows_the_area_s_decisions(
    world: dict[str, Any], login: Any, village_cadre: Any
) -> None:
    page = login(village_cadre).get(reverse("partybuilding:decisions")).content.decode()
    assert "礼州村村道硬化" in page and "村党支部书记" in page
    assert "安宁村文化广场" not in page and "田坝村水渠维修" not in page
    assert "未经决议" in page and "决策台账" in page


@pytest.mark.parametrize(
    "query",
    [
        {"q": "a\x00b"},
        {"year": "abc"},
        {"year": "2026-02-30"},
        {"unit": "999"},
        {"matter": "x" * 300},
        {"status": "late", "page": "abc"},
        {"q": "x" * 500},
    ],
)
def test_garbage_filters_are_no_error(
    world: dict[str, Any], login: Any, city_admin: Any, query: dict[str, str]
) -> None:
    client = login(city_admin)
    assert client.get(reverse("partybuilding:decisions"), query).status_code == 200
    assert client.get(reverse("partybuilding:decisions_export"), query).status_code == 200


def test_the_filters_narrow_the_log(
    world: dict[str, Any], login: Any, city_admin: Any, tree: Any
) -> None:
    client = login(city_admin)
    page = client.get(reverse("partybuilding:decisions"), {"matter": "fund"}).content.decode()
    assert "田坝村水渠维修" in page and "礼州村村道硬化" not in page
    page = client.get(
        reverse("partybuilding:decisions"), {"unit": tree["other_village"].code}
    ).content.decode()
    assert "安宁村文化广场" in page and "田坝村水渠维修" not in page
    page = client.get(
        reverse("partybuilding:decisions"), {"status": "not_required"}
    ).content.decode()
    assert "田坝村小额资金" in page and "田坝村水渠维修" not in page


def test_the_export_opens(world: dict[str, Any], login: Any, xc_secretary: Any) -> None:
    import openpyxl

    response = login(xc_secretary).get(reverse("partybuilding:decisions_export"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("事项类别", "记录", "事项")
    titles = {r[2] for r in rows[1:]}
    assert "田坝村水渠维修" in titles and "安宁村文化广场" not in titles
    amounts = {r[2]: r[5] for r in rows[1:]}
    assert amounts["礼州村村道硬化"] == 120000


def test_linking_through_the_page(world: dict[str, Any], login: Any, village_cadre: Any) -> None:
    client = login(village_cadre)
    url = reverse("partybuilding:decision_link", args=[ref(world["t1"])])
    page = client.get(url).content.decode()
    assert "2026-01" in page and world["r_township"].title in page
    assert "2026-02" not in page  # not passed: not offered
    refused = client.post(url, {"resolution": str(world["r_failed"].pk)})
    assert refused.status_code == 400 and "未获通过" in refused.content.decode()
    refused = client.post(url, {"resolution": str(world["r_neighbour"].pk)})
    assert refused.status_code == 400
    assert client.post(url, {"resolution": "abc\x00"}).status_code == 400
    assert client.post(url, {"resolution": "99999999"}).status_code == 400
    assert not DecisionLink.objects.exists()
    done = client.post(url, {"resolution": str(world["r_village"].pk), "note": "会议纪要第3项"})
    assert done.status_code == 302
    assert DecisionLink.objects.get().resolution == world["r_village"]
    again = client.post(url, {"resolution": str(world["r_late"].pk)})
    assert again.status_code == 409
    unlink = reverse("partybuilding:decision_unlink", args=[ref(world["t1"])])
    assert client.post(unlink, {"reason": ""}).status_code == 400
    assert DecisionLink.objects.exists()
    assert client.post(unlink, {"reason": "选错了"}).status_code == 302
    assert not DecisionLink.objects.exists()


@pytest.mark.parametrize(
    "reference", ["supervision.task:99999", "x", "supervision.task:1%00", "cadres.vacancy:0"]
)
def test_unknown_records_are_404(
    world: dict[str, Any], login: Any, village_cadre: Any, reference: str
) -> None:
    client = login(village_cadre)
    assert client.get(f"/partybuilding/decisions/{reference}/").status_code == 404


def test_outside_the_area_is_404_and_a_reader_403(
    world: dict[str, Any], login: Any, village_cadre: Any, committee_member: Any
) -> None:
    other = reverse("partybuilding:decision_link", args=[ref(world["t4"])])
    assert login(village_cadre).get(other).status_code == 404
    assert (
        login(village_cadre).post(other, {"resolution": world["r_village"].pk}).status_code == 404
    )
    own = reverse("partybuilding:decision_link", args=[ref(world["t1"])])
    assert login(committee_member).get(own).status_code == 403
    assert not DecisionLink.objects.exists()


def test_the_rules_page(
    world: dict[str, Any], login: Any, city_admin: Any, xc_secretary: Any
) -> None:
    url = reverse("partybuilding:decision_rules")
    assert login(xc_secretary).get(url).status_code == 403
    client = login(city_admin)
    assert "资金事项" in client.get(url).content.decode()
    data = {}
    for rule in DecisionRule.objects.all():
        if rule.required:
            data[f"{rule.matter}-required"] = "on"
        data[f"{rule.matter}-min_amount"] = "" if rule.min_amount is None else str(rule.min_amount)
    bad = client.post(url, {**data, "fund-min_amount": "-5"})
    assert bad.status_code == 400
    assert DecisionRule.objects.get(matter="fund").min_amount == Decimal(50000)
    assert client.post(url, {**data, "fund-min_amount": "100000"}).status_code == 302
    assert DecisionRule.objects.get(matter="fund").min_amount == Decimal(100000)


def test_the_task_page_shows_its_resolution(
    world: dict[str, Any], login: Any, city_admin: Any, village_cadre: Any
) -> None:
    from grassroots.partybuilding.actions.decisions import link_decision

    client = login(city_admin)
    url = reverse("supervision:detail", args=[world["t1"].pk])
    page = client.get(url).content.decode()
    assert "未经决议——已提示监督委员会" in page
    link_decision(ref(world["t1"]), world["r_village"].pk, actor=village_cadre)
    page = client.get(url).content.decode()
    assert "决策依据的决议" in page and "2026-01" in page and "赞成5票" in page
    plain = client.get(reverse("supervision:detail", args=[world["plain"].pk])).content.decode()
    assert "决策依据的决议" not in plain


def test_the_vacancy_page_shows_its_resolution(
    world: dict[str, Any], login: Any, tree: Any, village_cadre: Any
) -> None:
    from grassroots.org.models import Membership, User
    from grassroots.partybuilding.actions.decisions import link_decision

    officer = User.objects.create_user(username="org_dept", full_name="钱科长")
    Membership.objects.create(user=officer, unit=tree["city"], role="org_department")
    url = reverse("cadres:vacancy", args=[world["vacancy"].pk])
    assert "未经决议——已提示监督委员会" in login(officer).get(url).content.decode()
    link_decision(ref(world["vacancy"]), world["r_cadre"].pk, actor=village_cadre)
    page = login(officer).get(reverse("cadres:vacancy", args=[world["vacancy"].pk]))
    assert page.status_code == 200
    assert "2026-04" in page.content.decode() and "决策依据的决议" in page.content.decode()


def _log_queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("partybuilding:decisions")).status_code == 200
    return len([q for q in captured.captured_queries if "common_calendar" not in q["sql"]])


def test_the_log_costs_the_same_for_more_decisions(
    world: dict[str, Any], login: Any, city_admin: Any, tree: Any
) -> None:
    client = login(city_admin)
    client.get(reverse("partybuilding:decisions"))
    few = _log_queries(client)
    for i in range(12):
        make_task(tree["neighbour_village"], title=f"项目{i}", budget=Decimal(i + 1))
    assert _log_queries(client) == few

"""The monitoring pages: the list with filters and masked head names, the form, a
monitoring's page with its review and assistance forms, the late reviews by village —
403/404 and bad parameters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from grassroots.common.masking import mask_name
from grassroots.registers.actions import poverty as actions
from grassroots.registers.models import MonitoredHousehold

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 20, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def monitored(
    tree: dict[str, Any], village_cadre: Any, neighbour_cadre: Any, make_household: Any
) -> dict[str, MonitoredHousehold]:
    def watch(actor: Any, household: Any, since: dt.date, kind: str = "edge") -> Any:
        return actions.put_under_monitoring(
            actor=actor,
            household=household,
            kind=kind,
            risks=["illness"],
            since=since,
            members=3,
            income_per_capita="7000",
        )

    neighbour_grid = tree["neighbour_village"].children.create(
        code="513401101202001", name="田坝村第1网格", kind="grid"
    )
    return {
        # due 2026-04-10: late
        "late": watch(village_cadre, make_household(), dt.date(2026, 1, 10)),
        # due 2026-07-29: in time
        "fine": watch(village_cadre, make_household(), dt.date(2026, 4, 30), kind="sudden"),
        "neighbour": watch(
            neighbour_cadre, make_household(grid=neighbour_grid), dt.date(2025, 12, 1)
        ),
    }


def head(m: MonitoredHousehold) -> str:
    return m.household.members.get(relationship="head").name


def test_the_keeper_sees_full_names_and_a_supervisor_masked_ones(
    login: Any,
    village_cadre: Any,
    supervisor: Any,
    grid_worker: Any,
    monitored: dict[str, MonitoredHousehold],
) -> None:
    name = head(monitored["late"])
    html = login(village_cadre).get("/registers/monitoring/").content.decode()
    assert name in html
    assert monitored["late"].household.number in html
    assert monitored["neighbour"].household.number not in html
    for person in (supervisor, grid_worker):  # the grid worker: the households of the grid
        page = login(person).get("/registers/monitoring/")
        html = page.content.decode()
        assert page.status_code == 200
        assert monitored["late"].household.number in html
        assert name not in html
        assert mask_name(name) in html
        detail = login(person).get(f"/registers/monitoring/{monitored['late'].pk}/")
        assert detail.status_code == 200
        assert name not in detail.content.decode()
        assert mask_name(name) in detail.content.decode()
        assert "registers.monitored.created" in detail.content.decode()  # the change history
    html = login(grid_worker).get("/registers/monitoring/").content.decode()
    assert monitored["neighbour"].household.number not in html


def test_filters_and_bad_parameters(
    login: Any, xc_secretary: Any, monitored: dict[str, MonitoredHousehold]
) -> None:
    client = login(xc_secretary)
    late_only = client.get("/registers/monitoring/?late=on").content.decode()
    assert monitored["late"].household.number in late_only
    assert monitored["fine"].household.number not in late_only
    sudden = client.get("/registers/monitoring/?kind=sudden").content.decode()
    assert monitored["fine"].household.number in sudden
    assert monitored["late"].household.number not in sudden
    village = client.get("/registers/monitoring/?unit=513401101202").content.decode()
    assert monitored["neighbour"].household.number in village
    assert monitored["late"].household.number not in village
    for query in ("?page=x", "?kind=%00", "?unit=zz", "?q=%00", "?status=nope"):
        assert client.get("/registers/monitoring/" + query).status_code == 200
    assert client.get("/registers/monitoring/abc/").status_code == 404


def test_the_late_page_counts_per_village_then_lists_the_households(
    login: Any, xc_secretary: Any, outsider: Any, monitored: dict[str, MonitoredHousehold]
) -> None:
    page = login(xc_secretary).get("/registers/monitoring/late/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "礼州村" in html and "田坝村" in html
    assert monitored["late"].household.number in html
    assert monitored["neighbour"].household.number in html
    assert monitored["fine"].household.number not in html
    other = login(outsider).get("/registers/monitoring/late/").content.decode()
    assert monitored["late"].household.number not in other


def test_who_may_open_what(
    login: Any,
    resident: Any,
    outsider: Any,
    supervisor: Any,
    monitored: dict[str, MonitoredHousehold],
) -> None:
    pk = monitored["late"].pk
    assert login(resident).get("/registers/monitoring/").status_code == 403
    assert login(outsider).get(f"/registers/monitoring/{pk}/").status_code == 404
    assert login(outsider).post(f"/registers/monitoring/{pk}/review/").status_code == 404
    assert login(supervisor).post(f"/registers/monitoring/{pk}/review/").status_code == 403
    assert login(supervisor).get("/registers/monitoring/new/").status_code == 403
    assert login(supervisor).get(f"/registers/monitoring/{pk}/assist/").status_code == 405


def test_monitoring_a_household_through_the_form(
    login: Any, village_cadre: Any, make_household: Any, tree: dict[str, Any]
) -> None:
    household = make_household()
    client = login(village_cadre)
    assert client.get("/registers/monitoring/new/").status_code == 200
    data = {
        "unit": tree["village"].code,
        "household": household.number,
        "kind": "unstable",
        "risks": ["illness", "disaster"],
        "since": "2026-05-01",
        "members": "2",
        "income_per_capita": "6500",
    }
    missing = client.post("/registers/monitoring/new/", {**data, "household": "NOPE"})
    assert missing.status_code == 400
    no_risk = client.post("/registers/monitoring/new/", {**data, "risks": []})
    assert no_risk.status_code == 400
    done = client.post("/registers/monitoring/new/", data)
    assert done.status_code == 302
    assert MonitoredHousehold.objects.get().risks == ["illness", "disaster"]
    again = client.post("/registers/monitoring/new/", data)
    assert again.status_code == 409


def test_reviews_and_assistance_through_the_page(
    login: Any, village_cadre: Any, monitored: dict[str, MonitoredHousehold]
) -> None:
    client = login(village_cadre)
    pk = monitored["late"].pk
    url = f"/registers/monitoring/{pk}/"
    assert client.get(url).status_code == 200
    bad = client.post(url + "review/", {"reviewed_on": "2026-05-10", "income_per_capita": "x"})
    assert bad.status_code == 400
    removal = client.post(
        url + "review/",
        {"reviewed_on": "2026-05-10", "income_per_capita": "9000", "risk_removed": "on"},
    )
    assert removal.status_code == 400  # a removal needs a note
    ok = client.post(url + "review/", {"reviewed_on": "2026-05-10", "income_per_capita": "9000"})
    assert ok.status_code == 302
    added = client.post(
        url + "assist/",
        {"kind": "employment", "started_on": "2026-05-11", "description": "公益性岗位"},
    )
    assert added.status_code == 302
    html = client.get(url).content.decode()
    assert "公益性岗位" in html and "2026-05-10" in html
    m = MonitoredHousehold.objects.get(pk=pk)
    assert m.review_due_on == dt.date(2026, 8, 8)

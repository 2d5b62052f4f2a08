"""The collective economy pages: the table (totals, progress, growth, filters, order),
the village-year form and the target form — 403/404 and bad parameters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from grassroots.registers.models import CollectiveIncome, IncomeTarget

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 20, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def figures(tree: dict[str, Any]) -> None:
    def income(unit: Any, year: int, source: str, amount: int) -> None:
        CollectiveIncome.objects.create(unit=unit, year=year, source=source, amount=Decimal(amount))

    income(tree["village"], 2025, "operating", 100000)
    income(tree["village"], 2026, "operating", 90000)
    income(tree["village"], 2026, "subsidy", 30000)
    income(tree["neighbour_village"], 2026, "investment", 77777)
    income(tree["other_village"], 2026, "operating", 55555)
    IncomeTarget.objects.create(unit=tree["village"], year=2026, amount=Decimal(240000))


def test_the_table_of_the_year(login: Any, xc_secretary: Any, figures: None) -> None:
    page = login(xc_secretary).get("/registers/income/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "礼州村" in html and "田坝村" in html and "安宁村" not in html
    assert "120000.00" in html  # 礼州村's total of 2026
    assert "50.00%" in html  # of its target of 240,000
    assert "20.00%" in html  # growth on 2025: 120,000 over 100,000
    assert "19.78" in html  # the two villages added up: 197,777 yuan in 万元


def test_filters_order_and_bad_parameters(login: Any, city_admin: Any, figures: None) -> None:
    client = login(city_admin)
    html = client.get("/registers/income/?township=513401102").content.decode()
    assert "安宁村" in html and "礼州村" not in html
    html = client.get("/registers/income/?sort=-total").content.decode()
    assert html.index("礼州村") < html.index("田坝村") < html.index("安宁村")
    html = client.get("/registers/income/?sort=total").content.decode()
    assert html.index("安宁村") < html.index("田坝村")
    html = client.get("/registers/income/?year=2025").content.decode()
    assert "100000.00" in html and "77777" not in html
    for query in ("?year=abc", "?year=1900", "?sort=%00", "?township=x", "?page=-1"):
        assert client.get("/registers/income/" + query).status_code == 200


def test_who_may_see_and_edit(
    login: Any,
    resident: Any,
    supervisor: Any,
    outsider: Any,
    village_cadre: Any,
    figures: None,
) -> None:
    assert login(resident).get("/registers/income/").status_code == 403
    assert login(supervisor).get("/registers/income/").status_code == 200
    url = "/registers/income/513401101201/2026/"
    assert login(supervisor).get(url).status_code == 403
    assert login(outsider).get(url).status_code == 404
    assert login(village_cadre).get("/registers/income/513401101202/2026/").status_code == 404
    assert login(village_cadre).get("/registers/income/513401101201/1800/").status_code == 404
    assert login(village_cadre).get(url).status_code == 200
    assert login(village_cadre).get("/registers/income/%00/2026/").status_code == 404
    assert login(village_cadre).get("/registers/income/target/").status_code == 405


def test_editing_a_village_year_and_its_target(
    login: Any, village_cadre: Any, tree: dict[str, Any], figures: None
) -> None:
    client = login(village_cadre)
    url = "/registers/income/513401101201/2026/"
    page = client.get(url)
    assert "90000" in page.content.decode()
    bad = client.post(url, {"operating": "-3", "subsidy": "30000"})
    assert bad.status_code == 400
    assert (
        CollectiveIncome.objects.get(unit=tree["village"], year=2026, source="operating").amount
        == 90000
    )
    ok = client.post(url, {"operating": "95000", "subsidy": "", "other": "1200"})
    assert ok.status_code == 302
    figures_now = dict(
        CollectiveIncome.objects.filter(unit=tree["village"], year=2026).values_list(
            "source", "amount"
        )
    )
    assert figures_now == {"operating": Decimal(95000), "other": Decimal(1200)}
    bad_target = client.post(
        "/registers/income/target/", {"unit": "513401101201", "year": "2026", "amount": "0"}
    )
    assert bad_target.status_code == 400
    done = client.post(
        "/registers/income/target/", {"unit": "513401101201", "year": "2026", "amount": "250000"}
    )
    assert done.status_code == 302
    assert IncomeTarget.objects.get(unit=tree["village"], year=2026).amount == 250000
    for data in (
        {"unit": "513401101202", "year": "2026", "amount": "1"},
        {"unit": "513401101201", "year": "20x6", "amount": "1"},
        {"unit": "\x00", "year": "2026", "amount": "1"},
    ):
        assert client.post("/registers/income/target/", data).status_code == 404
    detail = client.get(url).content.decode()
    assert "registers.collective_income.set" in detail

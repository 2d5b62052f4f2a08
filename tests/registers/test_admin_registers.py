"""The admin shows every register read-only, in the viewer's scope, with the parties of
construction cases masked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.common.masking import mask_name, mask_phone
from grassroots.org.models import User
from grassroots.registers.models import (
    Assistance,
    CasePhoto,
    CollectiveIncome,
    ConstructionCase,
    Homestead,
    HomesteadCase,
    IncomeTarget,
    MonitoredHousehold,
    Policy,
    Review,
    Window,
)

pytestmark = pytest.mark.django_db

PHONE = "13987654321"
PARTY = "吉克阿木"


@pytest.fixture
def records(tree: dict[str, Any], make_household: Any) -> dict[str, Any]:
    village = tree["village"]
    household = make_household()
    homestead = Homestead.objects.create(
        unit=village, household=household, parcel_number="ZD-1", area=Decimal(180)
    )
    case = ConstructionCase.objects.create(
        unit=village,
        kind="building",
        source="inspection",
        number="WJ-2026-0001",
        party_name=PARTY,
        party_phone=PHONE,
        address="礼州村3组",
        started_on=dt.date(2026, 3, 1),
        found_on=dt.date(2026, 3, 5),
        due_on=dt.date(2026, 4, 5),
    )
    monitored = MonitoredHousehold.objects.create(
        unit=village,
        household=household,
        kind="edge",
        risks=["illness"],
        since=dt.date(2026, 1, 1),
        income_per_capita=Decimal(7000),
        review_due_on=dt.date(2026, 4, 1),
    )
    return {
        "policy": Policy.objects.create(unit=tree["lizhou"]),
        "homestead": homestead,
        "homesteadcase": HomesteadCase.objects.create(
            unit=village,
            kind="oversize",
            household=household,
            homestead=homestead,
            finding="超标 30 平方米",
            found_on=dt.date(2026, 3, 1),
            due_on=dt.date(2026, 6, 1),
        ),
        "constructioncase": case,
        "casephoto": CasePhoto.objects.create(
            case=case, stage="before", sha256="a" * 64, content_type="image/jpeg", size=10
        ),
        "window": Window.objects.create(
            unit=village, code="QH-1", name="地块", area=Decimal(10), plan_year=2026
        ),
        "monitoredhousehold": monitored,
        "assistance": Assistance.objects.create(
            monitored=monitored, kind="health", started_on=dt.date(2026, 2, 1), description="医保"
        ),
        "review": Review.objects.create(
            monitored=monitored, reviewed_on=dt.date(2026, 3, 1), income_per_capita=Decimal(7100)
        ),
        "collectiveincome": CollectiveIncome.objects.create(
            unit=village, year=2026, source="operating", amount=Decimal(1000)
        ),
        "incometarget": IncomeTarget.objects.create(unit=village, year=2026, amount=Decimal(5000)),
    }


def test_every_register_is_listed_and_shown_read_only(login: Any, records: dict[str, Any]) -> None:
    root = User.objects.create_superuser("root", password="Correct-Horse-42")
    client = login(root)
    for model, obj in records.items():
        listed = client.get(f"/admin/registers/{model}/")
        assert listed.status_code == 200, model
        shown = client.get(f"/admin/registers/{model}/{obj.pk}/change/")
        assert shown.status_code == 200, model
        assert client.get(f"/admin/registers/{model}/add/").status_code == 403, model
        assert client.post(f"/admin/registers/{model}/{obj.pk}/delete/").status_code == 403
    for page in (
        "/admin/registers/constructioncase/",
        f"/admin/registers/constructioncase/{records['constructioncase'].pk}/change/",
    ):
        html = client.get(page).content.decode()
        assert PARTY not in html and PHONE not in html
        assert mask_name(PARTY) in html and mask_phone(PHONE) in html
    found = client.get("/admin/registers/window/?q=QH-1&status__exact=planned").content.decode()
    assert "地块" in found


def test_staff_see_their_own_scope_only(
    login: Any, xc_secretary: Any, outsider: Any, grid_worker: Any, records: dict[str, Any]
) -> None:
    for person in (xc_secretary, outsider, grid_worker):
        person.is_staff = True
        person.save(update_fields=["is_staff"])
    window = records["window"].pk
    assert login(xc_secretary).get(f"/admin/registers/window/{window}/change/").status_code == 200
    assert login(outsider).get(f"/admin/registers/window/{window}/change/").status_code == 302
    number = records["monitoredhousehold"].household.number
    listed = login(outsider).get("/admin/registers/monitoredhousehold/").content.decode()
    assert number not in listed
    # the grid's worker sees its households' monitorings and reviews, not the village's parcels
    worker = login(grid_worker)
    assert number in worker.get("/admin/registers/monitoredhousehold/").content.decode()
    assert number in worker.get("/admin/registers/review/").content.decode()
    assert worker.get(f"/admin/registers/window/{window}/change/").status_code == 302


def test_the_lists_do_not_query_per_row(
    login: Any, records: dict[str, Any], tree: dict[str, Any]
) -> None:
    root = User.objects.create_superuser("root", password="Correct-Horse-42")
    client = login(root)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    urls = ["/admin/registers/constructioncase/", "/admin/registers/review/"]
    few = [count(u) for u in urls]
    case = records["constructioncase"]
    for i in range(5):
        ConstructionCase.objects.create(
            unit=tree["village"],
            kind="building",
            source="inspection",
            number=f"WJ-X-{i}",
            party_name=PARTY,
            party_phone=PHONE,
            address="x",
            started_on=case.started_on,
            found_on=case.found_on,
            due_on=case.due_on,
        )
        Review.objects.create(
            monitored=records["monitoredhousehold"],
            reviewed_on=dt.date(2026, 3, 2 + i),
            income_per_capita=Decimal(1),
        )
    assert [count(u) for u in urls] == few

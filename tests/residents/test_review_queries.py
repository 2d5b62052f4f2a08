"""The grid-basics pages cost the same number of queries for 2 rows as for 12 (households,
places, people in care, overdue visits, visits with photos, members, history), for the
grid worker on the phone and for the township on the staff pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grassroots.residents.actions.care import record_visit
from grassroots.residents.actions.households import record_moved_out
from grassroots.residents.actions.places import create_place
from grassroots.residents.models import Household, KeyPerson
from tests.events.photos import image_bytes, upload
from tests.residents.test_care_support import day, frozen, make_category, make_group, put_in_care

pytestmark = pytest.mark.django_db

LISTS = (
    ("grid_worker", "residents:home"),
    ("grid_worker", "residents:households"),
    ("grid_worker", "residents:places"),
    ("grid_worker", "residents:care"),
    ("grid_worker", "residents:overdue"),
    ("grid_worker", "residents:m_home"),
    ("grid_worker", "residents:m_visits"),
    ("grid_worker", "mobile:home"),
    ("xc_secretary", "residents:home"),
    ("xc_secretary", "residents:households"),
    ("xc_secretary", "residents:places"),
    ("xc_secretary", "residents:care"),
    ("xc_secretary", "residents:overdue"),
    ("xc_secretary", "residents:export"),
)


@pytest.fixture(autouse=True)
def _clock(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with frozen():
        yield


class Grower:
    """Adds households (two members, one in care, overdue, with a visit and its photo,
    and a member who moved out), places, all on the grid."""

    def __init__(self, make_household: Any, worker: Any, tree: dict[str, Any]) -> None:
        self.make_household = make_household
        self.worker = worker
        self.tree = tree
        self.group = make_group(every=10)
        self.category = make_category(tree)
        self.first: Household | None = None

    def add(self, n: int) -> None:
        for i in range(n):
            household = self.make_household(members=3)
            self.first = self.first or household
            head, child, other = household.members.order_by("pk")
            record_moved_out(other, actor=self.worker, on="2026-10-01")
            create_place(actor=self.worker, grid=self.tree["grid"], kind="house", name=f"民房{i}")
            kp = put_in_care(head, self.group, self.worker, day("2026-08-01"))
            put_in_care(child, self.group, self.worker, day("2026-10-14"))
            record_visit(
                kp,
                actor=self.worker,
                visited_on=day("2026-09-01"),
                met="person",
                findings="屋顶漏雨",
                problem_found=True,
                category=self.category,
                title="屋顶漏雨",
                photos=[upload()],
            )
        # The first person in care gets as many more visits, each with a photo.
        assert self.first is not None
        kp = KeyPerson.objects.filter(resident__household=self.first).order_by("pk")[0]
        for i in range(n):
            record_visit(
                kp,
                actor=self.worker,
                visited_on=day(f"2026-08-{i + 2:02d}"),
                met="family",
                photos=[upload(content=image_bytes(color=(i, 1, 1)))],
            )


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return sum("common_calendar" not in q["sql"] for q in ctx.captured_queries)


def _costs(clients: dict[str, Client], grower: Grower) -> dict[str, int]:
    costs = {f"{role} {name}": _count(clients[role], reverse(name)) for role, name in LISTS}
    assert grower.first is not None
    first = grower.first
    kp = KeyPerson.objects.filter(resident__household=first).order_by("pk").first()
    assert kp is not None
    for role, name, pk in (
        ("xc_secretary", "residents:household_detail", first.pk),
        ("grid_worker", "residents:m_household", first.pk),
        ("xc_secretary", "residents:care_detail", kp.pk),
        ("grid_worker", "residents:m_visit", kp.pk),
    ):
        costs[f"{role} {name}"] = _count(clients[role], reverse(name, args=[pk]))
    return costs


def test_the_pages_cost_the_same_for_more_rows(
    tree: dict[str, Any],
    make_household: Any,
    grid_worker: Any,
    xc_secretary: Any,
    login: Any,
    official_calendar: None,
) -> None:
    clients = {"grid_worker": login(grid_worker), "xc_secretary": login(xc_secretary)}
    grower = Grower(make_household, grid_worker, tree)
    grower.add(2)
    few = _costs(clients, grower)
    grower.add(10)
    many = _costs(clients, grower)
    assert many == few
    assert KeyPerson.objects.filter(due_on__lt=day("2026-10-15")).count() == 12

"""The care metrics on a small tree with known numbers (September 2026, computed on
15 October):

    礼州村 grid   A  every 10 d; visited 08-28 (before), 09-05 (on time for 09-07),
                     09-20 (late for 09-15), nobody 09-28; 09-30 falls due undone
                  B  every 10 d from 09-10; never visited (09-20 missed)
    田坝村 grid   C  every 10 d, visited 08-30, care ended 09-05 (before its 09-09)
                  D  put in care 10-05 (after September)
    安宁村 grid   E  every 30 d from 08-01; visited 09-10 (late for 08-31, before P)

    coverage     礼州村 1/2, 田坝村 0/1, 礼州镇 1/3, 安宁村 1/1
    timeliness   礼州村 1/4 (A 1 of 3, B 0 of 1), 田坝村 none, 安宁村 none
    overdue      on 09-30: B only (A was due that very day)
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.common.metrics import MetricValue, Period, compute_many, get
from grassroots.org.models import Unit, UnitKind, User
from grassroots.residents.actions.care import end_care
from grassroots.residents.models import KeyPerson
from tests.residents.test_care_support import TODAY, day, frozen, make_group, put_in_care, visit

pytestmark = pytest.mark.django_db

NAMES = ("residents.visit_coverage", "residents.visit_timeliness", "residents.overdue_visits")
SEPTEMBER = Period.parse("2026-09")


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with frozen():
        yield


@pytest.fixture
def cast(tree: dict[str, Any], make_household: Any) -> dict[str, Any]:
    admin = User.objects.create_superuser(username="root", password="x")
    every10 = make_group("test_ten", 10, "十天一访")
    every30 = make_group("test_thirty", 30, "三十天一访")
    tianba = Unit.objects.create(
        code="513401101202001",
        name="田坝村第1网格",
        kind=UnitKind.GRID,
        parent=tree["neighbour_village"],
    )
    anning = Unit.objects.create(
        code="513401102201001",
        name="安宁村第1网格",
        kind=UnitKind.GRID,
        parent=tree["other_village"],
    )

    def person(grid: Any) -> Any:
        return make_household(members=1, grid=grid).members.get()

    a = put_in_care(person(tree["grid"]), every10, admin, day("2026-08-25"))
    for on, met in (
        ("2026-08-28", "person"),
        ("2026-09-05", "family"),
        ("2026-09-20", "neighbour"),
        ("2026-09-28", "nobody"),
    ):
        visit(a, admin, day(on), met=met)
    b = put_in_care(person(tree["grid"]), every10, admin, day("2026-09-10"))
    c = put_in_care(person(tianba), every10, admin, day("2026-07-01"))
    visit(c, admin, day("2026-08-30"))
    end_care(c, actor=admin, ended_on=day("2026-09-05"), reason="迁出")
    d = put_in_care(person(tianba), every10, admin, day("2026-10-05"))
    e = put_in_care(person(anning), every30, admin, day("2026-08-01"))
    visit(e, admin, day("2026-09-10"))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "tree": tree}


def by_unit(values: list[MetricValue], tree: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    names = {u.pk: u.name for u in tree.values()}
    return {names[v.unit_id]: (v.value, v.numerator, v.denominator) for v in values}


def test_coverage(cast: dict[str, Any]) -> None:
    values = by_unit(get("residents.visit_coverage")(SEPTEMBER), cast["tree"])
    assert values == {
        "礼州镇": (Decimal("33.33"), 1, 3),
        "安宁镇": (Decimal("100.00"), 1, 1),
        "礼州村": (Decimal("50.00"), 1, 2),
        "田坝村": (Decimal("0.00"), 0, 1),
        "安宁村": (Decimal("100.00"), 1, 1),
    }


def test_timeliness(cast: dict[str, Any]) -> None:
    values = by_unit(get("residents.visit_timeliness")(SEPTEMBER), cast["tree"])
    assert values == {
        "礼州镇": (Decimal("25.00"), 1, 4),
        "安宁镇": (None, 0, 0),
        "礼州村": (Decimal("25.00"), 1, 4),
        "田坝村": (None, 0, 0),
        "安宁村": (None, 0, 0),
    }


def test_overdue_at_the_end_of_the_period(cast: dict[str, Any]) -> None:
    values = by_unit(get("residents.overdue_visits")(SEPTEMBER), cast["tree"])
    assert values["礼州村"] == (Decimal(1), 1, 2)
    assert values["礼州镇"] == (Decimal(1), 1, 2)
    assert values["田坝村"] == (Decimal(0), 0, 0)
    assert values["安宁村"] == (Decimal(0), 0, 1)


def test_overdue_now_is_the_overdue_list(cast: dict[str, Any]) -> None:
    """While October runs, the count is today's list: open care due before today."""
    tree = cast["tree"]
    values = get("residents.overdue_visits")(
        Period.parse("2026-10"), [tree["village"], tree["anning"]]
    )
    listed = {
        unit.pk: KeyPerson.objects.filter(
            grid__path__startswith=unit.path + ".", ended_on__isnull=True, due_on__lt=TODAY
        ).count()
        for unit in (tree["village"], tree["anning"])
    }
    assert (
        {v.unit_id: v.numerator for v in values}
        == listed
        == {
            tree["village"].pk: 2,
            tree["anning"].pk: 1,
        }
    )


def test_any_unit_covers_its_grids(cast: dict[str, Any]) -> None:
    tree = cast["tree"]
    values = get("residents.visit_coverage")(
        SEPTEMBER, [tree["city"], tree["grid"], tree["department"]]
    )
    assert [(v.value, v.numerator, v.denominator) for v in values] == [
        (Decimal("50.00"), 2, 4),
        (Decimal("50.00"), 1, 2),
        (None, 0, 0),
    ]


def test_the_evidence_explains_each_figure(cast: dict[str, Any]) -> None:
    village = cast["tree"]["village"].pk
    coverage = get("residents.visit_coverage").evidence(village, SEPTEMBER)
    assert {(k.pk, k.in_numerator) for k in coverage} == {
        (cast["a"].pk, True),
        (cast["b"].pk, False),
    }
    timely = get("residents.visit_timeliness").evidence(village, SEPTEMBER)
    assert {(k.pk, k.in_numerator) for k in timely} == {
        (cast["a"].pk, False),
        (cast["b"].pk, False),
    }
    late = get("residents.overdue_visits").evidence(village, SEPTEMBER)
    assert list(late.filter(in_numerator=True).values_list("pk", flat=True)) == [cast["b"].pk]


def test_all_units_in_a_fixed_number_of_queries(cast: dict[str, Any], tree: dict[str, Any]) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            compute_many(NAMES, SEPTEMBER)
        return len(ctx.captured_queries)

    before = queries()
    for i in range(5):
        Unit.objects.create(
            code=f"51340110120{i + 3}",
            name=f"新村{i}",
            kind=UnitKind.VILLAGE,
            parent=tree["lizhou"],
        )
    assert queries() == before <= 3 * len(NAMES)


def test_the_metrics_are_registered_with_definitions() -> None:
    for name in NAMES:
        m = get(name)
        assert m.definition and m.evidence_func is not None
    assert get("residents.overdue_visits").direction == "lower"
    assert get("residents.visit_timeliness").unit == "%"

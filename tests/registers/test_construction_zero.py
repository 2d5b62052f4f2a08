"""The zero-new-cases line: the pure table (rows by path, months to come, totals) and the
page's numbers for the city and for a township leader."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from grassroots.registers import zero_line
from grassroots.registers.actions.construction import dismiss

pytest_plugins = ("tests.registers.test_construction_support",)


# --- the pure table ---------------------------------------------------------------------------


def test_counts_go_to_the_deepest_row_holding_them() -> None:
    rows = [
        zero_line.RowUnit("c.t1.v1", "v1"),
        zero_line.RowUnit("c.t1.v2", "v2"),
        zero_line.RowUnit("c.t1", "t1 own", own_only=True),
    ]
    table = zero_line.build_table(
        2026,
        rows,
        [("c.t1.v1", 3, 2), ("c.t1.v1.g", 3, 1), ("c.t1", 5, 1), ("c.t2.v9", 1, 4)],
        [("c.t1.v1", 7), ("c.t1", 1)],
        through_month=6,
    )
    assert [c.n for c in table.rows[0].cells[:7]] == [0, 0, 3, 0, 0, 0, None]
    assert table.rows[2].total == 1  # the township's own case only
    assert table.rows[1].total == 0 and not table.rows[1].above_target
    assert table.unplaced == 4  # another township's case is no row's
    assert table.total == 4 and not table.at_target
    assert [r.since_baseline for r in table.rows] == [7, 0, 1]
    assert table.since_baseline == 8
    assert table.rows[0].months_above == 1
    assert table.series()[:7] == [0, 0, 3, 0, 1, 0, None]
    assert table.target_line() == [0] * 12
    assert table.rows_above == ["v1", "t1 own"]


def test_a_past_year_has_every_month_and_a_prefix_is_not_a_parent() -> None:
    rows = [zero_line.RowUnit("c.t1", "t1"), zero_line.RowUnit("c.t10", "t10")]
    table = zero_line.build_table(2025, rows, [("c.t10.v", 12, 1)], [], through_month=12)
    assert [r.total for r in table.rows] == [0, 1]
    assert all(c.n is not None for c in table.month_totals)
    assert table.month_totals[11].above_target


# --- the page ---------------------------------------------------------------------------------


@pytest.fixture
def cases(make_case: Any, tree: Any, city_admin: Any, village_cadre: Any) -> dict[str, Any]:
    def new(**kw: Any) -> Any:
        kw.setdefault("started_on", kw["found_on"] - dt.timedelta(days=3))
        return make_case(actor=city_admin, **kw)

    made = {
        "march": new(found_on=dt.date(2026, 3, 10)),
        "may": new(unit=tree["neighbour_village"], kind="relocation", found_on=dt.date(2026, 5, 2)),
        "town": new(unit=tree["lizhou"], found_on=dt.date(2026, 6, 1)),
        "old": new(found_on=dt.date(2026, 3, 12), started_on=dt.date(2014, 1, 1)),
        "dismissed": new(found_on=dt.date(2026, 4, 1)),
        "anning_2025": new(unit=tree["other_village"], found_on=dt.date(2025, 7, 1)),
    }
    dismiss(made["dismissed"].pk, actor=village_cadre, reason="误报")
    return made


def cells(page: Any, code: str) -> list[int | None]:
    row = next(r for r in page.context["table"].rows if r.unit.code == code)
    return [c.n for c in row.cells]


@pytest.mark.django_db
def test_the_city_sees_every_township(cases: Any, login: Any, city_admin: Any) -> None:
    page = login(city_admin).get(reverse("registers:zero_line"))
    assert page.status_code == 200
    table = page.context["table"]
    assert [r.unit.label for r in table.rows] == ["礼州镇", "安宁镇"]
    assert cells(page, "513401101") == [0, 0, 1, 0, 1, 1] + [None] * 6
    assert cells(page, "513401102") == [0] * 6 + [None] * 6
    lizhou, anning = table.rows
    assert (lizhou.total, lizhou.since_baseline) == (3, 3)
    assert (anning.total, anning.since_baseline) == (0, 1)
    assert (table.total, table.since_baseline) == (3, 4)
    text = page.content.decode()
    assert text.count('class="above"') >= 3
    assert "<svg" in text


@pytest.mark.django_db
def test_a_past_year_and_one_kind(cases: Any, login: Any, city_admin: Any) -> None:
    client = login(city_admin)
    page = client.get(reverse("registers:zero_line"), {"year": "2025"})
    assert cells(page, "513401102")[6] == 1
    assert page.context["table"].through_month == 12
    page = client.get(reverse("registers:zero_line"), {"year": "2026", "kind": "relocation"})
    assert page.context["table"].total == 1


@pytest.mark.django_db
def test_a_township_leader_sees_their_villages(cases: Any, login: Any, xc_secretary: Any) -> None:
    page = login(xc_secretary).get(reverse("registers:zero_line"))
    table = page.context["table"]
    assert [r.unit.code for r in table.rows] == ["513401101201", "513401101202", "513401101"]
    assert [r.total for r in table.rows] == [1, 1, 1]
    assert cells(page, "513401101201")[2] == 1


@pytest.mark.django_db
def test_the_city_drills_into_a_township(cases: Any, login: Any, city_admin: Any) -> None:
    page = login(city_admin).get(reverse("registers:zero_line"), {"township": "513401101"})
    assert [r.total for r in page.context["table"].rows] == [1, 1, 1]


@pytest.mark.django_db
def test_a_village_cadre_sees_their_village(cases: Any, login: Any, village_cadre: Any) -> None:
    page = login(village_cadre).get(reverse("registers:zero_line"))
    assert [(r.unit.code, r.total) for r in page.context["table"].rows] == [("513401101201", 1)]


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"year": "abc"}, {"year": "1900"}, {"year": "2026\x00"}])
def test_bad_parameters_are_400(clock: Any, login: Any, city_admin: Any, query: Any) -> None:
    page = login(city_admin).get(reverse("registers:zero_line"), query)
    assert page.status_code == 400
    assert page.context["table"].year == 2026

"""The Excel export of a run: one sheet per peer group, units in rank order, every
indicator's raw value and points, frozen headers; the page sends only what the viewer sees."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from openpyxl import load_workbook

from grassroots.assessment.actions import compute_run
from grassroots.assessment.exporting import export_run, sheet_title
from grassroots.assessment.models import Run
from grassroots.assessment.states import RunState

pytestmark = pytest.mark.usefixtures("events")


@pytest.fixture
def run(scheme_factory: Any, city_admin: Any, tree: dict[str, Any]) -> Run:
    # two peer groups: 礼州镇's villages, and 安宁村 alone
    tree["other_village"].peer_group = "513401:village-b"
    tree["other_village"].save(update_fields=["peer_group"])
    scheme = scheme_factory(shrinkage=False, significance=False)
    return compute_run(scheme, "2026-10", actor=city_admin)


def rows_of(data: bytes) -> dict[str, list[list[Any]]]:
    book = load_workbook(io.BytesIO(data))
    found = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}
    book.close()
    return found


def test_one_sheet_per_peer_group_with_the_values(run: Run) -> None:
    with translation.override("en"):
        sheets = rows_of(export_run(run))

    assert set(sheets) == {"Village", "513401_village-b"}  # a kind's name, else the key
    header, *rows = sheets["Village"]
    assert header[:9] == [
        "Rank",
        "Unit code",
        "Unit",
        "Total",
        "Grade",
        "List",
        "Reward (yuan)",
        "Training places",
        "Vetoed",
    ]
    assert header[9:11] == ["patrol (raw value)", "patrol (points)"]
    assert [r[2] for r in rows] == ["礼州村", "田坝村"]  # rank order
    first = rows[0]
    assert first[0] == 1 and first[1] == "513401101201"
    assert Decimal(str(first[3])) == Decimal("85.00")
    assert Decimal(str(first[6])) == Decimal("1000.00")  # the pool, in yuan
    # indicators follow: patrol (raw, points), patrol-rank (raw, points), veto (raw, points)
    assert len(header) == 9 + 2 * 3
    assert Decimal(str(first[9])) == Decimal("75") and Decimal(str(first[10])) == Decimal("45")
    assert Decimal(str(first[12])) == Decimal("40")
    alone = sheets["513401_village-b"][1]
    assert alone[2] == "安宁村" and alone[9] is None  # no figure: the raw cell stays empty


def test_the_header_is_frozen_and_columns_are_sized(run: Run) -> None:
    book = load_workbook(io.BytesIO(export_run(run)))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "D2"
    assert sheet.column_dimensions["C"].width >= 15


def test_tied_ranks_are_marked(scheme_factory: Any, city_admin: Any) -> None:
    run = compute_run(
        scheme_factory(shrinkage=False, significance=False), "2026-10", actor=city_admin
    )
    with translation.override("en"):
        rows = rows_of(export_run(run))["Village"][1:]
    assert [r[0] for r in rows] == [1, "2=", "2="]


def test_sheet_names_are_valid_and_unique() -> None:
    taken: set[str] = set()
    with translation.override("en"):
        assert sheet_title("513401:village", taken) == "Village"
        assert sheet_title("a/b:c" * 10, taken) == ("a_b_c" * 10)[:31]
        assert sheet_title("village", taken) == "Village (2)"


def test_the_page_exports_only_what_the_viewer_sees(
    login: Any, run: Run, village_cadre: Any, city_admin: Any
) -> None:
    run.state = RunState.PUBLISHED
    run.save(update_fields=["state"])

    mine = login(village_cadre).get(f"/assessment/runs/{run.pk}/export.xlsx")
    everything = login(city_admin).get(f"/assessment/runs/{run.pk}/export.xlsx")

    assert mine.status_code == 200 and "filename*=UTF-8''" in mine["Content-Disposition"]
    names = [r[2] for rows in rows_of(mine.content).values() for r in rows[1:]]
    assert names == ["礼州村"]
    assert len([r for rows in rows_of(everything.content).values() for r in rows[1:]]) == 3

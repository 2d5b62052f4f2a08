"""The pure 一户一宅 check: several parcels per household, parcels above the standard."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from grassroots.registers.homestead_check import MULTIPLE, OVERSIZE, Parcel, check_households

LIMIT = Decimal(150)


def parcel(pk: int, household: int, area: str, *, active: bool = True) -> Parcel:
    return Parcel(pk, household, f"P{pk:03d}", Decimal(area), active, unit_id=7)


def test_a_household_with_one_parcel_within_the_standard_gives_nothing() -> None:
    assert check_households([parcel(1, 1, "120"), parcel(2, 2, "150.00")], LIMIT) == []


def test_a_household_holding_two_parcels_is_one_multiple_finding() -> None:
    (finding,) = check_households([parcel(2, 5, "80"), parcel(1, 5, "60")], LIMIT)
    assert finding.kind == MULTIPLE
    assert finding.household_id == 5
    assert finding.homestead_id is None
    assert [p.parcel_number for p in finding.parcels] == ["P001", "P002"]
    assert finding.total_area == Decimal(140)
    assert finding.key == (MULTIPLE, 5)
    assert finding.unit_id == 7


def test_a_parcel_above_the_standard_is_an_oversize_finding() -> None:
    (finding,) = check_households([parcel(3, 9, "150.01")], LIMIT)
    assert (finding.kind, finding.homestead_id, finding.key) == (OVERSIZE, 3, (OVERSIZE, 3))
    assert finding.area_limit == LIMIT


def test_both_findings_for_one_household() -> None:
    findings = check_households(
        [parcel(1, 4, "200"), parcel(2, 4, "90"), parcel(3, 4, "151")], LIMIT
    )
    assert [(f.kind, f.homestead_id) for f in findings] == [
        (MULTIPLE, None),
        (OVERSIZE, 1),
        (OVERSIZE, 3),
    ]


def test_parcels_no_longer_held_are_ignored() -> None:
    parcels = [
        parcel(1, 4, "100"),
        parcel(2, 4, "500", active=False),
        parcel(3, 8, "900", active=False),
    ]
    assert check_households(parcels, LIMIT) == []


@given(
    st.lists(
        st.tuples(
            st.integers(1, 6),
            st.decimals(min_value=1, max_value=400, places=2),
            st.booleans(),
        ),
        max_size=30,
    )
)
def test_findings_match_a_plain_count(rows: list[tuple[int, Decimal, bool]]) -> None:
    parcels = [Parcel(i, h, f"P{i}", a, active) for i, (h, a, active) in enumerate(rows)]
    findings = check_households(parcels, LIMIT)
    held: dict[int, int] = {}
    for p in parcels:
        if p.active:
            held[p.household_id] = held.get(p.household_id, 0) + 1
    assert {f.household_id for f in findings if f.kind == MULTIPLE} == {
        h for h, n in held.items() if n > 1
    }
    assert {f.homestead_id for f in findings if f.kind == OVERSIZE} == {
        p.id for p in parcels if p.active and p.area > LIMIT
    }

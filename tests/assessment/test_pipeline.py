"""The pure run pipeline: significance on the red and black lists, and rewards that add up."""

from __future__ import annotations

from decimal import Decimal

from grassroots.assessment.pipeline import Config, IndicatorIn, UnitIn, ValueIn, compute_results
from grassroots.assessment.scoring import Direction, Normaliser

RATE = IndicatorIn(
    id=1,
    code="close",
    category="common",
    weight=Decimal(100),
    rule="range_linear",
    params={"floor": 0, "target": 100},
    direction=Direction.HIGHER,
    normaliser=Normaliser.NONE,
    is_rate=True,
)


def _config(**overrides: object) -> Config:
    fields: dict[str, object] = {
        "grade_quota": {"excellent_share": "0.2"},
        "list_rule": {"red_top_n": 2, "black_bottom_n": 2, "significance_indicator": "close"},
        "reward_pool_fen": 12345,
        "reward_method": "grade",
        "reward_params": {},
        "shrink": False,
        "significance": True,
    }
    fields.update(overrides)
    return Config(**fields)  # type: ignore[arg-type]


def _values(counts: dict[int, tuple[int, int]]) -> dict[int, dict[int, ValueIn]]:
    return {
        1: {
            u: ValueIn(Decimal(100 * e) / t, Decimal(e), Decimal(t)) for u, (e, t) in counts.items()
        }
    }


def test_a_tiny_unit_with_a_perfect_rate_does_not_top_the_red_list_by_luck() -> None:
    units = [UnitIn(i, "village") for i in range(1, 12)]
    # unit 1: 3 of 3 (perfect by luck); unit 2: 190 of 200 (significantly better);
    # unit 11: 120 of 200 (significantly worse); units 3–10 at 80 %
    counts = {1: (3, 3), 2: (190, 200), 11: (120, 200)}
    counts.update(dict.fromkeys(range(3, 11), (80, 100)))

    _, results, diagnostics = compute_results(units, [RATE], _values(counts), _config())

    by_unit = {r.unit: r for r in results}
    assert by_unit[1].rank == 1  # the best raw total…
    assert by_unit[1].list_status == ""  # …but not significant
    assert by_unit[2].list_status == "red"
    assert by_unit[11].list_status == "black"
    assert sum(r.reward_fen for r in results) + diagnostics["unallocated_fen"] == 12345


def test_without_significance_the_top_unit_is_listed() -> None:
    units = [UnitIn(i, "village") for i in range(1, 4)]
    counts = {1: (3, 3), 2: (190, 200), 3: (80, 100)}

    _, results, _ = compute_results(units, [RATE], _values(counts), _config(significance=False))

    assert {r.unit for r in results if r.list_status == "red"} == {1, 2}

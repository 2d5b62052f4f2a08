"""Runs made by hand for the publication, annual and portal tests (no events needed)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

VILLAGES = "513401:village"


def plain_scheme(tree: dict[str, Any], **overrides: Any) -> Any:
    """A village scheme of 西昌 without indicators (the runs below carry their results)."""
    from grassroots.assessment.models import Scheme

    fields: dict[str, Any] = {
        "code": "xc-village-2026",
        "name": "西昌市2026年村(社区)目标考核",
        "year": 2026,
        "level": "village",
        "root": tree["city"],
        "grade_quota": {"excellent_share": "0.34", "poor_below": "10"},
        "list_rule": {"red_top_n": 1, "black_bottom_n": 1},
        "reward_pool_fen": 100000,
        "reward_params": {"excellent": "1.5", "good": "1.2", "average": "1.0"},
    }
    fields.update(overrides)
    return Scheme.objects.create(**fields)


def run_with_results(
    scheme: Any,
    period: str,
    rows: list[tuple[Any, str]],
    *,
    version: int = 1,
    state: str = "computed",
    vetoed: dict[Any, list[str]] | None = None,
) -> Any:
    """A run of ``scheme`` for ``period`` whose results are ``rows`` of (unit, total); ranks,
    grades, lists and rewards are set plainly (the best unit not vetoed is 优秀 and on the
    red list; a vetoed one is 较差 and on the black list)."""
    from grassroots.assessment.models import Result, Run

    vetoed = vetoed or {}
    run = Run.objects.create(
        scheme=scheme, period=period, version=version, state=state, fingerprint="f" * 64
    )
    ordered = sorted(rows, key=lambda r: Decimal(r[1]), reverse=True)
    best = next((unit for unit, _ in ordered if not vetoed.get(unit)), None)
    for position, (unit, total) in enumerate(ordered, start=1):
        codes = vetoed.get(unit, [])
        top = unit == best
        Result.objects.create(
            run=run,
            unit=unit,
            peer_group=VILLAGES,
            total=Decimal(total),
            rank=position,
            group_size=len(rows),
            grade="poor" if codes else ("excellent" if top else "average"),
            list_status="black" if codes else ("red" if top else ""),
            list_reason="vetoed" if codes else ("top_n" if top else ""),
            reward_fen=0 if codes else (60000 if top else 40000 // (len(rows) - 1)),
            vetoed=bool(codes),
            explanation={"vetoes": codes},
        )
    return run

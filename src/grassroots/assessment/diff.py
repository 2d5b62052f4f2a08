"""What changed between two runs of a scheme and period (e.g. the version an appeal made).

Pure: the runs are given as plain dicts. ``results`` maps a unit key to its result
(``total``, ``rank``, ``grade``, ``list_status``, ``reward_fen`` …), ``scores`` maps a
(unit key, indicator key) pair to its points. Only changed rows are returned; a unit or score
present in one run only shows ``None`` on the other side.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

K = TypeVar("K", bound=Hashable)
J = TypeVar("J", bound=Hashable)

#: The result fields compared, in the order a page shows them.
RESULT_FIELDS: tuple[str, ...] = (
    "total",
    "rank",
    "grade",
    "list_status",
    "reward_fen",
    "training_places",
    "vetoed",
)


@dataclass(frozen=True, slots=True)
class Change:
    """One field's value before and after."""

    field: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class UnitChange:
    """A unit whose result changed, with every field that did (in ``RESULT_FIELDS`` order)."""

    unit: Hashable
    changes: tuple[Change, ...]

    def get(self, field: str) -> Change | None:
        """The change of ``field``, or None when that field did not change."""
        return next((c for c in self.changes if c.field == field), None)


@dataclass(frozen=True, slots=True)
class ScoreChange:
    """A unit's points on one indicator before and after."""

    unit: Hashable
    indicator: Hashable
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class RunDiff:
    """The changed results and the changed scores (units in the order given, then indicators)."""

    results: tuple[UnitChange, ...]
    scores: tuple[ScoreChange, ...]

    @property
    def empty(self) -> bool:
        return not self.results and not self.scores


def _ordered(*mappings: Mapping[Any, Any]) -> list[Any]:
    """Every key of the mappings once, in order of first appearance."""
    seen: dict[Any, None] = {}
    for mapping in mappings:
        for key in mapping:
            seen.setdefault(key, None)
    return list(seen)


def diff_results(
    before: Mapping[K, Mapping[str, Any]],
    after: Mapping[K, Mapping[str, Any]],
    *,
    fields: Sequence[str] = RESULT_FIELDS,
) -> list[UnitChange]:
    """Units whose result differs in any of ``fields``, in the order of ``before`` then of
    the units only ``after`` holds."""
    changed: list[UnitChange] = []
    for unit in _ordered(before, after):
        old, new = before.get(unit), after.get(unit)
        changes = tuple(
            Change(f, None if old is None else old.get(f), None if new is None else new.get(f))
            for f in fields
            if (None if old is None else old.get(f)) != (None if new is None else new.get(f))
        )
        if changes:
            changed.append(UnitChange(unit, changes))
    return changed


def diff_scores(
    before: Mapping[tuple[K, J], Any],
    after: Mapping[tuple[K, J], Any],
) -> list[ScoreChange]:
    """(unit, indicator) pairs whose points differ, in the order of ``before`` then of the
    pairs only ``after`` holds."""
    return [
        ScoreChange(key[0], key[1], before.get(key), after.get(key))
        for key in _ordered(before, after)
        if before.get(key) != after.get(key)
    ]


def diff_runs(
    results_before: Mapping[K, Mapping[str, Any]],
    results_after: Mapping[K, Mapping[str, Any]],
    scores_before: Mapping[tuple[K, J], Any],
    scores_after: Mapping[tuple[K, J], Any],
) -> RunDiff:
    """The differences between two runs' results and scores (only changed rows)."""
    return RunDiff(
        results=tuple(diff_results(results_before, results_after)),
        scores=tuple(diff_scores(scores_before, scores_after)),
    )

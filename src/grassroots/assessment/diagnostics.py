"""Anti-averaging diagnostics (杜绝平均化): per rater, and per run before publication.

Standard deviations are population standard deviations (divided by n). Statistics are exact
decimals rounded to six decimals, half up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from grassroots.assessment.explain import rate
from grassroots.assessment.grading import Grade

ZERO = Decimal(0)
K = TypeVar("K", bound=Hashable)
ONE = Decimal(1)
DEFAULT_GRADE_CUTS = (Decimal(60), Decimal(70), Decimal(80), Decimal(90))


def mean(values: Sequence[Decimal]) -> Decimal:
    """Arithmetic mean; the mean of nothing is an error."""
    if not values:
        raise ValueError("no values")
    return sum(values, ZERO) / len(values)


def std(values: Sequence[Decimal]) -> Decimal:
    """Population standard deviation √(Σ (x − mean)² ÷ n)."""
    m = mean(values)
    return (sum(((v - m) ** 2 for v in values), ZERO) / len(values)).sqrt()


def median(values: Sequence[Decimal]) -> Decimal:
    """Median: the middle value, or the mean of the two middle values."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def entropy_bits(values: Sequence[Decimal], cuts: Sequence[Decimal]) -> Decimal:
    """Shannon entropy, in bits, of the values grouped into grade bands by ``cuts``.

    A value falls in band i when it is at least the i-th cut (cuts ascending) and below the
    next. 0 bits: every score in one band; log₂(bands) bits: scores spread evenly.
    """
    ordered_cuts = sorted(cuts)
    bands = Counter(sum(1 for c in ordered_cuts if v >= c) for v in values)
    n = Decimal(len(values))
    ln2 = Decimal(2).ln()
    total = sum((-(Decimal(c) / n) * (Decimal(c) / n).ln() / ln2 for c in bands.values()), ZERO)
    return abs(total)


@dataclass(frozen=True, slots=True)
class RaterThresholds:
    """When a rater's sheet is flagged (each threshold is a scheme setting)."""

    min_std_ratio: Decimal = Decimal("0.5")
    max_identical_share: Decimal = Decimal("0.8")
    max_abs_leniency_z: Decimal = Decimal(2)


@dataclass(frozen=True, slots=True)
class RaterDiagnostics:
    """One rater's statistics and the flags raised; a flagged sheet needs a justification."""

    rater: Hashable
    count: int
    mean: Decimal
    std: Decimal
    std_ratio: Decimal | None  # None when the whole group gave one score
    score_range: Decimal
    identical_share: Decimal
    leniency_z: Decimal
    grade_entropy_bits: Decimal
    flags: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        """Whether any flag was raised."""
        return bool(self.flags)


def rater_diagnostics(
    sheets: Mapping[K, Mapping[Any, Decimal]],
    *,
    thresholds: RaterThresholds | None = None,
    grade_cuts: Sequence[Decimal] = DEFAULT_GRADE_CUTS,
) -> dict[K, RaterDiagnostics]:
    """Anti-averaging statistics of every rater on one rating form.

    ``sheets`` maps a rater to the scores they gave (ratee → score). For each rater:
    - std ratio: the rater's standard deviation ÷ that of all scores on the form; flagged
      ``"low_spread"`` below ``min_std_ratio`` (0.5);
    - range: highest − lowest score;
    - identical share: the share of the rater's scores equal to their most frequent score;
      flagged ``"identical"`` above ``max_identical_share`` (0.8);
    - leniency z: (rater's mean − mean of all raters' means) ÷ standard deviation of the
      raters' means (0 when the means do not differ); flagged ``"lenient"`` or ``"severe"``
      beyond ± ``max_abs_leniency_z`` (2);
    - grade entropy: see :func:`entropy_bits`.
    A rater who gives every ratee the same score is always flagged ``"constant"``.
    """
    limits = thresholds or RaterThresholds()
    filled = {r: list(s.values()) for r, s in sheets.items() if s}
    if not filled:
        return {}
    everything = [v for values in filled.values() for v in values]
    group_std = std(everything)
    means = {r: mean(values) for r, values in filled.items()}
    means_std = std(list(means.values()))
    grand = mean(list(means.values()))
    out: dict[K, RaterDiagnostics] = {}
    for rater, values in filled.items():
        own_std = std(values)
        ratio = own_std / group_std if group_std > 0 else None
        identical = Decimal(Counter(values).most_common(1)[0][1]) / len(values)
        z = (means[rater] - grand) / means_std if means_std > 0 else ZERO
        flags: list[str] = []
        if own_std == 0:
            flags.append("constant")
        if ratio is not None and ratio < limits.min_std_ratio:
            flags.append("low_spread")
        if identical > limits.max_identical_share:
            flags.append("identical")
        if z > limits.max_abs_leniency_z:
            flags.append("lenient")
        elif z < -limits.max_abs_leniency_z:
            flags.append("severe")
        out[rater] = RaterDiagnostics(
            rater=rater,
            count=len(values),
            mean=rate(means[rater]),
            std=rate(own_std),
            std_ratio=rate(ratio) if ratio is not None else None,
            score_range=max(values) - min(values),
            identical_share=rate(identical),
            leniency_z=rate(z),
            grade_entropy_bits=rate(entropy_bits(values, grade_cuts)),
            flags=tuple(flags),
        )
    return out


# --- outcome diagnostics of a run -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutcomeDiagnostics:
    """How spread out a run's results are."""

    score_cv: Decimal | None  # std ÷ mean of the totals; None when the mean is not positive
    reward_gini: Decimal | None  # None when no reward was paid
    median_reward_excellent: Decimal | None  # None when no unit is 优秀
    median_reward_average: Decimal | None  # None when no unit is 一般

    @property
    def excellent_to_average(self) -> Decimal | None:
        """Median reward of 优秀 ÷ median reward of 一般, when both exist and 一般's is positive."""
        if self.median_reward_excellent is None or not self.median_reward_average:
            return None
        return rate(self.median_reward_excellent / self.median_reward_average)


def gini(values: Sequence[int | Decimal]) -> Decimal | None:
    """Gini coefficient Σᵢ Σⱼ |xᵢ − xⱼ| ÷ (2 n² mean): 0 for equal shares, near 1 for one taker.

    Computed from the sorted values as Σ (2i − n − 1) xᵢ ÷ (n Σ x), i = 1…n. None when the
    values add up to 0.
    """
    ordered = sorted(Decimal(v) for v in values)
    n = len(ordered)
    total = sum(ordered, ZERO)
    if n == 0 or total == 0:
        return None
    weighted = sum(((2 * i - n - 1) * x for i, x in enumerate(ordered, start=1)), ZERO)
    return rate(weighted / (n * total))


def outcome_diagnostics(
    totals: Mapping[K, Decimal],
    rewards_fen: Mapping[K, int],
    grades: Mapping[K, Grade],
) -> OutcomeDiagnostics:
    """Coefficient of variation of the totals, Gini of the rewards (every unit in ``totals``
    counts, a missing reward as 0), and the median rewards of the 优秀 and 一般 units."""
    scores = list(totals.values())
    m = mean(scores) if scores else ZERO
    cv = rate(std(scores) / m) if scores and m > 0 else None
    paid = [rewards_fen.get(u, 0) for u in totals]

    def median_of(grade: Grade) -> Decimal | None:
        values = [Decimal(rewards_fen.get(u, 0)) for u in totals if grades.get(u) is grade]
        return median(values) if values else None

    return OutcomeDiagnostics(
        score_cv=cv,
        reward_gini=gini(paid),
        median_reward_excellent=median_of(Grade.EXCELLENT),
        median_reward_average=median_of(Grade.AVERAGE),
    )


@dataclass(frozen=True, slots=True)
class MinimumSpread:
    """A scheme's minimum spread before a run may be published (None: rule not used)."""

    min_score_cv: Decimal | None = None
    min_reward_gini: Decimal | None = None
    min_excellent_to_average: Decimal | None = None


@dataclass(frozen=True, slots=True)
class RuleFailure:
    """A spread rule that failed: its code, the required minimum and the actual value."""

    rule: str
    required: Decimal
    actual: Decimal | None


@dataclass(frozen=True, slots=True)
class PublishCheck:
    """Whether a run may be published, and every rule that failed."""

    ok: bool
    failures: tuple[RuleFailure, ...]


def publishable(diagnostics: OutcomeDiagnostics, spread: MinimumSpread) -> PublishCheck:
    """Check a run's outcome against the scheme's minimum spread.

    - ``"score_cv"``: the coefficient of variation of the totals must be at least the minimum
      (an undefined CV fails);
    - ``"reward_gini"``: the Gini of the rewards must be at least the minimum (no rewards
      fails);
    - ``"excellent_to_average"``: the median reward of 优秀 ÷ that of 一般 must be at least the
      minimum. It passes when 一般 units receive nothing while 优秀 units receive something,
      and it is not checked when the run has no 优秀 or no 一般 unit.
    """
    failures: list[RuleFailure] = []
    if spread.min_score_cv is not None and (
        diagnostics.score_cv is None or diagnostics.score_cv < spread.min_score_cv
    ):
        failures.append(RuleFailure("score_cv", spread.min_score_cv, diagnostics.score_cv))
    if spread.min_reward_gini is not None and (
        diagnostics.reward_gini is None or diagnostics.reward_gini < spread.min_reward_gini
    ):
        failures.append(RuleFailure("reward_gini", spread.min_reward_gini, diagnostics.reward_gini))
    best, usual = diagnostics.median_reward_excellent, diagnostics.median_reward_average
    minimum = spread.min_excellent_to_average
    if minimum is not None and best is not None and usual is not None:
        ratio = diagnostics.excellent_to_average
        passes = best > 0 if usual == 0 else ratio is not None and ratio >= minimum
        if not passes:
            failures.append(RuleFailure("excellent_to_average", minimum, ratio))
    return PublishCheck(ok=not failures, failures=tuple(failures))

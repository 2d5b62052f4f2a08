"""Small-unit fairness: empirical-Bayes shrinkage of rates and funnel-plot control limits.

A village with 3 events and 3 closed on time has a raw rate of 100 %, but that says little.
Shrinkage pulls each unit's rate toward the mean of its peers by an amount that depends on how
many cases the unit has; funnel limits say whether a rate differs from the target by more than
chance. All arithmetic is in exact decimals (28 significant digits); results are rounded to six
decimals, half up.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from math import ceil, floor

from grassroots.assessment.explain import rate

ZERO = Decimal(0)
ONE = Decimal(1)

#: Two-sided normal quantiles for the funnel limits (Spiegelhalter 2005).
Z_95 = Decimal("1.959964")  # 95 %: about 1 unit in 20 lies outside by chance
Z_998 = Decimal("3.090232")  # 99.8 %: about 1 unit in 500 lies outside by chance


class Level(StrEnum):
    """Funnel-plot control level."""

    P95 = "95"  # warning limit
    P998 = "99.8"  # alarm limit


class Signal(StrEnum):
    """Where a unit's rate lies relative to the funnel around the target."""

    ABOVE = "above"  # significantly above the target
    BELOW = "below"  # significantly below the target
    WITHIN = "within"  # not distinguishable from the target


@dataclass(frozen=True, slots=True)
class RateInput:
    """A unit's rate as a count of ``events`` (e.g. closed on time) out of ``trials``."""

    unit: Hashable
    events: int
    trials: int

    def __post_init__(self) -> None:
        if self.trials < 0 or not 0 <= self.events <= self.trials:
            raise ValueError("events must lie between 0 and trials")


@dataclass(frozen=True, slots=True)
class ShrunkRate:
    """One unit's raw and shrunk rate; ``own_weight`` is n ÷ (n + prior strength)."""

    unit: Hashable
    events: int
    trials: int
    raw: Decimal | None  # None when the unit had no cases
    shrunk: Decimal
    own_weight: Decimal


@dataclass(frozen=True, slots=True)
class Shrinkage:
    """The prior estimated from the peer group, and every unit's shrunk rate."""

    peer_mean: Decimal
    between_variance: Decimal
    prior_strength: Decimal | None  # None: no spread beyond chance, every unit gets the mean
    rates: tuple[ShrunkRate, ...]


def shrink_rates(units: Sequence[RateInput]) -> Shrinkage:
    """Empirical-Bayes shrinkage toward the peer mean (beta-binomial, method of moments).

    With N = Σ trials and k units that have cases, the peer mean is m = Σ events ÷ N. The
    spread between units beyond chance is estimated by the method of moments as
    τ² = max(0, (Σ nᵢ (rᵢ − m)² − (k − 1) m (1 − m)) ÷ (N − Σ nᵢ² ÷ N)).
    A beta prior with mean m and variance τ² has strength M = m (1 − m) ÷ τ² − 1 (worth M
    cases); M is 0 (no shrinkage) when τ² ≥ m (1 − m). Each unit's shrunk rate is
    (events + m M) ÷ (trials + M) = w · raw + (1 − w) · m with w = n ÷ (n + M): a unit with
    few cases has a small w and moves most toward the mean, a large unit hardly moves.
    When τ² = 0 (all differences are explained by chance) every unit receives the peer mean.
    A unit with no cases receives the peer mean. Rates stay within [0, 1].
    """
    total = sum(u.trials for u in units)
    if total == 0:
        raise ValueError("the peer group has no cases")
    n_total = Decimal(total)
    mean = Decimal(sum(u.events for u in units)) / n_total
    with_cases = [u for u in units if u.trials > 0]
    k = len(with_cases)
    spread = sum(
        (Decimal(u.trials) * (Decimal(u.events) / u.trials - mean) ** 2 for u in with_cases),
        ZERO,
    )
    divisor = n_total - sum(Decimal(u.trials) ** 2 for u in with_cases) / n_total
    binomial = mean * (ONE - mean)
    tau2 = max(ZERO, (spread - (k - 1) * binomial) / divisor) if divisor > 0 else ZERO
    strength: Decimal | None
    if tau2 == 0:
        strength = None
    elif tau2 >= binomial:
        strength = ZERO
    else:
        strength = binomial / tau2 - ONE
    rates: list[ShrunkRate] = []
    for u in units:
        n = Decimal(u.trials)
        raw = Decimal(u.events) / n if u.trials else None
        if strength is None or raw is None:
            weight = ZERO
        else:
            weight = n / (n + strength) if n + strength > 0 else ONE
        shrunk = weight * raw + (ONE - weight) * mean if raw is not None else mean
        shrunk = min(ONE, max(ZERO, shrunk))
        rates.append(
            ShrunkRate(
                unit=u.unit,
                events=u.events,
                trials=u.trials,
                raw=rate(raw) if raw is not None else None,
                shrunk=rate(shrunk),
                own_weight=rate(weight),
            )
        )
    return Shrinkage(
        peer_mean=rate(mean),
        between_variance=rate(tau2),
        prior_strength=rate(strength) if strength is not None else None,
        rates=tuple(rates),
    )


def z_score(events: int, trials: int, target: Decimal) -> Decimal:
    """Standardised difference from the target: (rate − p₀) ÷ √(p₀ (1 − p₀) ÷ n)."""
    if trials <= 0:
        raise ValueError("trials must be positive")
    if not ZERO < target < ONE:
        raise ValueError("target must lie strictly between 0 and 1")
    se = (target * (ONE - target) / trials).sqrt()
    return (Decimal(events) / trials - target) / se


def overdispersion(units: Sequence[RateInput], target: Decimal, *, winsor: float = 0.1) -> Decimal:
    """Multiplicative overdispersion factor φ from winsorised z-scores (Spiegelhalter 2005).

    The z-scores of the k units with cases are sorted; those below the 10th percentile are set
    to it and those above the 90th percentile to it (``winsor`` = 0.1), so a few outliers
    cannot inflate φ. φ = (1 ÷ k) Σ zᵢ². φ is never below 1: a group that varies less than
    chance keeps the plain binomial limits. With fewer than 2 units φ is 1.
    """
    scores = sorted(z_score(u.events, u.trials, target) for u in units if u.trials > 0)
    k = len(scores)
    if k < 2:
        return ONE
    low = scores[floor(winsor * k)]
    high = scores[max(0, ceil((1 - winsor) * k) - 1)]
    clipped = [min(high, max(low, z)) for z in scores]
    phi = sum((z * z for z in clipped), ZERO) / k
    return rate(max(ONE, phi))


def funnel_limits(
    target: Decimal, trials: int, *, phi: Decimal = ONE, level: Level = Level.P95
) -> tuple[Decimal, Decimal]:
    """Funnel-plot control limits for a proportion: p₀ ± z √(φ p₀ (1 − p₀) ÷ n), within [0, 1].

    ``z`` is 1.959964 for 95 % and 3.090232 for 99.8 %; ``φ`` is the overdispersion factor
    (see :func:`overdispersion`). The limits widen as n shrinks, so a small unit needs a
    larger difference before it counts as significant.
    """
    if trials <= 0:
        raise ValueError("trials must be positive")
    if not ZERO < target < ONE:
        raise ValueError("target must lie strictly between 0 and 1")
    z = Z_95 if level is Level.P95 else Z_998
    half = z * (phi * target * (ONE - target) / trials).sqrt()
    return rate(max(ZERO, target - half)), rate(min(ONE, target + half))


def outside_limits(
    events: int,
    trials: int,
    target: Decimal,
    *,
    phi: Decimal = ONE,
    level: Level = Level.P95,
) -> Signal:
    """Whether the unit's rate lies significantly above or below the target.

    ABOVE when events ÷ trials is above the upper funnel limit, BELOW when it is below the
    lower one, WITHIN otherwise (see :func:`funnel_limits`). A unit with no cases is WITHIN:
    nothing can be said about it.
    """
    if trials == 0:
        return Signal.WITHIN
    lower, upper = funnel_limits(target, trials, phi=phi, level=level)
    observed = Decimal(events) / trials
    if observed > upper:
        return Signal.ABOVE
    if observed < lower:
        return Signal.BELOW
    return Signal.WITHIN


def oriented(signal: Signal, *, higher_is_better: bool) -> Signal:
    """Turn ABOVE/BELOW the target into better/worse: ABOVE means better, BELOW worse.

    For a rate where lower is better (e.g. the share of events closed late) the signal is
    flipped, so the red/black lists can always treat ABOVE as "significantly better".
    """
    if higher_is_better or signal is Signal.WITHIN:
        return signal
    return Signal.BELOW if signal is Signal.ABOVE else Signal.ABOVE

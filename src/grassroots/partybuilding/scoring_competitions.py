"""How a culture competition is judged (pure functions over plain data, no ORM).

**Final score of an entry.** The judges' scores of the entry; with 5 judges or more, the
single highest and the single lowest score are dropped (trimmed mean, as on a stage
contest), with fewer judges every score counts; the mean is rounded to two decimals, half
up. An entry nobody scored has no final score.

**Rank within a round.** By final score, highest first; entries with the same final score
share a rank and the next rank skips as many places ("1, 2, 2, 4"). An entry without a
final score has no rank.

**Prizes by rank, never shared equally.** The best ``first`` ranks take 一等奖, the next
``second`` ranks 二等奖, the next ``third`` ranks 三等奖: an entry whose rank is at most
``first`` takes a first prize, at most ``first + second`` a second prize, at most
``first + second + third`` a third prize. Tied entries share their rank, so both take the
prize of that rank. More prizes than entries simply leaves prizes unawarded.

**Anti-averaging (杜绝平均化).** Each round's judges are checked with the assessment's
``rater_diagnostics`` over judge → {entry → score} (grade bands scaled to the competition's
highest score): a judge is flagged ``constant``, ``low_spread``, ``identical``, ``lenient``
or ``severe`` exactly as a rater of an assessment form is, with the same words
(``FLAG_LABELS``). A flagged judge's sheet needs a written justification before scoring
can close. The spread of a round's results is reported as the coefficient of variation
of the final scores and their Gini coefficient (``diagnostics.gini``).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final, TypeVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from grassroots.assessment.diagnostics import (
    DEFAULT_GRADE_CUTS,
    RaterDiagnostics,
    gini,
    mean,
    rater_diagnostics,
    std,
)
from grassroots.assessment.explain import rate
from grassroots.assessment.rating_notices import FLAG_LABELS as ASSESSMENT_FLAG_LABELS

K = TypeVar("K", bound=Hashable)
J = TypeVar("J", bound=Hashable)

#: From this many judges on, the highest and the lowest score of an entry are dropped.
TRIM_FROM: Final = 5
CENT: Final = Decimal("0.01")
HUNDRED: Final = Decimal(100)

FIRST: Final = "first"
SECOND: Final = "second"
THIRD: Final = "third"
PRIZE_LABELS: Final[dict[str, Promise]] = {
    FIRST: gettext_lazy("First prize"),
    SECOND: gettext_lazy("Second prize"),
    THIRD: gettext_lazy("Third prize"),
}
#: What each judge flag means: the words of the assessment's rating sheets.
FLAG_LABELS: Final[dict[str, Promise]] = dict(ASSESSMENT_FLAG_LABELS)


def plain(value: Decimal) -> str:
    """A score as people write it: ``100`` for 100.00, ``92.5`` for 92.50."""
    return format(value.normalize(), "f")


def final_score(scores: Sequence[Decimal]) -> Decimal | None:
    """The entry's final score (see the module docstring); None without scores."""
    if not scores:
        return None
    ordered = sorted(scores)
    if len(ordered) >= TRIM_FROM:
        ordered = ordered[1:-1]
    return (sum(ordered, Decimal(0)) / len(ordered)).quantize(CENT, rounding=ROUND_HALF_UP)


def ranks(scores: Mapping[K, Decimal | None]) -> dict[K, int]:
    """Standard competition ranks ("1, 2, 2, 4") of the entries with a score."""
    ordered = sorted(
        ((s, k) for k, s in scores.items() if s is not None), key=lambda p: p[0], reverse=True
    )
    out: dict[K, int] = {}
    previous: Decimal | None = None
    rank = 0
    for place, (score, key) in enumerate(ordered, start=1):
        if score != previous:
            rank = place
            previous = score
        out[key] = rank
    return out


def prizes(ranked: Mapping[K, int], first: int, second: int, third: int) -> dict[K, str]:
    """The prize of each ranked entry (entries without a prize are left out)."""
    out: dict[K, str] = {}
    for key, rank in ranked.items():
        if rank <= first:
            out[key] = FIRST
        elif rank <= first + second:
            out[key] = SECOND
        elif rank <= first + second + third:
            out[key] = THIRD
    return out


@dataclass(frozen=True, slots=True)
class Result:
    """One entry's result: its final score, rank and prize ("" when none)."""

    final_score: Decimal | None
    rank: int | None
    prize: str


def round_results(
    scores: Mapping[K, Sequence[Decimal]], first: int, second: int, third: int
) -> dict[K, Result]:
    """Every entry's result in one round from its judges' scores (entry → scores)."""
    finals = {entry: final_score(list(values)) for entry, values in scores.items()}
    ranked = ranks(finals)
    won = prizes(ranked, first, second, third)
    return {entry: Result(finals[entry], ranked.get(entry), won.get(entry, "")) for entry in scores}


def grade_cuts(max_score: Decimal) -> tuple[Decimal, ...]:
    """The assessment's grade bands (60/70/80/90 of 100) scaled to ``max_score``."""
    return tuple(cut * max_score / HUNDRED for cut in DEFAULT_GRADE_CUTS)


def round_diagnostics(
    sheets: Mapping[J, Mapping[K, Decimal]], max_score: Decimal
) -> dict[J, RaterDiagnostics]:
    """The anti-averaging statistics of every judge of one round (judge → entry → score)."""
    return rater_diagnostics(sheets, grade_cuts=grade_cuts(max_score))


def judge_flags(
    rounds: Sequence[Mapping[J, Mapping[K, Decimal]]], max_score: Decimal
) -> dict[J, tuple[str, ...]]:
    """Each judge's flags over every round (in the order first raised); a judge with no
    flag is absent. A round needs two entries at least to tell anything."""
    out: dict[J, list[str]] = {}
    for sheets in rounds:
        if max((len(s) for s in sheets.values()), default=0) < 2:
            continue
        for judge, found in round_diagnostics(sheets, max_score).items():
            for flag in found.flags:
                kept = out.setdefault(judge, [])
                if flag not in kept:
                    kept.append(flag)
    return {judge: tuple(flags) for judge, flags in out.items() if flags}


def flag_text(flags: Sequence[str]) -> str:
    """The flags in words, separated by "; "."""
    return "; ".join(str(FLAG_LABELS.get(f, f)) for f in flags)


@dataclass(frozen=True, slots=True)
class Spread:
    """How spread out a round's final scores are."""

    score_cv: Decimal | None  # std ÷ mean; None when the mean is not positive
    score_gini: Decimal | None  # None when the scores add up to 0


def spread(finals: Sequence[Decimal]) -> Spread:
    """Coefficient of variation and Gini coefficient of a round's final scores."""
    if not finals:
        return Spread(None, None)
    m = mean(finals)
    cv = rate(std(finals) / m) if m > 0 else None
    return Spread(cv, gini(finals))

"""The public results of the culture competitions (文化竞演, /public/competitions/), no login.

Only published competitions are shown (any other is a 404, as if it did not exist): their
title, organiser, year and description, and each round's results — rank, village,
programme, final score and prize. The judges are never named, nor their scores, nor the
performers. A published competition never changes (published is a final status), so its
results are cached under its id and publication time.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from grassroots.partybuilding.models import Competition
from grassroots.partybuilding.queries_competitions import published, rounds_of
from grassroots.partybuilding.scoring_competitions import PRIZE_LABELS

PER_PAGE: Final = 20
#: Results of a published competition never change: a day only lets the cache forget.
TIMEOUT: Final = 24 * 3600
VERSION: Final = 1


@dataclass(frozen=True, slots=True)
class PublicResult:
    """One entry as the public sees it."""

    rank: int | None
    village: str
    programme: str
    final_score: Decimal | None
    prize: str


@dataclass(frozen=True, slots=True)
class PublicRound:
    name: str
    held_on: object
    results: tuple[PublicResult, ...]


def _rounds(competition: Competition) -> list[PublicRound]:
    stamp = competition.published_at.timestamp() if competition.published_at else 0
    key = f"portal:culture:{VERSION}:{competition.pk}:{stamp}"
    rounds: list[PublicRound] | None = cache.get(key)
    if rounds is None:
        rounds = [
            PublicRound(
                name=r.name,
                held_on=r.held_on,
                results=tuple(
                    PublicResult(e.rank, e.unit.name, e.title, e.final_score, e.prize)
                    for e in sorted(
                        r.entries.all(), key=lambda e: (e.rank is None, e.rank or 0, e.pk)
                    )
                ),
            )
            for r in rounds_of(competition)
        ]
        cache.set(key, rounds, TIMEOUT)
    return rounds


@require_safe
def competitions(request: HttpRequest) -> HttpResponse:
    """The published competitions, newest first, 20 a page."""
    page = Paginator(published(), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "portal/culture_list.html", {"page": page})


@require_safe
def competition(request: HttpRequest, pk: int) -> HttpResponse:
    """One published competition's results by round."""
    found = published().filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such competition."))
    return render(
        request,
        "portal/culture_competition.html",
        {
            "c": found,
            "rounds": _rounds(found),
            "prizes": {k: str(v) for k, v in PRIZE_LABELS.items()},
        },
    )


urlpatterns: Final = [
    path("competitions/", competitions, name="competitions"),
    path("competitions/<int:pk>/", competition, name="competition"),
]

"""Named reads of the culture archive, each filtered by the viewer's scope
(``partybuilding.view``): songs by title, mottos by family, motto or story, performers by
name, specialty, troupe and flags; the villages a viewer sees or records for; one
village's archive."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from grassroots.org.models import VILLAGE_LEVEL, Unit, is_within
from grassroots.org.queries import grant_paths, scope_q, subtree_q
from grassroots.partybuilding.models import (
    FamilyMotto,
    HistoryPhoto,
    Performer,
    Song,
    VillageHistory,
)
from grassroots.partybuilding.permissions import RECORD, VIEW

#: The longest search text used (a longer one is cut).
SEARCH_MAX = 100


def villages_for(user: Any, action: str = VIEW) -> QuerySet[Unit]:
    """The active villages and communities under the units where ``user`` holds
    ``action``, by path."""
    paths = grant_paths(user, action)
    if not paths:
        return Unit.objects.none()
    return (
        Unit.objects.filter(scope_q(("path",), paths), kind__in=VILLAGE_LEVEL, active=True)
        .defer("geometry")
        .order_by("path")
    )


def recorded_paths(user: Any) -> set[str]:
    """The unit paths where ``user`` may record the archive (to show edit links)."""
    return grant_paths(user, RECORD)


def may_record_path(paths: set[str], path: str) -> bool:
    """Whether ``path`` lies under one of ``paths`` (from ``recorded_paths``)."""
    return any(is_within(path, p) for p in paths)


def _terms(text: str) -> list[str]:
    return [t for t in text.replace("\x00", "").strip()[:SEARCH_MAX].split() if t]


def songs(user: Any, *, text: str = "", village: Unit | None = None) -> QuerySet[Song]:
    """The songs the viewer sees, by village and title (``text`` in the title)."""
    qs = Song.objects.visible_to(user).select_related("unit")
    for term in _terms(text):
        qs = qs.filter(title__icontains=term)
    if village is not None:
        qs = qs.filter(unit=village)
    return qs.order_by("unit_path", "title", "pk")


def histories(
    user: Any, *, text: str = "", village: Unit | None = None
) -> QuerySet[VillageHistory]:
    """The history chapters the viewer sees (``text`` in the title), with their photo
    count."""
    qs = (
        VillageHistory.objects.visible_to(user)
        .select_related("unit")
        .annotate(photo_count=Count("photos"))
    )
    for term in _terms(text):
        qs = qs.filter(title__icontains=term)
    if village is not None:
        qs = qs.filter(unit=village)
    ordered: QuerySet[VillageHistory] = qs.order_by("unit_path", "order", "pk")
    return ordered


def mottos(
    user: Any, *, text: str = "", village: Unit | None = None, within: Unit | None = None
) -> QuerySet[FamilyMotto]:
    """The family mottos the viewer sees: each word of ``text`` in the family, the motto
    or the story; of one village, or of the villages under ``within``."""
    qs = FamilyMotto.objects.visible_to(user).select_related("unit")
    for term in _terms(text):
        qs = qs.filter(
            Q(family__icontains=term) | Q(motto__icontains=term) | Q(story__icontains=term)
        )
    if village is not None:
        qs = qs.filter(unit=village)
    if within is not None:
        qs = qs.filter(subtree_q("unit_path", within.path))
    return qs.order_by("unit_path", "family", "pk")


def performers(
    user: Any,
    *,
    text: str = "",
    village: Unit | None = None,
    specialty: str = "",
    leader: bool | None = None,
    active: bool | None = True,
) -> QuerySet[Performer]:
    """The performers the viewer sees: each word of ``text`` in the name, troupe or note;
    filtered by village, specialty, cultural leader, active (default: the active ones)."""
    qs = Performer.objects.visible_to(user).select_related("unit")
    for term in _terms(text):
        qs = qs.filter(
            Q(name__icontains=term) | Q(troupe__icontains=term) | Q(note__icontains=term)
        )
    if village is not None:
        qs = qs.filter(unit=village)
    if specialty:
        qs = qs.filter(specialty=specialty)
    if leader is not None:
        qs = qs.filter(leader=leader)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("unit_path", "name", "pk")


@dataclass(frozen=True, slots=True)
class Archive:
    """One village's culture archive as the viewer sees it."""

    village: Unit
    songs: list[Song]
    histories: list[VillageHistory]
    mottos: list[FamilyMotto]
    performers: list[Performer]


def archive(user: Any, village: Unit) -> Archive:
    """The songs, history chapters, mottos and active performers of ``village``."""
    return Archive(
        village=village,
        songs=list(songs(user, village=village)),
        histories=list(histories(user, village=village)),
        mottos=list(mottos(user, village=village)),
        performers=list(performers(user, village=village)),
    )


def history_photos(history: VillageHistory) -> list[HistoryPhoto]:
    return list(HistoryPhoto.objects.filter(history=history).order_by("pk"))

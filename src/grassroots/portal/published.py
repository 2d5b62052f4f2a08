"""What the portal reads of a publication's frozen snapshot, cached per SHA-256.

A publication never changes (its SHA-256 is the hash of its bytes), so whatever the portal
derives from it can be cached under that hash for good: its red and black lists (with the
list rule that explains them) and its rankings grouped by peer group. On a miss, only the
parts needed are read — ``snapshot -> 'lists'`` for the lists of every publication of a
page in one query, ``snapshot -> 'results'`` of one publication for its rankings — so a
history page never parses every snapshot, and a province-sized snapshot is parsed once per
cache, not once per request. The entries are kept raw (codes, not sentences): the reasons
are worded when shown, in the visitor's language.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.core.cache import cache

from grassroots.assessment.queries_portal import snapshot_parts

#: A publication is immutable: a day is only there to let a cache forget unused ones.
TIMEOUT: Final = 24 * 3600
#: Bumped whenever the cached shapes below change.
VERSION: Final = 1


@dataclass(frozen=True, slots=True)
class Lists:
    """A publication's red and black lists as published, with the rule they follow."""

    red: tuple[dict[str, Any], ...]
    black: tuple[dict[str, Any], ...]
    rule: dict[str, Any]
    #: The scheme's name as published (a later rename does not change what was published).
    scheme_name: str


#: One ranked unit: (unit code, name, rank, group size, total, grade, list status,
#: reward in fen, training places, vetoed). Tuples keep the cached rankings small.
Row = tuple[str, str, int, int, str, str, str, int, int, bool]


@dataclass(frozen=True, slots=True)
class Group:
    """One peer group of a publication: its key and how many units it ranks."""

    key: str
    size: int
    slug: str


def township_names(codes: Iterable[str]) -> dict[str, str]:
    """For village-level codes (12 digits), the name of the township they belong to (its
    9-digit code), so that two villages of the same name are told apart. One query."""
    prefixes = {code: code[:9] for code in codes if len(code) == 12 and code.isdecimal()}
    if not prefixes:
        return {}
    from grassroots.org.models import Unit

    names = dict(Unit.objects.filter(code__in=set(prefixes.values())).values_list("code", "name"))
    return {code: names[prefix] for code, prefix in prefixes.items() if prefix in names}


def _key(sha256: str, part: str) -> str:
    return f"portal:pub:{VERSION}:{sha256}:{part}"


def group_slug(group: str) -> str:
    """A short stable name of a peer group for URLs (``?group=``)."""
    return hashlib.sha256(group.encode()).hexdigest()[:10]


def lists_of(publications: Sequence[Any]) -> dict[int, Lists]:
    """The red and black lists of each publication (by pk): from the cache, the misses
    read in one query that extracts only the lists of their snapshots."""
    keys = {p.pk: _key(p.sha256, "lists") for p in publications}
    cached = cache.get_many(list(keys.values()))
    found: dict[int, Lists] = {}
    missing = []
    for pk, key in keys.items():
        if key in cached:
            found[pk] = cached[key]
        else:
            missing.append(pk)
    if missing:
        fresh = {}
        for pk, parts in snapshot_parts(missing, ("lists", "list_rule", "scheme")).items():
            lists = parts.get("lists") or {}
            value = Lists(
                red=tuple(lists.get("red") or ()),
                black=tuple(lists.get("black") or ()),
                rule=dict(parts.get("list_rule") or {}),
                scheme_name=str((parts.get("scheme") or {}).get("name", "")),
            )
            found[pk] = value
            fresh[keys[pk]] = value
        cache.set_many(fresh, TIMEOUT)
    return found


def _row(r: dict[str, Any]) -> Row:
    return (
        str(r.get("unit", "")),
        str(r.get("name", "")),
        int(r.get("rank") or 0),
        int(r.get("group_size") or 0),
        str(r.get("total", "")),
        str(r.get("grade") or ""),
        str(r.get("list_status") or ""),
        int(r.get("reward_fen") or 0),
        int(r.get("training_places") or 0),
        bool(r.get("vetoed")),
    )


def groups_of(publication: Any) -> list[Group]:
    """The peer groups of a publication, each with its size, the largest first."""
    key = _key(publication.sha256, "groups")
    groups: list[Group] | None = cache.get(key)
    if groups is None:
        groups = _load_rankings(publication)
    return groups


def ranking_of(publication: Any, group: Group) -> list[Row]:
    """The units of one peer group of a publication, in rank order."""
    rows: list[Row] | None = cache.get(_key(publication.sha256, f"g:{group.slug}"))
    if rows is None:
        _load_rankings(publication)
        rows = cache.get(_key(publication.sha256, f"g:{group.slug}"))
        if rows is None:  # a cache too small to hold it: read again, keep nothing
            rows = _grouped(_results(publication)).get(group.key, [])
    return rows


def _results(publication: Any) -> Iterable[dict[str, Any]]:
    parts = snapshot_parts([publication.pk], ("results",)).get(publication.pk, {})
    return parts.get("results") or []


def _grouped(results: Iterable[dict[str, Any]]) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for r in results:
        grouped[str(r.get("peer_group", ""))].append(_row(r))
    for rows in grouped.values():
        rows.sort(key=lambda row: (row[2], row[0]))
    return dict(sorted(grouped.items()))


def _load_rankings(publication: Any) -> list[Group]:
    """Read a publication's results once and cache them by peer group."""
    grouped = _grouped(_results(publication))
    groups = sorted(
        (Group(key, len(rows), group_slug(key)) for key, rows in grouped.items()),
        key=lambda g: (-g.size, g.key),
    )
    values: dict[str, Any] = {
        _key(publication.sha256, f"g:{group_slug(key)}"): rows for key, rows in grouped.items()
    }
    values[_key(publication.sha256, "groups")] = groups
    cache.set_many(values, TIMEOUT)
    return groups

"""Named reads of published assessment material for the public portal.

Only publications are read (the frozen snapshots of published or frozen runs), never the
live result tables, and no scope applies: a publication is public by definition and holds
units only, never a person. Snapshots can be large (a province's village scheme holds
tens of thousands of results), so the reads here fetch the snapshot's *parts* a page needs
(``snapshot -> 'lists'``, evaluated by the database) and never the whole snapshot of more
than one publication at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from django.db.models import QuerySet

from grassroots.assessment.models import Publication
from grassroots.assessment.states import RunState

#: The kinds of publication the portal filters by (月考 / 季晒 / 年评).
KINDS: Final = ("monthly", "quarterly", "annual")


def published() -> QuerySet[Publication]:
    """Every publication of a published or frozen run, without its snapshot (a list never
    shows it), with its scheme and run."""
    return (
        Publication.objects.filter(run__state__in=[RunState.PUBLISHED, RunState.FROZEN])
        .select_related("scheme", "run")
        .defer("snapshot")
    )


def of_kind(rows: QuerySet[Publication], kind: str) -> QuerySet[Publication]:
    """Publications of one kind, told by the period label (``2026-10``, ``2026-Q3``,
    ``2026``) exactly as :func:`grassroots.assessment.models.period_kind` tells it."""
    if kind == "quarterly":
        return rows.filter(period__icontains="-Q")
    if kind == "annual":
        return rows.filter(period__regex=r"^[0-9]+$")
    if kind == "monthly":
        return rows.filter(period__regex=r"^[0-9]{4}-[0-9]{1,2}$")
    return rows


def published_schemes() -> list[tuple[str, str]]:
    """(code, name) of the schemes that have published something, by code."""
    return list(
        published().order_by("scheme__code").values_list("scheme__code", "scheme__name").distinct()
    )


def published_years() -> list[int]:
    """The scheme years that have published something, newest first."""
    return sorted(
        set(published().order_by().values_list("scheme__year", flat=True).distinct()),
        reverse=True,
    )


def versions_of(scheme_id: int) -> list[tuple[str, int, str]]:
    """(period, version, sha256) of every publication of a scheme (a few dozen a year)."""
    return list(
        published()
        .filter(scheme_id=scheme_id)
        .order_by()
        .values_list("period", "run__version", "sha256")
    )


def snapshot_parts(pks: Iterable[int], keys: Iterable[str]) -> dict[int, dict[str, Any]]:
    """For each publication, the named top-level parts of its snapshot (one query, the
    database extracting the parts; a missing part is None)."""
    wanted = list(keys)
    ids = list(pks)
    if not ids:
        return {}
    fields = [f"snapshot__{key}" for key in wanted]
    found: dict[int, dict[str, Any]] = {}
    for row in Publication.objects.filter(pk__in=ids).order_by().values("pk", *fields):
        found[row["pk"]] = {key: row[f"snapshot__{key}"] for key in wanted}
    return found

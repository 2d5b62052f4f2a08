"""The subtrees a metric is asked about, found in linear time after a sort (a province's
34,000 villages are 34,000 separate subtrees: comparing every path with every other one
took minutes)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from grassroots.org.queries import scope_q, subtree_roots


def roots(paths: Iterable[str]) -> list[str]:
    """The paths that are not below another one of them, sorted (``org.queries``)."""
    return subtree_roots(paths)


def restrict(paths: Iterable[str], field: str, most: int) -> Q:
    """The rows whose ``field`` lies in one of the subtrees of ``paths``: no row when
    there is no path; no filter at all (``Q()``: the caller drops the rows of the units
    not asked) when there are more than ``most`` subtrees to name."""
    found = roots(paths)
    if not found:
        return Q(pk__in=[])
    return scope_q((field,), set(found)) if len(found) <= most else Q()

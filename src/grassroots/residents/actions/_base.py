"""What every residents action shares: locking in a fixed order and the one function that
changes a status (it consults the tables in ``states``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import models
from django.shortcuts import get_object_or_404

from grassroots.residents.errors import IllegalTransition

M = TypeVar("M", bound=models.Model)


def lock(model: type[M], pk: int, *related: str) -> M:
    """The row ``pk`` of ``model`` locked for this transaction (404 when absent).

    ``select_for_update(of=("self",))`` locks only that row even when related rows are
    joined in; callers that need several rows lock them in ``pk`` order (``lock_many``).
    """
    qs = model._default_manager.select_for_update(of=("self",))
    if related:
        qs = qs.select_related(*related)
    return get_object_or_404(qs, pk=pk)


def lock_many(model: type[M], pks: list[int]) -> list[M]:
    """Several rows locked in ``pk`` order (no deadlock between two such callers)."""
    return list(
        model._default_manager.select_for_update().filter(pk__in=sorted(set(pks))).order_by("pk")
    )


def move(
    obj: models.Model,
    field: str,
    target: str,
    table: Mapping[Any, frozenset[Any]],
) -> None:
    """Set ``obj.<field>`` to ``target`` if the transition table allows it, else raise
    ``IllegalTransition`` (409) naming both states."""
    current = getattr(obj, field)
    allowed = table.get(current, frozenset())
    if target not in allowed:
        display = getattr(obj, f"get_{field}_display", lambda: current)
        choices = getattr(obj._meta.get_field(field), "choices", None) or []
        label = dict(choices).get(target, target)
        raise IllegalTransition(str(display()), str(label), field=field)
    setattr(obj, field, target)

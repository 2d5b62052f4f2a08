"""What every app's actions share: taking row locks in a fixed order, and the one function
that changes a status after consulting the app's table of allowed moves."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.db import models
from django.shortcuts import get_object_or_404

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
    refuse: Callable[..., Exception],
) -> None:
    """Set ``obj.<field>`` to ``target`` if ``table`` allows the move from its current value,
    else raise ``refuse(current_label, target_label, field=field)`` (the app's
    ``IllegalTransition``, a 409)."""
    current = getattr(obj, field)
    if target not in table.get(current, frozenset()):
        display = getattr(obj, f"get_{field}_display", lambda: current)
        choices = getattr(obj._meta.get_field(field), "choices", None) or []
        label = dict(choices).get(target, target)
        raise refuse(str(display()), str(label), field=field)
    setattr(obj, field, target)

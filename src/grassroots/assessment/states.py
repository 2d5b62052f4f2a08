"""Run states and the allowed moves between them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunState(models.TextChoices):
    DRAFT = "draft", _("Draft")  # created, nothing computed yet
    COMPUTED = "computed", _("Computed")  # scores and results stored, open to review
    PUBLISHED = "published", _("Published")  # shown to the units (季晒), open to appeals
    FROZEN = "frozen", _("Frozen")  # immutable snapshot, never changed again


TRANSITIONS: dict[RunState, frozenset[RunState]] = {
    RunState.DRAFT: frozenset({RunState.COMPUTED}),
    RunState.COMPUTED: frozenset({RunState.PUBLISHED}),
    RunState.PUBLISHED: frozenset({RunState.FROZEN}),
    RunState.FROZEN: frozenset(),
}


def can_move(source: str, target: str) -> bool:
    """Whether a run may go from ``source`` to ``target``."""
    return RunState(target) in TRANSITIONS[RunState(source)]

"""What every oversight action shares: the row locks of ``common.locking`` and the one
function that changes a status (it consults ``states.CASE_TRANSITIONS`` and refuses with
this app's ``IllegalTransition``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models

from grassroots.common import locking
from grassroots.common.locking import lock as lock
from grassroots.common.locking import lock_many as lock_many
from grassroots.oversight.errors import IllegalTransition


def move(
    obj: models.Model,
    field: str,
    target: str,
    table: Mapping[Any, frozenset[Any]],
) -> None:
    """Set ``obj.<field>`` to ``target`` if the table allows it, else raise
    ``IllegalTransition`` (409) naming both states."""
    locking.move(obj, field, target, table, IllegalTransition)

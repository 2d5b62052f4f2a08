"""The read-replica router: reports and assessment runs read from a replica when one is set.

``GRASSROOTS_REPLICA_URL`` names a streaming replica of the primary (``DATABASES["replica"]``).
Nothing reads from it by default: a replica lags the primary by a little, and a person who has
just saved a form must see it on the next page. Code that reads much and can bear that lag
(the dashboards' figures, the exports, the assessment's counting of a closed month) wraps
itself in ``reading_replica()``; inside, every read that is not part of a transaction on the
primary goes to the replica. Writes always go to the primary.

Without a replica the context manager changes nothing, so the same code runs everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_on_replica: ContextVar[bool] = ContextVar("grassroots_on_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


_even_in_transaction: ContextVar[bool] = ContextVar("grassroots_replica_forced", default=False)


@contextmanager
def reading_replica(*, even_in_transaction: bool = False) -> Iterator[None]:
    """Send the reads of the block to the replica (when there is one).

    Inside a transaction on the primary the reads stay there, unless ``even_in_transaction``:
    for reads of rows the transaction has not written and may see a moment late (the
    events of a closed month an assessment run counts, inside the run's transaction).
    """
    token = _on_replica.set(True)
    forced = _even_in_transaction.set(even_in_transaction)
    try:
        yield
    finally:
        _even_in_transaction.reset(forced)
        _on_replica.reset(token)


def read_alias() -> str:
    """The database the next read goes to."""
    if not (_on_replica.get() and replica_configured()):
        return "default"
    # A read inside a transaction on the primary must see that transaction's own writes.
    if connections["default"].in_atomic_block and not _even_in_transaction.get():
        return "default"
    return REPLICA


class ReplicaRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # Both databases hold the same rows: a replica's object may point at a primary's.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # The replica follows the primary by streaming replication, never by migrations.
        return db == "default"

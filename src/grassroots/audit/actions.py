"""Writes of the audit log: ``record`` (called by every action) and the sealer.

``record`` inserts one row in the caller's transaction and takes no lock. The sealer runs
later, in its own transactions, and is the only writer that serialises (on ``AuditHead``).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import CharField, Model
from django.utils import timezone

from grassroots.audit import chain, conf
from grassroots.audit.errors import AuditRecordError
from grassroots.audit.models import AuditBlock, AuditEntry, AuditHead

if TYPE_CHECKING:
    from grassroots.org.models import Unit, User

logger = logging.getLogger(__name__)

#: ``app.model.verb``: lowercase dotted words, at least two.
ACTION_RE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")


def _max_length(name: str) -> int:
    field = AuditEntry._meta.get_field(name)
    if not isinstance(field, CharField) or field.max_length is None:
        raise TypeError(f"AuditEntry.{name} is not a bounded text field")
    return field.max_length


_LIMITS = {
    name: _max_length(name)
    for name in ("actor_label", "action", "object_type", "object_id", "object_repr", "unit_path")
}


def record(
    action: str,
    obj: Model | None,
    *,
    actor: User | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    unit: Unit | None = None,
    note: str = "",
) -> AuditEntry:
    """Write the audit entry of one state change, inside the caller's transaction.

    ``action`` is ``app.model.verb`` (``events.event.dispatched``). ``obj`` is the changed
    object (saved, so it has a primary key: record a deletion *before* deleting). The
    entry is placed in the tree by ``unit`` when given, else by the object's first
    ``scope_paths``; an entry with neither is visible to superusers only. ``before`` and
    ``after`` may hold dates, Decimals and model instances (stored as their key).

    No lock is taken and no other entry is read. When the transaction commits, a seal is
    scheduled (at most one per burst); when it rolls back, the entry is gone with it.
    """
    if not ACTION_RE.fullmatch(action) or len(action) > _LIMITS["action"]:
        raise AuditRecordError(f"audit action {action!r} is not app.model.verb")
    object_type = object_id = object_repr = ""
    if obj is not None:
        if obj.pk is None:
            raise AuditRecordError(
                f"cannot audit an unsaved {type(obj).__name__}: record a deletion before "
                "deleting, a creation after saving"
            )
        object_type = obj._meta.label_lower
        object_id = str(obj.pk)
        object_repr = str(obj)
    entry = AuditEntry.objects.create(
        created_at=timezone.now(),
        actor=actor if actor is not None and actor.pk is not None else None,
        actor_label=_fit("actor_label", _actor_label(actor)),
        action=action,
        object_type=_fit("object_type", object_type),
        object_id=_fit("object_id", object_id),
        object_repr=_fit("object_repr", object_repr),
        unit_path=_fit("unit_path", _unit_path(obj, unit)),
        before=chain.jsonable(before),
        after=chain.jsonable(after),
        note=chain.clean_text(note),
    )
    _request_seal_on_commit()
    return entry


def _fit(field: str, value: str) -> str:
    value = chain.clean_text(value)
    limit = _LIMITS[field]
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _actor_label(actor: User | None) -> str:
    if actor is None or actor.pk is None:
        return ""
    username = actor.get_username()
    name = getattr(actor, "display_name", "") or username
    return name if name == username else f"{name} ({username})"


def _unit_path(obj: Model | None, unit: Unit | None) -> str:
    if unit is not None:
        return unit.path
    paths = getattr(obj, "scope_paths", None)
    if paths is None:
        return ""
    paths = paths() if callable(paths) else paths
    return str(paths[0]) if paths else ""


def _request_seal() -> None:
    from grassroots.audit import jobs

    jobs.request_seal()


def _request_seal_on_commit() -> None:
    connection = transaction.get_connection()
    # A transaction that records many entries needs one callback, not one per entry.
    pending = getattr(connection, "run_on_commit", None) or ()
    if any(len(item) > 1 and item[1] is _request_seal for item in pending):
        return
    # robust: a queue that is down must not turn a committed action into an error; the
    # periodic seal catches up.
    transaction.on_commit(_request_seal, robust=True)


def _lock_head() -> AuditHead:
    """Lock the chain head for this transaction (creating it on first use)."""
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.get_or_create(pk=1)
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


@transaction.atomic
def seal_pending(*, limit: int | None = None) -> int:
    """Chain up to ``limit`` committed, unsealed entries into one new block.

    Under the head lock, the unsealed entries are taken in id order and given the
    sequence numbers after the last sealed one. An entry whose transaction commits late
    (lower id than entries already sealed) is sealed by a later run with a higher
    ``seq``: sealed history is never rewritten. Returns the number of entries sealed.
    """
    limit = limit or conf.block_size()
    head = _lock_head()
    # Taken before the read below: every entry committed before this instant is seen,
    # which is what ``verify`` relies on when it judges entries left unsealed.
    sealed_at = timezone.now()
    batch = list(AuditEntry.objects.filter(seq__isnull=True).order_by("id")[: limit + 1])
    drained = len(batch) <= limit
    batch = batch[:limit]
    if not batch:
        return 0
    last = AuditBlock.objects.order_by("-number").first()
    number = last.number + 1 if last else 1
    seq = last.last_seq if last else 0
    prev_hash = last.last_entry_hash if last else chain.GENESIS
    first_seq = seq + 1
    algorithm = chain.current_algorithm()
    for entry in batch:
        seq += 1
        entry.seq = seq
        entry.prev_hash = prev_hash
        entry.entry_hash = chain.entry_hash(prev_hash, content_of(entry), algorithm)
        prev_hash = entry.entry_hash
    prev_block_hash = last.block_hash if last else chain.GENESIS
    block_content = chain.BlockContent(
        number=number,
        first_seq=first_seq,
        last_seq=seq,
        count=len(batch),
        sealed_at=sealed_at,
        drained=drained,
        last_entry_hash=prev_hash,
        algorithm=algorithm,
    )
    block = AuditBlock.objects.create(
        number=number,
        first_seq=first_seq,
        last_seq=seq,
        count=len(batch),
        prev_block_hash=prev_block_hash,
        last_entry_hash=prev_hash,
        block_hash=chain.block_hash(prev_block_hash, block_content),
        sealed_at=sealed_at,
        drained=drained,
        hash_algorithm=algorithm,
    )
    _write_seals(batch, block)
    head.last_run_at = timezone.now()
    head.save(update_fields=["last_run_at"])
    return len(batch)


# Names fixed by migration 0001; quoted the standard way, which both databases accept.
_SEAL_SQL = (
    'UPDATE "audit_auditentry" SET "seq" = %s, "prev_hash" = %s, "entry_hash" = %s, '
    '"block_id" = %s WHERE "id" = %s'
)


def _write_seals(batch: list[AuditEntry], block: AuditBlock) -> None:
    # One prepared UPDATE run for every row (executemany: a pipeline on psycopg 3): the
    # ORM's bulk_update builds CASE expressions that SQLite evaluates in quadratic time.
    with connection.cursor() as cursor:
        cursor.executemany(
            _SEAL_SQL, [(e.seq, e.prev_hash, e.entry_hash, block.pk, e.pk) for e in batch]
        )
    for entry in batch:
        entry.block = block


def seal_all(*, limit: int | None = None, max_blocks: int | None = None) -> int:
    """Seal until no committed entry is left unsealed; each block its own transaction."""
    limit = limit or conf.block_size()
    total = blocks = 0
    while max_blocks is None or blocks < max_blocks:
        sealed = seal_pending(limit=limit)
        total += sealed
        blocks += 1
        if sealed < limit:
            break
    if total:
        logger.info("audit: sealed %d entries", total)
    return total


def content_of(entry: AuditEntry) -> chain.EntryContent:
    """The part of an entry its hash covers (``seq`` must be set)."""
    if entry.seq is None:
        raise AuditRecordError(f"audit entry {entry.pk} is not sealed")
    return chain.EntryContent(
        id=entry.pk,
        seq=entry.seq,
        created_at=entry.created_at,
        actor_label=entry.actor_label,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        object_repr=entry.object_repr,
        unit_path=entry.unit_path,
        before=entry.before,
        after=entry.after,
        note=entry.note,
    )

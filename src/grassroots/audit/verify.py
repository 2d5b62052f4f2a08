"""Check the audit chain: ``verify()`` walks every sealed entry and block and reports the
first broken link.

The walk streams (entries and blocks are read in chunks by ``seq`` and ``number``), reads
no lock and needs no snapshot: sealed history only grows, so the walk is bounded by the
latest block as it was when verification started, and what was sealed after that is left
to the next run.

Beyond the hashes, it flags an entry that is still unsealed although a seal that took
every committed entry ran more than the grace period (``AUDIT_SEAL_GRACE_SECONDS``,
default 5 minutes) after the entry's timestamp: such a row was either inserted after the
fact with an old timestamp, or written by a transaction that stayed open longer than the
grace. The second is legitimate but rare (the entry is flagged only until the next seal
takes it, seconds later); a long import should not hold one transaction for minutes anyway.
An entry sealed that late is reported as a warning (it is in the chain, but its
timestamp predates seals that should have included it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from grassroots.audit import chain, conf
from grassroots.audit.models import AuditBlock, AuditEntry

CHUNK = 2000
MAX_WARNINGS = 20

_ENTRY_FIELDS = (
    "id",
    "seq",
    "created_at",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "unit_path",
    "before",
    "after",
    "note",
    "prev_hash",
    "entry_hash",
    "block_id",
)


@dataclass(frozen=True, slots=True)
class BrokenLink:
    """Where the chain breaks first, and why."""

    reason: str
    seq: int | None = None
    entry_id: int | None = None
    block_number: int | None = None

    def __str__(self) -> str:
        if self.entry_id is not None:
            detail = f" (entry id {self.entry_id})"
        elif self.block_number is not None:
            detail = f" (block #{self.block_number})"
        else:
            detail = ""
        if self.seq is not None:
            return f"BROKEN at seq {self.seq}{detail}: {self.reason}"
        return f"BROKEN at unsealed entry{detail}: {self.reason}"


@dataclass(slots=True)
class VerifyResult:
    entries: int = 0  # sealed entries checked
    blocks: int = 0  # blocks checked
    unsealed: int = 0  # entries waiting for the sealer
    broken: BrokenLink | None = None
    warnings: list[str] = field(default_factory=list)
    late_entries: int = 0  # sealed entries that predate a seal that should have taken them

    @property
    def ok(self) -> bool:
        return self.broken is None

    def summary(self) -> str:
        if self.broken is not None:
            return str(self.broken)
        return f"OK: {self.entries} entries in {self.blocks} blocks"


def _entries(max_seq: int) -> Iterator[dict[str, Any]]:
    """Sealed entries up to ``max_seq`` by ``seq``, read in chunks (keyset pagination)."""
    after: int | None = None
    while True:
        qs = AuditEntry.objects.filter(seq__isnull=False, seq__lte=max_seq)
        if after is not None:
            qs = qs.filter(seq__gt=after)
        rows = list(qs.order_by("seq").values(*_ENTRY_FIELDS)[:CHUNK])
        yield from rows
        if len(rows) < CHUNK:
            return
        after = rows[-1]["seq"]


def _blocks(max_number: int) -> Iterator[AuditBlock]:
    after: int | None = None
    while True:
        qs = AuditBlock.objects.filter(number__lte=max_number)
        if after is not None:
            qs = qs.filter(number__gt=after)
        rows = list(qs.order_by("number")[:CHUNK])
        yield from rows
        if len(rows) < CHUNK:
            return
        after = rows[-1].number


def _content(row: dict[str, Any]) -> chain.EntryContent:
    return chain.EntryContent(
        id=row["id"],
        seq=row["seq"],
        created_at=row["created_at"],
        actor_label=row["actor_label"],
        action=row["action"],
        object_type=row["object_type"],
        object_id=row["object_id"],
        object_repr=row["object_repr"],
        unit_path=row["unit_path"],
        before=row["before"],
        after=row["after"],
        note=row["note"],
    )


def _check_block(block: AuditBlock, *, number: int, first_seq: int, prev_hash: str) -> str:
    """What is wrong with ``block`` as the next block of the chain ('' when nothing)."""
    if block.number != number:
        return f"block #{number} is missing (next block is #{block.number})"
    if block.first_seq != first_seq:
        return f"block #{block.number} starts at seq {block.first_seq}, expected {first_seq}"
    if block.count != block.last_seq - block.first_seq + 1:
        return (
            f"block #{block.number} counts {block.count} entries for seq range "
            f"{block.first_seq}–{block.last_seq}"
        )
    if block.hash_algorithm not in chain.ALGORITHMS:
        return f"block #{block.number} names an unknown hash algorithm"
    if block.prev_block_hash != prev_hash:
        return f"block #{block.number} does not link to the hash of block #{number - 1}"
    content = chain.BlockContent(
        number=block.number,
        first_seq=block.first_seq,
        last_seq=block.last_seq,
        count=block.count,
        sealed_at=block.sealed_at,
        drained=block.drained,
        last_entry_hash=block.last_entry_hash,
        algorithm=block.hash_algorithm,
    )
    if chain.block_hash(block.prev_block_hash, content) != block.block_hash:
        return f"block #{block.number} does not match its hash (block edited)"
    return ""


def _check_entry(row: dict[str, Any], *, block: AuditBlock, prev_hash: str) -> str:
    """What is wrong with ``row`` as the next entry of the chain ('' when nothing)."""
    if row["block_id"] != block.pk:
        return "entry does not belong to the block covering its seq"
    if row["prev_hash"] != prev_hash:
        return "link to the previous entry is broken (entry moved or inserted)"
    if chain.entry_hash(prev_hash, _content(row), block.hash_algorithm) != row["entry_hash"]:
        return "entry does not match its hash (entry edited)"
    if row["seq"] == block.last_seq and row["entry_hash"] != block.last_entry_hash:
        return f"block #{block.number} does not end with this entry's hash"
    return ""


def _local(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M:%S}"


def verify(
    *,
    grace: dt.timedelta | None = None,
    progress: Callable[[int], None] | None = None,
) -> VerifyResult:
    """Walk the sealed chain and the unsealed queue; stop at the first broken link.

    ``progress`` is called with the number of entries checked so far, once per chunk.
    """
    grace = conf.seal_grace() if grace is None else grace
    result = VerifyResult()
    latest = AuditBlock.objects.order_by("-number").first()
    max_number = latest.number if latest else 0
    max_seq = latest.last_seq if latest else 0

    broken = _walk(result, max_number=max_number, max_seq=max_seq, grace=grace, progress=progress)
    if broken is None:
        broken = _check_beyond(max_number=max_number, max_seq=max_seq)
    if broken is None:
        broken = _check_unsealed(max_number=max_number, grace=grace)
    result.broken = broken
    result.unsealed = AuditEntry.objects.filter(seq__isnull=True).count()
    return result


def _walk(
    result: VerifyResult,
    *,
    max_number: int,
    max_seq: int,
    grace: dt.timedelta,
    progress: Callable[[int], None] | None,
) -> BrokenLink | None:
    blocks = _blocks(max_number)
    block: AuditBlock | None = None
    expected_seq = 1
    prev_hash = prev_block_hash = chain.GENESIS
    drained_at: dt.datetime | None = None  # latest drained seal before the current block

    for row in _entries(max_seq):
        seq, entry_id = row["seq"], row["id"]
        if seq != expected_seq:
            reason = (
                f"entry missing (the next entry is seq {seq}, id {entry_id})"
                if seq > expected_seq
                else f"sequence number out of order (expected {expected_seq})"
            )
            return BrokenLink(
                reason, seq=expected_seq, block_number=block.number if block is not None else None
            )
        while block is None or seq > block.last_seq:
            if block is not None:
                if block.drained:
                    drained_at = block.sealed_at
                prev_block_hash = block.block_hash
            number = block.number + 1 if block is not None else 1
            block = next(blocks, None)
            if block is None:
                return BrokenLink(
                    "sealed entry is not covered by any block", seq=seq, entry_id=entry_id
                )
            result.blocks += 1
            problem = _check_block(block, number=number, first_seq=seq, prev_hash=prev_block_hash)
            if problem:
                return BrokenLink(problem, seq=seq, block_number=block.number)
        problem = _check_entry(row, block=block, prev_hash=prev_hash)
        if problem:
            return BrokenLink(problem, seq=seq, entry_id=entry_id, block_number=block.number)
        if drained_at is not None and row["created_at"] < drained_at - grace:
            result.late_entries += 1
            if len(result.warnings) < MAX_WARNINGS:
                result.warnings.append(
                    f"seq {seq} (entry id {entry_id}) dated {_local(row['created_at'])} was "
                    f"sealed late, in block #{block.number}"
                )
        prev_hash = row["entry_hash"]
        expected_seq += 1
        result.entries += 1
        if progress is not None and result.entries % CHUNK == 0:
            progress(result.entries)

    if block is not None and expected_seq <= block.last_seq:
        return BrokenLink(
            f"entry missing (block #{block.number} ends at seq {block.last_seq})",
            seq=expected_seq,
            block_number=block.number,
        )
    extra = next(blocks, None)
    if extra is not None:
        result.blocks += 1
        return BrokenLink(
            f"entries of block #{extra.number} are missing",
            seq=extra.first_seq,
            block_number=extra.number,
        )
    if progress is not None:
        progress(result.entries)
    return None


def _check_beyond(*, max_number: int, max_seq: int) -> BrokenLink | None:
    """A sealed-looking entry past the walked chain must belong to a newer block."""
    orphan = (
        AuditEntry.objects.filter(seq__gt=max_seq)
        .filter(Q(block__isnull=True) | Q(block__number__lte=max_number))
        .order_by("seq")
        .values("id", "seq")
        .first()
    )
    if orphan is None:
        return None
    return BrokenLink(
        "sealed entry is not covered by any block", seq=orphan["seq"], entry_id=orphan["id"]
    )


def _check_unsealed(*, max_number: int, grace: dt.timedelta) -> BrokenLink | None:
    half_sealed = (
        AuditEntry.objects.filter(seq__isnull=True)
        .filter(Q(block__isnull=False) | ~Q(prev_hash="") | ~Q(entry_hash=""))
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    if half_sealed is not None:
        return BrokenLink("entry has seal fields but no sequence number", entry_id=half_sealed)
    drained = (
        AuditBlock.objects.filter(number__lte=max_number, drained=True).order_by("-number").first()
    )
    if drained is None:
        return None
    stale = (
        AuditEntry.objects.filter(seq__isnull=True, created_at__lt=drained.sealed_at - grace)
        .order_by("id")
        .values("id", "created_at")
        .first()
    )
    if stale is None:
        return None
    return BrokenLink(
        f"entry dated {_local(stale['created_at'])} is still unsealed although "
        f"block #{drained.number} sealed everything committed by "
        f"{_local(drained.sealed_at)} (inserted after the fact, or written by "
        f"a transaction open longer than {int(grace.total_seconds())} s)",
        entry_id=stale["id"],
        block_number=drained.number,
    )

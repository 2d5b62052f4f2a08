"""The sealer: consecutive seq numbers, hash links, blocks linked to blocks."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from grassroots.audit import chain
from grassroots.audit.actions import content_of, seal_all, seal_pending
from grassroots.audit.models import AuditBlock, AuditEntry, AuditHead


def test_nothing_to_seal(db: Any) -> None:
    assert seal_pending() == 0
    assert not AuditBlock.objects.exists()


def test_sealing_chains_entries_in_id_order(write: Callable[..., AuditEntry]) -> None:
    write(3)

    assert seal_pending() == 3

    entries = list(AuditEntry.objects.order_by("id"))
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == chain.GENESIS
    for before, entry in itertools.pairwise(entries):
        assert entry.prev_hash == before.entry_hash
    for entry in entries:
        assert entry.entry_hash == chain.entry_hash(entry.prev_hash, content_of(entry))
    block = AuditBlock.objects.get()
    assert (block.number, block.first_seq, block.last_seq, block.count) == (1, 1, 3, 3)
    assert block.prev_block_hash == chain.GENESIS
    assert block.last_entry_hash == entries[-1].entry_hash
    assert block.drained
    assert {e.block_id for e in entries} == {block.pk}
    assert AuditHead.objects.get().last_run_at is not None


def test_next_block_continues_the_chain(sealed_chain: list[AuditEntry]) -> None:
    first, second = AuditBlock.objects.order_by("number")

    assert [e.seq for e in sealed_chain] == [1, 2, 3, 4, 5]
    assert (second.number, second.first_seq, second.last_seq) == (2, 4, 5)
    assert second.prev_block_hash == first.block_hash
    assert sealed_chain[3].prev_hash == sealed_chain[2].entry_hash
    assert sealed_chain[3].block_id == second.pk


def test_sealed_entries_are_left_alone(sealed_chain: list[AuditEntry]) -> None:
    assert seal_all() == 0
    assert [e.entry_hash for e in AuditEntry.objects.order_by("seq")] == [
        e.entry_hash for e in sealed_chain
    ]


def test_a_backlog_is_sealed_in_blocks_of_the_limit(write: Callable[..., AuditEntry]) -> None:
    write(5)

    assert seal_all(limit=2) == 5

    blocks = list(AuditBlock.objects.order_by("number"))
    assert [(b.first_seq, b.last_seq) for b in blocks] == [(1, 2), (3, 4), (5, 5)]
    # Only the last run saw the queue empty: the grace rule of verify relies on it.
    assert [b.drained for b in blocks] == [False, False, True]


def test_an_entry_committed_late_gets_a_higher_seq(
    write: Callable[..., AuditEntry],
) -> None:
    """A lower id committed after a seal is sealed later, never under the sealed block.

    (The real interleaving of transactions is in test_concurrency on PostgreSQL; here the
    late commit is imitated by hiding the first entry from the first seal.)
    """
    late = write(1)
    write(2)
    AuditEntry.objects.filter(pk=late.pk).update(seq=10**9)  # hide it from the sealer
    seal_pending()
    AuditEntry.objects.filter(pk=late.pk).update(seq=None)  # its transaction "commits"

    assert seal_pending() == 1

    late.refresh_from_db()
    assert late.seq == 3
    assert late.block is not None and late.block.number == 2

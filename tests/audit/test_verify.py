"""``verify``: OK on an intact chain; each kind of tampering is caught and located."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grassroots.audit import verify as verify_module
from grassroots.audit.actions import seal_all
from grassroots.audit.models import AuditBlock, AuditEntry
from grassroots.audit.verify import verify


def test_empty_log_is_ok(db: Any) -> None:
    result = verify()
    assert result.ok
    assert (result.entries, result.blocks, result.unsealed) == (0, 0, 0)
    assert result.summary() == "OK: 0 entries in 0 blocks"


def test_intact_chain_is_ok(sealed_chain: list[AuditEntry], write: Callable[..., Any]) -> None:
    write(1)  # recorded just now, not yet sealed: fine

    result = verify()

    assert result.ok, result.summary()
    assert (result.entries, result.blocks, result.unsealed) == (5, 2, 1)
    assert result.summary() == "OK: 5 entries in 2 blocks"
    assert result.warnings == []


def test_verify_streams_in_chunks(
    write: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(7)
    seal_all(limit=3)
    monkeypatch.setattr(verify_module, "CHUNK", 2)
    seen: list[int] = []

    with CaptureQueriesContext(connection) as queries:
        result = verify(progress=seen.append)

    assert result.ok, result.summary()
    assert (result.entries, result.blocks) == (7, 3)
    assert seen == [2, 4, 6, 7]
    # Entry reads are LIMITed chunks, never one unbounded SELECT of the whole log.
    entry_reads = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "audit_auditentry"' in q["sql"] and '"seq" <=' in q["sql"]
    ]
    assert len(entry_reads) == 4
    assert all("LIMIT 2" in sql for sql in entry_reads)


def test_edited_entry_is_caught(sealed_chain: list[AuditEntry]) -> None:
    victim = sealed_chain[1]
    AuditEntry.objects.filter(pk=victim.pk).update(action="org.unit.approved")

    result = verify()

    assert not result.ok
    assert result.broken is not None
    assert (result.broken.seq, result.broken.entry_id) == (2, victim.pk)
    assert "edited" in result.broken.reason
    assert result.summary().startswith(f"BROKEN at seq 2 (entry id {victim.pk}): ")


def test_edited_json_is_caught(sealed_chain: list[AuditEntry]) -> None:
    AuditEntry.objects.filter(pk=sealed_chain[4].pk).update(after={"i": 99})

    result = verify()

    assert result.broken is not None and result.broken.seq == 5


def test_edited_entry_with_recomputed_hash_is_caught(sealed_chain: list[AuditEntry]) -> None:
    from grassroots.audit import chain
    from grassroots.audit.actions import content_of

    victim = sealed_chain[1]
    victim.note = "forged"
    victim.entry_hash = chain.entry_hash(victim.prev_hash, content_of(victim))
    victim.save(update_fields=["note", "entry_hash"])

    result = verify()

    # Its own hash now fits, so the break shows at the next link.
    assert result.broken is not None
    assert result.broken.seq == 3
    assert "link" in result.broken.reason


def test_deleted_entry_is_caught(sealed_chain: list[AuditEntry]) -> None:
    AuditEntry.objects.filter(pk=sealed_chain[2].pk).delete()

    result = verify()

    assert result.broken is not None
    assert result.broken.seq == 3
    assert "missing" in result.broken.reason


def test_deleted_last_entry_is_caught(sealed_chain: list[AuditEntry]) -> None:
    AuditEntry.objects.filter(pk=sealed_chain[4].pk).delete()

    result = verify()

    assert result.broken is not None
    assert (result.broken.seq, result.broken.block_number) == (5, 2)
    assert "missing" in result.broken.reason


def test_deleted_block_of_entries_is_caught(sealed_chain: list[AuditEntry]) -> None:
    AuditEntry.objects.filter(seq__gte=4).delete()

    result = verify()

    assert result.broken is not None
    assert (result.broken.seq, result.broken.block_number) == (4, 2)


def _fake(**fields: Any) -> AuditEntry:
    values: dict[str, Any] = {
        "action": "org.unit.approved",
        "object_type": "org.unit",
        "object_id": "1",
        "unit_path": "513401",
    }
    values.update(fields)
    return AuditEntry.objects.create(**values)


def test_inserted_sealed_looking_entry_is_caught(sealed_chain: list[AuditEntry]) -> None:
    last = sealed_chain[-1]
    fake = _fake(seq=6, prev_hash=last.entry_hash, entry_hash="f" * 64, block=last.block)

    result = verify()

    assert result.broken is not None
    assert (result.broken.seq, result.broken.entry_id) == (6, fake.pk)
    assert "not covered by any block" in result.broken.reason


def test_inserted_entry_with_a_free_seq_is_caught(sealed_chain: list[AuditEntry]) -> None:
    fake = _fake(seq=0, entry_hash="f" * 64, block=sealed_chain[0].block)

    result = verify()

    assert result.broken is not None
    assert result.broken.seq == 1
    assert "out of order" in result.broken.reason
    assert fake.pk


def test_inserted_unsealed_entry_with_an_old_timestamp_is_caught(
    sealed_chain: list[AuditEntry],
) -> None:
    block = AuditBlock.objects.order_by("-number").first()
    assert block is not None
    fake = _fake(created_at=block.sealed_at - dt.timedelta(days=30))

    result = verify()

    assert result.broken is not None
    assert result.broken.entry_id == fake.pk
    assert result.broken.seq is None
    assert "still unsealed" in result.broken.reason
    assert result.summary().startswith(f"BROKEN at unsealed entry (entry id {fake.pk}): ")


def test_an_unsealed_entry_within_the_grace_is_fine(sealed_chain: list[AuditEntry]) -> None:
    block = AuditBlock.objects.order_by("-number").first()
    assert block is not None
    _fake(created_at=block.sealed_at - dt.timedelta(minutes=4))

    assert verify().ok
    assert not verify(grace=dt.timedelta(minutes=3)).ok


def test_a_fake_sealed_after_the_fact_is_reported_as_late(
    sealed_chain: list[AuditEntry],
) -> None:
    _fake(created_at=timezone.now() - dt.timedelta(days=30))
    seal_all()

    result = verify()

    assert result.ok  # it is in the chain now …
    assert result.late_entries == 1  # … but its timestamp gives it away
    assert "seq 6" in result.warnings[0]


def test_unsealed_entry_with_seal_fields_is_caught(sealed_chain: list[AuditEntry]) -> None:
    fake = _fake(entry_hash="f" * 64)

    result = verify()

    assert result.broken is not None and result.broken.entry_id == fake.pk


def test_reordered_entries_are_caught(sealed_chain: list[AuditEntry]) -> None:
    first, second = sealed_chain[0], sealed_chain[1]
    AuditEntry.objects.filter(pk=first.pk).update(seq=None)
    AuditEntry.objects.filter(pk=second.pk).update(seq=1)
    AuditEntry.objects.filter(pk=first.pk).update(seq=2)

    result = verify()

    assert result.broken is not None
    assert (result.broken.seq, result.broken.entry_id) == (1, second.pk)
    assert "link" in result.broken.reason


def test_swapped_contents_are_caught(sealed_chain: list[AuditEntry]) -> None:
    a, b = sealed_chain[2], sealed_chain[3]
    AuditEntry.objects.filter(pk=a.pk).update(unit_path=b.unit_path, after=b.after)
    AuditEntry.objects.filter(pk=b.pk).update(unit_path=a.unit_path, after=a.after)

    result = verify()

    assert result.broken is not None
    assert (result.broken.seq, result.broken.entry_id) == (3, a.pk)


def test_entry_moved_to_another_block_is_caught(sealed_chain: list[AuditEntry]) -> None:
    other = AuditBlock.objects.get(number=2)
    AuditEntry.objects.filter(pk=sealed_chain[0].pk).update(block=other)

    result = verify()

    assert result.broken is not None and result.broken.seq == 1
    assert "block" in result.broken.reason


def test_edited_block_is_caught(sealed_chain: list[AuditEntry]) -> None:
    AuditBlock.objects.filter(number=1).update(sealed_at=timezone.now())

    result = verify()

    assert result.broken is not None
    assert (result.broken.seq, result.broken.block_number) == (1, 1)
    assert "block edited" in result.broken.reason


def test_relinked_block_is_caught(sealed_chain: list[AuditEntry]) -> None:
    AuditBlock.objects.filter(number=2).update(prev_block_hash="0" * 64)

    result = verify()

    assert result.broken is not None and result.broken.block_number == 2
    assert "does not link" in result.broken.reason

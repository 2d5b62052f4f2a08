"""The audit chain under the 国密 suite: SM3 blocks, recorded per block, verified beside
the SHA-256 blocks sealed before the switch; tampering is still caught."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from grassroots.audit import chain
from grassroots.audit.actions import content_of, seal_all
from grassroots.audit.models import AuditBlock, AuditEntry
from grassroots.audit.verify import verify
from grassroots.common.crypto import sm3


def _blocks() -> list[str]:
    return list(AuditBlock.objects.order_by("number").values_list("hash_algorithm", flat=True))


def test_gm_seals_with_sm3(settings: Any, write: Callable[..., Any]) -> None:
    settings.CRYPTO_SUITE = "gm"
    write(3)
    seal_all()

    block = AuditBlock.objects.get()
    assert block.hash_algorithm == "sm3"
    prev = chain.GENESIS
    for entry in AuditEntry.objects.order_by("seq"):
        payload = chain.canonical_json(
            {
                "id": entry.pk,
                "seq": entry.seq,
                "created_at": chain._timestamp(entry.created_at),
                "actor": entry.actor_label,
                "action": entry.action,
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "object_repr": entry.object_repr,
                "unit_path": entry.unit_path,
                "before": entry.before,
                "after": entry.after,
                "note": entry.note,
            }
        )
        # The hash is SM3 of the link and the content, computed independently here.
        assert entry.entry_hash == sm3((prev + payload).encode()).hex()
        assert entry.entry_hash != chain.entry_hash(prev, content_of(entry), "sha256")
        prev = entry.entry_hash
    result = verify()
    assert result.ok, result.summary()
    assert result.summary() == "OK: 3 entries in 1 blocks"


def test_standard_still_seals_with_sha256(settings: Any, write: Callable[..., Any]) -> None:
    settings.CRYPTO_SUITE = "standard"
    write(2)
    seal_all()
    assert _blocks() == ["sha256"]
    entry = AuditEntry.objects.order_by("seq").first()
    assert entry is not None
    assert entry.entry_hash == chain.entry_hash(chain.GENESIS, content_of(entry), "sha256")


def test_a_chain_that_switches_suites_verifies(settings: Any, write: Callable[..., Any]) -> None:
    settings.CRYPTO_SUITE = "standard"
    write(3)
    seal_all()
    settings.CRYPTO_SUITE = "gm"
    write(2)
    seal_all()
    settings.CRYPTO_SUITE = "standard"
    write(1)
    seal_all()
    assert _blocks() == ["sha256", "sm3", "sha256"]

    for suite in ("gm", "standard"):  # whatever the suite at the time of the check
        settings.CRYPTO_SUITE = suite
        result = verify()
        assert result.ok, result.summary()
        assert result.summary() == "OK: 6 entries in 3 blocks"
        out = StringIO()
        call_command("audit", "verify", stdout=out)
        assert out.getvalue().strip() == "OK: 6 entries in 3 blocks"


@pytest.fixture
def mixed(settings: Any, write: Callable[..., Any]) -> list[AuditEntry]:
    """Two SHA-256 entries in block 1, three SM3 entries in block 2."""
    settings.CRYPTO_SUITE = "standard"
    write(2)
    seal_all()
    settings.CRYPTO_SUITE = "gm"
    write(3)
    seal_all()
    return list(AuditEntry.objects.order_by("seq"))


def test_an_edited_sm3_entry_is_caught(mixed: list[AuditEntry]) -> None:
    victim = mixed[3]
    AuditEntry.objects.filter(pk=victim.pk).update(after={"i": 99})
    result = verify()
    assert not result.ok
    assert result.broken is not None and result.broken.seq == 4
    assert "entry edited" in result.broken.reason


def test_an_sm3_entry_rehashed_with_sha256_is_caught(mixed: list[AuditEntry]) -> None:
    # A forger who recomputes the hash with the other function does not get through.
    victim = mixed[2]
    AuditEntry.objects.filter(pk=victim.pk).update(note="forged")
    victim.refresh_from_db()
    forged = chain.entry_hash(victim.prev_hash, content_of(victim), "sha256")
    AuditEntry.objects.filter(pk=victim.pk).update(entry_hash=forged)
    result = verify()
    assert not result.ok and result.broken is not None and result.broken.seq == 3


def test_relabelling_a_block_is_caught(mixed: list[AuditEntry]) -> None:
    AuditBlock.objects.filter(number=2).update(hash_algorithm="sha256")
    result = verify()
    assert not result.ok and result.broken is not None and result.broken.block_number == 2

    AuditBlock.objects.filter(number=2).update(hash_algorithm="md5")
    result = verify()
    assert not result.ok and result.broken is not None
    assert "unknown hash algorithm" in result.broken.reason


def test_an_edited_sm3_block_is_caught(mixed: list[AuditEntry]) -> None:
    AuditBlock.objects.filter(number=2).update(drained=False)
    result = verify()
    assert not result.ok and result.broken is not None
    assert "block edited" in result.broken.reason

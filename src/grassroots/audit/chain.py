"""The hash chain, as pure functions over plain data (no ORM).

An entry's hash covers the previous entry's hash and the entry's content, its position
(``seq``) included, so that editing, deleting, inserting or reordering a sealed entry
breaks the chain from that point on. A block's hash covers the previous block's hash and
the hash of the block's last entry, which in turn covers every entry before it.

The hash function is SHA-256 or SM3 (国密, GB/T 32905), both 256 bits (64 hex
characters). Each block records the one it was sealed with (``AuditBlock.hash_algorithm``)
and its entries are hashed with the same: new blocks follow ``settings.CRYPTO_SUITE``
("gm" → SM3), and a chain that switched suites keeps verifying, block by block. An SM3
block's hash also covers the name of its algorithm, so relabelling it breaks the chain.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import hashlib
import json
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils.functional import Promise

#: The "previous hash" of the first entry and of the first block.
GENESIS = "0" * 64

SHA256 = "sha256"
SM3 = "sm3"
ALGORITHMS = (SHA256, SM3)


def current_algorithm() -> str:
    """The hash function of blocks sealed now: SM3 under the "gm" suite, else SHA-256."""
    return SM3 if getattr(settings, "CRYPTO_SUITE", "standard") == "gm" else SHA256


def hash_hex(data: bytes, algorithm: str) -> str:
    """The hex digest of ``data`` by ``algorithm`` ("sha256" or "sm3")."""
    if algorithm == SHA256:
        return hashlib.sha256(data).hexdigest()
    if algorithm == SM3:
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize().hex()
    raise ValueError(f"unknown audit hash algorithm {algorithm!r}")


@dataclass(frozen=True, slots=True)
class EntryContent:
    """What the seal of one entry covers.

    The actor is covered by its label, not by the foreign key: deleting a user nulls the
    key (SET_NULL) and must not break the chain.
    """

    id: int
    seq: int
    created_at: dt.datetime
    actor_label: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    unit_path: str
    before: Any
    after: Any
    note: str


@dataclass(frozen=True, slots=True)
class BlockContent:
    number: int
    first_seq: int
    last_seq: int
    count: int
    sealed_at: dt.datetime
    drained: bool
    last_entry_hash: str
    algorithm: str = SHA256


def _timestamp(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("audit timestamps must be aware")
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, non-ASCII kept as is."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def _digest(prev_hash: str, payload: dict[str, Any], algorithm: str) -> str:
    return hash_hex((prev_hash + canonical_json(payload)).encode("utf-8"), algorithm)


def entry_hash(prev_hash: str, entry: EntryContent, algorithm: str | None = None) -> str:
    """The hash of ``entry`` after ``prev_hash`` by ``algorithm`` (default: the current
    one): the algorithm of the block the entry is sealed in."""
    return _digest(
        prev_hash,
        {
            "id": entry.id,
            "seq": entry.seq,
            "created_at": _timestamp(entry.created_at),
            "actor": entry.actor_label,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "object_repr": entry.object_repr,
            "unit_path": entry.unit_path,
            "before": entry.before,
            "after": entry.after,
            "note": entry.note,
        },
        algorithm or current_algorithm(),
    )


def block_hash(prev_block_hash: str, block: BlockContent) -> str:
    """The hash of ``block`` after ``prev_block_hash`` by ``block.algorithm``."""
    payload: dict[str, Any] = {
        "number": block.number,
        "first_seq": block.first_seq,
        "last_seq": block.last_seq,
        "count": block.count,
        "sealed_at": _timestamp(block.sealed_at),
        "drained": block.drained,
        "last_entry_hash": block.last_entry_hash,
    }
    if block.algorithm != SHA256:
        # SHA-256 blocks keep the payload they had before algorithms were recorded.
        payload["algorithm"] = block.algorithm
    return _digest(prev_block_hash, payload, block.algorithm)


def clean_text(value: str) -> str:
    # PostgreSQL refuses NUL in text and jsonb; dropping it keeps a record from failing
    # the action that writes it.
    return value.replace("\x00", "")


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data that survives a round trip through either database.

    Dates and times become ISO strings, Decimals strings (no float rounding), model
    instances their primary key, sets sorted lists; anything unknown its ``str``.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        # NaN and infinities are not JSON; jsonb would refuse them.
        return value if math.isfinite(value) else str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID | PurePath | Promise):
        return clean_text(str(value))
    if isinstance(value, Model):
        return jsonable(value.pk)
    if isinstance(value, QuerySet):
        return [jsonable(pk) for pk in value.values_list("pk", flat=True)]
    if isinstance(value, Mapping):
        return {clean_text(str(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=canonical_json)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    return clean_text(str(value))

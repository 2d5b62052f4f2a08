"""Real interleaved transactions, on PostgreSQL (SQLite runs one writer at a time).

Each thread uses its own database connection, as web and worker processes do.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from django.db import connection, transaction

from grassroots.audit import actions
from grassroots.audit.actions import record, seal_all, seal_pending
from grassroots.audit.models import AuditBlock, AuditEntry, AuditHead
from grassroots.audit.verify import verify

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

T = TypeVar("T")
TIMEOUT = 20


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers")


class Worker(threading.Thread):
    """Runs ``fn`` in a thread with its own connection; keeps its result or error."""

    def __init__(self, fn: Callable[[], T], name: str = "") -> None:
        super().__init__(name=name or None, daemon=True)
        self.fn = fn
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.fn()
        except BaseException as exc:  # reported by finish() in the test's thread
            self.error = exc
        finally:
            connection.close()

    def finish(self) -> Any:
        self.join(TIMEOUT)
        assert not self.is_alive(), f"{self.name} did not finish"
        if self.error is not None:
            raise self.error
        return self.result


def test_entry_committed_out_of_id_order_is_sealed_later(tree: dict[str, Any]) -> None:
    unit = tree["village"]
    a_recorded, a_may_commit = threading.Event(), threading.Event()

    def transaction_a() -> int:
        with transaction.atomic():
            entry = record("org.unit.touched", unit, actor=None, note="A")
            a_recorded.set()
            assert a_may_commit.wait(TIMEOUT)
        return entry.pk

    a = Worker(transaction_a, "A")
    a.start()
    assert a_recorded.wait(TIMEOUT)
    with transaction.atomic():  # B: starts after A, commits first
        b_id = record("org.unit.touched", unit, actor=None, note="B").pk

    assert seal_pending() == 1  # A is not committed: only B is sealed
    assert verify().ok
    a_may_commit.set()
    a_id = a.finish()
    # Committed but not yet sealed: fine within the grace; a transaction that had been
    # open longer than the grace is flagged until the next seal takes it.
    assert verify().ok
    late = verify(grace=dt.timedelta(0)).broken
    assert late is not None and late.entry_id == a_id
    assert seal_pending() == 1

    entry_a, entry_b = AuditEntry.objects.get(pk=a_id), AuditEntry.objects.get(pk=b_id)
    assert entry_a.pk < entry_b.pk
    assert (entry_b.seq, entry_a.seq) == (1, 2)
    assert entry_a.block is not None and entry_a.block.number == 2
    assert entry_a.prev_hash == entry_b.entry_hash
    result = verify()
    assert result.ok, result.summary()
    assert (result.entries, result.blocks) == (2, 2)


def _hold_head_lock(monkeypatch: pytest.MonkeyPatch, seconds: float) -> threading.Event:
    """Make the sealer thread named "first" keep the head lock for ``seconds``."""
    locked = threading.Event()
    lock_head = actions._lock_head

    def slow_lock_head() -> AuditHead:
        head = lock_head()
        if threading.current_thread().name == "first":
            locked.set()
            time.sleep(seconds)
        return head

    monkeypatch.setattr(actions, "_lock_head", slow_lock_head)
    return locked


def test_two_sealers_at_once_do_not_double_seal(
    tree: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(20):
        record("org.unit.touched", tree["village"], actor=None)
    locked = _hold_head_lock(monkeypatch, 0.5)

    first = Worker(seal_pending, "first")
    first.start()
    assert locked.wait(TIMEOUT)
    started = time.monotonic()
    second = Worker(seal_pending, "second")
    second.start()

    assert first.finish() == 20
    assert second.finish() == 0  # it waited for the lock, then found nothing left
    assert time.monotonic() - started > 0.3
    assert AuditBlock.objects.count() == 1
    assert sorted(AuditEntry.objects.sealed().values_list("seq", flat=True)) == list(range(1, 21))
    assert verify().ok


def test_writers_do_not_wait_for_the_sealer(
    tree: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    record("org.unit.touched", tree["village"], actor=None)
    locked = _hold_head_lock(monkeypatch, 3)
    sealer = Worker(seal_pending, "first")
    sealer.start()
    assert locked.wait(TIMEOUT)

    def write() -> float:
        started = time.monotonic()
        with transaction.atomic():
            record("org.unit.touched", tree["village"], actor=None)
        return time.monotonic() - started

    writer = Worker(write, "writer")
    writer.start()
    assert writer.finish() < 1.5  # committed while the sealer still holds its lock
    assert sealer.is_alive()
    assert sealer.finish() == 2  # it read the queue after the writer had committed
    assert seal_pending() == 0
    assert verify().ok


def test_writers_and_sealers_racing_keep_one_chain(tree: dict[str, Any]) -> None:
    units = [tree["village"], tree["grid"], tree["other_village"], tree["department"]]
    done = threading.Event()

    def writer(unit: Any) -> int:
        for i in range(40):
            with transaction.atomic():
                record("org.unit.touched", unit, actor=None, after={"i": i})
                if i % 7 == 0:
                    time.sleep(0.01)  # keep some transactions open across a seal
        return 40

    def sealer() -> int:
        total = 0
        while not done.is_set():
            total += seal_pending(limit=15)
        return total

    writers = [Worker(functools.partial(writer, u), f"writer-{i}") for i, u in enumerate(units)]
    sealers = [Worker(sealer, f"sealer-{i}") for i in range(3)]
    for worker in [*writers, *sealers]:
        worker.start()
    written = sum(w.finish() for w in writers)
    done.set()
    sealed = sum(s.finish() for s in sealers) + seal_all()

    assert written == sealed == 160
    assert sorted(AuditEntry.objects.sealed().values_list("seq", flat=True)) == list(range(1, 161))
    result = verify()
    assert result.ok, result.summary()
    assert result.entries == 160

"""``record``: one row in the caller's transaction, no lock, one seal per burst."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from grassroots.audit import jobs
from grassroots.audit.actions import record, seal_all
from grassroots.audit.errors import AuditRecordError
from grassroots.audit.models import AuditEntry
from grassroots.audit.verify import verify
from grassroots.org.models import Membership, Unit


def test_record_inside_a_transaction_describes_the_object(
    tree: dict[str, Any], xc_secretary: Any
) -> None:
    village = tree["village"]
    with transaction.atomic():
        entry = record(
            "org.unit.renamed",
            village,
            actor=xc_secretary,
            before={"name": "礼州村"},
            after={"name": "礼州社区"},
            note="村改社区",
        )

    entry.refresh_from_db()
    assert entry.action == "org.unit.renamed"
    assert entry.object_type == "org.unit"
    assert entry.object_id == str(village.pk)
    assert entry.object_repr == "礼州村"
    assert entry.unit_path == village.path
    assert entry.actor == xc_secretary
    assert entry.actor_label == "李书记 (xc_secretary)"
    assert entry.before == {"name": "礼州村"}
    assert entry.after == {"name": "礼州社区"}
    assert entry.note == "村改社区"
    assert entry.created_at.tzinfo is not None
    assert entry.seq is None and entry.block is None  # sealed later, by the sealer


def test_rollback_leaves_no_entry(tree: dict[str, Any]) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        record("org.unit.renamed", tree["village"], actor=None)
        raise RuntimeError("the action failed after recording")

    assert not AuditEntry.objects.exists()


def test_record_is_one_insert_without_locks_or_reads(tree: dict[str, Any]) -> None:
    village = tree["village"]
    record("org.unit.touched", village, actor=None)  # warm-up: first use may load things

    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        record("org.unit.touched", village, actor=None)

    statements = [q["sql"] for q in queries.captured_queries if "audit" in q["sql"].lower()]
    assert len(statements) == 1
    assert statements[0].upper().startswith("INSERT")
    assert not any("FOR UPDATE" in q["sql"].upper() for q in queries.captured_queries)


def test_unit_argument_places_the_entry(tree: dict[str, Any], xc_secretary: Any) -> None:
    membership = Membership.objects.create(user=xc_secretary, unit=tree["grid"], role="rater")

    entry = record("org.membership.created", membership, actor=None, unit=tree["grid"])

    assert entry.object_type == "org.membership"
    assert entry.unit_path == tree["grid"].path


def test_record_without_object_or_scope(tree: dict[str, Any]) -> None:
    entry = record("org.calendar.imported", None, actor=None, after={"year": 2027})

    assert (entry.object_type, entry.object_id, entry.unit_path, entry.actor_label) == (
        "",
        "",
        "",
        "",
    )


def test_values_are_serialised_safely(tree: dict[str, Any], city_admin: Any) -> None:
    after: dict[Any, Any] = {
        "deadline": dt.date(2026, 12, 31),
        "at": dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC),
        "amount": decimal.Decimal("12.30"),
        "unit": tree["lizhou"],
        "owner": city_admin,
        "tags": {"b", "a"},
        "ratio": float("nan"),
        "text": "a\x00b",
        1: "integer key",
    }

    entry = record("org.unit.touched", tree["lizhou"], actor=None, after=after)

    entry.refresh_from_db()
    assert entry.after == {
        "deadline": "2026-12-31",
        "at": "2026-11-25T09:30:00+00:00",
        "amount": "12.30",
        "unit": tree["lizhou"].pk,
        "owner": city_admin.pk,
        "tags": ["a", "b"],
        "ratio": "nan",
        "text": "ab",
        "1": "integer key",
    }


def test_long_text_is_cut_to_the_column(tree: dict[str, Any]) -> None:
    unit = Unit.objects.create(code="X1", name="长" * 100, kind="grid", parent=tree["grid"])
    unit.name = "名" * 300  # str(obj) longer than object_repr allows

    entry = record("org.unit.touched", unit, actor=None)

    assert len(entry.object_repr) == 200
    assert entry.object_repr.endswith("…")


@pytest.mark.parametrize(
    "action", ["", "dispatched", "Events.Event", "events..x", "a.b c", "a.b\n"]
)
def test_malformed_action_is_refused(tree: dict[str, Any], action: str) -> None:
    with pytest.raises(AuditRecordError):
        record(action, tree["village"], actor=None)


def test_unsaved_object_is_refused(tree: dict[str, Any]) -> None:
    with pytest.raises(AuditRecordError, match="before deleting"):
        record("org.unit.deleted", Unit(code="Z", name="Z", kind="grid"), actor=None)


def test_deleting_the_actor_keeps_the_label_and_the_seal(
    tree: dict[str, Any], xc_secretary: Any
) -> None:
    entry = record("org.unit.touched", tree["village"], actor=xc_secretary)
    seal_all()

    xc_secretary.delete()

    entry.refresh_from_db()
    assert entry.actor is None
    assert entry.actor_label == "李书记 (xc_secretary)"
    assert verify().ok


@pytest.mark.django_db(transaction=True)
def test_a_burst_schedules_one_seal(tree: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    scheduled: list[float] = []
    requests: list[int] = []
    monkeypatch.setattr(jobs.seal, "schedule", lambda delay: scheduled.append(delay))
    request_seal = jobs.request_seal

    def counting_request_seal() -> None:
        requests.append(1)
        request_seal()

    monkeypatch.setattr(jobs, "request_seal", counting_request_seal)
    HUEY.delete(jobs.SEAL_FLAG)

    with transaction.atomic():
        for _ in range(100):
            record("org.unit.touched", tree["village"], actor=None)
    assert AuditEntry.objects.count() == 100
    assert len(requests) == 1  # one request per transaction, not one per entry
    with transaction.atomic():
        record("org.unit.touched", tree["village"], actor=None)

    assert len(requests) == 2
    assert scheduled == [2.0]  # the second request found a seal already scheduled

    jobs.seal.call_local()  # the scheduled run clears the flag before it seals
    record("org.unit.touched", tree["village"], actor=None)
    assert scheduled == [2.0, 2.0]
    HUEY.delete(jobs.SEAL_FLAG)


def test_a_failing_queue_does_not_fail_the_action(
    tree: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    def broken_queue() -> None:
        raise ConnectionError("queue down")

    monkeypatch.setattr(jobs, "request_seal", broken_queue)

    with django_capture_on_commit_callbacks(execute=True):
        entry = record("org.unit.touched", tree["village"], actor=None)

    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_seal_jobs_seal_everything(tree: dict[str, Any]) -> None:
    for _ in range(3):
        record("org.unit.touched", tree["village"], actor=None)

    assert jobs.seal.call_local() == 3
    record("org.unit.touched", tree["village"], actor=None)
    assert jobs.seal_backstop.call_local() == 1
    assert not AuditEntry.objects.unsealed().exists()
    assert timezone.now() - AuditEntry.objects.get(seq=4).created_at < dt.timedelta(minutes=1)

"""The admin shows the audit log and blocks, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from grassroots.audit.models import AuditBlock, AuditEntry


@pytest.fixture
def admin_client_(db: Any) -> Client:
    root = get_user_model().objects.create_superuser("root", password="Correct-Horse-42")
    client = Client()
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_lists_are_readable(sealed_chain: list[AuditEntry], admin_client_: Client) -> None:
    entries = admin_client_.get("/admin/audit/auditentry/", {"q": sealed_chain[0].object_id})
    blocks = admin_client_.get("/admin/audit/auditblock/")
    detail = admin_client_.get(f"/admin/audit/auditentry/{sealed_chain[0].pk}/change/")

    assert entries.status_code == blocks.status_code == detail.status_code == 200
    assert AuditBlock.objects.get(number=1).block_hash in blocks.content.decode()


def test_nothing_can_be_added_changed_or_deleted(
    sealed_chain: list[AuditEntry], admin_client_: Client
) -> None:
    entry = sealed_chain[0]

    added = admin_client_.post("/admin/audit/auditentry/add/", {"action": "x.y"})
    changed = admin_client_.post(
        f"/admin/audit/auditentry/{entry.pk}/change/", {"action": "org.unit.forged"}
    )
    deleted = admin_client_.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"})

    assert added.status_code == 403
    assert deleted.status_code == 403
    assert changed.status_code in (302, 403)
    entry.refresh_from_db()
    assert entry.action == "org.unit.touched"
    assert AuditEntry.objects.count() == 5

"""A reporter's phone is stored encrypted, from every way in (a report, an import)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from grassroots.events.models import Event
from grassroots.org.models import User

pytestmark = pytest.mark.django_db


def stored(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def test_a_reported_phone_is_encrypted_and_reads_back(report: Callable[..., Any]) -> None:
    event = report(contact_name="张三", contact_phone="13812345678")
    assert "13812345678" not in stored("events_event", "contact_phone", event.pk)
    assert Event.objects.get(pk=event.pk).contact_phone == "13812345678"


def test_a_users_phone_is_encrypted(tree: dict[str, Any]) -> None:
    user = User.objects.create_user("phone_owner", password="x-Long-Enough-1", phone="13700001111")
    assert "13700001111" not in stored("org_user", "phone", user.pk)
    assert User.objects.get(pk=user.pk).phone == "13700001111"

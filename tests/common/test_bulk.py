"""``common.bulk.insert_rows``: plain rows written as ``bulk_create`` would write them
(``COPY`` on PostgreSQL), JSON, decimals, foreign keys and NULLs included."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from grassroots.common.bulk import insert_rows
from grassroots.events.models import Category

pytestmark = pytest.mark.django_db

FIELDS = ("code", "name", "parent_id", "description", "default_department_id", "response_hours",
          "resolve_workdays", "public", "keywords", "attributes", "active", "order",
          "created_at", "updated_at")  # fmt: skip


def row(code: str, parent: int | None, attributes: Any, **overrides: Any) -> tuple[Any, ...]:
    now = timezone.now()
    values: dict[str, Any] = {
        "code": code,
        "name": f"类别 {code}",
        "parent_id": parent,
        "description": "含 \\ 反斜杠, 'quotes', \"double\", tab\tand\nnewline",
        "default_department_id": None,
        "response_hours": Decimal("1.5"),
        "resolve_workdays": 3,
        "public": True,
        "keywords": "",
        "attributes": attributes,
        "active": True,
        "order": 0,
        "created_at": now,
        "updated_at": now - dt.timedelta(hours=1),
    }
    values.update(overrides)
    return tuple(values[f] for f in FIELDS)


def test_rows_arrive_exactly() -> None:
    parent = Category.objects.create(code="P", name="父类")
    attributes = [{"key": "楼层", "type": "int", "note": 'a "quoted" \\ value'}]
    written = insert_rows(
        Category,
        FIELDS,
        (
            row("A", parent.pk, attributes),
            row("B", None, [], public=False, response_hours=Decimal("0.25")),
        ),
    )
    assert written == 2
    a = Category.objects.get(code="A")
    assert a.parent_id == parent.pk
    assert a.attributes == attributes
    assert a.description == "含 \\ 反斜杠, 'quotes', \"double\", tab\tand\nnewline"
    assert a.response_hours == Decimal("1.5")
    b = Category.objects.get(code="B")
    assert (b.parent_id, b.public, b.response_hours, b.attributes) == (
        None,
        False,
        Decimal("0.25"),
        [],
    )


def test_nothing_to_write() -> None:
    assert insert_rows(Category, FIELDS, iter(())) == 0
    assert not Category.objects.exists()


@pytest.mark.parametrize("set_based", [False, True])
def test_keys_checked_once_per_key(set_based: bool) -> None:
    from django.db import transaction

    parent = Category.objects.create(code="P", name="父类")
    with transaction.atomic():
        insert_rows(
            Category,
            FIELDS,
            [row(f"C{i}", parent.pk, []) for i in range(5)],
            set_based_keys=set_based,
        )
    assert Category.objects.filter(parent=parent).count() == 5


def test_a_missing_key_is_refused_with_set_based_keys() -> None:
    from django.db import IntegrityError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("COPY and session_replication_role are PostgreSQL's")
    parent = Category.objects.create(code="P", name="父类")
    with pytest.raises(IntegrityError, match="no events_category 999999"), transaction.atomic():
        insert_rows(
            Category,
            FIELDS,
            [row("A", parent.pk, []), row("B", 999999, [])],
            set_based_keys=True,
        )
    assert not Category.objects.filter(code__in=["A", "B"]).exists()
    # the triggers are back on for what follows
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"

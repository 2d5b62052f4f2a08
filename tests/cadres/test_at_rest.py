"""A cadre's ID number and phone, and an objector's phone, are stored encrypted; the ID
number stays unique and found through its blind index."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from grassroots.cadres.actions import files
from grassroots.cadres.errors import CadresError
from grassroots.cadres.models import Cadre
from grassroots.common.crypto import digest
from grassroots.common.migrating import encrypt_columns
from tests.cadres.test_files import new_file

pytestmark = pytest.mark.django_db


def stored(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def test_the_database_holds_no_readable_id_number_or_phone(
    tree: dict[str, Any], org_dept: Any
) -> None:
    cadre = files.create_cadre(actor=org_dept, **new_file(tree))
    raw_id, raw_phone = (
        stored("cadres_cadre", "id_number", cadre.pk),
        stored("cadres_cadre", "phone", cadre.pk),
    )
    assert cadre.id_number not in raw_id
    assert "13912345678" not in raw_phone
    again = Cadre.objects.get(pk=cadre.pk)
    assert (again.id_number, again.phone) == (cadre.id_number, "13912345678")
    assert again.id_digest == digest(cadre.id_number)


def test_a_second_file_with_the_same_id_number_is_refused(
    tree: dict[str, Any], org_dept: Any
) -> None:
    first = files.create_cadre(actor=org_dept, **new_file(tree))
    with pytest.raises(CadresError) as refused:
        files.create_cadre(actor=org_dept, **new_file(tree, name="另一个人"))
    assert refused.value.field == "id_number"
    assert Cadre.objects.filter(id_digest=digest(first.id_number)).count() == 1


def test_the_migration_encrypts_what_was_stored_in_plain_text(
    tree: dict[str, Any], org_dept: Any
) -> None:
    from django.apps import apps

    cadre = files.create_cadre(actor=org_dept, **new_file(tree))
    plain_id = cadre.id_number
    # As an older version stored it: plain text and no blind index.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cadres_cadre SET id_number = %s, phone = %s, id_digest = '' WHERE id = %s",
            [plain_id, "13912345678", cadre.pk],
        )
    assert stored("cadres_cadre", "id_number", cadre.pk) == plain_id
    step = encrypt_columns("cadres", "cadre", ("id_number", "phone"), {"id_digest": "id_number"})
    step.code(apps, connection.schema_editor())
    assert plain_id not in stored("cadres_cadre", "id_number", cadre.pk)
    assert "13912345678" not in stored("cadres_cadre", "phone", cadre.pk)
    assert Cadre.objects.get(id_digest=digest(plain_id)).pk == cadre.pk
    # And back: the plain text again, for a downgrade.
    assert step.reverse_code is not None
    step.reverse_code(apps, connection.schema_editor())
    assert stored("cadres_cadre", "id_number", cadre.pk) == plain_id

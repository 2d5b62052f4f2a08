"""Personal data at rest: what the database holds is not the ID number, reads give it
back, the blind index finds it, and a rotated key still opens old rows."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from grassroots.common import crypto

pytestmark = pytest.mark.django_db


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def test_the_database_holds_no_plain_id_number(make_household: Any) -> None:
    household = make_household(members=1)
    person = household.members.get()
    number = person.id_number
    assert len(number) == 18
    raw = _raw("residents_resident", "id_number", person.pk)
    assert number not in raw
    assert raw.startswith(crypto.current_prefix())  # either suite
    assert person.phone not in _raw("residents_resident", "phone", person.pk)
    fresh = type(person).objects.get(pk=person.pk)
    assert fresh.id_number == number
    assert fresh.masked_id_number == number[:4] + "*" * 12 + number[-2:]


def test_digest_ignores_case_and_spaces_and_hides_the_value() -> None:
    d = crypto.digest("51340119800101001x")
    assert d == crypto.digest(" 51340119800101001X ")
    assert d != crypto.digest("513401198001010011")
    assert "5134" not in d and len(d) == 64
    assert crypto.digest("") == ""


def test_a_new_key_in_front_still_reads_old_rows(settings: Any, make_household: Any) -> None:
    person = make_household(members=1).members.get()
    number = person.id_number
    old_digest = crypto.digest(number)
    settings.FIELD_KEYS = [Fernet.generate_key().decode(), *settings.FIELD_KEYS]
    fresh = type(person).objects.get(pk=person.pk)
    assert fresh.id_number == number
    assert crypto.digest(number) == old_digest  # the blind index does not move
    assert crypto.rotate_keys(type(person), "id_number", "phone") >= 1
    settings.FIELD_KEYS = settings.FIELD_KEYS[:1]  # only the new key left
    assert type(person).objects.get(pk=person.pk).id_number == number


def test_a_token_no_key_opens_is_an_error_not_a_silent_blank(settings: Any) -> None:
    token = crypto.encrypt("513401198001010011")
    settings.FIELD_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(token)


def test_looking_up_an_encrypted_value_is_refused_where_it_is_written(
    make_household: Any,
) -> None:
    """A plain comparison with a column of tokens would find nothing, silently: the query
    fails instead, and the blind index finds the person."""
    from django.core.exceptions import FieldError

    person = make_household(members=1).members.get()
    model = type(person)
    for lookup in ({"id_number": person.id_number}, {"phone__in": ["13800000000"]}):
        with pytest.raises(FieldError, match="encrypted at rest"):
            model.objects.filter(**lookup).exists()
    assert model.objects.exclude(id_number="").filter(pk=person.pk).exists()
    assert model.objects.filter(id_digest=crypto.digest(person.id_number)).get() == person

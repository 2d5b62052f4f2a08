"""The 国密 suite for personal data at rest: SM4-GCM tokens, HMAC-SM3 blind indexes, and
the switch from the standard suite with ``grassroots crypto reencrypt``."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.core.management import call_command
from django.db import connection

from grassroots.common import crypto
from tests.conftest import valid_id_number

NUMBER = "51340119800101001X"


@pytest.fixture
def gm(settings: Any) -> Any:
    settings.CRYPTO_SUITE = "gm"
    return settings


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def test_sm3_is_the_real_sm3() -> None:
    # GB/T 32905-2016, example 1.
    assert crypto.sm3(b"abc").hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )


def test_sm4_is_the_real_sm4() -> None:
    # GB/T 32907-2016, example 1: key = plaintext, one block in ECB.
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305 -- known-answer test
    assert (encryptor.update(key) + encryptor.finalize()).hex() == (
        "681edf34d206965e86b3e94f536e4246"
    )


def test_gm_tokens_are_sm4_and_round_trip(gm: Any) -> None:
    token = crypto.encrypt(NUMBER)
    assert token.startswith(crypto.current_prefix())
    assert token.startswith(crypto.SM4_PREFIX) and NUMBER not in token
    assert crypto.decrypt(token) == NUMBER
    # A random nonce: the same value never gives the same token.
    assert crypto.encrypt(NUMBER) != token
    assert crypto.decrypt(crypto.encrypt("张三 13812345678")) == "张三 13812345678"
    assert crypto.encrypt("") == "" and crypto.decrypt("") == ""


def test_a_token_of_the_other_suite_still_opens(settings: Any) -> None:
    settings.CRYPTO_SUITE = "standard"
    fernet = crypto.encrypt(NUMBER)
    assert fernet.startswith(crypto.TOKEN_PREFIX)
    settings.CRYPTO_SUITE = "gm"
    sm4 = crypto.encrypt(NUMBER)
    assert crypto.decrypt(fernet) == NUMBER
    settings.CRYPTO_SUITE = "standard"
    assert crypto.decrypt(sm4) == NUMBER


def test_a_wrong_key_raises_never_returns_garbage(gm: Any) -> None:
    token = crypto.encrypt(NUMBER)
    gm.FIELD_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(token)
    # The same key id with another key behind it (a forged id): the tag refuses it.
    key_id = crypto.current_prefix().split(":")[1]
    forged = token.replace(token.split(":")[1], key_id, 1)
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(forged)


def test_a_tampered_token_is_detected(gm: Any) -> None:
    token = crypto.encrypt(NUMBER)
    prefix, blob = token.rsplit(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(blob + "=" * (-len(blob) % 4)))
    for where in (12, len(raw) - 1):  # first ciphertext byte, last tag byte
        bad = bytearray(raw)
        bad[where] ^= 0x01
        text = base64.urlsafe_b64encode(bytes(bad)).rstrip(b"=").decode()
        with pytest.raises(crypto.InvalidToken):
            crypto.decrypt(f"{prefix}:{text}")
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(token[:-4])  # truncated
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt("sm4:garbage")


def test_a_new_key_in_front_still_opens_old_gm_tokens(gm: Any) -> None:
    token = crypto.encrypt(NUMBER)
    old_prefix = crypto.current_prefix()
    old_digest = crypto.digest(NUMBER)
    gm.FIELD_KEYS = [Fernet.generate_key().decode(), *gm.FIELD_KEYS]
    assert crypto.current_prefix() != old_prefix  # the key id names the new key
    assert crypto.decrypt(token) == NUMBER
    assert crypto.encrypt(NUMBER).startswith(crypto.current_prefix())
    assert crypto.digest(NUMBER) == old_digest  # the blind index does not move


def test_gm_blind_index_is_hmac_sm3_and_normalises(settings: Any) -> None:
    standard = crypto.digest(NUMBER)
    settings.CRYPTO_SUITE = "gm"
    d = crypto.digest(NUMBER)
    assert d == crypto.digest(" 51340119800101001x ")
    assert len(d) == 64 and d != standard and "5134" not in d
    assert crypto.digest("") == ""


def test_every_digest_column_beside_an_encrypted_field_is_registered() -> None:
    # ``reencrypt`` recomputes only the registered digests: one left out would stop
    # matching its lookups after a switch of suites.
    found = {}
    for model, fields in crypto.encrypted_models():
        columns = {f.name for f in model._meta.concrete_fields if f.name.endswith("_digest")}
        if columns:
            found[model._meta.label_lower] = columns
            assert set(crypto.BLIND_INDEXES[model._meta.label_lower].values()) <= set(fields)
    assert "residents.resident" in found
    for label, columns in found.items():
        assert set(crypto.BLIND_INDEXES.get(label, {})) == columns, label


def _status() -> int:
    try:
        call_command("crypto", "status", stdout=io.StringIO())
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.mark.django_db
def test_switching_to_gm_then_reencrypting_keeps_lookups_and_uniqueness(
    settings: Any, make_household: Any, grid_worker: Any
) -> None:
    from grassroots.residents.actions.households import add_resident
    from grassroots.residents.errors import ResidentsError
    from grassroots.residents.models import Resident

    settings.CRYPTO_SUITE = "standard"
    household = make_household(members=0)
    numbers = [valid_id_number("19800101", 900 + i) for i in range(3)]
    people = [
        add_resident(
            household,
            actor=grid_worker,
            name=f"居民{i}",
            relationship="head" if i == 0 else "child",
            id_number=number,
            phone=f"1380000000{i}",
        )
        for i, number in enumerate(numbers)
    ]
    assert _status() == 0

    settings.CRYPTO_SUITE = "gm"
    assert _status() == 1  # the tokens and digests are still the standard suite's
    call_command("crypto", "reencrypt", stdout=io.StringIO())
    assert _status() == 0

    for person, number in zip(people, numbers, strict=True):
        raw = _raw("residents_resident", "id_number", person.pk)
        assert raw.startswith(crypto.current_prefix()) and number not in raw
        assert _raw("residents_resident", "phone", person.pk).startswith(crypto.SM4_PREFIX)
        found = Resident.objects.get(id_digest=crypto.digest(number))
        assert found.pk == person.pk and found.id_number == number
        assert found.phone == person.phone
    # The ID number still belongs to one living person: adding it again is refused.
    with pytest.raises(ResidentsError) as caught:
        add_resident(
            household, actor=grid_worker, name="冒用者", relationship="child", id_number=numbers[1]
        )
    assert caught.value.field == "id_number"
    assert Resident.objects.filter(household=household).count() == 3

    # And back: nothing is lost either way.
    settings.CRYPTO_SUITE = "standard"
    call_command("crypto", "reencrypt", stdout=io.StringIO())
    assert _status() == 0
    assert Resident.objects.get(id_digest=crypto.digest(numbers[2])).pk == people[2].pk

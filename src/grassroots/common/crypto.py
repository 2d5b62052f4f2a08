"""Personal data encrypted at rest (ID numbers, phones of residents).

``EncryptedCharField`` stores a Fernet token (AES-128-CBC with HMAC-SHA256, from the
``cryptography`` package) in the database and gives the plain text back in Python: a copy
of the database or a backup alone shows no ID number. The keys are
``settings.FIELD_KEYS`` (``GRASSROOTS_FIELD_KEYS``): the first encrypts, every one
decrypts, so a key is rotated by putting a new one in front and re-saving the rows
(``rotate_keys``).

An encrypted column cannot be searched or made unique, so a field that must be looked up
has a *blind index* beside it: ``digest(value)``, an HMAC-SHA256 of the normalised value
under a key derived from the first field key. Equal values have equal digests; the digest
says nothing about the value to whoever lacks the key. Lookups and unique constraints go
on the digest column.

Nothing here masks: screens show ``common.masking`` of the decrypted value.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

#: Every token starts so (the Fernet version byte 0x80, base64): a plain value never does.
TOKEN_PREFIX = "gAAAAA"  # noqa: S105 -- not a secret


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_KEYS is empty: personal data cannot be encrypted.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"FIELD_KEYS holds a key that is not a Fernet key: {exc}"
        ) from None


def _keys() -> tuple[str, ...]:
    return tuple(settings.FIELD_KEYS)


def encrypt(text: str) -> str:
    """The token of ``text`` under the first key ("" stays "")."""
    if not text:
        return ""
    return _fernet(_keys()).encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """The text of a token made under any of the keys ("" stays "").

    A value that is not a token (written before the column was encrypted) is returned as
    it is; a token no key opens raises ``InvalidToken``: data must never be silently lost.
    """
    if not token:
        return ""
    if not token.startswith(TOKEN_PREFIX):
        return token
    return _fernet(_keys()).decrypt(token.encode()).decode()


@lru_cache(maxsize=4)
def _index_key(first_key: str) -> bytes:
    return hashlib.sha256(b"grassroots blind index\x00" + first_key.encode()).digest()


def digest(text: str) -> str:
    """The blind index of ``text`` (upper-cased, spaces removed): 64 hex characters, or ""
    for an empty value.

    Derived from the *oldest* key (the last of FIELD_KEYS), so that adding a new key in
    front for encryption does not change any digest.
    """
    value = "".join(text.split()).upper()
    if not value:
        return ""
    key = _index_key(_keys()[-1])
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedCharField(models.TextField):  # type: ignore[type-arg]
    """A text stored encrypted; reads give the plain text back.

    ``max_length`` limits the plain text (forms and ``full_clean``); the column is a TEXT
    of the token. Only ``isnull`` and exact-empty lookups make sense on it.
    """

    description = "Text encrypted at rest (Fernet)"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None:
            return value
        return decrypt(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith(TOKEN_PREFIX):
            return decrypt(value)
        return super().to_python(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


def rotate_keys(model: type[models.Model], *fields: str, batch: int = 500) -> int:
    """Re-encrypt ``fields`` of every row of ``model`` under the first key; the number of
    rows written. Run after putting a new key in front of FIELD_KEYS."""
    done = 0
    rows = model._default_manager.order_by("pk").only("pk", *fields)
    for row in rows.iterator(chunk_size=batch):
        model._default_manager.filter(pk=row.pk).update(
            **{name: getattr(row, name) for name in fields}
        )
        done += 1
    return done


__all__ = [
    "EncryptedCharField",
    "InvalidToken",
    "decrypt",
    "digest",
    "encrypt",
    "rotate_keys",
]

"""Personal data encrypted at rest (ID numbers, phones of residents).

``EncryptedCharField`` stores a token in the database and gives the plain text back in
Python: a copy of the database or a backup alone shows no ID number. Two suites make
tokens, chosen by ``settings.CRYPTO_SUITE`` (``GRASSROOTS_CRYPTO``):

* ``standard``: a Fernet token (AES-128-CBC with HMAC-SHA256), starting ``gAAAAA``;
* ``gm`` (国密): SM4-GCM, ``sm4:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`` with a
  random 96-bit nonce; the tag authenticates the ciphertext and the ``sm4:<key id>``
  prefix.

Both read ``settings.FIELD_KEYS`` (``GRASSROOTS_FIELD_KEYS``, Fernet keys): the first
encrypts, every one decrypts, so a key is rotated by putting a new one in front and
re-encrypting the rows (``grassroots crypto reencrypt``). The SM4 key of a field key is
HKDF-SM3 of its 32 bytes; the key id (8 hex characters of an SM3 hash of that SM4 key)
tells ``decrypt`` which key to use. ``decrypt`` opens a token of either suite whatever the
current one, so switching suites never makes data unreadable; re-encrypting moves the
rows into the current suite.

An encrypted column cannot be searched or made unique, so a field that must be looked up
has a *blind index* beside it: ``digest(value)``, an HMAC of the normalised value (SHA-256
under ``standard``, SM3 under ``gm``) under a key derived from the oldest field key.
Lookups and unique constraints go on the digest column, so the digests of a database must
all be made by the current suite: after switching suites, ``grassroots crypto reencrypt``
rewrites the tokens *and* the digests (``BLIND_INDEXES``) before the site serves again.

Nothing here masks: screens show ``common.masking`` of the decrypted value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models, transaction
from django.db.models import lookups

#: Every Fernet token starts so (the version byte 0x80, base64): a plain value never does.
TOKEN_PREFIX = "gAAAAA"  # noqa: S105 -- not a secret
#: Every SM4 token starts so.
SM4_PREFIX = "sm4:"
SUITES = ("standard", "gm")

_NONCE = 12  # bytes: the 96-bit GCM nonce
_TAG = 16  # bytes: the full GCM tag

#: The blind indexes: model label → {digest column: encrypted field it indexes}. A digest
#: column is ``digest(getattr(row, field))``; ``reencrypt`` recomputes them.
BLIND_INDEXES: dict[str, dict[str, str]] = {
    "cadres.cadre": {"id_digest": "id_number"},
    "residents.resident": {"id_digest": "id_number"},
}


def fill_blind_indexes(row: models.Model) -> list[str]:
    """Set every blind index of ``row`` (``BLIND_INDEXES``) from the value it indexes;
    the columns set. A model's ``save`` calls it, and so does every bulk write of that
    model, which bypasses ``save``."""
    indexes = BLIND_INDEXES.get(row._meta.label_lower, {})
    for column, source in indexes.items():
        setattr(row, column, digest(getattr(row, source) or ""))
    return list(indexes)


class BlindIndexed:
    """A model mixin: every save keeps the blind indexes (``BLIND_INDEXES``) of the row
    right, also a save of ``update_fields`` naming the indexed field."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        indexes = BLIND_INDEXES.get(self._meta.label_lower, {})  # type: ignore[attr-defined]
        fill_blind_indexes(self)  # type: ignore[arg-type]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(indexes.values()) & set(update_fields):
            kwargs["update_fields"] = {*update_fields, *indexes}
        super().save(*args, **kwargs)  # type: ignore[misc]


def sm3(data: bytes) -> bytes:
    """The SM3 hash of ``data`` (GB/T 32905), from OpenSSL through ``cryptography``."""
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize()


def suite() -> str:
    value = str(getattr(settings, "CRYPTO_SUITE", "standard"))
    if value not in SUITES:
        raise ImproperlyConfigured(f"CRYPTO_SUITE must be standard or gm, not {value!r}")
    return value


def _keys() -> tuple[str, ...]:
    keys = tuple(settings.FIELD_KEYS)
    if not keys:
        raise ImproperlyConfigured("FIELD_KEYS is empty: personal data cannot be encrypted.")
    return keys


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"FIELD_KEYS holds a key that is not a Fernet key: {exc}"
        ) from None


@lru_cache(maxsize=16)
def _sm4_key(field_key: str) -> tuple[str, bytes]:
    """(key id, 128-bit SM4 key) of one field key."""
    try:
        material = base64.urlsafe_b64decode(field_key.encode())
    except (ValueError, binascii.Error):
        material = b""
    if len(material) != 32:
        raise ImproperlyConfigured("FIELD_KEYS holds a key that is not a Fernet key")
    key = HKDF(
        algorithm=hashes.SM3(), length=16, salt=None, info=b"grassroots field key sm4-gcm"
    ).derive(material)
    return sm3(b"grassroots sm4 key id\x00" + key).hex()[:8], key


def _sm4_keys() -> dict[str, bytes]:
    return dict(_sm4_key(key) for key in _keys())


def current_prefix() -> str:
    """How every token made now starts: ``gAAAAA`` or ``sm4:<id of the first key>:``."""
    if suite() == "gm":
        return f"{SM4_PREFIX}{_sm4_key(_keys()[0])[0]}:"
    return TOKEN_PREFIX


def is_token(value: str) -> bool:
    return value.startswith((TOKEN_PREFIX, SM4_PREFIX))


def _sm4_encrypt(text: str) -> str:
    key_id, key = _sm4_key(_keys()[0])
    prefix = f"{SM4_PREFIX}{key_id}:"
    nonce = os.urandom(_NONCE)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(prefix.encode())
    body = encryptor.update(text.encode()) + encryptor.finalize()
    blob = base64.urlsafe_b64encode(nonce + body + encryptor.tag).rstrip(b"=")
    return prefix + blob.decode()


def _sm4_decrypt(token: str) -> str:
    try:
        key_id, blob = token[len(SM4_PREFIX) :].split(":", 1)
        raw = base64.urlsafe_b64decode(blob + "=" * (-len(blob) % 4))
    except (ValueError, binascii.Error):
        raise InvalidToken from None
    key = _sm4_keys().get(key_id)
    if key is None or len(raw) < _NONCE + _TAG:
        raise InvalidToken
    nonce, body, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(f"{SM4_PREFIX}{key_id}:".encode())
    try:
        plain = decryptor.update(body) + decryptor.finalize()
        return plain.decode()
    except (InvalidTag, UnicodeDecodeError):
        raise InvalidToken from None


def encrypt(text: str) -> str:
    """The token of ``text`` under the first key, in the current suite ("" stays "")."""
    if not text:
        return ""
    if suite() == "gm":
        return _sm4_encrypt(text)
    return _fernet(_keys()).encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """The text of a token of either suite made under any of the keys ("" stays "").

    A value that is not a token (written before the column was encrypted) is returned as
    it is; a token no key opens, or altered, raises ``InvalidToken``: data must never be
    silently lost.
    """
    if not token:
        return ""
    if token.startswith(SM4_PREFIX):
        return _sm4_decrypt(token)
    if not token.startswith(TOKEN_PREFIX):
        return token
    return _fernet(_keys()).decrypt(token.encode()).decode()


@lru_cache(maxsize=8)
def _index_key(oldest_key: str, gm: bool) -> bytes:
    label = b"grassroots blind index\x00" + oldest_key.encode()
    return sm3(label) if gm else hashlib.sha256(label).digest()


def digest(text: str) -> str:
    """The blind index of ``text`` (upper-cased, spaces removed): 64 hex characters, or ""
    for an empty value. HMAC-SHA256 under ``standard``, HMAC-SM3 under ``gm``.

    Derived from the *oldest* key (the last of FIELD_KEYS), so that adding a new key in
    front for encryption does not change any digest.
    """
    value = "".join(text.split()).upper()
    if not value:
        return ""
    if suite() == "gm":
        mac = crypto_hmac.HMAC(_index_key(_keys()[-1], True), hashes.SM3())
        mac.update(value.encode())
        return mac.finalize().hex()
    key = _index_key(_keys()[-1], False)
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedCharField(models.TextField):  # type: ignore[type-arg]
    """A text stored encrypted; reads give the plain text back.

    ``max_length`` limits the plain text (forms and ``full_clean``); the column is a TEXT
    of the token. Only ``isnull`` and exact-empty lookups make sense on it.
    """

    description = "Text encrypted at rest (Fernet or SM4)"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None:
            return value
        return decrypt(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and is_token(value):
            return decrypt(value)
        return super().to_python(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


class _NoPlainComparison:
    """An ``exact`` / ``iexact`` / ``in`` lookup of a non-empty value on an encrypted field
    would compare the value with a fresh token (a new nonce every time) and silently find
    nothing: refused, so such a query fails where it is written. Empty values still work
    (``exclude(phone="")``); a value is found through its blind index."""

    lookup_name: str
    lhs: Any
    rhs: Any

    def get_prep_lookup(self) -> Any:
        if hasattr(self.rhs, "resolve_expression"):  # a subquery or column: not a value
            return super().get_prep_lookup()  # type: ignore[misc]
        values = list(self.rhs) if self.lookup_name == "in" else [self.rhs]
        if any(v not in ("", None) and not hasattr(v, "resolve_expression") for v in values):
            field = getattr(self.lhs, "target", None)
            name = getattr(field, "name", "?")
            raise FieldError(
                f"{name} is encrypted at rest: a '{self.lookup_name}' lookup of a value finds "
                "nothing; compare its blind index (common.crypto.BLIND_INDEXES) instead"
            )
        return super().get_prep_lookup()  # type: ignore[misc]


@EncryptedCharField.register_lookup
class _Exact(_NoPlainComparison, lookups.Exact):  # type: ignore[type-arg]
    pass


@EncryptedCharField.register_lookup
class _IExact(_NoPlainComparison, lookups.IExact):  # type: ignore[type-arg]
    pass


@EncryptedCharField.register_lookup
class _In(_NoPlainComparison, lookups.In):  # type: ignore[type-arg]
    pass


def encrypted_models() -> Iterator[tuple[type[models.Model], tuple[str, ...]]]:
    """Every concrete model with encrypted fields, and the names of those fields."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = tuple(
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, EncryptedCharField) and f.model is model
        )
        if names:
            yield model, names


def rewrite_rows(
    rows: models.QuerySet[Any],
    fields: tuple[str, ...] | list[str],
    indexes: dict[str, str] | None = None,
    *,
    batch: int = 500,
) -> int:
    """Write ``fields`` of every row of ``rows`` again (so an ``EncryptedCharField``
    encrypts it under the first key in the current suite) and recompute the blind
    ``indexes`` (column → source field); the number of rows written. Used by key rotation
    and by the migrations that encrypt a column which held plain text."""
    indexes = dict(indexes or {})
    sources = set(indexes.values())
    manager = rows.model._default_manager
    done = 0
    after: Any = None
    while True:
        # Keyset chunks rather than one open cursor: the rows read are being written.
        chunk_rows = rows.order_by("pk").only("pk", *fields, *sources)
        if after is not None:
            chunk_rows = chunk_rows.filter(pk__gt=after)
        chunk = list(chunk_rows[:batch])
        for row in chunk:
            for column, source in indexes.items():
                setattr(row, column, digest(getattr(row, source) or ""))
        if chunk:
            manager.bulk_update(chunk, [*fields, *indexes])
        done += len(chunk)
        if len(chunk) < batch:
            return done
        after = chunk[-1].pk


def rotate_keys(model: type[models.Model], *fields: str, batch: int = 500) -> int:
    """Re-encrypt ``fields`` of every row of ``model`` under the first key, in the current
    suite, and recompute the model's blind indexes (``BLIND_INDEXES``), all in one
    transaction; the number of rows written. Run after putting a new key in front of
    FIELD_KEYS or after switching suites (``grassroots crypto reencrypt`` does every
    model)."""
    indexes = BLIND_INDEXES.get(model._meta.label_lower, {})
    with transaction.atomic():
        return rewrite_rows(model._default_manager.all(), fields, indexes, batch=batch)


def stale_tokens(model: type[models.Model], field: str) -> int:
    """How many rows hold a token of ``field`` not made by the current suite and key
    (a pattern lookup compares the stored token: its value is not encrypted)."""
    return (
        model._default_manager.exclude(**{field: ""})
        .exclude(**{f"{field}__isnull": True})
        .exclude(**{f"{field}__startswith": current_prefix()})
        .count()
    )


def stale_digests(model: type[models.Model], *, batch: int = 500) -> int:
    """How many rows have a blind index the current suite would not compute."""
    indexes = BLIND_INDEXES.get(model._meta.label_lower, {})
    if not indexes:
        return 0
    stale = 0
    fields = {*indexes, *indexes.values()}
    for row in model._default_manager.order_by("pk").only("pk", *fields).iterator(batch):
        if any(getattr(row, c) != digest(getattr(row, s) or "") for c, s in indexes.items()):
            stale += 1
    return stale


__all__ = [
    "BLIND_INDEXES",
    "BlindIndexed",
    "EncryptedCharField",
    "InvalidToken",
    "decrypt",
    "digest",
    "encrypt",
    "encrypted_models",
    "fill_blind_indexes",
    "is_token",
    "rewrite_rows",
    "rotate_keys",
    "sm3",
]

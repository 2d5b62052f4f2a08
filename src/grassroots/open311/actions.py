"""Writes of the Open311 app: issuing and revoking partner API keys."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.open311.models import ApiKey
from grassroots.org.models import Unit, UnitKind
from grassroots.org.permissions import can, require

if TYPE_CHECKING:
    from grassroots.org.models import User

#: Issued keys start with this, so that a leaked key is recognisable in logs and scanners.
KEY_PREFIX = "gr311_"
#: Characters of the key kept in clear (``ApiKey.prefix``) to tell keys apart.
SHOWN_CHARS = 12
#: The demo key that ``grassroots demo`` prints. Documented, hence public: never use it on
#: a real installation (``ensure_demo_key`` is only called by the demo).
DEMO_KEY = "gr311_demo_xichang_open311_key"
DEMO_KEY_NAME = "Demo (演示)"


class ApiKeyError(Exception):
    """A key could not be issued (bad name); the message is for people."""

    def __init__(self, message: str, *, field: str = "name") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class IssuedKey:
    """A new key: the row, and the key itself (shown once, never stored)."""

    api_key: ApiKey
    key: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _city() -> Unit | None:
    """Where key entries sit in the audit log: the root of the tree (the city office's)."""
    return (
        Unit.objects.filter(depth=0, active=True)
        .exclude(kind=UnitKind.DEPARTMENT)
        .order_by("path")
        .first()
    )


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ApiKeyError(_("Give the name of the partner or application using the key."))
    if len(name) > ApiKey._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ApiKeyError(_("The name is too long (at most 100 characters)."))
    return name


@transaction.atomic
def issue_api_key(*, name: str, actor: User | None, key: str | None = None) -> IssuedKey:
    """Create an API key for partner ``name`` and return it with the key in clear.

    ``actor`` must hold ``open311.manage_keys`` (the city office); ``None`` is the command
    line, run by the operator of the machine. ``key`` is for the demo key only: normally a
    fresh random key is drawn. One audit entry ``open311.apikey.issued`` (without the key).
    """
    if actor is not None:
        require(actor, "open311.manage_keys")
    name = _clean_name(name)
    raw = key or KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        name=name, prefix=raw[:SHOWN_CHARS], key_hash=hash_key(raw), created_by=actor
    )
    record(
        "open311.apikey.issued",
        api_key,
        actor=actor,
        after={"name": name, "prefix": api_key.prefix, "active": True},
        unit=_city(),
    )
    return IssuedKey(api_key=api_key, key=raw)


@transaction.atomic
def revoke_api_key(key_id: int, *, actor: User | None) -> ApiKey:
    """Deactivate a key: POSTs with it get 403 from now on. Revoking twice is harmless."""
    if actor is not None:
        require(actor, "open311.manage_keys")
    api_key = ApiKey.objects.select_for_update().get(pk=key_id)
    if api_key.active:
        api_key.active = False
        api_key.save(update_fields=["active"])
        record(
            "open311.apikey.revoked",
            api_key,
            actor=actor,
            before={"active": True},
            after={"active": False},
            unit=_city(),
        )
    return api_key


def ensure_demo_key() -> str:
    """The demo's documented key (``DEMO_KEY``), created on first use; returns it.

    For ``grassroots demo`` only. A demo key that someone revoked stays revoked.
    """
    with transaction.atomic():
        if not ApiKey.objects.filter(key_hash=hash_key(DEMO_KEY)).exists():
            issue_api_key(name=DEMO_KEY_NAME, actor=None, key=DEMO_KEY)
    return DEMO_KEY


def may_manage_keys(user: object) -> bool:
    return can(user, "open311.manage_keys")

"""What the party-building records share: placed by a unit, seen with ``partybuilding.view``."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from grassroots.org.models import Unit
from grassroots.org.queries import ScopedQuerySet
from grassroots.partybuilding.permissions import VIEW

USER = settings.AUTH_USER_MODEL


class InUnit:
    """A record that belongs to ``unit`` (``scope_paths`` for the permission checks)."""

    unit: Unit

    def scope_paths(self) -> tuple[str, ...]:
        return (self.unit.path,)


class PartyQuerySet(ScopedQuerySet):
    """Rows placed by their unit, seen with ``partybuilding.view``."""

    view_action = VIEW


class FileFields(models.Model):
    """A stored file named by its SHA-256 (stored like the events' photos and the
    supervision evidence: ``MEDIA_ROOT/partybuilding/ab/<sha>.<ext>``)."""

    sha256 = models.CharField("SHA-256", max_length=64, db_index=True, blank=True, default="")
    content_type = models.CharField(max_length=100, blank=True, default="")
    size = models.PositiveIntegerField(default=0)
    original_name = models.CharField(max_length=255, blank=True)

    class Meta:
        abstract = True


def money(**kw: object) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(max_digits=14, decimal_places=2, **kw)  # type: ignore[arg-type]


ZERO = Decimal(0)

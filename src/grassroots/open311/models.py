"""API keys of the Open311 partners (one key per partner application).

Only the SHA-256 of a key is stored: the key itself is shown once, when it is issued. Keys
are long random strings, so a plain hash is enough to make a stolen table useless.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def active(self) -> ApiKeyQuerySet:
        return self.filter(active=True)


class ApiKey(models.Model):
    """One partner's key for POSTing service requests (``api_key`` of GeoReport v2)."""

    name = models.CharField(
        _("name"), max_length=100, help_text=_("The partner or application using the key.")
    )
    #: The first characters of the key, to tell keys apart without revealing them.
    prefix = models.CharField(_("key prefix"), max_length=16, editable=False)
    key_hash = models.CharField(_("key hash (SHA-256)"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    active = models.BooleanField(_("active"), default=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

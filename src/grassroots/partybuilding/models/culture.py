"""The culture archive (村有村歌村史, 家有家训家风): village songs with their recordings,
village histories (rich text with photos), family mottos, and the roster of local
performers and cultural leaders (乡土文艺骨干)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.common.crypto import EncryptedCharField
from grassroots.common.masking import mask_name, mask_phone
from grassroots.org.models import Unit
from grassroots.partybuilding.models.base import USER, FileFields, InUnit, PartyQuerySet
from grassroots.partybuilding.states import PerformerSpecialty


class CultureQuerySet(PartyQuerySet):
    scope_path_fields = ("unit_path",)


class Song(InUnit, FileFields):
    """A village song (村歌) and its recording (audio checked by its bytes; the
    ``FileFields`` are empty until a recording is uploaded)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    unit_path = models.CharField(_("unit path"), max_length=255, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    lyricist = models.CharField(_("lyrics by"), max_length=64, blank=True)
    composer = models.CharField(_("music by"), max_length=64, blank=True)
    lyrics = models.TextField(_("lyrics"), blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CultureQuerySet.as_manager()

    class Meta:
        verbose_name = _("village song")
        verbose_name_plural = _("village songs")
        ordering = ["unit_path", "title"]

    def __str__(self) -> str:
        return self.title


class VillageHistory(InUnit, models.Model):
    """A chapter of a village's history (村史): sanitised rich text and its photos."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    unit_path = models.CharField(_("unit path"), max_length=255, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    #: HTML kept to a small set of tags (paragraphs, headings, lists, emphasis, the
    #: chapter's own photos); cleaned when saved, never trusted when shown.
    body = models.TextField(_("text"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CultureQuerySet.as_manager()

    class Meta:
        verbose_name = _("village history")
        verbose_name_plural = _("village histories")
        ordering = ["unit_path", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class HistoryPhoto(FileFields):
    history = models.ForeignKey(
        VillageHistory,
        verbose_name=_("village history"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("history photo")
        verbose_name_plural = _("history photos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.caption or self.sha256[:12]


class FamilyMotto(InUnit, models.Model):
    """A family's motto (家训家风): the family as the village calls it (王家, 阿说家), the motto,
    and its story; searchable."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    unit_path = models.CharField(_("unit path"), max_length=255, db_index=True)
    family = models.CharField(_("family"), max_length=64)
    motto = models.CharField(_("motto"), max_length=500)
    story = models.TextField(_("story"), blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CultureQuerySet.as_manager()

    class Meta:
        verbose_name = _("family motto")
        verbose_name_plural = _("family mottos")
        ordering = ["unit_path", "family", "pk"]

    def __str__(self) -> str:
        return f"{self.family}: {self.motto[:20]}"


class Performer(InUnit, models.Model):
    """A local performer or cultural leader (乡土文艺骨干); the phone is personal data
    (encrypted at rest, masked when shown), the name masked outside the village's staff."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    unit_path = models.CharField(_("unit path"), max_length=255, db_index=True)
    name = models.CharField(_("name"), max_length=64)
    specialty = models.CharField(_("specialty"), max_length=12, choices=PerformerSpecialty.choices)
    troupe = models.CharField(_("troupe"), max_length=100, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True)
    leader = models.BooleanField(_("cultural leader"), default=False)
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CultureQuerySet.as_manager()

    class Meta:
        verbose_name = _("local performer")
        verbose_name_plural = _("local performers")
        ordering = ["unit_path", "name", "pk"]

    def __str__(self) -> str:
        return mask_name(self.name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

"""Venues (标准化活动阵地, 文化院坝): the configurable standard checklist, each venue with its
construction status and position, and the inspections that score a venue against the
checklist (with photos)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.org.models import Unit
from grassroots.partybuilding.models.base import USER, FileFields, InUnit, PartyQuerySet
from grassroots.partybuilding.states import ChecklistCategory, VenueKind, VenueStatus


class ChecklistItem(models.Model):
    """One line of the standard (配置): a venue meets the standard when every required item
    is met and the score reaches the pass mark (``GRASSROOTS_VENUE_PASS_SCORE``, 80)."""

    category = models.CharField(_("category"), max_length=12, choices=ChecklistCategory.choices)
    label = models.CharField(_("item"), max_length=200)
    points = models.PositiveSmallIntegerField(_("points"), default=10)
    required = models.BooleanField(_("required"), default=False)
    active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label


class VenueQuerySet(PartyQuerySet):
    scope_path_fields = ("unit_path",)


class Venue(InUnit, models.Model):
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="venues"
    )
    unit_path = models.CharField(_("unit path"), max_length=255, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=VenueKind.choices)
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=255, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    area_m2 = models.DecimalField(
        _("floor area (m²)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    open_hours = models.CharField(_("open hours"), max_length=100, blank=True)
    manager = models.CharField(_("manager"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=VenueStatus.choices, default=VenueStatus.PLANNED
    )
    built_on = models.DateField(_("completed on"), null=True, blank=True)
    #: Copied from the latest inspection (or empty when never inspected).
    last_score = models.DecimalField(
        _("latest score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    meets_standard = models.BooleanField(_("meets the standard"), default=False)
    last_inspected_on = models.DateField(_("last inspected on"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = VenueQuerySet.as_manager()

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["unit_path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="partybuilding_venue_name")
        ]

    def __str__(self) -> str:
        return self.name


class Inspection(models.Model):
    """An inspection of a venue against the checklist as it stood that day."""

    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="inspections"
    )
    inspected_on = models.DateField(_("inspected on"))
    inspector = models.ForeignKey(
        USER, verbose_name=_("inspector"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, default=Decimal(0))
    meets_standard = models.BooleanField(_("meets the standard"), default=False)
    note = models.TextField(_("findings"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.venue_id} {self.inspected_on}"


class InspectionItem(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="items"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    met = models.BooleanField(_("met"), default=False)
    #: The item's points and required flag as they stood at the inspection.
    points = models.PositiveSmallIntegerField(_("points"))
    required = models.BooleanField(_("required"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("inspection item")
        verbose_name_plural = _("inspection items")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "item"], name="partybuilding_inspection_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}/{self.item_id}"


class InspectionPhoto(FileFields):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="photos"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.sha256[:12]

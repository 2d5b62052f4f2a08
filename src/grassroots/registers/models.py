"""The special registers (专项台账) that villages keep today in spreadsheets, as one source
of truth that is checked and feeds the assessment:

* homesteads (宅基地) of the households and the 一户一宅 check with its rectification cases;
* illegal construction (乱修滥建) and disorderly relocation (无序搬迁) cases, new or not
  since the baseline (2015-12-31 by default);
* the 邛海天窗 parcels to restore within the ten-year programme;
* poverty-relapse monitoring (防返贫监测) with assistance and reviews;
* the village collective economy (村集体经济): yearly income by source and its target.

Every record belongs to a ``unit`` (a village, or a township for what a township keeps) and
is seen with ``registers.view`` over that unit's path. Households are the residents app's
(``residents.Household``): the registers read them, they do not keep a copy.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.common.crypto import EncryptedCharField
from grassroots.common.masking import mask_name, mask_phone
from grassroots.org.models import Unit
from grassroots.org.queries import ScopedQuerySet
from grassroots.registers.permissions import VIEW
from grassroots.registers.states import (
    AssistanceKind,
    CaseSource,
    ConstructionKind,
    ConstructionStatus,
    HomesteadCaseKind,
    HomesteadCaseStatus,
    IncomeSource,
    MonitorKind,
    MonitorStatus,
    PhotoStage,
    WindowStatus,
)

USER = settings.AUTH_USER_MODEL
BASELINE = dt.date(2015, 12, 31)


class InUnit:
    """A record that belongs to ``unit`` (``scope_paths`` for the permission checks)."""

    unit: Unit

    def scope_paths(self) -> tuple[str, ...]:
        return (self.unit.path,)


class RegisterQuerySet(ScopedQuerySet):
    """Rows placed by their unit, seen with ``registers.view``."""

    view_action = VIEW


class HouseholdRecordQuerySet(RegisterQuerySet):
    """Rows of a household's (a homestead, a case, a monitoring): placed by their village
    and by the household's grid, so that the grid's worker sees them too."""

    scope_path_fields = ("unit__path", "household__grid__path")


class OfHousehold(InUnit):
    household: Any

    def scope_paths(self) -> tuple[str, ...]:
        return (self.unit.path, self.household.grid.path)


def _money(**kw: object) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(max_digits=14, decimal_places=2, **kw)  # type: ignore[arg-type]


def _area(**kw: object) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(max_digits=12, decimal_places=2, **kw)  # type: ignore[arg-type]


class Policy(InUnit, models.Model):
    """The settings of the registers for a subtree (the nearest one above a unit applies;
    with none, the defaults below)."""

    unit = models.OneToOneField(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="register_policy"
    )
    #: 宅基地面积标准 per household (m²).
    homestead_area_limit = _area(verbose_name=_("homestead area standard (m²)"), default=150)
    #: What the 一户一宅 cases must be rectified within (working days from when found).
    rectify_workdays = models.PositiveSmallIntegerField(
        _("rectification deadline (working days)"), default=60
    )
    #: Built or moved after this day → a *new* case (the target is zero).
    baseline = models.DateField(_("baseline date for new cases"), default=BASELINE)
    #: 制止及时: stopped within this many days of being found.
    stop_within_days = models.PositiveSmallIntegerField(
        _("stop a new case within (days)"), default=3
    )
    #: A case found is to be dealt with (demolished, regularised…) within these working days.
    construction_workdays = models.PositiveSmallIntegerField(
        _("deal with a case within (working days)"), default=20
    )
    window_first_year = models.PositiveSmallIntegerField(
        _("天窗 programme: first year"), default=2021
    )
    window_last_year = models.PositiveSmallIntegerField(
        _("天窗 programme: last year"), default=2030
    )
    #: A monitored household is reviewed (回访) at least this often.
    review_every_days = models.PositiveSmallIntegerField(_("review every (days)"), default=90)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        verbose_name = _("register policy")
        verbose_name_plural = _("register policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(window_last_year__gte=models.F("window_first_year")),
                name="registers_policy_window_years",
            ),
        ]

    def __str__(self) -> str:
        return str(self.unit)


# --- 一户一宅 ------------------------------------------------------------------------------


class Homestead(OfHousehold, models.Model):
    """A homestead parcel (宅基地) held by a household."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="homesteads"
    )
    household = models.ForeignKey(
        "residents.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="homesteads",
    )
    #: 宗地编码 (or the village's own parcel number): unique within the village.
    parcel_number = models.CharField(_("parcel number"), max_length=40)
    area = _area(verbose_name=_("area (m²)"))
    approval_document = models.CharField(_("approval document"), max_length=100, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    #: A GeoJSON Polygon (or nothing; the point above then places it).
    geometry = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    #: Given back, taken back or merged: no longer held (kept for the history).
    active = models.BooleanField(_("held"), default=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = HouseholdRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("homestead")
        verbose_name_plural = _("homesteads")
        ordering = ["unit", "parcel_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "parcel_number"], name="registers_homestead_parcel_unique"
            ),
            models.CheckConstraint(condition=Q(area__gt=0), name="registers_homestead_area"),
        ]
        indexes = [models.Index(fields=["household", "active"], name="registers_homestead_hh")]

    def __str__(self) -> str:
        return self.parcel_number


class HomesteadCase(OfHousehold, models.Model):
    """A rectification case of the 一户一宅 check: a household holding more than one
    homestead, or a parcel above the area standard; tracked to closure."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="homestead_cases"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=HomesteadCaseKind.choices)
    household = models.ForeignKey(
        "residents.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="homestead_cases",
    )
    #: The parcel above the standard (oversize cases only).
    homestead = models.ForeignKey(
        Homestead,
        verbose_name=_("homestead"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    #: What the check found: the parcels and areas, the standard (a sentence for people).
    finding = models.CharField(_("finding"), max_length=255)
    found_on = models.DateField(_("found on"))
    due_on = models.DateField(_("rectify by"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=HomesteadCaseStatus.choices,
        default=HomesteadCaseStatus.OPEN,
    )
    measures = models.TextField(_("rectification measures"), max_length=2000, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_note = models.CharField(_("closing note"), max_length=255, blank=True)
    #: The supervised task the case was put under, when it was (``supervision.Task`` id).
    task_id = models.PositiveBigIntegerField(_("supervised task"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = HouseholdRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("一户一宅 case")
        verbose_name_plural = _("一户一宅 cases")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(kind="multiple", status__in=["open", "rectifying"]),
                name="registers_homesteadcase_multiple_open",
            ),
            models.UniqueConstraint(
                fields=["homestead"],
                condition=Q(kind="oversize", status__in=["open", "rectifying"]),
                name="registers_homesteadcase_oversize_open",
            ),
        ]
        indexes = [models.Index(fields=["unit", "status"], name="registers_hcase_unit_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


# --- 乱修滥建 / 无序搬迁 -----------------------------------------------------------------------


class ConstructionQuerySet(RegisterQuerySet):
    """Construction cases: placed by their village and by their grid when known."""

    scope_path_fields = ("unit__path", "grid__path")


class ConstructionCase(InUnit, models.Model):
    """An illegal construction (乱修滥建) or disorderly relocation (无序搬迁) case.

    ``is_new`` — built or moved after the policy's baseline — is set when the case is
    written (and again when the baseline changes), so that the zero-new count is one
    indexed filter.
    """

    unit = models.ForeignKey(
        Unit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="construction_cases"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ConstructionKind.choices)
    source = models.CharField(_("source"), max_length=16, choices=CaseSource.choices)
    #: The 违法建设 event a patrol reported, when it came from one (one case per event).
    event = models.OneToOneField(
        "events.Event",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="construction_case",
    )
    #: The grid where it was found, when known (the grid's worker then sees the case).
    grid = models.ForeignKey(
        Unit,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.CharField(_("case number"), max_length=32, unique=True)
    #: 当事人: shown masked.
    party_name = models.CharField(_("party"), max_length=64, blank=True)
    party_phone = EncryptedCharField(_("party's phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    #: When it was built, or the people moved in (decides "new since the baseline").
    started_on = models.DateField(_("built or moved on"))
    found_on = models.DateField(_("found on"), db_index=True)
    is_new = models.BooleanField(_("new since the baseline"), default=True)
    area = _area(verbose_name=_("area (m²)"), null=True, blank=True)
    #: Disorderly relocation: the people who moved in.
    people = models.PositiveIntegerField(_("people"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ConstructionStatus.choices,
        default=ConstructionStatus.FOUND,
    )
    due_on = models.DateField(_("deal with by"))
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    demolished_area = _area(verbose_name=_("area demolished (m²)"), null=True, blank=True)
    close_note = models.CharField(_("closing note"), max_length=255, blank=True)
    #: The supervised task the case was put under, when it was (``supervision.Task`` id).
    task_id = models.PositiveBigIntegerField(_("supervised task"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ConstructionQuerySet.as_manager()

    class Meta:
        verbose_name = _("construction case")
        verbose_name_plural = _("construction cases")
        ordering = ["-found_on", "-pk"]
        indexes = [
            models.Index(fields=["unit", "found_on"], name="registers_ccase_unit_found"),
            models.Index(fields=["is_new", "found_on"], name="registers_ccase_new_found"),
        ]

    def __str__(self) -> str:
        return self.number

    def scope_paths(self) -> tuple[str, ...]:
        if self.grid is None:
            return (self.unit.path,)
        return (self.unit.path, self.grid.path)

    @property
    def masked_party(self) -> str:
        return mask_name(self.party_name)

    @property
    def masked_party_phone(self) -> str:
        return mask_phone(self.party_phone)


class CasePhoto(models.Model):
    """A before or after photo of a construction case (stored like the events' photos)."""

    case = models.ForeignKey(
        ConstructionCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="photos"
    )
    stage = models.CharField(_("stage"), max_length=8, choices=PhotoStage.choices)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    content_type = models.CharField(_("type"), max_length=32)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case photo")
        verbose_name_plural = _("case photos")
        ordering = ["stage", "pk"]

    def __str__(self) -> str:
        return self.sha256[:12]


# --- 邛海天窗 ----------------------------------------------------------------------------------


class Window(InUnit, models.Model):
    """A 邛海天窗 parcel to restore (clear and return to lake shore or wetland) within the
    ten-year programme."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="lake_windows"
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    area = _area(verbose_name=_("area to restore (m²)"))
    plan_year = models.PositiveSmallIntegerField(_("plan year"))
    status = models.CharField(
        _("status"), max_length=16, choices=WindowStatus.choices, default=WindowStatus.PLANNED
    )
    restored_area = _area(verbose_name=_("area restored (m²)"), default=Decimal(0))
    restored_on = models.DateField(_("restored on"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    geometry = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        verbose_name = _("天窗 parcel")
        verbose_name_plural = _("天窗 parcels")
        ordering = ["plan_year", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(area__gt=0), name="registers_window_area"),
            models.CheckConstraint(
                condition=Q(restored_area__gte=0) & Q(restored_area__lte=models.F("area")),
                name="registers_window_restored_area",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- 防返贫监测 --------------------------------------------------------------------------------


class MonitoredHousehold(OfHousehold, models.Model):
    """A household under poverty-relapse monitoring (防返贫监测户).

    ``review_due_on`` — the last review (or ``since``) plus the policy's interval — is kept
    by the review action, so the late list is one indexed range.
    """

    unit = models.ForeignKey(
        Unit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="monitored"
    )
    household = models.ForeignKey(
        "residents.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="monitoring",
    )
    kind = models.CharField(_("monitoring type"), max_length=16, choices=MonitorKind.choices)
    #: ``Risk`` values (one or more).
    risks = models.JSONField(_("risks"), default=list)
    since = models.DateField(_("monitored since"))
    members = models.PositiveSmallIntegerField(_("household members"), default=1)
    #: 人均纯收入 (yuan a year), as of the latest review.
    income_per_capita = _money(verbose_name=_("income per person (yuan a year)"))
    status = models.CharField(
        _("status"), max_length=16, choices=MonitorStatus.choices, default=MonitorStatus.MONITORING
    )
    removed_on = models.DateField(_("risk removed on"), null=True, blank=True)
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    review_due_on = models.DateField(_("next review due"), db_index=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = HouseholdRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("monitored household")
        verbose_name_plural = _("monitored households")
        ordering = ["review_due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status="monitoring"),
                name="registers_monitored_open_unique",
            ),
        ]

    def __str__(self) -> str:
        return str(self.household)


class Assistance(models.Model):
    """An assistance measure for a monitored household (帮扶措施)."""

    monitored = models.ForeignKey(
        MonitoredHousehold,
        verbose_name=_("monitored household"),
        on_delete=models.CASCADE,
        related_name="assistance",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AssistanceKind.choices)
    started_on = models.DateField(_("started on"))
    description = models.CharField(_("description"), max_length=255)
    amount = _money(verbose_name=_("amount (yuan)"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("entered by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assistance measure")
        verbose_name_plural = _("assistance measures")
        ordering = ["-started_on", "-pk"]

    def __str__(self) -> str:
        return self.description


class Review(models.Model):
    """A review visit of a monitored household (回访): income, whether the risk is gone."""

    monitored = models.ForeignKey(
        MonitoredHousehold,
        verbose_name=_("monitored household"),
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    reviewed_on = models.DateField(_("reviewed on"))
    income_per_capita = _money(verbose_name=_("income per person (yuan a year)"))
    risk_removed = models.BooleanField(_("risk removed"), default=False)
    note = models.CharField(_("note"), max_length=255, blank=True)
    reviewer = models.ForeignKey(
        USER, verbose_name=_("reviewer"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.monitored} {self.reviewed_on}"


# --- 村集体经济 --------------------------------------------------------------------------------


class CollectiveIncome(InUnit, models.Model):
    """A village's collective income of one year from one source (yuan)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="collective_income"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=16, choices=IncomeSource.choices)
    amount = _money(verbose_name=_("amount (yuan)"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        verbose_name = _("collective income")
        verbose_name_plural = _("collective income")
        ordering = ["unit", "-year", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "source"], name="registers_income_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="registers_income_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} {self.get_source_display()}"


class IncomeTarget(InUnit, models.Model):
    """A village's collective income target for a year (yuan), set by hand or taken from
    the supervised task of the cascade that carries it (``task_id``)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="income_targets"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = _money(verbose_name=_("target (yuan)"))
    #: ``supervision.Task`` id whose quantitative target this is, when it came from one.
    task_id = models.PositiveBigIntegerField(_("supervised task"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        verbose_name = _("collective income target")
        verbose_name_plural = _("collective income targets")
        ordering = ["unit", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="registers_target_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="registers_target_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}"

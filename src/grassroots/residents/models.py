"""The people and places of every grid (人、地、事、物 — what a 网格员 knows by heart) and
the care of those who need it (重点人群, 走访).

Every record hangs on a grid (``Unit`` of kind grid); a row is seen by whoever holds
``residents.view`` over the grid's path (its workers and the units above it). ID numbers
and phones are stored encrypted (``common.crypto``) with a blind index for lookups, and
shown masked everywhere.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.common.crypto import BlindIndexed, EncryptedCharField
from grassroots.common.masking import mask_id_number, mask_name, mask_phone
from grassroots.org.models import Unit
from grassroots.org.queries import ScopedQuerySet
from grassroots.residents.permissions import VIEW
from grassroots.residents.states import (
    Gender,
    HouseholdStatus,
    Met,
    PersonStatus,
    PlaceKind,
    Relationship,
    Residence,
)

USER = settings.AUTH_USER_MODEL


class OnGrid:
    """A record placed in the tree by its grid (``scope_paths`` for the permission checks)."""

    grid: Unit

    def scope_paths(self) -> tuple[str, ...]:
        return (self.grid.path,)


class GridQuerySet(ScopedQuerySet):
    """Rows placed by their grid, seen with ``residents.view``."""

    scope_path_fields = ("grid__path",)
    view_action = VIEW


class ResidentQuerySet(ScopedQuerySet):
    scope_path_fields = ("household__grid__path",)
    view_action = VIEW


class KeyGroup(models.Model):
    """A category of people who need care or attention (独居老人, 留守儿童, 残疾人, 低保/特困,
    防返贫监测户…), configured by the city, with how often they must be visited."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    description = models.CharField(_("description"), max_length=255, blank=True)
    #: A person in this group is due a visit this many days after the last one.
    visit_every_days = models.PositiveSmallIntegerField(_("visit every (days)"), default=30)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("key group")
        verbose_name_plural = _("key groups")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visit_every_days__gte=1), name="residents_keygroup_every_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Place(OnGrid, models.Model):
    """A building or place of the grid (小区、民房、出租大院、商铺企业…) with its manager."""

    grid = models.ForeignKey(
        Unit, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="places"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PlaceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    #: 负责人/房东/物业: who answers for the place.
    manager_name = models.CharField(_("manager"), max_length=64, blank=True)
    manager_phone = EncryptedCharField(_("manager's phone"), max_length=20, blank=True)
    #: Rooms let or people living there (出租大院), staff (企业): what the worker counts.
    capacity = models.PositiveIntegerField(_("rooms or people"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["grid", "kind", "name"]
        indexes = [models.Index(fields=["grid", "kind"], name="residents_place_grid_kind")]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_manager_phone(self) -> str:
        return mask_phone(self.manager_phone)


class Household(OnGrid, models.Model):
    """A household (户) of the grid. ``number`` (户号, from the household register or given
    by the village) is unique within the village."""

    grid = models.ForeignKey(
        Unit, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="households_kept"
    )
    #: The grid's village (kept with the grid): 户号 is unique within it.
    village = models.ForeignKey(
        Unit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("household number"), max_length=32)
    place = models.ForeignKey(
        Place,
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="households",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=HouseholdStatus.choices, default=HouseholdStatus.ACTIVE
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["grid", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "number"], name="residents_household_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Resident(BlindIndexed, models.Model):
    """A person of a household: registered (常住) or floating (流动), living here, moved out
    or deceased, with the dates."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField(_("name"), max_length=64)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    #: 身份证号, encrypted at rest; ``id_digest`` is its blind index (unique among the
    #: people living here).
    id_number = EncryptedCharField(_("ID number"), max_length=18, blank=True)
    id_digest = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    phone = EncryptedCharField(_("mobile phone"), max_length=20, blank=True)
    relationship = models.CharField(
        _("relationship to the head"), max_length=16, choices=Relationship.choices
    )
    residence = models.CharField(
        _("residence"), max_length=16, choices=Residence.choices, default=Residence.REGISTERED
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PersonStatus.choices, default=PersonStatus.PRESENT
    )
    moved_in_on = models.DateField(_("moved in on"), null=True, blank=True)
    moved_out_on = models.DateField(_("moved out on"), null=True, blank=True)
    died_on = models.DateField(_("died on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["household", "pk"]
        constraints = [
            # One person lives in one household at a time; their earlier rows (moved out,
            # elsewhere) keep the number for the history.
            models.UniqueConstraint(
                fields=["id_digest"],
                condition=~Q(id_digest="") & Q(status="present"),
                name="residents_resident_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.masked_name

    def scope_paths(self) -> tuple[str, ...]:
        return (self.household.grid.path,)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class KeyPerson(OnGrid, models.Model):
    """A resident in a key group (重点人群): in care from ``since`` until ``ended_on``.

    ``due_on`` is when the next visit is due — the last effective visit (or ``since``) plus
    the group's frequency — kept by the visit action, so that the overdue list is one
    indexed range over ``due_on``.
    """

    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.PROTECT, related_name="care"
    )
    group = models.ForeignKey(
        KeyGroup, verbose_name=_("key group"), on_delete=models.PROTECT, related_name="people"
    )
    #: The resident's grid (kept with the household's): where the care is owed.
    grid = models.ForeignKey(
        Unit, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateField(_("in care since"), default=timezone.localdate)
    ended_on = models.DateField(_("care ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason care ended"), max_length=255, blank=True)
    last_visit_on = models.DateField(_("last visited on"), null=True, blank=True)
    due_on = models.DateField(_("next visit due"), db_index=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = _("person in care")
        verbose_name_plural = _("people in care")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "group"],
                condition=Q(ended_on__isnull=True),
                name="residents_keyperson_open_unique",
            ),
        ]
        indexes = [models.Index(fields=["grid", "due_on"], name="residents_keyperson_due")]

    def __str__(self) -> str:
        return f"{self.resident} · {self.group}"


class Visit(OnGrid, models.Model):
    """A care visit (走访): when, who was met, what was found; a problem found opens an
    event (``event``)."""

    key_person = models.ForeignKey(
        KeyPerson, verbose_name=_("person in care"), on_delete=models.PROTECT, related_name="visits"
    )
    grid = models.ForeignKey(
        Unit, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    visitor = models.ForeignKey(
        USER, verbose_name=_("visitor"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    visited_on = models.DateField(_("visited on"), db_index=True)
    met = models.CharField(_("met"), max_length=16, choices=Met.choices)
    findings = models.TextField(_("what was found"), max_length=2000, blank=True)
    problem_found = models.BooleanField(_("a problem was found"), default=False)
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("event opened"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: The key used by the phone form (a retry of the same visit records it once).
    idempotency_key = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["visitor", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="residents_visit_idempotency",
            ),
        ]
        indexes = [models.Index(fields=["grid", "visited_on"], name="residents_visit_grid_day")]

    def __str__(self) -> str:
        return f"{self.key_person} {self.visited_on}"


class VisitPhoto(models.Model):
    """A photo of a visit, cleaned and stored by SHA-256 like the events' photos
    (``events.attachments``)."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="photos"
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    content_type = models.CharField(_("type"), max_length=32)
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.sha256[:12]

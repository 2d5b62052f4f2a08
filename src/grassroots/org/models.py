"""Units of the administrative tree, the people who log in, and the roles that bind them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from grassroots.common.crypto import EncryptedCharField
from grassroots.org.queries import MembershipQuerySet, UnitQuerySet

PATH_SEPARATOR = "."


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Province")  # 省
    PREFECTURE = "prefecture", _("Prefecture")  # 市/州
    COUNTY = "county", _("County")  # 县/区/县级市
    STREET = "street", _("Street")  # 街道
    TOWNSHIP = "township", _("Township")  # 镇/乡/苏木 and other township-level areas
    COMMUNITY = "community", _("Community")  # 社区 (居民委员会)
    VILLAGE = "village", _("Village")  # 村 (村民委员会)
    GRID = "grid", _("Grid")  # 网格
    DEPARTMENT = "department", _("Department")  # 职能部门


TOWNSHIP_LEVEL = frozenset({UnitKind.STREET, UnitKind.TOWNSHIP})
VILLAGE_LEVEL = frozenset({UnitKind.COMMUNITY, UnitKind.VILLAGE})


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("City supervision office")  # 市委目督办
    ORG_DEPARTMENT = "org_department", _("Organisation department")  # 组织部 (cadres)
    UNIT_LEADER = "unit_leader", _("Township leader")  # 乡镇(街道)党委书记
    VILLAGE_CADRE = "village_cadre", _("Village cadre")  # 村(社区)两委干部
    GRID_WORKER = "grid_worker", _("Grid worker")  # 网格员
    DEPARTMENT_STAFF = "department_staff", _("Department staff")  # 职能部门
    SUPERVISOR = "supervisor", _("Supervisor")  # 监督委员会 / 纪委
    RATER = "rater", _("Rater")  # 测评人
    RESIDENT = "resident", _("Resident")  # 群众


class User(AbstractUser):
    """A person who logs in. Real name and phone are personal data: shown masked."""

    full_name = models.CharField(_("real name"), max_length=64, blank=True)
    phone = EncryptedCharField(_("mobile phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Unit(models.Model):
    """One node of the tree: province down to grid, plus departments.

    ``path`` is the codes from the root joined by dots (``51.5134.513401.513401101``), so
    a subtree is one indexed prefix match on both SQLite and PostgreSQL.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # unique → on PostgreSQL Django adds a second, varchar_pattern_ops index ("…_like") that
    # answers "path LIKE 'x.%'" whatever the database collation; SQLite uses the unique one.
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    peer_group = models.CharField(
        _("peer group"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("Units with the same peer group are ranked against each other."),
    )
    population = models.PositiveIntegerField(_("population"), default=0)
    households = models.PositiveIntegerField(_("households"), default=0)
    geometry = models.JSONField(_("geometry (GeoJSON)"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["kind", "path"], name="org_unit_kind_path"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.path, self.depth = compute_path(self.code, self.parent)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "path", "depth"}
        super().save(*args, **kwargs)

    @property
    def scope_paths(self) -> tuple[str, ...]:
        return (self.path,)

    def ancestor_codes(self) -> list[str]:
        return self.path.split(PATH_SEPARATOR)[:-1]

    def ancestors(self) -> UnitQuerySet:
        return Unit.objects.filter(code__in=self.ancestor_codes()).order_by("depth")

    def contains(self, other: Unit) -> bool:
        return is_within(other.path, self.path)

    @cached_property
    def is_whole_tree(self) -> bool:
        """Whether this unit's subtree is every unit (it is the only root): then everything
        placed anywhere is in its area, and a path filter would only make the database
        check every row. One query for a root, none otherwise; kept on the instance."""
        return (
            self.parent_id is None
            and not Unit.objects.filter(parent=None).exclude(pk=self.pk).exists()
        )


def compute_path(code: str, parent: Unit | None) -> tuple[str, int]:
    if PATH_SEPARATOR in code:
        raise ValueError(f"unit code {code!r} must not contain {PATH_SEPARATOR!r}")
    if parent is None:
        return code, 0
    return f"{parent.path}{PATH_SEPARATOR}{code}", parent.depth + 1


def is_within(path: str, ancestor_path: str) -> bool:
    """True when ``path`` is ``ancestor_path`` itself or below it."""
    return path == ancestor_path or path.startswith(ancestor_path + PATH_SEPARATOR)


class Membership(models.Model):
    """A person holds one role in one unit for a period; scope is that unit's subtree."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    title = models.CharField(_("post title"), max_length=64, blank=True)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user_id", "unit__path", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role", "valid_from"], name="org_membership_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="org_membership_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    @property
    def scope_paths(self) -> tuple[str, ...]:
        return (self.unit.path,)

    def is_active_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

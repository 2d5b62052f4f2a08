"""The Django admin of the residents app.

Places, households, residents, care and visits are read-only here and limited to the
viewer's scope (``residents.view``): they change only through the actions. ID numbers and
phones are never shown as stored — only masked copies, in the lists and on the pages; the
encrypted columns and the blind index are left out. Key groups are edited here by the city
office (``residents.configure``), through ``actions.care.configure_key_group`` (checked and
audited like the settings page).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from grassroots.org.permissions import can
from grassroots.org.queries import grant_paths, scope_q
from grassroots.residents.actions.care import EVERY_MAX, configure_key_group
from grassroots.residents.errors import ResidentsError
from grassroots.residents.models import (
    Household,
    KeyGroup,
    KeyPerson,
    Place,
    Resident,
    Visit,
    VisitPhoto,
)
from grassroots.residents.permissions import CONFIGURE, VIEW

#: Stored values never shown (encrypted personal numbers, blind indexes, form keys).
SECRET_FIELDS = frozenset({"id_number", "id_digest", "phone", "manager_phone", "idempotency_key"})


class ScopedReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Listed and shown to those with ``residents.view``, within their scope; never
    changed here."""

    #: The path of the unit that places a row in the tree.
    scope_field = "grid__path"
    #: Masked copies shown in place of the secret fields (properties of the model).
    masked: tuple[str, ...] = ()
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        paths = grant_paths(request.user, VIEW)
        return super().get_queryset(request).filter(scope_q((self.scope_field,), paths))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        own = [
            f.name
            for f in self.model._meta.get_fields()
            if isinstance(f, models.Field) and f.concrete and f.name not in SECRET_FIELDS
        ]
        return [*own, *self.masked]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return tuple(self.get_readonly_fields(request, obj))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, VIEW)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, VIEW)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.display(description=_("manager's phone"))
def masked_manager_phone(obj: Place) -> str:
    return obj.masked_manager_phone


@admin.register(Place)
class PlaceAdmin(ScopedReadOnlyAdmin):
    list_display = ("name", "kind", "grid", masked_manager_phone, "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "address")
    list_select_related = ("grid",)
    masked = ("masked_manager_phone",)


@admin.register(Household)
class HouseholdAdmin(ScopedReadOnlyAdmin):
    list_display = ("number", "village", "grid", "address", "status")
    list_filter = ("status",)
    search_fields = ("number", "address")
    list_select_related = ("grid", "village")


@admin.display(description=_("ID number"))
def masked_id_number(obj: Resident) -> str:
    return obj.masked_id_number


@admin.display(description=_("mobile phone"))
def masked_phone(obj: Resident) -> str:
    return obj.masked_phone


@admin.register(Resident)
class ResidentAdmin(ScopedReadOnlyAdmin):
    scope_field = "household__grid__path"
    list_display = (
        "name",
        masked_id_number,
        masked_phone,
        "household",
        "relationship",
        "residence",
        "status",
    )
    list_filter = ("status", "residence")
    search_fields = ("name", "household__number")
    list_select_related = ("household",)
    masked = ("masked_id_number", "masked_phone")


@admin.register(KeyPerson)
class KeyPersonAdmin(ScopedReadOnlyAdmin):
    list_display = ("resident", "group", "grid", "since", "last_visit_on", "due_on", "ended_on")
    list_filter = ("group",)
    search_fields = ("resident__name",)
    list_select_related = ("resident", "group", "grid")


@admin.register(Visit)
class VisitAdmin(ScopedReadOnlyAdmin):
    list_display = ("visited_on", "key_person", "met", "problem_found", "visitor", "grid")
    list_filter = ("met", "problem_found")
    list_select_related = ("key_person__resident", "key_person__group", "visitor", "grid")
    date_hierarchy = "visited_on"


@admin.register(VisitPhoto)
class VisitPhotoAdmin(ScopedReadOnlyAdmin):
    scope_field = "visit__grid__path"
    list_display = ("sha256", "content_type", "size", "visit", "created_at")
    list_select_related = ("visit__key_person__resident", "visit__key_person__group")


class KeyGroupForm(forms.ModelForm[KeyGroup]):
    visit_every_days = forms.IntegerField(
        label=_("visit every (days)"), min_value=1, max_value=EVERY_MAX
    )

    class Meta:
        model = KeyGroup
        fields = ("code", "name", "description", "visit_every_days", "order", "active")


@admin.register(KeyGroup)
class KeyGroupAdmin(admin.ModelAdmin[KeyGroup]):
    """Key groups: edited by the city office, saved through the action."""

    form = KeyGroupForm
    list_display = ("name", "code", "visit_every_days", "order", "active")
    list_editable = ()
    list_filter = ("active",)
    search_fields = ("name", "code")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, VIEW) or can(request.user, CONFIGURE)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, VIEW) or can(request.user, CONFIGURE)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can(request.user, CONFIGURE)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, CONFIGURE)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: KeyGroup, form: Any, change: bool) -> None:
        existing = KeyGroup.objects.filter(pk=obj.pk).first() if change else None
        try:
            saved = configure_key_group(
                actor=request.user,  # type: ignore[arg-type]
                group=existing,
                code=obj.code,
                name=obj.name,
                description=obj.description,
                visit_every_days=obj.visit_every_days,
                order=obj.order,
                active=obj.active,
            )
        except ResidentsError as exc:
            messages.error(request, str(exc.message))
            return
        obj.pk = saved.pk

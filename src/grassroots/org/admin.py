"""The Django admin for units, people and memberships: scoped, and writing through actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from grassroots.org import actions
from grassroots.org.errors import OrgError
from grassroots.org.models import Membership, Unit, User
from grassroots.org.permissions import can


class ScopedAdminMixin:
    """Admin permissions from the platform's roles (``can``), not Django's model perms.

    The admin site still needs ``is_staff``; what a staff member may see and change is
    what their memberships grant, in their subtree.
    """

    view_action = ""
    change_action = ""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, self.view_action)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, self.view_action, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return can(request.user, self.change_action)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, self.change_action, obj)


def _fail(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, str(getattr(exc, "message", exc)))


class ScopedMembershipFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    """Refuses, field by field, a membership in a unit outside the editor's scope."""

    request: HttpRequest

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            unit = form.cleaned_data.get("unit") if hasattr(form, "cleaned_data") else None
            if (
                unit is not None
                and form.has_changed()
                and not can(self.request.user, "org.manage_membership", unit)
            ):
                form.add_error("unit", _("You may not assign roles in this unit."))


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    formset = ScopedMembershipFormSet

    def get_formset(self, request: HttpRequest, obj: User | None = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request  # type: ignore[attr-defined]
        return formset

    fk_name = "user"
    extra = 0
    autocomplete_fields = ["unit"]
    fields = ["unit", "role", "title", "valid_from", "valid_to"]


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin[User]):
    view_action = "org.manage_membership"
    change_action = "org.manage_membership"
    list_display = ["username", "full_name", "is_active", "is_staff", "last_login"]
    search_fields = ["username", "full_name"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Person"), {"fields": ("full_name", "phone")}),
    )
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        # People with a role in the editor's subtree, and accounts not yet given any role
        # (so that a new account can be completed after the first admin step).
        units = Unit.objects.visible_to(request.user, "org.manage_membership")
        return qs.filter(
            Q(memberships__unit__in=units) | Q(memberships__isnull=True), is_superuser=False
        ).distinct()

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # Only a system administrator hands out staff or superuser rights.
        hidden = {"is_superuser", "is_staff", "groups", "user_permissions"}
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]})
            for name, opts in fieldsets
        ]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        actor: User = request.user  # type: ignore[assignment]
        user: User = form.instance
        try:
            for obj in formset.deleted_objects:
                actions.end_membership(obj.pk, actor=actor)
            for inline_form in formset.forms:
                if inline_form in formset.deleted_forms or not inline_form.has_changed():
                    continue
                data = inline_form.cleaned_data
                if inline_form.instance.pk is None:
                    actions.grant_membership(
                        actor=actor,
                        user=user,
                        unit=data["unit"],
                        role=data["role"],
                        title=data.get("title", ""),
                        valid_from=data.get("valid_from"),
                        valid_to=data.get("valid_to"),
                    )
                else:
                    changes = {
                        f: data[f]
                        for f in inline_form.changed_data
                        if f in {"title", "valid_from", "valid_to"}
                    }
                    if changes:
                        actions.change_membership(
                            inline_form.instance.pk, actor=actor, changes=changes
                        )
        except (OrgError, PermissionDenied) as exc:
            _fail(request, exc)


class UnitForm(ModelForm[Unit]):
    request: HttpRequest

    def clean_parent(self) -> Unit | None:
        parent: Unit | None = self.cleaned_data.get("parent")
        user = self.request.user
        if parent is None and not user.is_superuser:
            raise ValidationError(_("Only a system administrator may add a top-level unit."))
        if parent is not None and not can(user, "org.change_unit", parent):
            raise ValidationError(_("You may not add or move units below this unit."))
        if parent is not None and self.instance.pk and self.instance.contains(parent):
            raise ValidationError(_("A unit cannot be moved below itself."))
        return parent

    class Meta:
        model = Unit
        fields = [
            "code",
            "name",
            "kind",
            "parent",
            "peer_group",
            "population",
            "households",
            "geometry",
            "active",
        ]


@admin.register(Unit)
class UnitAdmin(ScopedAdminMixin, admin.ModelAdmin[Unit]):
    view_action = "org.view_unit"
    change_action = "org.change_unit"
    form = UnitForm
    list_display = ["name", "code", "kind", "parent", "households", "population", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth"]
    list_per_page = 50
    show_full_result_count = False

    def get_form(
        self, request: HttpRequest, obj: Unit | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request = request  # type: ignore[attr-defined]
        return form

    def get_queryset(self, request: HttpRequest) -> QuerySet[Unit]:
        return Unit.objects.visible_to(request.user).select_related("parent").defer("geometry")

    def get_readonly_fields(self, request: HttpRequest, obj: Unit | None = None) -> Any:
        # The statistics bureau's code identifies a unit for good.
        return ["code", "path", "depth"] if obj is not None else ["path", "depth"]

    def has_change_permission(self, request: HttpRequest, obj: Unit | None = None) -> bool:
        return (
            can(request.user, "org.change_unit", obj)
            if obj
            else super().has_change_permission(request)
        )

    def has_delete_permission(self, request: HttpRequest, obj: Unit | None = None) -> bool:
        return False  # units are deactivated, never deleted: records keep pointing at them

    def save_model(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        actor: User = request.user  # type: ignore[assignment]
        data = form.cleaned_data
        try:
            if change:
                changes = {f: data[f] for f in form.changed_data if f != "code"}
                saved = actions.update_unit(obj.pk, actor=actor, changes=changes)
            else:
                fields = {
                    f: data[f]
                    for f in actions.UNIT_FIELDS
                    if f in data and f != "name" and f != "kind"
                }
                saved = actions.create_unit(
                    actor=actor,
                    code=data["code"],
                    name=data["name"],
                    kind=data["kind"],
                    parent=data["parent"],
                    **fields,
                )
            obj.pk = saved.pk
        except (OrgError, PermissionDenied) as exc:
            _fail(request, exc)
            raise


@admin.register(Membership)
class MembershipAdmin(ScopedAdminMixin, admin.ModelAdmin[Membership]):
    view_action = "org.manage_membership"
    change_action = "org.manage_membership"
    list_display = ["user", "role", "unit", "title", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return Membership.objects.visible_to(request.user, "org.manage_membership").select_related(
            "user", "unit"
        )

    def has_delete_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return False  # end a membership (valid_to) instead: history stays

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        actor: User = request.user  # type: ignore[assignment]
        data = form.cleaned_data
        if change:
            changes = {
                f: data[f] for f in form.changed_data if f in {"title", "valid_from", "valid_to"}
            }
            saved = actions.change_membership(obj.pk, actor=actor, changes=changes)
        else:
            saved = actions.grant_membership(
                actor=actor,
                user=data["user"],
                unit=data["unit"],
                role=data["role"],
                title=data.get("title", ""),
                valid_from=data.get("valid_from"),
                valid_to=data.get("valid_to"),
            )
        obj.pk = saved.pk

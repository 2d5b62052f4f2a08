"""The Django admin for events: categories are edited here (through an audited action);
events are shown read-only, in the viewer's scope — they change only through actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from grassroots.common.http import user_of
from grassroots.common.masking import mask_name, mask_phone
from grassroots.events.actions.categories import MANAGE, save_category
from grassroots.events.models import Category, Event, EventAction
from grassroots.org.permissions import can


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = [
        "code",
        "name",
        "parent",
        "default_department",
        "response_hours",
        "resolve_workdays",
        "public",
        "active",
        "order",
    ]
    list_filter = ["active", "public", ("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name", "keywords"]
    list_select_related = ["parent", "default_department"]
    autocomplete_fields = ["default_department"]
    fields = [
        "code",
        "name",
        "parent",
        "description",
        "default_department",
        "response_hours",
        "resolve_workdays",
        "public",
        "keywords",
        "attributes",
        "active",
        "order",
    ]
    list_per_page = 100

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, MANAGE)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, MANAGE)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can(request.user, MANAGE)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, MANAGE)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Events keep their category: retire one by clearing "active" instead.
        return False

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        save_category(obj, actor=user_of(request))


class EventActionInline(admin.TabularInline[EventAction, Event]):
    model = EventAction
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "from_status", "to_status", "actor", "actor_unit", "note")
    readonly_fields = fields
    ordering = ["created_at", "id"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[EventAction]:
        return super().get_queryset(request).select_related("actor", "actor_unit")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    """Read-only: the status machine is enforced by the actions, never by a form."""

    list_display = [
        "number",
        "title",
        "category",
        "status",
        "assignee",
        "reported_at",
        "resolve_by",
        "escalation_level",
    ]
    list_filter = ["status", "source", "escalation_level"]
    search_fields = ["number", "title", "address"]
    list_select_related = ["category", "category__parent", "assignee"]
    date_hierarchy = "reported_at"
    show_full_result_count = False
    list_per_page = 50
    inlines = [EventActionInline]
    fields = (
        "number",
        "title",
        "description",
        "category",
        "source",
        "attributes",
        "reporter_masked",
        "contact_name_masked",
        "contact_phone_masked",
        "lat",
        "lon",
        "address",
        "grid",
        "village",
        "township",
        "status",
        "assignee",
        "dispatcher",
        "respond_by",
        "resolve_by",
        "escalation_level",
        "satisfaction",
        "reopen_count",
        "rework_count",
        "return_count",
        "reported_at",
        "responded_at",
        "accepted_at",
        "dispatched_at",
        "resolved_at",
        "verified_at",
        "closed_at",
        "rated_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        qs: QuerySet[Event] = Event.objects.visible_to(request.user)
        return qs.select_related(
            "category", "category__parent", "assignee", "dispatcher", "grid", "village"
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, "events.view")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, "events.view", obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("reported by"))
    def reporter_masked(self, obj: Event) -> str:
        return mask_name(str(obj.reporter)) if obj.reporter_id else "—"

    @admin.display(description=_("contact name"))
    def contact_name_masked(self, obj: Event) -> str:
        return mask_name(obj.contact_name) if obj.contact_name else "—"

    @admin.display(description=_("contact phone"))
    def contact_phone_masked(self, obj: Event) -> str:
        return mask_phone(obj.contact_phone) if obj.contact_phone else "—"

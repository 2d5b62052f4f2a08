"""Read-only admin: the audit log is written by actions and the sealer, never by hand."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from grassroots.audit.models import AuditBlock, AuditEntry


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "unit_path",
        "seq",
    )
    list_filter = ("action", ("created_at", admin.DateFieldListFilter))
    search_fields = ("=object_id", "actor_label", "actor__username", "object_repr")
    date_hierarchy = "created_at"
    list_select_related = ("actor",)
    show_full_result_count = False
    ordering = ("-id",)
    readonly_fields = (
        "created_at",
        "actor",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "unit_path",
        "before",
        "after",
        "note",
        "seq",
        "prev_hash",
        "entry_hash",
        "block",
    )


@admin.register(AuditBlock)
class AuditBlockAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "first_seq",
        "last_seq",
        "count",
        "sealed_at",
        "hash_algorithm",
        "block_hash",
    )
    list_filter = (("sealed_at", admin.DateFieldListFilter),)
    search_fields = ("=number", "block_hash")
    ordering = ("-number",)
    readonly_fields = (
        "number",
        "first_seq",
        "last_seq",
        "count",
        "prev_block_hash",
        "last_entry_hash",
        "block_hash",
        "sealed_at",
        "drained",
        "hash_algorithm",
    )

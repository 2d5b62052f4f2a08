"""Open311 API keys in the admin: issued here (the key is shown once), revoked by action.

A key is never edited: it is issued with a name and later revoked. Both go through the
audited actions (``open311.actions``) and need ``open311.manage_keys`` (the city office).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_lazy

from grassroots.common.http import user_of
from grassroots.open311 import actions
from grassroots.open311.models import ApiKey

SHOWN = ["name", "prefix", "active", "created_by", "created_at", "last_used_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    list_display = ["name", "prefix", "active", "created_by", "created_at", "last_used_at"]
    list_filter = ["active"]
    search_fields = ["name", "prefix"]
    actions = ["revoke"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return actions.may_manage_keys(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return actions.may_manage_keys(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return actions.may_manage_keys(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The change form only shows a key; revoking is the list's action.
        return obj is None and actions.may_manage_keys(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the audit log keeps pointing at the key

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return ["name"] if obj is None else SHOWN

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else SHOWN

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            return
        issued = actions.issue_api_key(name=obj.name, actor=user_of(request))
        # The admin goes on with ``obj`` (the message, the redirect): make it the new row.
        for model_field in ApiKey._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(issued.api_key, model_field.attname))
        obj._state.adding = False
        obj._state.db = issued.api_key._state.db
        messages.warning(
            request,
            gettext("The key of “%(name)s” is %(key)s — copy it now: it is shown only this once.")
            % {"name": obj.name, "key": issued.key},
        )

    @admin.action(description=gettext_lazy("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        actor = user_of(request)
        count = 0
        for api_key in queryset.filter(active=True):
            actions.revoke_api_key(api_key.pk, actor=actor)
            count += 1
        self.message_user(request, gettext("%(count)d keys revoked.") % {"count": count})

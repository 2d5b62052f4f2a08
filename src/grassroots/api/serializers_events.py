"""Serializers of the event endpoints: what programs read of events, and what they send.

Personal data: the contact's name and phone (and the name of a reporter who is not staff)
are masked unless the caller may dispatch the event (``events.dispatch`` over it), as on
the pages.
"""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grassroots.common.masking import mask_name, mask_phone
from grassroots.events.models import (
    Attachment,
    Category,
    Event,
    EventAction,
    EventSource,
    Satisfaction,
)
from grassroots.events.states import OPEN_STATUSES, EventStatus
from grassroots.org.models import Unit, UnitKind
from grassroots.org.permissions import can

#: Sources a program may report with (Open311 and imports have their own doors).
API_SOURCES = [EventSource.PATROL, EventSource.RESIDENT, EventSource.HOTLINE]


# Output serializers are plain ``Serializer`` classes with every field declared: they are
# the API's contract, and they skip the model introspection a ModelSerializer repeats for
# every instance it is created for (a detail answer nests a dozen of them).


class UnitRefSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=UnitKind.choices, read_only=True)


class CategoryRefSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


@extend_schema_field(UnitRefSerializer)
class UnitRefField(serializers.Field[Any, Any, dict[str, str], Any]):
    """A unit as ``{code, name, kind}`` (read only; documented as ``UnitRef``).

    The same output as a nested ``UnitRefSerializer``, without building a serializer and its
    fields for every reference: an event answer holds six of them.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Any) -> dict[str, str]:
        return {"code": value.code, "name": value.name, "kind": value.kind}


@extend_schema_field(CategoryRefSerializer)
class CategoryRefField(serializers.Field[Any, Any, dict[str, str], Any]):
    """A category as ``{code, name}`` (read only; documented as ``CategoryRef``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Any) -> dict[str, str]:
        return {"code": value.code, "name": value.name}


class CategorySerializer(serializers.Serializer[Any]):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    parent_code = serializers.CharField(
        source="parent.code", read_only=True, default=None, allow_null=True
    )
    description = serializers.CharField(read_only=True)
    default_department = serializers.CharField(
        source="default_department.code",
        read_only=True,
        default=None,
        allow_null=True,
        help_text="code of the department that usually handles it",
    )
    response_hours = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        read_only=True,
        help_text="response deadline (working hours)",
    )
    resolve_workdays = serializers.IntegerField(
        read_only=True, help_text="handling deadline (working days)"
    )
    public = serializers.BooleanField(
        read_only=True, help_text="offered to residents and as an Open311 service"
    )
    keywords = serializers.CharField(read_only=True)
    attributes = serializers.SerializerMethodField(help_text="Open311 attribute definitions")
    order = serializers.IntegerField(read_only=True)

    @extend_schema_field(
        {"type": "array", "items": {"type": "object", "additionalProperties": True}}
    )
    def get_attributes(self, category: Category) -> list[dict[str, Any]]:
        return list(category.attributes or [])


def _may_dispatch(context: dict[str, Any], event: Event) -> bool:
    cache: dict[int, bool] = context.setdefault("_may_dispatch", {})
    if event.pk not in cache:
        cache[event.pk] = can(context["request"].user, "events.dispatch", event)
    return cache[event.pk]


class AttachmentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    action_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="the timeline line the photo came with"
    )
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True, help_text="bytes")
    sha256 = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    url = serializers.SerializerMethodField(help_text="the file")

    def get_url(self, attachment: Attachment) -> str:
        path = reverse("api:attachment-detail", kwargs={"pk": attachment.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


def photos_of(action: EventAction) -> list[Attachment]:
    """The photos of a timeline line: set by the event's serializer from one prefetch."""
    photos: list[Attachment] | None = getattr(action, "photos", None)
    return list(action.attachments.all()) if photos is None else photos


class EventActionSerializer(serializers.Serializer[Any]):
    """One line of the timeline."""

    id = serializers.IntegerField(read_only=True)
    # Plain text, not enums, so that the OpenAPI document names each choice set once.
    action = serializers.CharField(
        source="kind", read_only=True, help_text="what happened: report, accept, dispatch, …"
    )
    action_display = serializers.CharField(source="get_kind_display", read_only=True)
    from_status = serializers.CharField(
        read_only=True, help_text="status before the line (empty when it did not move)"
    )
    to_status = serializers.CharField(
        read_only=True, help_text="status after the line (empty when it did not move)"
    )
    actor = serializers.SerializerMethodField()
    actor_unit = UnitRefField(allow_null=True)
    note = serializers.CharField(read_only=True)
    details = serializers.JSONField(source="data", read_only=True, help_text="details of the line")
    created_at = serializers.DateTimeField(read_only=True)
    attachments = serializers.SerializerMethodField()

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, action: EventAction) -> list[dict[str, Any]]:
        photos = photos_of(action)
        if not photos:
            return []
        # One serializer for the photos of every line: its fields are built once.
        child = self.context.get("_attachment_serializer")
        if child is None:
            child = AttachmentSerializer(context=self.context)
            self.context["_attachment_serializer"] = child
        return [child.to_representation(photo) for photo in photos]

    def get_actor(self, action: EventAction) -> str | None:
        if action.actor is None:
            return None
        name = action.actor.display_name
        event = self.context.get("event")
        # A reporter without a post (a resident) is personal data like the contact.
        if (
            event is not None
            and action.actor_id == event.reporter_id
            and action.actor_unit_id is None
            and not _may_dispatch(self.context, event)
        ):
            return mask_name(name)
        return name


class EventSerializer(serializers.Serializer[Any]):
    """An event in a list."""

    number = serializers.CharField(read_only=True)
    url = serializers.HyperlinkedIdentityField(
        view_name="api:event-detail", lookup_field="number", read_only=True
    )
    title = serializers.CharField(read_only=True)
    category = CategoryRefField()
    source = serializers.ChoiceField(choices=EventSource.choices, read_only=True)  # type: ignore[assignment]  # a field named "source"
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    status = serializers.ChoiceField(choices=EventStatus.choices, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.SerializerMethodField()
    grid = UnitRefField(allow_null=True)
    village = UnitRefField(allow_null=True)
    township = UnitRefField(allow_null=True)
    assignee = UnitRefField(help_text="the unit that must act now")
    dispatcher = UnitRefField(help_text="the unit that dispatches and verifies")
    address = serializers.CharField(read_only=True)
    lat = serializers.FloatField(read_only=True, allow_null=True)
    lon = serializers.FloatField(read_only=True, allow_null=True)
    contact_name = serializers.SerializerMethodField(help_text="masked unless you dispatch it")
    contact_phone = serializers.SerializerMethodField(help_text="masked unless you dispatch it")
    respond_by = serializers.DateTimeField(read_only=True, allow_null=True)
    resolve_by = serializers.DateTimeField(read_only=True, allow_null=True)
    escalation_level = serializers.IntegerField(read_only=True)
    satisfaction = serializers.ChoiceField(
        choices=Satisfaction.choices,
        allow_blank=True,
        read_only=True,
        help_text="the resident's rating; empty until rated",
    )
    reopen_count = serializers.IntegerField(read_only=True)
    reported_at = serializers.DateTimeField(read_only=True)
    responded_at = serializers.DateTimeField(read_only=True, allow_null=True)
    accepted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    dispatched_at = serializers.DateTimeField(read_only=True, allow_null=True)
    resolved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    verified_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_overdue(self, event: Event) -> bool:
        """Open and past the handling deadline (derived, as ``EventQuerySet.overdue``)."""
        now = self.context.setdefault("_now", timezone.now())
        return bool(
            event.status in OPEN_STATUSES
            and event.resolve_by is not None
            and event.resolve_by < now
        )

    def get_contact_name(self, event: Event) -> str:
        if not event.contact_name or _may_dispatch(self.context, event):
            return event.contact_name
        return mask_name(event.contact_name)

    def get_contact_phone(self, event: Event) -> str:
        if not event.contact_phone or _may_dispatch(self.context, event):
            return str(event.contact_phone)
        return mask_phone(str(event.contact_phone))


class EventDetailSerializer(EventSerializer):
    """One event, with its timeline and photos."""

    description = serializers.CharField(read_only=True)
    attributes = serializers.JSONField(read_only=True, help_text="answers to the attributes")
    rework_count = serializers.IntegerField(read_only=True)
    return_count = serializers.IntegerField(read_only=True)
    timeline = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    @extend_schema_field(EventActionSerializer(many=True))
    def get_timeline(self, event: Event) -> list[dict[str, Any]]:
        actions = timeline_of(event)
        context = {**self.context, "event": event}
        return list(EventActionSerializer(actions, many=True, context=context).data)

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, event: Event) -> list[dict[str, Any]]:
        fresh: list[EventAction] | None = getattr(event, "fresh_timeline", None)
        photos = (
            [photo for action in fresh for photo in photos_of(action)]
            if fresh is not None
            else event.attachments.all()
        )
        return list(AttachmentSerializer(photos, many=True, context=self.context).data)


def timeline_of(event: Event) -> list[EventAction]:
    """The event's timeline lines, each with its ``photos``.

    A just-reported event carries its timeline (``fresh_timeline``, set by
    ``events.actions.report_event``) and needs no query; otherwise from the prefetched
    ``actions`` and ``attachments``, grouped once per event.
    """
    fresh: list[EventAction] | None = getattr(event, "fresh_timeline", None)
    if fresh is not None:
        return fresh
    cached: list[EventAction] | None = getattr(event, "_timeline_lines", None)
    if cached is not None:
        return cached
    photos: dict[int | None, list[Attachment]] = {}
    for attachment in event.attachments.all():
        photos.setdefault(attachment.action_id, []).append(attachment)
    actions = list(event.actions.all())
    for action in actions:
        action.photos = photos.get(action.pk, [])  # type: ignore[attr-defined]
    event._timeline_lines = actions  # type: ignore[attr-defined]
    return actions


# --- input ------------------------------------------------------------------------------


@extend_schema_field({"type": "object", "additionalProperties": True})
class JSONObjectField(serializers.Field[dict[str, Any], Any, Any, Any]):
    """A JSON object, sent as one in a JSON body or as JSON text in a form field."""

    default_error_messages = {"invalid": "Enter a JSON object."}

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else {}
            except ValueError:
                self.fail("invalid")
        if not isinstance(data, dict):
            self.fail("invalid")
        return data

    def to_representation(self, value: dict[str, Any]) -> Any:
        return value


class PhotosMixin(serializers.Serializer[Any]):
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="JPEG, PNG or WebP"
    )


class EventCreateSerializer(PhotosMixin):
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.active(), help_text="category code"
    )
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    source = serializers.CharField(  # type: ignore[assignment]  # a field named "source"
        default=EventSource.PATROL,
        help_text="patrol (巡查发现, the default), resident (群众上报) or hotline (12345)",
    )
    lat = serializers.FloatField(required=False, allow_null=True, default=None)
    lon = serializers.FloatField(required=False, allow_null=True, default=None)
    address = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    unit = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Unit.objects.filter(active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text="code of the unit where the event is, when no position is given",
    )
    contact_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=64
    )
    contact_phone = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20
    )
    attributes = JSONObjectField(required=False, default=dict)
    reported_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate_source(self, value: str) -> str:
        if value not in API_SOURCES:
            raise serializers.ValidationError(
                _("Choose patrol, resident or hotline: other sources have their own doors.")
            )
        return value


class NoteSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RequiredNoteSerializer(PhotosMixin):
    note = serializers.CharField()


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()


class DispatchSerializer(serializers.Serializer[Any]):
    to_unit = serializers.SlugRelatedField(
        slug_field="code", queryset=Unit.objects.filter(active=True), help_text="unit code"
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    resolve_by = serializers.DateTimeField(required=False, allow_null=True, default=None)


class VerifySerializer(serializers.Serializer[Any]):
    passed = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DeadlineSerializer(serializers.Serializer[Any]):
    resolve_by = serializers.DateTimeField()
    reason = serializers.CharField()


class CommentSerializer(PhotosMixin):
    note = serializers.CharField()


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    code = serializers.CharField(required=False)


class EventFilterSerializer(serializers.Serializer[Any]):
    """Query parameters of the event list."""

    status = serializers.CharField(
        required=False, help_text="status, or several separated by commas"
    )
    category = serializers.CharField(
        required=False, help_text="category code (its sub-categories included)"
    )
    grid = serializers.CharField(required=False, help_text="grid code")
    within = serializers.CharField(
        required=False, help_text="unit code: events whose place lies in its subtree"
    )
    assignee = serializers.CharField(required=False, help_text="code of the assigned unit")
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a field named "source"
        choices=EventSource.choices, required=False
    )
    reported_after = serializers.DateTimeField(required=False, help_text="reported at or after")
    reported_before = serializers.DateTimeField(required=False, help_text="reported before")
    overdue = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="open and past the deadline"
    )
    ordering = serializers.ChoiceField(
        choices=["-reported_at", "reported_at", "resolve_by", "-resolve_by"],
        required=False,
        default="-reported_at",
    )

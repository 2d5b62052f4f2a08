"""REST endpoints of events: categories, events (list, detail with timeline, report), the
actions on an event as POST sub-routes, and photos.

Thin: parse (serializers), find the event in the caller's scope (``visible_to``: anything
else is 404), call one action of ``events.actions``, render. The actions check the
caller's grant (403), the allowed move (409) and the input (400, naming the field). Every
write honours ``Idempotency-Key`` (``api.idempotency``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import FileResponse, Http404
from django.utils.http import http_date
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.api import serializers_events as s
from grassroots.api.exceptions import DomainErrorsMixin
from grassroots.api.idempotency import idempotent, request_key
from grassroots.events import actions
from grassroots.events.attachments import photo_path
from grassroots.events.models import Attachment, Category, Event, EventAction
from grassroots.events.queries import EventQuerySet
from grassroots.events.states import EventStatus
from grassroots.org.models import Unit, User
from grassroots.org.queries import subtree_q

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="A key of the client's choosing (at most 64 characters): a retry with the "
    "same key and request gets the first answer back; another request with it gets 422.",
)
ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="bad input: {field: [message]}"),
    403: OpenApiResponse(s.ErrorSerializer, description="not allowed for the caller"),
    404: OpenApiResponse(s.ErrorSerializer, description="no such event in the caller's scope"),
    409: OpenApiResponse(
        s.ErrorSerializer, description="not allowed in the event's status, or lost a race"
    ),
    422: OpenApiResponse(
        s.ErrorSerializer, description="Idempotency-Key already used for another request"
    ),
}
MULTIPART = "multipart/form-data"
JSON = "application/json"


def _user(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


@extend_schema_view(
    list=extend_schema(
        summary="Event categories",
        parameters=[
            OpenApiParameter("public", bool, description="only those offered to residents"),
        ],
    ),
    retrieve=extend_schema(summary="One event category"),
)
class CategoryViewSet(viewsets.ReadOnlyModelViewSet[Category]):
    """The active categories of events, with their deadlines and Open311 attributes."""

    serializer_class = s.CategorySerializer
    lookup_field = "code"
    lookup_value_regex = r"[0-9A-Za-z_.-]+"

    def get_queryset(self) -> QuerySet[Category]:
        qs = Category.objects.active().select_related("parent", "default_department")
        if self.request.query_params.get("public") in ("true", "1"):
            qs = qs.filter(public=True)
        return qs.order_by("order", "code")


def _timeline_prefetch() -> list[Any]:
    return [
        Prefetch(
            "actions",
            queryset=EventAction.objects.select_related("actor", "actor_unit").order_by(
                "created_at", "id"
            ),
        ),
        Prefetch("attachments", queryset=Attachment.objects.order_by("id")),
    ]


def _note_action(
    summary: str, request: type[serializers.Serializer[Any]], *, photos: bool = False
) -> Callable[[Any], Any]:
    """The schema of an action sub-route: its input, the event back, the errors."""
    body: Any = {MULTIPART: request, JSON: request} if photos else request
    return extend_schema(
        summary=summary,
        request=body,
        responses={200: s.EventDetailSerializer, **ERRORS},
        parameters=[IDEMPOTENCY_HEADER],
    )


Perform = Callable[[Event, User, dict[str, Any]], Event]


def _verb(
    name: str,
    summary: str,
    request: type[serializers.Serializer[Any]],
    perform: Perform,
    *,
    url_path: str | None = None,
    photos: bool = False,
) -> Any:
    """The POST sub-route ``/events/{number}/<url_path or name>/`` of one verb: parse the
    body with ``request``, call ``perform(event, user, params)`` (one action), answer the
    event with its timeline; honours ``Idempotency-Key``; documented with ``summary``."""

    def handler(self: EventViewSet, request_: Request, number: str) -> Response:
        return self._act(request, perform)

    # DRF routes a POST to the method of this name: it must be the class attribute's.
    handler.__name__ = handler.__qualname__ = name
    route = url_path or name
    routed = action(detail=True, methods=["post"], url_path=route, url_name=route)(
        idempotent(handler)
    )
    return _note_action(summary, request, photos=photos)(routed)


@extend_schema_view(
    list=extend_schema(
        summary="Events in the caller's scope", parameters=[s.EventFilterSerializer]
    ),
    retrieve=extend_schema(summary="One event with its timeline and photos"),
)
class EventViewSet(
    DomainErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Event],
):
    """Events the caller may see (their place or their assigned unit in the caller's
    subtrees); actions on one event as POST sub-routes."""

    lookup_field = "number"
    lookup_value_regex = r"[0-9A-Za-z_-]+"

    def get_serializer_class(self) -> Any:
        if self.action == "list":
            return s.EventSerializer
        return s.EventDetailSerializer

    def get_queryset(self) -> QuerySet[Event]:
        qs = Event.objects.visible_to(self.request.user).select_related(
            "category", "grid", "village", "township", "assignee", "dispatcher"
        )
        if self.action == "list":
            return self._filtered(qs)
        return qs.prefetch_related(*_timeline_prefetch())

    def _filtered(self, qs: EventQuerySet) -> EventQuerySet:
        params = s.EventFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        f = params.validated_data
        if raw := f.get("status"):
            statuses = [part.strip() for part in raw.split(",") if part.strip()]
            bad = [x for x in statuses if x not in EventStatus.values]
            if bad:
                raise ValidationError(
                    {"status": [_("Unknown status “%(status)s”.") % {"status": bad[0]}]}
                )
            qs = qs.filter(status__in=statuses)
        if code := f.get("category"):
            qs = qs.filter(Q(category__code=code) | Q(category__parent__code=code))
        if code := f.get("grid"):
            qs = qs.filter(grid__code=code)
        if code := f.get("within"):
            unit = Unit.objects.filter(code=code).only("path").first()
            qs = qs.filter(subtree_q("area_path", unit.path)) if unit else qs.none()
        if code := f.get("assignee"):
            qs = qs.filter(assignee__code=code)
        if source := f.get("source"):
            qs = qs.filter(source=source)
        if after := f.get("reported_after"):
            qs = qs.filter(reported_at__gte=after)
        if before := f.get("reported_before"):
            qs = qs.filter(reported_at__lt=before)
        if f.get("overdue") is True:
            qs = qs.overdue()
        elif f.get("overdue") is False:
            qs = qs.exclude(pk__in=Event.objects.overdue().values("pk"))
        ordering = f.get("ordering") or "-reported_at"
        return qs.order_by(ordering, "-id" if ordering.startswith("-") else "id")

    # --- helpers ---------------------------------------------------------------------

    def _input(self, serializer_class: type[serializers.Serializer[Any]]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _detail(self, event: Event, *, http_status: int = status.HTTP_200_OK) -> Response:
        """The event an action just returned, with its timeline (two more queries, none
        for a just-reported event: it carries its timeline)."""
        if getattr(event, "fresh_timeline", None) is None:
            prefetch_related_objects([event], *_timeline_prefetch())
        data = s.EventDetailSerializer(event, context=self.get_serializer_context()).data
        return Response(data, status=http_status)

    def _act(
        self,
        serializer_class: type[serializers.Serializer[Any]],
        perform: Callable[[Event, User, dict[str, Any]], Event],
    ) -> Response:
        event = self.get_object()
        params = self._input(serializer_class)
        return self._detail(perform(event, _user(self.request), params))

    # --- report ----------------------------------------------------------------------

    @extend_schema(
        summary="Report an event",
        request={JSON: s.EventCreateSerializer, MULTIPART: s.EventCreateSerializer},
        responses={201: s.EventDetailSerializer, **ERRORS},
        parameters=[IDEMPOTENCY_HEADER],
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        params = self._input(s.EventCreateSerializer)
        user = _user(request)
        key = request_key(request)
        event = actions.report_event(
            actor=user,
            category=params["category"],
            title=params["title"],
            source=params["source"],
            description=params["description"],
            lat=params["lat"],
            lon=params["lon"],
            address=params["address"],
            unit=params["unit"],
            contact_name=params["contact_name"],
            contact_phone=params["contact_phone"],
            attributes=params["attributes"],
            photos=params["photos"],
            # The event remembers the key as well, beyond the 24 hours of the stored answer.
            idempotency_key=_event_key(user, key) if key else None,
            reported_at=params["reported_at"],
        )
        return self._detail(event, http_status=status.HTTP_201_CREATED)

    # --- actions: one POST sub-route per verb (see _verb) ------------------------------

    accept = _verb(
        "accept",
        "Accept (受理)",
        s.NoteSerializer,
        lambda e, u, p: actions.accept_event(e.pk, actor=u, note=p["note"]),
    )
    reject = _verb(
        "reject",
        "Reject (不予受理), with a reason",
        s.ReasonSerializer,
        lambda e, u, p: actions.reject_event(e.pk, actor=u, reason=p["reason"]),
    )
    dispatch_ = _verb(
        "dispatch_",
        "Dispatch (派遣) to a department or a lower unit",
        s.DispatchSerializer,
        lambda e, u, p: actions.dispatch_event(
            e.pk, actor=u, to_unit=p["to_unit"], note=p["note"], resolve_by=p["resolve_by"]
        ),
        url_path="dispatch",
    )
    start = _verb(
        "start",
        "Start handling (开始处置)",
        s.NoteSerializer,
        lambda e, u, p: actions.start_handling(e.pk, actor=u, note=p["note"]),
    )
    return_ = _verb(
        "return_",
        "Return (退回) to the dispatcher, with a reason",
        s.ReasonSerializer,
        lambda e, u, p: actions.return_event(e.pk, actor=u, reason=p["reason"]),
        url_path="return",
    )
    escalate = _verb(
        "escalate",
        "Escalate (上报上级) to the parent unit",
        s.NoteSerializer,
        lambda e, u, p: actions.escalate_event(e.pk, actor=u, note=p["note"]),
    )
    resolve = _verb(
        "resolve",
        "Resolve (处置完毕), with photos",
        s.RequiredNoteSerializer,
        lambda e, u, p: actions.resolve_event(e.pk, actor=u, note=p["note"], photos=p["photos"]),
        photos=True,
    )
    resolve_on_spot = _verb(
        "resolve_on_spot",
        "Resolve on the spot (就地解决): close a new report, photo required",
        s.RequiredNoteSerializer,
        lambda e, u, p: actions.resolve_on_spot(e.pk, actor=u, note=p["note"], photos=p["photos"]),
        url_path="resolve-on-spot",
        photos=True,
    )
    verify = _verb(
        "verify",
        "Verify (核查): passed, or back for rework",
        s.VerifySerializer,
        lambda e, u, p: actions.verify_event(e.pk, actor=u, passed=p["passed"], note=p["note"]),
    )
    close = _verb(
        "close",
        "Close (结案)",
        s.NoteSerializer,
        lambda e, u, p: actions.close_event(e.pk, actor=u, note=p["note"]),
    )
    urge = _verb(
        "urge",
        "Urge (催办) the assigned unit",
        s.NoteSerializer,
        lambda e, u, p: actions.urge_event(e.pk, actor=u, note=p["note"]),
    )
    deadline = _verb(
        "deadline",
        "Change the handling deadline, with a reason",
        s.DeadlineSerializer,
        lambda e, u, p: actions.set_deadline(
            e.pk, actor=u, resolve_by=p["resolve_by"], reason=p["reason"]
        ),
    )

    @extend_schema(
        summary="Comment, with photos",
        request={JSON: s.CommentSerializer, MULTIPART: s.CommentSerializer},
        responses={201: s.EventActionSerializer, **ERRORS},
        parameters=[IDEMPOTENCY_HEADER],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def comment(self, request: Request, number: str) -> Response:
        event = self.get_object()
        params = self._input(s.CommentSerializer)
        line = actions.comment_event(
            event.pk, actor=_user(request), note=params["note"], photos=params["photos"]
        )
        line = (
            EventAction.objects.select_related("actor", "actor_unit")
            .prefetch_related("attachments")
            .get(pk=line.pk)
        )
        context = {**self.get_serializer_context(), "event": event}
        data = s.EventActionSerializer(line, context=context).data
        return Response(data, status=status.HTTP_201_CREATED)


def _event_key(user: User, key: str) -> str:
    """The event's own idempotency key: the client's key, per user, in 64 characters."""
    return "api-" + hashlib.sha256(f"{user.pk}:{key}".encode()).hexdigest()[:40]


@extend_schema_view(
    retrieve=extend_schema(
        summary="A photo of an event (the file)",
        responses={
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "image/webp"): OpenApiTypes.BINARY,
            404: s.ErrorSerializer,
        },
    )
)
class AttachmentViewSet(viewsets.GenericViewSet[Attachment]):
    """Photos of the events the caller may see."""

    serializer_class = s.AttachmentSerializer

    def get_queryset(self) -> QuerySet[Attachment]:
        visible = Event.objects.visible_to(self.request.user).values("pk")
        return Attachment.objects.filter(event_id__in=visible)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The answer is a file whatever the client accepts; errors fall back to JSON.
        return super().perform_content_negotiation(request, force=True)

    def retrieve(self, request: Request, pk: str, **kwargs: Any) -> FileResponse:
        attachment = self.get_object()
        path = photo_path(attachment)
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=attachment.content_type)
        response["Cache-Control"] = "private, max-age=86400"
        response["X-Content-Type-Options"] = "nosniff"
        response["Last-Modified"] = http_date(attachment.created_at.timestamp())
        return response

"""REST routes of publication and appeals under /api/v1/assessment/ (registered by
``api.urls``).

- ``assessment/publications``: the publications (read only, public fields: what the portal
  shows; the snapshot with its SHA-256 on the detail);
- ``assessment/appeals``: appeals in the caller's scope (``Appeal.objects.visible_to``:
  anything else is 404); POST creates one (``submit_appeal``: the run and the unit must be in
  the caller's scope, else 404; the grant to appeal is checked by the action, 403), POST
  ``{id}/decide/`` decides one (``decide_appeal``). Writes honour ``Idempotency-Key``.

Domain errors answer 400 ``{field: [message]}`` or 409 ``{detail, code}`` (``DomainErrorsMixin``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
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
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from grassroots.api import serializers_events as es
from grassroots.api.events import IDEMPOTENCY_HEADER, JSON, MULTIPART, _user
from grassroots.api.exceptions import DomainErrorsMixin
from grassroots.api.idempotency import idempotent
from grassroots.assessment import access
from grassroots.assessment.actions.appeals import MAX_REASON, decide_appeal, submit_appeal
from grassroots.assessment.models import Appeal, AppealState, Indicator, Publication, Result

ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="bad input: {field: [message]}"),
    403: OpenApiResponse(es.ErrorSerializer, description="not allowed for the caller"),
    404: OpenApiResponse(
        es.ErrorSerializer, description="nothing of that id in the caller's scope"
    ),
    409: OpenApiResponse(
        es.ErrorSerializer, description="not allowed in the current state, or lost a race"
    ),
    422: OpenApiResponse(
        es.ErrorSerializer, description="Idempotency-Key already used for another request"
    ),
}


# --- serializers ------------------------------------------------------------------------


class PublicationSerializer(serializers.ModelSerializer[Publication]):
    """A publication as the public sees it."""

    scheme = serializers.CharField(source="scheme.code", read_only=True)
    scheme_name = serializers.CharField(source="scheme.name", read_only=True)
    kind = serializers.CharField(source="run.kind", read_only=True)
    version = serializers.IntegerField(source="run.version", read_only=True)
    run_state = serializers.CharField(source="run.state", read_only=True)

    class Meta:
        model = Publication
        fields = [
            "id",
            "scheme",
            "scheme_name",
            "period",
            "kind",
            "version",
            "run_state",
            "sha256",
            "appeal_until",
            "published_at",
        ]
        read_only_fields = fields


class PublicationDetailSerializer(PublicationSerializer):
    """With the snapshot whose canonical JSON has the SHA-256."""

    snapshot = serializers.JSONField(read_only=True)

    class Meta(PublicationSerializer.Meta):
        fields = [*PublicationSerializer.Meta.fields, "snapshot"]
        read_only_fields = fields


class AppealSerializer(serializers.ModelSerializer[Appeal]):
    """An appeal, its decision and the new version it made."""

    scheme = serializers.CharField(source="run.scheme.code", read_only=True)
    period = serializers.CharField(source="run.period", read_only=True)
    version = serializers.IntegerField(source="run.version", read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    has_evidence = serializers.SerializerMethodField()
    new_version = serializers.SerializerMethodField()

    class Meta:
        model = Appeal
        fields = [
            "id",
            "run",
            "scheme",
            "period",
            "version",
            "unit",
            "unit_name",
            "indicator",
            "indicator_name",
            "reason",
            "claimed_value",
            "has_evidence",
            "state",
            "corrected_value",
            "decision_reason",
            "new_run",
            "new_version",
            "submitted_at",
            "decided_at",
        ]
        read_only_fields = fields

    def get_has_evidence(self, obj: Appeal) -> bool:
        return bool(obj.evidence)

    def get_new_version(self, obj: Appeal) -> int | None:
        return obj.new_run.version if obj.new_run_id and obj.new_run else None


class AppealCreateSerializer(serializers.Serializer[Any]):
    run = serializers.IntegerField(
        min_value=1, max_value=access.MAX_ID, help_text="id of the published run"
    )
    unit = serializers.CharField(max_length=32, help_text="code of the appealing unit")
    indicator = serializers.CharField(max_length=40, help_text="code of the indicator")
    reason = serializers.CharField(max_length=MAX_REASON)
    claimed_value = serializers.DecimalField(
        max_digits=20, decimal_places=6, required=False, allow_null=True
    )
    evidence = serializers.FileField(
        required=False, allow_null=True, help_text="PDF, JPEG or PNG, at most 10 MB"
    )


class AppealFilterSerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(choices=AppealState.choices, required=False)


class AppealDecideSerializer(serializers.Serializer[Any]):
    accept = serializers.BooleanField()
    reason = serializers.CharField(max_length=MAX_REASON)
    corrected_value = serializers.DecimalField(
        max_digits=20,
        decimal_places=6,
        required=False,
        allow_null=True,
        help_text="the corrected raw value (needed to accept)",
    )


# --- viewsets ---------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Publications of assessment runs (季晒, 年评)"),
    retrieve=extend_schema(
        summary="One publication with its snapshot",
        responses={200: PublicationDetailSerializer},
    ),
)
class PublicationViewSet(viewsets.ReadOnlyModelViewSet[Publication]):
    """The publications, newest first: public, as on the portal."""

    permission_classes = [AllowAny]

    def get_serializer_class(self) -> Any:
        return PublicationDetailSerializer if self.action == "retrieve" else PublicationSerializer

    def get_queryset(self) -> QuerySet[Publication]:
        qs = Publication.objects.select_related("scheme", "run").order_by("-published_at", "-pk")
        if self.action == "list":  # a snapshot holds every result: only the detail shows it
            qs = qs.defer("snapshot")
        return qs


STATE_FILTER = OpenApiParameter(
    "state", str, enum=list(AppealState.values), description="only appeals in this state"
)


@extend_schema_view(
    list=extend_schema(summary="Appeals in the caller's scope", parameters=[STATE_FILTER]),
    retrieve=extend_schema(summary="One appeal"),
)
class AppealViewSet(
    DomainErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Appeal],
):
    """Appeals (申诉) of the units in the caller's scope."""

    serializer_class = AppealSerializer

    def get_queryset(self) -> QuerySet[Appeal]:
        qs = Appeal.objects.visible_to(self.request.user).select_related(
            "run__scheme", "unit", "indicator", "new_run"
        )
        if self.action == "list":
            params = AppealFilterSerializer(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            if state := params.validated_data.get("state"):
                qs = qs.filter(state=state)
        return qs.order_by("-submitted_at", "-pk")

    def _answer(self, appeal: Appeal, http_status: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=appeal.pk)
        return Response(AppealSerializer(fresh).data, status=http_status)

    @extend_schema(
        summary="Appeal a score of a published run",
        request={JSON: AppealCreateSerializer, MULTIPART: AppealCreateSerializer},
        responses={201: AppealSerializer, **ERRORS},
        parameters=[IDEMPOTENCY_HEADER],
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        params = AppealCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        p = params.validated_data
        user = _user(request)
        # a computed run under the office's review is no more found than an unknown one
        run = access.visible_runs(user).filter(pk=p["run"]).first()
        if run is None:
            raise NotFound
        result = (
            Result.objects.visible_to(user)
            .filter(run=run, unit__code=p["unit"])
            .select_related("unit")
            .first()
        )
        if result is None:
            raise NotFound
        indicator = Indicator.objects.filter(scheme=run.scheme, code=p["indicator"]).first()
        if indicator is None:
            raise serializers.ValidationError(
                {"indicator": [_("This indicator is not part of the scheme.")]}
            )
        appeal = submit_appeal(
            run,
            result.unit,
            indicator,
            reason=p["reason"],
            claimed_value=p.get("claimed_value"),
            evidence=p.get("evidence"),
            actor=user,
        )
        return self._answer(appeal, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Decide an appeal (accept with the corrected value, or refuse)",
        request=AppealDecideSerializer,
        responses={200: AppealSerializer, **ERRORS},
        parameters=[IDEMPOTENCY_HEADER],
    )
    @action(detail=True, methods=["post"], url_path="decide", url_name="decide")
    @idempotent
    def decide(self, request: Request, pk: str) -> Response:
        appeal = self.get_object()
        params = AppealDecideSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        p = params.validated_data
        decided = decide_appeal(
            appeal,
            accept=p["accept"],
            reason=p["reason"],
            corrected_value=p.get("corrected_value"),
            actor=_user(request),
        )
        return self._answer(decided)


def register(router: BaseRouter) -> None:
    """Add this module's viewsets to ``router`` (prefixes start with ``assessment/``)."""
    router.register(
        "assessment/publications", PublicationViewSet, basename="assessment-publication"
    )
    router.register("assessment/appeals", AppealViewSet, basename="assessment-appeal")

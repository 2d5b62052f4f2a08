"""REST routes of the assessment under /api/v1/assessment/ (registered by ``api.urls``).

Read-only views of schemes (with their indicators, the weight check and the burden check),
runs (with the results the caller may see), results and scores (with their explanations,
stored and in words, and the records behind a score), and one write: computing a run of a
scheme (``POST assessment/schemes/{id}/compute/``, the office's ``assessment.compute``).

Scope as on the pages (``assessment.access``): schemes the caller is assessed by or
oversees; every run for the office, published ones for the units; results and scores of
the caller's subtree. Anything else is 404. Bad input: 400 ``{field: [message]}``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from grassroots.api import serializers_assessment as s
from grassroots.api.events import IDEMPOTENCY_HEADER, _user
from grassroots.api.exceptions import DomainErrorsMixin
from grassroots.api.idempotency import idempotent
from grassroots.api.serializers_events import ErrorSerializer
from grassroots.assessment import access, records
from grassroots.assessment.actions import compute_run
from grassroots.assessment.actions.ratings import check_period
from grassroots.assessment.models import Result, Run, Scheme, Score
from grassroots.assessment.views.office_results import evidence_queryset


def _filters(serializer: type[Any], request: Any) -> dict[str, Any]:
    """The query parameters checked by ``serializer``: 400 ``{field: [message]}`` when bad
    (a filter that is not a number is refused, never silently dropped)."""
    params = serializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)


class ReadOnly(
    DomainErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Any],
):
    lookup_value_regex = r"[0-9]+"


@extend_schema_view(
    list=extend_schema(
        summary="Assessment schemes the caller sees",
        parameters=[s.AssessmentSchemeFilterSerializer],
    ),
    retrieve=extend_schema(
        summary="One scheme: indicators, the weight check and the burden check (减负)",
        responses={200: s.AssessmentSchemeDetailSerializer, 404: ErrorSerializer},
    ),
)
class SchemeViewSet(ReadOnly):
    queryset = Scheme.objects.none()
    serializer_class = s.AssessmentSchemeSerializer

    def get_serializer_class(self) -> Any:
        if self.action == "list":
            return s.AssessmentSchemeSerializer
        return s.AssessmentSchemeDetailSerializer

    def get_queryset(self) -> QuerySet[Scheme]:
        ids = [x.pk for x in access.visible_schemes(self.request.user)]
        qs = Scheme.objects.filter(pk__in=ids).select_related("root").order_by("-year", "code")
        if self.action == "list" and (
            year := _filters(s.AssessmentSchemeFilterSerializer, self.request).get("year")
        ):
            qs = qs.filter(year=year)
        return qs

    @extend_schema(
        summary="Compute a run of the scheme for a period (月考/季晒/年评), as a new version",
        request=s.AssessmentComputeSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            201: s.AssessmentRunDetailSerializer,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="bad input: {field: [message]}"),
            403: OpenApiResponse(ErrorSerializer, description="not the office of this scheme"),
            404: OpenApiResponse(ErrorSerializer, description="no such scheme in scope"),
        },
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def compute(self, request: Request, pk: str) -> Response:
        scheme = self.get_object()
        params = s.AssessmentComputeSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        user = _user(request)
        from grassroots.assessment.permissions import COMPUTE
        from grassroots.org.permissions import require

        require(user, COMPUTE, scheme.root)
        run = compute_run(scheme, check_period(scheme, params.validated_data["period"]), actor=user)
        return Response(run_detail(request, run, self), status=status.HTTP_201_CREATED)


def run_detail(request: Request, run: Run, view: Any) -> dict[str, Any]:
    results = list(
        Result.objects.visible_to(request.user)
        .filter(run=run)
        .select_related("unit")
        .order_by("peer_group", "rank", "unit__code")
    )
    context = {**view.get_serializer_context(), "results": {run.pk: results}}
    return dict(s.AssessmentRunDetailSerializer(run, context=context).data)


@extend_schema_view(
    list=extend_schema(
        summary="Runs the caller sees, newest period first",
        parameters=[s.AssessmentRunFilterSerializer],
    ),
)
class RunViewSet(ReadOnly):
    queryset = Run.objects.none()
    serializer_class = s.AssessmentRunSerializer

    def get_serializer_class(self) -> Any:
        if self.action == "retrieve":
            return s.AssessmentRunDetailSerializer
        return s.AssessmentRunSerializer

    def get_queryset(self) -> QuerySet[Run]:
        qs = access.visible_runs(self.request.user)
        if self.action == "list":
            params = _filters(s.AssessmentRunFilterSerializer, self.request)
            if (scheme := params.get("scheme")) is not None:
                qs = qs.filter(scheme_id=scheme)
            if period := params.get("period", "").strip():
                qs = qs.filter(period__iexact=period)
        return qs.order_by("-period", "scheme__code", "-version")

    @extend_schema(
        summary="One run with the results the caller may see, by peer group and rank",
        responses={200: s.AssessmentRunDetailSerializer, 404: ErrorSerializer},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(run_detail(request, self.get_object(), self))


def _filter_run_unit(qs: QuerySet[Any], params: dict[str, Any]) -> QuerySet[Any]:
    if (run := params.get("run")) is not None:
        qs = qs.filter(run_id=run)
    if unit := params.get("unit", "").strip():
        qs = qs.filter(unit__code=unit)
    return qs


@extend_schema_view(
    list=extend_schema(
        summary="Results of units in the caller's scope",
        parameters=[s.AssessmentResultFilterSerializer],
    ),
    retrieve=extend_schema(
        summary="One unit's result in a run, with its explanation",
        responses={200: s.AssessmentResultSerializer, 404: ErrorSerializer},
    ),
)
class ResultViewSet(ReadOnly):
    queryset = Result.objects.none()
    serializer_class = s.AssessmentResultSerializer

    def get_queryset(self) -> QuerySet[Result]:
        qs = access.visible_results(self.request.user).select_related("unit")
        if self.action == "list":
            qs = _filter_run_unit(qs, _filters(s.AssessmentResultFilterSerializer, self.request))
        return qs.order_by("-run__period", "run_id", "peer_group", "rank", "unit__code")


@extend_schema_view(
    list=extend_schema(
        summary="Scores of units in the caller's scope, with their explanations",
        parameters=[s.AssessmentScoreFilterSerializer],
    ),
    retrieve=extend_schema(
        summary="One score: raw value, rule, points and why, in words",
        responses={200: s.AssessmentScoreSerializer, 404: ErrorSerializer},
    ),
)
class ScoreViewSet(ReadOnly):
    queryset = Score.objects.none()
    serializer_class = s.AssessmentScoreSerializer

    def get_queryset(self) -> QuerySet[Score]:
        qs = access.visible_scores(self.request.user).select_related("unit", "indicator")
        if self.action == "list":
            params = _filters(s.AssessmentScoreFilterSerializer, self.request)
            qs = _filter_run_unit(qs, params)
            if code := params.get("indicator", "").strip():
                qs = qs.filter(indicator__code=code)
        return qs.order_by("run_id", "unit__code", "indicator__position", "indicator__code")

    @extend_schema(
        summary="The records behind a score (e.g. the events that closed late), with links",
        parameters=[s.AssessmentEvidenceFilterSerializer],
        responses={200: s.AssessmentRecordSerializer(many=True), 404: ErrorSerializer},
    )
    @action(detail=True, methods=["get"])
    def evidence(self, request: Request, pk: str) -> Response:
        score = self.get_object()
        found = evidence_queryset(score)
        if found is None:
            raise Http404
        counted = _filters(s.AssessmentEvidenceFilterSerializer, request).get("counted")
        if "in_numerator" in found.query.annotations and counted is not None:
            found = found.filter(in_numerator=counted)
        page = self.paginate_queryset(found)
        rows = records.rows(page if page is not None else found[:200])
        data = [
            {
                "model": r.model,
                "id": r.id,
                "label": r.label,
                "url": r.url,
                "counted": r.counted,
                "fields": {name: value for name, _h, value in r.cells},
            }
            for r in rows
        ]
        body = s.AssessmentRecordSerializer(data, many=True).data
        if page is not None:
            return self.get_paginated_response(body)
        return Response(body)


def register(router: BaseRouter) -> None:
    """Add this module's viewsets to ``router`` (prefixes start with ``assessment/``)."""
    router.register("assessment/schemes", SchemeViewSet, basename="assessment-scheme")
    router.register("assessment/runs", RunViewSet, basename="assessment-run")
    router.register("assessment/results", ResultViewSet, basename="assessment-result")
    router.register("assessment/scores", ScoreViewSet, basename="assessment-score")

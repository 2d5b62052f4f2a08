"""REST endpoints: thin, scoped by ``visible_to``; the OpenAPI schema describes them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.api.serializers import MeSerializer, UnitGeometrySerializer, UnitSerializer
from grassroots.org.models import Unit, UnitKind


@extend_schema_view(
    list=extend_schema(
        summary="Units the caller may see",
        parameters=[
            OpenApiParameter("kind", str, enum=UnitKind.values, description="unit kind"),
            OpenApiParameter("parent", str, description="code of the parent unit"),
            OpenApiParameter("within", str, description="code of a unit: its whole subtree"),
            OpenApiParameter("q", str, description="name contains, or code starts with"),
        ],
    ),
    retrieve=extend_schema(summary="One unit, with its geometry"),
)
class UnitViewSet(viewsets.ReadOnlyModelViewSet[Unit]):
    """Units of the administrative tree, limited to the caller's scope."""

    lookup_field = "code"
    lookup_value_regex = r"[0-9A-Za-z_-]+"

    def get_serializer_class(self) -> Any:
        return UnitGeometrySerializer if self.action == "retrieve" else UnitSerializer

    def get_queryset(self) -> QuerySet[Unit]:
        qs = Unit.objects.visible_to(self.request.user).select_related("parent")
        params = self.request.query_params
        if kind := params.get("kind"):
            qs = qs.filter(kind=kind)
        if parent := params.get("parent"):
            qs = qs.filter(parent__code=parent)
        if within := params.get("within"):
            root = Unit.objects.filter(code=within).first()
            qs = qs.within(root) if root else qs.none()
        if q := params.get("q"):
            qs = qs.search(q)
        if self.action == "list":
            qs = qs.defer("geometry")
        return qs.order_by("path")


class MeView(generics.GenericAPIView[Any]):
    """The caller: name, masked phone, active memberships."""

    serializer_class = MeSerializer

    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)  # type: ignore[arg-type]

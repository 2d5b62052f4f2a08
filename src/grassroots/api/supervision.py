"""REST endpoints of target supervision (目督): tasks (list by urgency, detail, tree),
deploying and changing a task, and every action on one as a POST sub-route; evidence files.

Thin, as ``api.events``: parse (``serializers_supervision``), find the task in the caller's
scope (``Task.objects.visible_to``: anything else is 404), call one action of
``supervision.actions``, answer the task with everything about it. The actions check the
caller's grant (403), the allowed move (409) and the input (400, naming the field). Every
write honours ``Idempotency-Key`` (``api.idempotency``).

Messages follow the request's ``Accept-Language`` (Chinese or English; Chinese when the
header names neither), as everywhere under ``/api/`` (``common.middleware``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import FileResponse, Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.api import serializers_events as es
from grassroots.api import serializers_supervision as s
from grassroots.api.events import IDEMPOTENCY_HEADER, JSON, MULTIPART, _user
from grassroots.api.exceptions import DomainErrorsMixin
from grassroots.api.idempotency import idempotent
from grassroots.org.models import Unit, User
from grassroots.org.queries import subtree_q
from grassroots.supervision import actions
from grassroots.supervision.errors import (
    SupervisionNotFound,
)
from grassroots.supervision.evidence import PHOTO_TYPES, evidence_path
from grassroots.supervision.models import (
    Evidence,
    ExtensionRequest,
    Milestone,
    ProgressReport,
    Task,
    TaskAction,
)
from grassroots.supervision.queries import TaskQuerySet, split_gap
from grassroots.supervision.states import DisplayStatus, TaskState

ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="bad input: {field: [message]}"),
    403: OpenApiResponse(es.ErrorSerializer, description="not allowed for the caller"),
    404: OpenApiResponse(es.ErrorSerializer, description="no such task in the caller's scope"),
    409: OpenApiResponse(
        es.ErrorSerializer, description="not allowed in the task's state, or lost a race"
    ),
    422: OpenApiResponse(
        es.ErrorSerializer, description="Idempotency-Key already used for another request"
    ),
}


def _detail_prefetch() -> list[Any]:
    return [
        "co_units",
        Prefetch(
            "milestones",
            queryset=Milestone.objects.select_related("done_by")
            .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("id")))
            .order_by("due_date", "id"),
        ),
        Prefetch(
            "reports",
            queryset=ProgressReport.objects.select_related("submitted_by", "verified_by")
            .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("id")))
            .order_by("submitted_at", "id"),
        ),
        Prefetch(
            "extension_requests",
            queryset=ExtensionRequest.objects.select_related("requested_by", "decided_by").order_by(
                "requested_at", "id"
            ),
        ),
        Prefetch(
            "actions",
            queryset=TaskAction.objects.select_related("actor", "actor_unit").order_by(
                "created_at", "id"
            ),
        ),
    ]


def _path_id(name: str) -> OpenApiParameter:
    return OpenApiParameter(name, int, location=OpenApiParameter.PATH)


Perform = Callable[[Task, User, dict[str, Any], dict[str, int]], object]


def _verb(
    name: str,
    summary: str,
    request: type[serializers.Serializer[Any]],
    perform: Perform,
    *,
    url_path: str | None = None,
    ids: tuple[str, ...] = (),
    files: bool = False,
) -> Any:
    """The POST sub-route ``/tasks/{id}/<url_path or name>/`` of one verb: parse the body
    with ``request``, call ``perform(task, user, params, ids)`` (one action; ``ids`` are
    the further path ids, e.g. ``rid``), answer the task in full; honours
    ``Idempotency-Key``; documented with ``summary``."""

    def handler(self: TaskViewSet, request_: Request, pk: str, **kwargs: str) -> Response:
        task = self.get_object()
        params = self._input(request)
        perform(task, _user(request_), params, {k: int(v) for k, v in kwargs.items()})
        return self._detail(task.pk)

    handler.__name__ = handler.__qualname__ = name
    route = url_path or name
    routed = action(detail=True, methods=["post"], url_path=route, url_name=name.strip("_"))(
        idempotent(handler)
    )
    body: Any = {MULTIPART: request, JSON: request} if files else request
    return extend_schema(
        summary=summary,
        request=body,
        responses={200: s.TaskDetailSerializer, **ERRORS},
        parameters=[IDEMPOTENCY_HEADER, *(_path_id(i) for i in ids)],
    )(routed)


def _own(model: type[Any], task: Task, pk: int) -> Any:
    """The milestone, report or request ``pk`` of this task, else 404."""
    row = model.objects.filter(task=task, pk=pk).first()
    if row is None:
        raise SupervisionNotFound(pk)
    return row


def _cascade(task: Task, user: User, p: dict[str, Any], ids: dict[str, int]) -> object:
    shares = p["shares"]
    return actions.cascade_task(
        task,
        actor=user,
        shares=None if shares is None else {x["unit"]: x["value"] for x in shares},
        basis=p["basis"],
        units=p["units"],
        deadline=p["deadline"],
        note=p["note"],
        version=p["version"],
    )


def _update(task: Task, user: User, p: dict[str, Any], ids: dict[str, int]) -> object:
    changes = {k: v for k, v in p.items() if k not in ("note", "version")}
    return actions.update_task(
        task, actor=user, changes=changes, note=p.get("note", ""), version=p.get("version")
    )


@extend_schema_view(
    list=extend_schema(
        summary="Supervised tasks in the caller's scope, most urgent first",
        parameters=[s.TaskFilterSerializer],
    ),
    retrieve=extend_schema(
        summary="One task: progress, status, sub-tasks, milestones, reports, timeline"
    ),
)
class TaskViewSet(
    DomainErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Task],
):
    """Tasks the caller may see (responsible unit, issuer or a co-unit in the caller's
    subtrees); actions on one task as POST sub-routes."""

    queryset = Task.objects.none()
    lookup_value_regex = r"[0-9]+"
    serializer_class = s.TaskDetailSerializer
    # PATCH changes a task (as POST update/); there is no PUT.
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self) -> Any:
        if self.action in ("list", "tree"):
            return s.TaskSerializer
        return s.TaskDetailSerializer

    def get_queryset(self) -> QuerySet[Task]:
        qs = Task.objects.visible_to(self.request.user).select_related("unit", "issuer")
        if self.action == "list":
            return self._filtered(qs)
        return qs

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        task = self._full(int(kwargs["pk"]))
        if task is None:
            raise Http404
        return Response(self._render(task))

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # An evidence file is sent whatever the client accepts; errors fall back to JSON.
        return super().perform_content_negotiation(
            request, force=force or self.action == "evidence"
        )

    def _filtered(self, qs: TaskQuerySet) -> TaskQuerySet:
        params = s.TaskFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        f = params.validated_data
        today = timezone.localdate()
        if code := f.get("unit"):
            qs = qs.filter(unit__code=code)
        if code := f.get("within"):
            unit = Unit.objects.filter(code=code).only("path").first()
            qs = qs.filter(subtree_q("unit_path", unit.path)) if unit else qs.none()
        if kind := f.get("kind"):
            qs = qs.filter(kind=kind)
        if level := f.get("level"):
            qs = qs.filter(level=level)
        if (first := f.get("deadline_after")) is not None:
            qs = qs.filter(deadline__gte=first)
        if (last := f.get("deadline_before")) is not None:
            qs = qs.filter(deadline__lte=last)
        if f.get("roots") is True:
            qs = qs.roots()
        elif f.get("roots") is False:
            qs = qs.filter(parent__isnull=False)
        if words := (f.get("q") or "").strip():
            qs = qs.filter(Q(title__icontains=words) | Q(doc_number__icontains=words))
        if f.get("overdue") is True:
            qs = qs.overdue(today)
        elif f.get("overdue") is False:
            qs = qs.exclude(state=TaskState.OPEN, deadline__lt=today)
        qs = qs.with_status(today)
        if statuses := f.get("status"):
            qs = qs.filter(display_status__in=statuses)
        if f.get("at_risk") is True:
            qs = qs.filter(display_status=DisplayStatus.LAGGING)
        elif f.get("at_risk") is False:
            qs = qs.exclude(display_status=DisplayStatus.LAGGING)
        ordering = f.get("ordering") or "urgency"
        if ordering == "urgency":
            return qs.by_urgency()
        return qs.order_by(ordering, "-id" if ordering.startswith("-") else "id")

    # --- helpers ---------------------------------------------------------------------

    def _input(self, serializer_class: type[serializers.Serializer[Any]]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _detail_context(self, task: Task) -> dict[str, Any]:
        """The sub-tasks (those the caller may see, with their status) and the split gap
        the detail serializer shows."""
        children = list(
            Task.objects.visible_to(self.request.user)
            .filter(parent=task)
            .select_related("unit", "issuer")
            .with_status()
            .order_by("tree_path")
        )
        return {"children": {task.pk: children}, "split_gaps": {task.pk: split_gap(task)}}

    def _detail(self, task_id: int, *, http_status: int = status.HTTP_200_OK) -> Response:
        """The task an action just changed, read again in full."""
        task = self._full(task_id)
        if task is None:  # the caller acted on it: it is in scope
            raise Http404
        return Response(self._render(task), status=http_status)

    def _full(self, task_id: int) -> Task | None:
        """One task in scope with its status and everything the detail shows (the
        status's date pairs are read for this task only)."""
        return (
            Task.objects.visible_to(self.request.user)
            .filter(pk=task_id)
            .select_related("unit", "issuer")
            .with_status()
            .prefetch_related(*_detail_prefetch())
            .first()
        )

    def _render(self, task: Task) -> dict[str, Any]:
        context = {**self.get_serializer_context(), **self._detail_context(task)}
        return dict(s.TaskDetailSerializer(task, context=context).data)

    # --- reads -----------------------------------------------------------------------

    @extend_schema(
        summary="The task's tree: its ancestors and all its sub-tasks, depth-first",
        responses={200: s.TaskSerializer(many=True), 404: es.ErrorSerializer},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def tree(self, request: Request, pk: str) -> Response:
        task = self.get_object()
        nodes = (
            Task.objects.visible_to(request.user)
            .tree_of(task)
            .select_related("unit", "issuer")
            .with_status()
        )
        return Response(
            s.TaskSerializer(nodes, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary="An evidence file of the task (documents as a download)",
        parameters=[_path_id("eid")],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: es.ErrorSerializer},
    )
    @action(detail=True, methods=["get"], url_path=r"evidence/(?P<eid>[0-9]+)", url_name="evidence")
    def evidence(self, request: Request, pk: str, eid: str) -> FileResponse:
        task = self.get_object()
        item = Evidence.objects.filter(task=task, pk=int(eid)).first()
        if item is None:
            raise Http404
        try:
            handle = evidence_path(item).open("rb")
        except FileNotFoundError:
            raise Http404 from None
        name = item.original_name or f"{item.sha256[:12]}.{item.extension}"
        response = FileResponse(
            handle,
            content_type=item.content_type,
            as_attachment=item.content_type not in PHOTO_TYPES,
            filename=name,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, max-age=86400"
        return response

    # --- deploy and change -----------------------------------------------------------

    @extend_schema(
        summary="Deploy a task (下达)",
        request=s.TaskCreateSerializer,
        responses={201: s.TaskDetailSerializer, **ERRORS},
        parameters=[IDEMPOTENCY_HEADER],
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        p = self._input(s.TaskCreateSerializer)
        task = actions.create_task(
            actor=_user(request),
            title=p["title"],
            kind=p["kind"],
            unit=p["unit"],
            issuer=p["issuer"],
            start_date=p["start_date"],
            deadline=p["deadline"],
            doc_number=p["doc_number"],
            description=p["description"],
            level=p["level"],
            target_value=p["target_value"],
            target_measure=p["target_measure"],
            co_units=p["co_units"],
            milestones=[dict(m) for m in p["milestones"]],
            budget=p["budget"],
            location=p["location"],
            beneficiaries=p["beneficiaries"],
            note=p["note"],
        )
        return self._detail(task.pk, http_status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a task's details (only the fields sent)",
        request=s.TaskUpdateSerializer,
        responses={200: s.TaskDetailSerializer, **ERRORS},
        parameters=[IDEMPOTENCY_HEADER],
    )
    @idempotent
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        task = self.get_object()
        _update(task, _user(request), self._input(s.TaskUpdateSerializer), {})
        return self._detail(task.pk)

    # --- actions: one POST sub-route per verb (see _verb) ------------------------------

    update_ = _verb(
        "update_",
        "Change a task's details (only the fields sent), as PATCH",
        s.TaskUpdateSerializer,
        _update,
        url_path="update",
    )
    cascade = _verb(
        "cascade",
        "Split the task among the units directly below (分解下达): by hand or pro rata",
        s.CascadeSerializer,
        _cascade,
    )
    milestones = _verb(
        "milestones",
        "Add a milestone (节点)",
        s.AddMilestoneSerializer,
        lambda t, u, p, ids: actions.add_milestone(
            t, actor=u, title=p["title"], due_date=p["due_date"], version=p["version"]
        ),
    )
    complete_milestone = _verb(
        "complete_milestone",
        "Mark a milestone done, with evidence",
        s.CompleteMilestoneSerializer,
        lambda t, u, p, ids: actions.complete_milestone(
            _own(Milestone, t, ids["mid"]), actor=u, note=p["note"], evidence=p["evidence"]
        ),
        url_path=r"milestones/(?P<mid>[0-9]+)/complete",
        ids=("mid",),
        files=True,
    )
    progress = _verb(
        "progress",
        "Report progress (报送进度), with evidence files",
        s.ProgressSerializer,
        lambda t, u, p, ids: actions.report_progress(
            t,
            actor=u,
            value=p["value"],
            percent=p["percent"],
            note=p["note"],
            evidence=p["evidence"],
        ),
        files=True,
    )
    verify = _verb(
        "verify",
        "Verify a progress report (核实): accepted, or sent back with a reason",
        s.ReportVerifySerializer,
        lambda t, u, p, ids: actions.verify_progress(
            _own(ProgressReport, t, ids["rid"]), actor=u, accepted=p["accepted"], reason=p["reason"]
        ),
        url_path=r"reports/(?P<rid>[0-9]+)/verify",
        ids=("rid",),
    )
    extensions = _verb(
        "extensions",
        "Ask for a later deadline (申请延期), with a reason",
        s.ExtensionInputSerializer,
        lambda t, u, p, ids: actions.request_extension(
            t, actor=u, requested_deadline=p["requested_deadline"], reason=p["reason"]
        ),
    )
    approve_extension = _verb(
        "approve_extension",
        "Approve an extension request",
        s.TaskNoteSerializer,
        lambda t, u, p, ids: actions.approve_extension(
            _own(ExtensionRequest, t, ids["eid"]), actor=u, note=p["note"]
        ),
        url_path=r"extensions/(?P<eid>[0-9]+)/approve",
        ids=("eid",),
    )
    refuse_extension = _verb(
        "refuse_extension",
        "Refuse an extension request, with a reason",
        s.TaskReasonSerializer,
        lambda t, u, p, ids: actions.refuse_extension(
            _own(ExtensionRequest, t, ids["eid"]), actor=u, reason=p["reason"]
        ),
        url_path=r"extensions/(?P<eid>[0-9]+)/refuse",
        ids=("eid",),
    )
    urge = _verb(
        "urge",
        "Urge (催办) the responsible unit",
        s.TaskNoteSerializer,
        lambda t, u, p, ids: actions.urge_task(t, actor=u, note=p["note"]),
    )
    feasibility = _verb(
        "feasibility",
        "Decide a livelihood project's feasibility (具备条件 / 不具备条件)",
        s.FeasibilitySerializer,
        lambda t, u, p, ids: actions.decide_feasibility(
            t,
            actor=u,
            feasible=p["feasible"],
            explanation=p["explanation"],
            version=p["version"],
        ),
    )
    close = _verb(
        "close",
        "Strike off (销号) a completed task",
        s.VersionNoteSerializer,
        lambda t, u, p, ids: actions.close_task(t, actor=u, note=p["note"], version=p["version"]),
    )
    cancel = _verb(
        "cancel",
        "Withdraw (撤销) a task and its sub-tasks, with a reason",
        s.VersionReasonSerializer,
        lambda t, u, p, ids: actions.cancel_task(
            t, actor=u, reason=p["reason"], version=p["version"]
        ),
    )

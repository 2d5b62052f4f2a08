"""Excel at the supervision pages: a task's tree and the task list as downloads
(``exporting``), and the import of the office's task list (``importing``) in two steps.

Exports hold only what the viewer may see: the tree is ``Task.objects.tree_of`` narrowed
by ``visible_to`` (``exporting.export_tree`` would write the whole tree, ancestors a
village cadre may not see included), the list is the list page's own filter, capped at
``EXPORT_LIMIT`` rows.

The import (``/supervision/import/``, for those who may ``supervision.deploy``) first
checks the file (``dry_run``) and shows every problem by line and column; only a file
without one gets the confirm button, which imports it, all or nothing. The uploaded file
is kept between the two steps, so that the person does not have to choose it again (a
browser cannot refill a file input): it is stored under ``DATA_DIR/tmp/task-imports/
<token>/`` with a random token held in the person's session and posted back by the
confirm form; the confirm imports only a token equal to its own session's. The folder is
removed after the import, when a check fails, when the same session uploads another
file, and (any session's) a day after upload, swept at each upload.
"""

from __future__ import annotations

from typing import Any, Final

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from grassroots.common.downloads import xlsx_response
from grassroots.common.http import user_of
from grassroots.common.uploads import KeptUploads, safe_file_name
from grassroots.org.models import Unit, User
from grassroots.org.permissions import require
from grassroots.supervision import permissions as perms
from grassroots.supervision.exporting import export_tasks, template_workbook
from grassroots.supervision.forms import TaskFilterForm, TaskImportForm
from grassroots.supervision.importing import TaskImportError, import_tasks
from grassroots.supervision.models import Task
from grassroots.supervision.queries import TaskQuerySet
from grassroots.supervision.views.detail import visible_task
from grassroots.supervision.views.lists import apply_filters, chosen_unit

#: Rows of a list export at most (the list page's filters narrow it further).
EXPORT_LIMIT: Final = 5000
#: The uploads waiting between the check and the confirmation (``common.uploads``).
UPLOADS: Final = KeptUploads(
    folder="task-imports", session_key="supervision_import", fallback="tasks"
)
_INDENT: Final = "　"


# --- downloads ---------------------------------------------------------------------------


def file_name(text: str, fallback: str = "tasks") -> str:
    """``text`` as a file name: no path separators or reserved characters, at most 80
    characters."""
    return safe_file_name(text, fallback)


def visible_tree(task: Task, user: User) -> list[Task]:
    """The task's ancestors, itself and its descendants that the user may see,
    depth-first, titles indented by depth (as ``export_tree`` writes them)."""
    nodes = list(
        Task.objects.tree_of(task)
        .visible_to(user)
        .select_related("unit", "issuer")
        .defer("unit__geometry", "issuer__geometry")
        .order_by("tree_path")[:EXPORT_LIMIT]
    )
    top = min((n.depth for n in nodes), default=0)
    for node in nodes:  # in-memory only: these rows are written to the sheet, never saved
        node.title = _INDENT * (node.depth - top) + node.title
    return nodes


@login_required
@require_GET
def export_task(request: HttpRequest, pk: int) -> HttpResponse:
    """导出 Excel of a task's tree with progress (404 out of scope)."""
    user = user_of(request)
    task = visible_task(user, pk)
    data = export_tasks(visible_tree(task, user))
    day = timezone.localdate().isoformat()
    return xlsx_response(
        data, f"{file_name(task.title)}-{day}.xlsx", f"supervision-task-{task.pk}-{day}.xlsx"
    )


def listed_tasks(request: HttpRequest, user: User) -> tuple[Unit, TaskQuerySet]:
    """The unit and the tasks the list page shows for the same query string (its unit,
    tab — ``mine`` unless ``issued`` — filters and status), most urgent first."""
    unit, _units = chosen_unit(request, user)
    tab = request.GET.get("tab", "mine")
    base: TaskQuerySet = Task.objects.visible_to(user)
    base = base.issued_by(unit) if tab == "issued" else base.of_unit(unit)
    data = TaskFilterForm(request.GET or None).valid_data()
    tasks = apply_filters(base, data).with_status(timezone.localdate())
    if status := data.get("status"):
        tasks = tasks.filter(display_status=status)
    return unit, tasks.by_urgency()


@login_required
@require_GET
def export_list(request: HttpRequest) -> HttpResponse:
    """导出 Excel of the task list as filtered on the list page (at most
    ``EXPORT_LIMIT`` rows)."""
    user = user_of(request)
    unit, tasks = listed_tasks(request, user)
    rows = list(
        tasks.select_related("unit", "issuer").defer("unit__geometry", "issuer__geometry")[
            :EXPORT_LIMIT
        ]
    )
    data = export_tasks(rows)
    day = timezone.localdate().isoformat()
    return xlsx_response(
        data,
        f"{file_name(_('Supervised tasks'))}-{file_name(unit.name)}-{day}.xlsx",
        f"supervision-tasks-{unit.code}-{day}.xlsx",
    )


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    """The empty import sheet with its headers and one example row."""
    require(user_of(request), perms.DEPLOY)
    return xlsx_response(
        template_workbook(), f"{_('Task import template')}.xlsx", "task-import-template.xlsx"
    )


# --- the import --------------------------------------------------------------------------


def _page(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    context.setdefault("form", TaskImportForm())
    return render(request, "supervision/import.html", context, status=status)


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload → check (every problem by line and column, or "N rows without problems"
    and a confirm button) → import. See the module docstring."""
    user = user_of(request)
    require(user, perms.DEPLOY)
    if request.method != "POST":
        return _page(request)
    if request.POST.get("confirm"):
        path = UPLOADS.waiting(request)
        if path is None:
            return _page(
                request,
                400,
                problem=_("The checked file is no longer here; upload it again."),
            )
        try:
            summary = import_tasks(path, actor=user)
        except TaskImportError as exc:
            UPLOADS.forget(request)
            return _page(request, 400, errors=exc.errors, file=path.name)
        UPLOADS.forget(request)
        messages.success(
            request,
            _("Imported %(file)s: %(tasks)d tasks, %(roots)d of them deployed.")
            % {"file": summary.file, "tasks": summary.tasks, "roots": summary.roots},
        )
        return HttpResponseRedirect(reverse("supervision:list") + "?tab=issued")
    form = TaskImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, 400, form=form)
    path = UPLOADS.store(request, form.cleaned_data["file"])
    try:
        summary = import_tasks(path, actor=user, dry_run=True)
    except TaskImportError as exc:
        UPLOADS.forget(request)
        return _page(request, 400, errors=exc.errors, file=path.name)
    return _page(
        request,
        checked=summary,
        token=UPLOADS.token(request),
        file=path.name,
    )

"""The family mottos (家训家风: search, filters, pages, Excel) and the performers' roster
(乡土文艺骨干: filters by specialty, leader, active and village, search, pages, Excel with
the phones masked), their forms and their imports (upload → check → confirm, all or
nothing). Who: as ``views.culture`` says; an import needs ``partybuilding.record``
somewhere and writes only where the importer records (each row's village checked)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.common.downloads import xlsx_response
from grassroots.common.http import user_of
from grassroots.common.tabular import ImportRefused
from grassroots.common.uploads import KeptUploads
from grassroots.org.models import User
from grassroots.org.permissions import require
from grassroots.partybuilding.actions import culture as actions
from grassroots.partybuilding.errors import PartybuildingError
from grassroots.partybuilding.forms_culture import (
    MottoForm,
    PerformerFilterForm,
    PerformerForm,
    apply_error,
)
from grassroots.partybuilding.importing_culture import (
    MOTTO_HEADERS,
    PERFORMER_HEADERS,
    import_mottos,
    import_performers,
    motto_rows,
    motto_template,
    performer_rows,
    performer_template,
)
from grassroots.partybuilding.models import FamilyMotto, Performer
from grassroots.partybuilding.permissions import RECORD
from grassroots.partybuilding.queries_culture import (
    may_record_path,
    mottos,
    performers,
    recorded_paths,
    villages_for,
)
from grassroots.partybuilding.views.culture import (
    base_context,
    form_page,
    initial_village,
    page_of,
    querystring,
    recording_villages,
    require_view,
    searched,
    visible,
)
from grassroots.registers.importing.windows import rows_workbook
from grassroots.registers.views.imports import ImportPage

#: The most rows an export holds.
EXPORT_MAX: Final = 20000


def _editable_page(request: HttpRequest, user: User, rows: Any) -> Any:
    """The requested page of ``rows``, each marked ``editable`` where the viewer records."""
    paths = recorded_paths(user)
    page = page_of(request, rows)
    for row in page.object_list:
        row.editable = may_record_path(paths, row.unit_path)
    return page


# --- mottos ---------------------------------------------------------------------------------


@login_required
@require_GET
def motto_list(request: HttpRequest) -> HttpResponse:
    """The family mottos the viewer sees: search in family, motto and story; by village;
    ``?export=xlsx`` downloads what the filters show."""
    user = user_of(request)
    require_view(user)
    form, rows = searched(request, user, mottos)
    if request.GET.get("export") == "xlsx":
        book = rows_workbook("家训家风", MOTTO_HEADERS, motto_rows(rows[:EXPORT_MAX]))
        return xlsx_response(book, "家训家风.xlsx", "family-mottos.xlsx")
    page = _editable_page(request, user, rows)
    return render(
        request,
        "partybuilding/culture_mottos.html",
        base_context(user, "mottos", form=form, page=page, querystring=querystring(request)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def motto_new(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require_view(user)
    villages = recording_villages(user)
    title = _("New family motto")
    if request.method != "POST":
        form = MottoForm(villages=villages, initial=initial_village(villages, request))
        return form_page(request, user, "mottos", title, form=form)
    form = MottoForm(request.POST, villages=villages)
    if not form.is_valid():
        return form_page(request, user, "mottos", title, 400, form=form)
    try:
        actions.create_motto(
            form.cleaned_data["unit"], form.values(actions.MOTTO_FIELDS), actor=user
        )
    except PartybuildingError as exc:
        apply_error(form, exc)
        return form_page(request, user, "mottos", title, exc.http_status, form=form)
    messages.success(request, _("The family motto is saved."))
    return HttpResponseRedirect(reverse("partybuilding:mottos"))


@login_required
@require_http_methods(["GET", "POST"])
def motto_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a family motto (``action=save``) or remove it (``action=delete``)."""
    user = user_of(request)
    motto = visible(FamilyMotto, user, pk)
    require(user, RECORD, motto)
    title = _("Edit the motto of %(family)s") % {"family": motto.family}
    ctx: dict[str, Any] = {"record": motto, "delete_label": _("Remove this motto")}
    if request.method != "POST":
        form = MottoForm(initial={n: getattr(motto, n) for n in actions.MOTTO_FIELDS})
        return form_page(request, user, "mottos", title, form=form, **ctx)
    form = MottoForm(request.POST)
    try:
        if request.POST.get("action") == "delete":
            actions.delete_motto(motto.pk, actor=user)
            messages.success(request, _("The family motto is removed."))
            return HttpResponseRedirect(reverse("partybuilding:mottos"))
        if not form.is_valid():
            return form_page(request, user, "mottos", title, 400, form=form, **ctx)
        actions.update_motto(motto.pk, form.values(actions.MOTTO_FIELDS), actor=user)
    except PartybuildingError as exc:
        apply_error(form, exc)
        return form_page(request, user, "mottos", title, exc.http_status, form=form, **ctx)
    messages.success(request, _("The family motto is saved."))
    return HttpResponseRedirect(reverse("partybuilding:mottos"))


# --- performers -----------------------------------------------------------------------------


def _roster(request: HttpRequest, user: User) -> tuple[PerformerFilterForm, Any]:
    form = PerformerFilterForm(request.GET or None, villages=villages_for(user))
    data = form.filters()
    active = {"": True, "0": False, "all": None}.get(data.get("active", ""), True)
    rows = performers(
        user,
        text=data.get("q", ""),
        village=data.get("village"),
        specialty=data.get("specialty", ""),
        leader=data.get("leader"),
        active=active,
    )
    return form, rows


@login_required
@require_GET
def performer_list(request: HttpRequest) -> HttpResponse:
    """The roster of local performers and cultural leaders the viewer sees (phones masked);
    ``?export=xlsx`` downloads what the filters show."""
    user = user_of(request)
    require_view(user)
    form, rows = _roster(request, user)
    if request.GET.get("export") == "xlsx":
        book = rows_workbook("乡土文艺骨干", PERFORMER_HEADERS, performer_rows(rows[:EXPORT_MAX]))
        return xlsx_response(book, "乡土文艺骨干.xlsx", "local-performers.xlsx")
    page = _editable_page(request, user, rows)
    return render(
        request,
        "partybuilding/culture_performers.html",
        base_context(user, "performers", form=form, page=page, querystring=querystring(request)),
    )


def _performer_initial(performer: Performer) -> dict[str, Any]:
    initial = {n: getattr(performer, n) for n in actions.PERFORMER_FIELDS}
    initial["phone"] = performer.phone or ""
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def performer_new(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require_view(user)
    villages = recording_villages(user)
    title = _("New local performer")
    if request.method != "POST":
        initial = {"active": True, **initial_village(villages, request)}
        form = PerformerForm(villages=villages, initial=initial)
        return form_page(request, user, "performers", title, form=form)
    form = PerformerForm(request.POST, villages=villages)
    if not form.is_valid():
        return form_page(request, user, "performers", title, 400, form=form)
    try:
        actions.create_performer(
            form.cleaned_data["unit"], form.values(actions.PERFORMER_FIELDS), actor=user
        )
    except PartybuildingError as exc:
        apply_error(form, exc)
        return form_page(request, user, "performers", title, exc.http_status, form=form)
    messages.success(request, _("The performer is saved."))
    return HttpResponseRedirect(reverse("partybuilding:performers"))


@login_required
@require_http_methods(["GET", "POST"])
def performer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a performer (``action=save``; the village's recorders see the full phone
    here) or take them off the roster (``action=deactivate``)."""
    user = user_of(request)
    performer = visible(Performer, user, pk)
    require(user, RECORD, performer)
    title = _("Edit %(name)s") % {"name": performer.name}
    ctx: dict[str, Any] = {
        "record": performer,
        "delete_label": _("No longer active") if performer.active else "",
        "delete_action": "deactivate",
    }
    if request.method != "POST":
        form = PerformerForm(initial=_performer_initial(performer))
        return form_page(request, user, "performers", title, form=form, **ctx)
    form = PerformerForm(request.POST)
    try:
        if request.POST.get("action") == "deactivate":
            actions.deactivate_performer(performer.pk, actor=user)
            messages.success(
                request, _("%(name)s is off the active roster.") % {"name": performer.name}
            )
            return HttpResponseRedirect(reverse("partybuilding:performers"))
        if not form.is_valid():
            return form_page(request, user, "performers", title, 400, form=form, **ctx)
        actions.update_performer(performer.pk, form.values(actions.PERFORMER_FIELDS), actor=user)
    except PartybuildingError as exc:
        apply_error(form, exc)
        return form_page(request, user, "performers", title, exc.http_status, form=form, **ctx)
    messages.success(request, _("The performer is saved."))
    return HttpResponseRedirect(reverse("partybuilding:performers"))


# --- imports --------------------------------------------------------------------------------


def _import_nav(user: User) -> dict[str, Any]:
    return {"tab": "import", "may_record": True}


@dataclass(frozen=True)
class CultureImportPage(ImportPage):
    """The registers' import page with the archive's permission (``partybuilding.record``)
    and its template; ``?template=1`` downloads the empty sheet."""

    template_bytes: Any = None
    template_names: tuple[str, str] = ("", "")

    def handle(self, request: HttpRequest) -> HttpResponse:
        user = user_of(request)
        require(user, RECORD)
        if request.method != "POST":
            if request.GET.get("template"):
                return xlsx_response(self.template_bytes(), *self.template_names)
            return self.render(request, user)
        if request.POST.get("confirm"):
            return self._confirm(request, user)
        form = self.form_class(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(request, user, 400, form=form)
        path = self.uploads.store(request, form.cleaned_data["file"])
        try:
            summary = self.importer(path, actor=user, dry_run=True)
        except ImportRefused as exc:
            self.uploads.forget(request)
            return self.render(request, user, 400, errors=exc.errors, file=path.name)
        return self.render(
            request, user, checked=summary, token=self.uploads.token(request), file=path.name
        )


MOTTOS_IMPORT: Final = CultureImportPage(
    title=gettext_lazy("Import family mottos"),
    importer=import_mottos,
    uploads=KeptUploads(folder="motto-imports", session_key="culture_mottos", fallback="家训"),
    url_name="partybuilding:mottos_import",
    template_url="partybuilding:mottos_import",
    export_url="partybuilding:mottos",
    help=gettext_lazy(
        "One family a row; a family already in the village's collection is updated. The "
        "file is checked first: nothing is imported while any row has a problem."
    ),
    template="partybuilding/culture_import.html",
    nav_context=_import_nav,
    done_url="partybuilding:mottos",
    template_bytes=motto_template,
    template_names=("家训家风导入模板.xlsx", "family-mottos-template.xlsx"),
)
PERFORMERS_IMPORT: Final = CultureImportPage(
    title=gettext_lazy("Import local performers"),
    importer=import_performers,
    uploads=KeptUploads(folder="performer-imports", session_key="culture_perf", fallback="骨干"),
    url_name="partybuilding:performers_import",
    template_url="partybuilding:performers_import",
    export_url="partybuilding:performers",
    help=gettext_lazy(
        "One person a row; a person of the same name in the village is updated. The file "
        "is checked first: nothing is imported while any row has a problem."
    ),
    template="partybuilding/culture_import.html",
    nav_context=_import_nav,
    done_url="partybuilding:performers",
    template_bytes=performer_template,
    template_names=("乡土文艺骨干导入模板.xlsx", "local-performers-template.xlsx"),
)


@login_required
@require_http_methods(["GET", "POST"])
def mottos_import(request: HttpRequest) -> HttpResponse:
    return MOTTOS_IMPORT.handle(request)


@login_required
@require_http_methods(["GET", "POST"])
def performers_import(request: HttpRequest) -> HttpResponse:
    return PERFORMERS_IMPORT.handle(request)

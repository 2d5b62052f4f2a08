"""Cadre files: the section's overview, the list, a file (logged every time it is served),
its printout, the file forms, a cadre's leaving, and yearly grades.

A file is shown to those who may see it (``cadres.view_file`` over the cadre's unit);
anyone else gets 404, never a hint that it exists. Lists show no ID number or phone.

Also the small helpers the other cadres views share (``form_page``, ``querystring``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from grassroots.assessment.queries import published_results
from grassroots.cadres import permissions as p
from grassroots.cadres.actions.files import (
    create_cadre,
    log_file_view,
    set_cadre_status,
    set_grade,
    update_cadre,
)
from grassroots.cadres.context import section
from grassroots.cadres.errors import CadresError
from grassroots.cadres.forms import (
    CadreFilterForm,
    CadreForm,
    GradeForm,
    StatusForm,
    apply_error,
    valid_data,
)
from grassroots.cadres.models import Cadre, Grade, ToleranceCase, Vacancy
from grassroots.cadres.queries import (
    active_cadres_of,
    cadres_visible_to,
    excellent_count,
    policy_for,
    reserve_entries_visible_to,
    reserve_ratios,
    short_of_hours,
    temperings_visible_to,
    units_for,
)
from grassroots.cadres.shape import Course, excellent_quota, training_progress
from grassroots.cadres.states import (
    OPEN_RESERVE,
    CadreStatus,
    ReserveStatus,
    TemperingState,
    ToleranceState,
    VacancyState,
    YearGrade,
)
from grassroots.common.http import user_of
from grassroots.org.models import Unit, User
from grassroots.org.permissions import can, require
from grassroots.org.queries import subtree_q

PAGE_SIZE = 30
#: The file viewers' log shown on a file (to the organisation department).
VIEWS_SHOWN = 50
LIST_FIELDS = (
    "id",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "post",
    "level",
    "status",
    "unit_id",
    "unit__name",
    "unit__path",
)
#: The assessment's grades (``published_results``' ``grade``), as the assessment names them.
RESULT_GRADES: dict[str, str | Promise] = {
    "excellent": pgettext_lazy("grade", "Excellent"),
    "good": pgettext_lazy("grade", "Good"),
    "average": pgettext_lazy("grade", "Average"),
    "poor": pgettext_lazy("grade", "Poor"),
}


# --- shared by the cadres views -------------------------------------------------------------


def querystring(request: HttpRequest, *drop: str) -> str:
    params = request.GET.copy()
    for key in ("page", *drop):
        params.pop(key, None)
    return params.urlencode()


def posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one), ``None`` for a GET (an unbound form)."""
    return request.POST if request.method == "POST" else None


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` the form came with, when it stays on this site; else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def chosen_unit(units: list[Unit], code: str | None) -> Unit | None:
    """The unit of ``units`` whose code a filter gave (``None``: none given, or not one
    of them)."""
    return next((u for u in units if u.code == code), None) if code else None


def within_unit(qs: QuerySet[Any], unit: Unit | None, field: str = "unit__path") -> QuerySet[Any]:
    """``qs`` limited to ``unit`` and below when a unit was chosen."""
    return qs if unit is None else qs.filter(subtree_q(field, unit.path))


def visible_cadre(user: User, pk: int) -> Cadre:
    """The cadre ``pk`` when ``user`` may see the file, else 404."""
    found: Cadre = get_object_or_404(cadres_visible_to(user), pk=pk)
    return found


def form_page(
    request: HttpRequest,
    *,
    user: User,
    form: forms.Form,
    perform: Callable[[dict[str, Any]], object],
    done: Callable[[Any], str],
    message: str | Promise,
    title: str | Promise,
    back: tuple[str, str | Promise],
    tab: str = "files",
    submit: str | Promise = "",
    aliases: dict[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """One form and ONE action: GET shows the form; POST runs ``perform`` with the cleaned
    data and redirects to ``done(result)``, or shows the form again with the action's
    error on its field (400, or 409 for a conflict)."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = perform(form.cleaned_data)
            except CadresError as exc:
                apply_error(form, exc, aliases)
                status = exc.http_status
            else:
                messages.success(request, str(message))
                return HttpResponseRedirect(done(result))
    return render(
        request,
        "cadres/file_form.html",
        section(
            user,
            tab,
            form=form,
            title=title,
            back_url=back[0],
            back_label=back[1],
            submit=submit or title,
            next=request.POST.get("next") or request.GET.get("next") or "",
            **(extra or {}),
        ),
        status=status,
    )


def detail_url(cadre: Cadre | int, anchor: str = "") -> str:
    pk = cadre.pk if isinstance(cadre, Cadre) else cadre
    return reverse("cadres:detail", args=[pk]) + (f"#{anchor}" if anchor else "")


# --- overview -------------------------------------------------------------------------------


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """What the viewer may see of cadre work, in figures with links: files, the pool, the
    nominations to review, tempering under way, units short of reserves, training hours
    behind, open vacancies; and error-tolerance cases in progress. A supervisor (纪委)
    sees the tolerance part only."""
    user = user_of(request)
    files = can(user, p.VIEW_FILE)
    tolerance = can(user, p.VIEW_TOLERANCE)
    if not (files or tolerance):
        raise PermissionDenied
    year = timezone.localdate().year
    figures: dict[str, Any] = {}
    if files:
        cadres = cadres_visible_to(user)
        entries = reserve_entries_visible_to(user)
        ratios = reserve_ratios(user)
        figures.update(
            cadres=cadres.filter(status=CadreStatus.ACTIVE).count(),
            in_pool=entries.filter(status=ReserveStatus.IN_POOL).count(),
            awaiting=entries.filter(status=ReserveStatus.NOMINATED).count(),
            tempering=temperings_visible_to(user).filter(state=TemperingState.ONGOING).count(),
            short_units=[r for r in ratios if r.ratio.short],
            ratio_units=len(ratios),
            hours_short=len(short_of_hours(cadres, year)),
            vacancies=Vacancy.objects.visible_to(user).filter(state=VacancyState.OPEN).count(),
        )
    if tolerance:
        cases = ToleranceCase.objects.visible_to(user)
        figures.update(
            tolerance_applied=cases.filter(state=ToleranceState.APPLIED).count(),
            tolerance_publicity=cases.filter(state=ToleranceState.PUBLICITY).count(),
        )
    return render(
        request,
        "cadres/home.html",
        section(
            user,
            "home",
            files=files,
            tolerance=tolerance,
            year=year,
            may_manage=can(user, p.MANAGE),
            **figures,
        ),
    )


# --- the list -------------------------------------------------------------------------------


@login_required
@require_safe
def cadre_list(request: HttpRequest) -> HttpResponse:
    """The files the viewer may see, by name, with filters; names and posts only (no ID
    number, no phone)."""
    user = user_of(request)
    require(user, p.VIEW_FILE)
    units = units_for(user, p.VIEW_FILE)
    form = CadreFilterForm(request.GET or None, units=units)
    data = valid_data(form)
    cadres = cadres_visible_to(user)
    if text := (data.get("q") or "").strip():
        cadres = cadres.filter(name__icontains=text)
    cadres = within_unit(cadres, chosen_unit(units, data.get("unit")))
    for name in ("level", "education", "gender", "ethnicity", "status"):
        if value := data.get(name):
            cadres = cadres.filter(**{name: value})
    page = Paginator(
        cadres.only(*LIST_FIELDS).order_by("unit__path", "name", "pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "cadres/file_list.html",
        section(
            user,
            "files",
            form=form,
            page=page,
            rows=[(c, c.age_on(today)) for c in page.object_list],
            querystring=querystring(request),
            may_manage=can(user, p.MANAGE),
        ),
    )


# --- a file ---------------------------------------------------------------------------------


def file_context(user: User, cadre: Cadre) -> dict[str, Any]:
    """Everything a file shows (the caller has checked the viewer may see it)."""
    today = timezone.localdate()
    year = today.year
    policy = policy_for(cadre.unit)
    trainings = list(cadre.trainings.all())
    progress = training_progress(
        [Course(t.hours, t.result, t.ended_on) for t in trainings],
        year,
        policy.yearly_training_hours,
    )
    grades = list(cadre.grades.select_related("unit"))
    results: dict[tuple[int, int], list[dict[str, Any]]] = {}
    if grades:
        found = published_results(
            sorted({g.unit_id for g in grades}), years=sorted({g.year for g in grades})
        )
        for row in found:
            row["grade_label"] = RESULT_GRADES.get(row["grade"], row["grade"])
            results.setdefault((row["unit_id"], row["year"]), []).append(row)
    graded = [(g, results.get((g.unit_id, g.year), [])[:4]) for g in grades]
    may_manage = can(user, p.MANAGE, cadre)
    open_entry = next(
        (e for e in cadre.reserve_entries.all() if e.status in OPEN_RESERVE),
        None,
    )
    return {
        "cadre": cadre,
        "age": cadre.age_on(today),
        "today": today,
        "year": year,
        "posts": list(cadre.posts.select_related("unit")),
        "entries": list(cadre.reserve_entries.select_related("unit", "nominated_by")),
        "open_entry": open_entry,
        "trainings": trainings,
        "progress": progress,
        "mentors": list(cadre.mentorships.select_related("mentor", "mentor__unit")),
        "mentees": list(cadre.mentees.select_related("cadre", "cadre__unit")),
        "temperings": list(cadre.temperings.select_related("unit", "evaluated_by")),
        "moments": list(cadre.key_moments.all()),
        "graded": graded,
        "tolerated": list(
            ToleranceCase.objects.filter(cadre=cadre, state=ToleranceState.EFFECTIVE)
            .select_related("unit")
            .prefetch_related("measures")
        ),
        "file_views": (
            list(cadre.views.select_related("viewer")[:VIEWS_SHOWN]) if may_manage else None
        ),
        "may_manage": may_manage,
        "may_develop": can(user, p.DEVELOP, cadre),
        "may_grade": can(user, p.GRADE, cadre),
        "may_nominate": can(user, p.NOMINATE, cadre) and cadre.status == CadreStatus.ACTIVE,
        "active": cadre.status == CadreStatus.ACTIVE,
    }


@login_required
@require_safe
def cadre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The full file, with the ID number and phone; the look is written down."""
    user = user_of(request)
    cadre = visible_cadre(user, pk)
    log_file_view(cadre, user, "file")
    return render(
        request, "cadres/file_detail.html", section(user, "files", **file_context(user, cadre))
    )


@login_required
@require_safe
def cadre_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The file laid out for printing; the printout is written down too."""
    user = user_of(request)
    cadre = visible_cadre(user, pk)
    log_file_view(cadre, user, "print")
    return render(
        request, "cadres/file_print.html", section(user, "files", **file_context(user, cadre))
    )


def _login_of(form: CadreForm) -> User | None:
    """The user named in the form's ``login`` field (an error on the field if none)."""
    name = (form.cleaned_data.get("login") or "").strip()
    if not name:
        return None
    found = User.objects.filter(username=name, is_active=True).first()
    if found is None:
        raise CadresError(_("There is no active login with this user name."), field="login")
    return found


def _file_values(form: CadreForm) -> dict[str, Any]:
    d = form.cleaned_data
    return {
        "name": d["name"],
        "gender": d["gender"],
        "ethnicity": d["ethnicity"],
        "birth_date": d["birth_date"],
        "id_number": d["id_number"],
        "phone": d["phone"],
        "education": d["education"],
        "party_joined_on": d["party_joined_on"],
        "grassroots_since": d["grassroots_since"],
        "unit": int(d["unit"]),
        "post": d["post"],
        "level": d["level"],
        "user": _login_of(form),
    }


@login_required
@require_http_methods(["GET", "POST"])
def cadre_new(request: HttpRequest) -> HttpResponse:
    """Open a file (the organisation department, in a unit of its scope)."""
    user = user_of(request)
    require(user, p.MANAGE)
    form = CadreForm(posted(request), units=units_for(user, p.MANAGE))
    return form_page(
        request,
        user=user,
        form=form,
        perform=lambda d: create_cadre(
            actor=user, post_since=d["post_since"], **_file_values(form)
        ),
        done=detail_url,
        message=_("The file was opened."),
        title=_("New cadre file"),
        submit=_("Save"),
        back=(reverse("cadres:list"), _("Cadre files")),
        aliases={"user": "login"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cadre_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a file (the organisation department)."""
    user = user_of(request)
    cadre = visible_cadre(user, pk)
    require(user, p.MANAGE, cadre)
    form = CadreForm(
        posted(request),
        units=units_for(user, p.MANAGE),
        initial=CadreForm.initial_of(cadre),
    )
    return form_page(
        request,
        user=user,
        form=form,
        perform=lambda d: update_cadre(
            cadre, actor=user, changes=_file_values(form), post_since=d["post_since"]
        ),
        done=detail_url,
        message=_("The file was saved."),
        title=_("Change the file of %(name)s") % {"name": cadre.name},
        submit=_("Save"),
        back=(detail_url(cadre), cadre.name),
        aliases={"user": "login"},
        extra={"cadre": cadre},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cadre_status(request: HttpRequest, pk: int) -> HttpResponse:
    """A cadre leaves office (transferred out or retired)."""
    user = user_of(request)
    cadre = visible_cadre(user, pk)
    require(user, p.MANAGE, cadre)
    return form_page(
        request,
        user=user,
        form=StatusForm(posted(request)),
        perform=lambda d: set_cadre_status(
            cadre, actor=user, status=d["status"], on=d["on"], note=d["note"]
        ),
        done=detail_url,
        message=_("The file was saved."),
        title=_("%(name)s leaves office") % {"name": cadre.name},
        back=(detail_url(cadre), cadre.name),
        aliases={"on": "on"},
        extra={"cadre": cadre, "danger": True},
    )


# --- yearly grades --------------------------------------------------------------------------


def default_grade_year() -> int:
    """The year being graded: the last one until the end of March, then this one."""
    today = timezone.localdate()
    return today.year - 1 if today.month <= 3 else today.year


def _year_of(request: HttpRequest) -> int:
    raw = request.GET.get("year", "").strip()
    if raw.isascii() and raw.isdecimal() and 2000 <= int(raw) <= timezone.localdate().year:
        return int(raw)
    return default_grade_year()


def _first_with_cadres(units: list[Unit]) -> Unit | None:
    """The first of ``units`` (in path order) with a cadre in office, else the first."""
    found = (
        Cadre.objects.filter(status=CadreStatus.ACTIVE, unit__in=units)
        .order_by("unit__path")
        .values_list("unit_id", flat=True)
        .first()
    )
    return next((u for u in units if u.pk == found), units[0] if units else None)


@login_required
@require_safe
def grades(request: HttpRequest) -> HttpResponse:
    """A unit's yearly grades: its cadres in office and the grades counted against it,
    the Excellent quota and how much of it is used, and the unit's published assessment
    results of the year beside."""
    user = user_of(request)
    require(user, p.VIEW_FILE)
    units = units_for(user, p.VIEW_FILE)
    code = request.GET.get("unit", "")
    unit: Unit | None
    if code:
        unit = Unit.objects.filter(code=code, active=True).defer("geometry").first()
        if unit is None or not can(user, p.VIEW_FILE, unit):
            raise Http404
    else:
        unit = _first_with_cadres(units)
    if unit is None:
        raise Http404
    year = _year_of(request)
    given = {
        g.cadre_id: g
        for g in Grade.objects.filter(unit=unit, year=year).select_related("cadre", "decided_by")
    }
    in_office = list(
        Cadre.objects.filter(unit=unit, status=CadreStatus.ACTIVE).order_by("name", "pk")
    )
    rows = [(c, given.pop(c.pk, None)) for c in in_office]
    rows += [(g.cadre, g) for g in sorted(given.values(), key=lambda g: (g.cadre.name, g.pk))]
    policy = policy_for(unit)
    quota = excellent_quota(active_cadres_of(unit), policy.excellent_quota_percent)
    results = published_results([unit.pk], year=year)
    for row in results:
        row["grade_label"] = RESULT_GRADES.get(row["grade"], row["grade"])
    return render(
        request,
        "cadres/grades.html",
        section(
            user,
            "grades",
            unit=unit,
            units=units,
            year=year,
            years=list(range(timezone.localdate().year, 1999, -1))[:10],
            rows=rows,
            quota=quota,
            used=excellent_count(unit, year),
            percent=policy.excellent_quota_percent,
            results=results,
            may_grade=can(user, p.GRADE, unit),
            grade_choices=YearGrade.choices,
            here=request.get_full_path(),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def grade_form(request: HttpRequest, pk: int) -> HttpResponse:
    """Give or change one cadre's grade for a year (the quota is checked by the action)."""
    user = user_of(request)
    cadre = visible_cadre(user, pk)
    require(user, p.GRADE, cadre)
    year = request.POST.get("year") or request.GET.get("year") or str(default_grade_year())
    current = (
        Grade.objects.filter(cadre=cadre, year=year).first()
        if year.isascii() and year.isdecimal()
        else None
    )
    initial = {"year": year, "grade": current.grade if current else "", "note": ""}
    fallback = reverse("cadres:grades") + f"?unit={cadre.unit.code}&year={year}"
    return form_page(
        request,
        user=user,
        form=GradeForm(posted(request), initial=initial),
        perform=lambda d: set_grade(
            cadre, actor=user, year=d["year"], grade=d["grade"], note=d["note"]
        ),
        done=lambda g: safe_next(request, fallback),
        message=_("The grade was saved."),
        title=_("Yearly grade of %(name)s") % {"name": cadre.name},
        tab="grades",
        back=(fallback, _("Yearly grades")),
        extra={"cadre": cadre},
    )

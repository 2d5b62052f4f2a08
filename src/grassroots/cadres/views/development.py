"""Development and use, one form and one action each: a training record, a mentor given
or ended, a tempering assigned, evaluated or cancelled, a key moment entered by hand; and
the list of cadres short of this year's training hours.

The cadre (or the record's cadre) must be visible to the viewer (else 404); the form is
refused with 403 to someone who may see the file but not do this.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from grassroots.cadres import permissions as p
from grassroots.cadres.actions.development import (
    assign_mentor,
    assign_tempering,
    cancel_tempering,
    end_mentorship,
    evaluate_tempering,
    record_key_moment,
    record_training,
)
from grassroots.cadres.context import section
from grassroots.cadres.forms import (
    EndForm,
    EvaluateForm,
    KeyMomentForm,
    MentorForm,
    ReasonForm,
    TemperingForm,
    TrainingForm,
)
from grassroots.cadres.models import Cadre, Mentorship, Tempering
from grassroots.cadres.queries import (
    UNIT_LIMIT,
    cadres_visible_to,
    short_of_hours,
    units_for,
)
from grassroots.cadres.states import CadreStatus
from grassroots.cadres.views.files import (
    PAGE_SIZE,
    chosen_unit,
    detail_url,
    form_page,
    posted,
    querystring,
    visible_cadre,
    within_unit,
)
from grassroots.common.http import user_of
from grassroots.org.models import User
from grassroots.org.permissions import require


def _back(cadre: Cadre) -> tuple[str, str]:
    return detail_url(cadre), cadre.name


@login_required
@require_http_methods(["GET", "POST"])
def training_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    cadre = visible_cadre(user, pk)
    require(user, p.DEVELOP, cadre)
    return form_page(
        request,
        user=user,
        form=TrainingForm(posted(request)),
        perform=lambda d: record_training(
            cadre,
            actor=user,
            course=d["course"],
            provider=d["provider"],
            hours=d["hours"],
            started_on=d["started_on"],
            ended_on=d["ended_on"],
            result=d["result"],
        ),
        done=lambda r: detail_url(cadre, "training"),
        message=_("The training record was saved."),
        title=_("Training record of %(name)s") % {"name": cadre.name},
        back=_back(cadre),
        extra={"cadre": cadre},
    )


def mentor_choices(user: User, cadre: Cadre) -> list[Cadre]:
    """The cadres in office whose files the viewer may see, the cadre left out."""
    return list(
        cadres_visible_to(user)
        .filter(status=CadreStatus.ACTIVE)
        .exclude(pk=cadre.pk)
        .order_by("unit__path", "name", "pk")[:UNIT_LIMIT]
    )


@login_required
@require_http_methods(["GET", "POST"])
def mentor_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    cadre = visible_cadre(user, pk)
    require(user, p.DEVELOP, cadre)
    return form_page(
        request,
        user=user,
        form=MentorForm(posted(request), mentors=mentor_choices(user, cadre)),
        perform=lambda d: assign_mentor(
            cadre,
            actor=user,
            mentor=int(d["mentor"]),
            started_on=d["started_on"],
            note=d["note"],
        ),
        done=lambda m: detail_url(cadre, "mentors"),
        message=_("The mentor was assigned."),
        title=_("A mentor for %(name)s") % {"name": cadre.name},
        back=_back(cadre),
        extra={"cadre": cadre},
    )


@login_required
@require_http_methods(["GET", "POST"])
def mentor_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    mentorship = get_object_or_404(Mentorship.objects.select_related("mentor"), pk=pk)
    cadre = visible_cadre(user, mentorship.cadre_id)
    require(user, p.DEVELOP, cadre)
    return form_page(
        request,
        user=user,
        form=EndForm(posted(request)),
        perform=lambda d: end_mentorship(mentorship, actor=user, ended_on=d["ended_on"]),
        done=lambda m: detail_url(cadre, "mentors"),
        message=_("The mentorship was ended."),
        title=_("End the mentorship of %(mentor)s for %(name)s")
        % {"mentor": mentorship.mentor.name, "name": cadre.name},
        back=_back(cadre),
        extra={"cadre": cadre},
    )


@login_required
@require_http_methods(["GET", "POST"])
def tempering_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    cadre = visible_cadre(user, pk)
    require(user, p.MANAGE, cadre)
    return form_page(
        request,
        user=user,
        form=TemperingForm(posted(request), units=units_for(user, p.MANAGE)),
        perform=lambda d: assign_tempering(
            cadre,
            actor=user,
            kind=d["kind"],
            unit=int(d["unit"]),
            post=d["post"],
            started_on=d["started_on"],
            planned_end=d["planned_end"],
        ),
        done=lambda t: detail_url(cadre, "tempering"),
        message=_("The tempering assignment was recorded."),
        title=_("Send %(name)s to temper") % {"name": cadre.name},
        back=_back(cadre),
        extra={"cadre": cadre},
    )


def _visible_tempering(user: User, pk: int) -> tuple[Cadre, Tempering]:
    tempering = get_object_or_404(Tempering.objects.select_related("unit"), pk=pk)
    return visible_cadre(user, tempering.cadre_id), tempering


@login_required
@require_http_methods(["GET", "POST"])
def tempering_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    cadre, tempering = _visible_tempering(user, pk)
    require(user, p.DEVELOP, cadre)
    return form_page(
        request,
        user=user,
        form=EvaluateForm(posted(request)),
        perform=lambda d: evaluate_tempering(
            tempering,
            actor=user,
            appraisal=d["appraisal"],
            remarks=d["remarks"],
            ended_on=d["ended_on"],
        ),
        done=lambda t: detail_url(cadre, "tempering"),
        message=_("The evaluation was recorded."),
        title=_("Evaluate the tempering of %(name)s") % {"name": cadre.name},
        back=_back(cadre),
        extra={
            "cadre": cadre,
            "facts": [
                (_("kind of work"), tempering.get_kind_display()),
                (_("where"), f"{tempering.unit.name} · {tempering.post}"),
                (_("from"), tempering.started_on.isoformat()),
                (_("planned end"), tempering.planned_end.isoformat()),
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def tempering_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    cadre, tempering = _visible_tempering(user, pk)
    require(user, p.MANAGE, cadre)
    return form_page(
        request,
        user=user,
        form=ReasonForm(posted(request)),
        perform=lambda d: cancel_tempering(tempering, actor=user, reason=d["reason"]),
        done=lambda t: detail_url(cadre, "tempering"),
        message=_("The tempering assignment was cancelled."),
        title=_("Cancel the tempering of %(name)s") % {"name": cadre.name},
        back=_back(cadre),
        extra={"cadre": cadre, "danger": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def moment_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    cadre = visible_cadre(user, pk)
    require(user, p.DEVELOP, cadre)
    return form_page(
        request,
        user=user,
        form=KeyMomentForm(posted(request)),
        perform=lambda d: record_key_moment(
            cadre,
            actor=user,
            kind=d["kind"],
            occurred_on=d["occurred_on"],
            title=d["title"],
            detail=d["detail"],
            outcome=d["outcome"] or None,
        ),
        done=lambda k: detail_url(cadre, "moments"),
        message=_("The key-moment record was saved."),
        title=_("Key-moment record of %(name)s") % {"name": cadre.name},
        back=_back(cadre),
        extra={"cadre": cadre},
    )


@login_required
@require_safe
def training_short(request: HttpRequest) -> HttpResponse:
    """Cadres in office short of this year's required training hours, furthest behind
    first (``?unit=<code>`` for a unit and below)."""
    user = user_of(request)
    require(user, p.VIEW_FILE)
    year = timezone.localdate().year
    units = units_for(user, p.VIEW_FILE)
    within = chosen_unit(units, request.GET.get("unit", ""))
    found = short_of_hours(within_unit(cadres_visible_to(user), within), year)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cadres/dev_short.html",
        section(
            user,
            "files",
            page=page,
            year=year,
            units=units,
            unit_code=within.code if within else "",
            querystring=querystring(request),
        ),
    )

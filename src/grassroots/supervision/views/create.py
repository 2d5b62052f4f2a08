"""下达任务: the city office (whoever may ``supervision.deploy``) creates a root task for
a unit in its scope — its own unit (a task it will split among the units below) or a
unit below — with its milestones and target."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.common.http import user_of
from grassroots.org.models import Unit, UnitKind, User, is_within
from grassroots.org.permissions import require, role_may
from grassroots.org.queries import active_grants, subtree_q
from grassroots.supervision import permissions as perms
from grassroots.supervision.actions import create_task
from grassroots.supervision.errors import SupervisionError
from grassroots.supervision.forms import TaskForm, apply_error

#: A select with more units than this is not usable anyway.
UNIT_LIMIT = 2000


def deploy_roots(user: User) -> list[Unit]:
    """The units where the user may deploy tasks (their own and those below)."""
    if user.is_superuser:
        return list(Unit.objects.filter(parent=None, active=True).defer("geometry"))
    ids = [g.unit_id for g in active_grants(user) if role_may(g.role, perms.DEPLOY)]
    return list(Unit.objects.filter(pk__in=ids, active=True).defer("geometry").order_by("path"))


def deployable_units(roots: list[Unit]) -> list[Unit]:
    """The units a task may be deployed to: each root and the units below it (grids
    excepted), in path order."""
    if not roots:
        return []
    scope = subtree_q("path", roots[0].path)
    for root in roots[1:]:
        scope |= subtree_q("path", root.path)
    return list(
        Unit.objects.filter(scope, active=True)
        .exclude(kind=UnitKind.GRID)
        .defer("geometry")
        .order_by("path")[:UNIT_LIMIT]
    )


@login_required
def new_task(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require(user, perms.DEPLOY)
    roots = deploy_roots(user)
    units = deployable_units(roots)
    form = TaskForm(request.POST or None, units=units)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            unit = data["unit"]
            # the deepest unit of the user's deploy grants holding the chosen unit
            issuer = max(
                (r for r in roots if is_within(unit.path, r.path)),
                key=lambda r: r.path.count("."),
            )
            try:
                task = create_task(
                    actor=user,
                    title=data["title"],
                    kind=data["kind"],
                    unit=unit,
                    issuer=issuer,
                    deadline=data["deadline"],
                    start_date=data["start_date"],
                    doc_number=data["doc_number"],
                    description=data["description"],
                    level=data["level"],
                    target_value=data["target_value"] or None,
                    target_measure=data["target_measure"],
                    co_units=data["co_units"],
                    milestones=data["milestones"],
                    budget=data["budget"] or None,
                    location=data["location"],
                    beneficiaries=data["beneficiaries"],
                )
            except SupervisionError as exc:
                apply_error(form, exc, {})
            else:
                messages.success(request, _("The task was deployed."))
                return HttpResponseRedirect(reverse("supervision:detail", args=[task.pk]))
    return render(request, "supervision/task_form.html", {"form": form}, status=status)

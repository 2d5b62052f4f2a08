"""The 一户一宅 cases' pages (``/registers/homesteads/cases/``): the list (kind, status,
overdue, village, search), a case's page with its moves as forms, and the one POST that
makes a move (``verb``: ``rectifying``, ``rectified`` or ``dismissed``).

A case outside the viewer's scope is a 404; a move by someone who sees the case but does
not manage the village (a supervisor, a grid worker) is a 403; a form that does not parse,
or an action's error, comes back on the page with HTTP 400; a move the case's status does
not allow is a 409.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from grassroots.common.http import user_of
from grassroots.org.models import User
from grassroots.org.permissions import can
from grassroots.registers.actions import homesteads as actions
from grassroots.registers.errors import IllegalTransition, RegistersConflict, RegistersError
from grassroots.registers.forms_homesteads import (
    MOVE_FORMS,
    CaseFilterForm,
    apply_error,
    valid_data,
)
from grassroots.registers.models import HomesteadCase
from grassroots.registers.permissions import MANAGE
from grassroots.registers.queries import supervision_of
from grassroots.registers.queries_homesteads import (
    UNIT_LIMIT,
    cases_visible_to,
    filter_cases,
    names_for,
    shown_name,
    villages_for,
    visible_case,
)
from grassroots.registers.states import (
    HOMESTEAD_CASE_TRANSITIONS,
    OPEN_HOMESTEAD_CASE,
    HomesteadCaseStatus,
)
from grassroots.registers.views.homesteads import (
    check_units,
    context,
    history_rows,
    require_view,
)

PAGE_SIZE: Final = 30
#: The buttons of a case's moves.
MOVE_LABELS: Final = {
    HomesteadCaseStatus.RECTIFYING.value: gettext_lazy("Start rectifying"),
    HomesteadCaseStatus.RECTIFIED.value: gettext_lazy("Mark as rectified"),
    HomesteadCaseStatus.DISMISSED.value: gettext_lazy("Dismiss after checking"),
}


@login_required
@require_safe
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases the viewer may see, the ones due first, with filters."""
    user = user_of(request)
    require_view(user)
    today = timezone.localdate()
    villages = list(villages_for(user)[:UNIT_LIMIT])
    form = CaseFilterForm(request.GET or None, villages=villages)
    cases = filter_cases(cases_visible_to(user), valid_data(form), today).order_by("due_on", "pk")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    full = names_for(user)
    lines = [
        {
            "c": c,
            "holder": shown_name(getattr(c, "holder", ""), full(c.unit.path)),
            "overdue": c.status in OPEN_HOMESTEAD_CASE and c.due_on < today,
        }
        for c in page.object_list
    ]
    keep = [(k, v) for k, v in request.GET.items() if k != "page" and v]
    return render(
        request,
        "registers/homestead_cases.html",
        context(
            user,
            "cases",
            form=form,
            page=page,
            lines=lines,
            querystring=urlencode(keep),
            check_units=check_units(user),
        ),
    )


def _case_page(
    request: HttpRequest,
    user: User,
    case: HomesteadCase,
    *,
    failed: tuple[str, forms.Form] | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    manages = can(user, MANAGE, case)
    allowed = HOMESTEAD_CASE_TRANSITIONS.get(HomesteadCaseStatus(case.status), frozenset())
    moves: list[dict[str, Any]] = []
    if manages:
        for verb, form_class in MOVE_FORMS.items():
            if verb not in allowed:
                continue
            if failed is not None and failed[0] == verb:
                form = failed[1]
            elif verb == HomesteadCaseStatus.RECTIFIED:
                form = form_class(initial={"closed_on": today}, prefix=verb)
            else:
                form = form_class(prefix=verb)
            moves.append({"verb": verb, "label": MOVE_LABELS[verb], "form": form})
    return render(
        request,
        "registers/homestead_case.html",
        context(
            user,
            "cases",
            c=case,
            holder=shown_name(getattr(case, "holder", ""), names_for(user)(case.unit.path)),
            overdue=case.status in OPEN_HOMESTEAD_CASE and case.due_on < today,
            moves=moves,
            open_verb=failed[0] if failed else "",
            history=history_rows(case),
            problem=problem,
            supervision=supervision_of(user, case),
            supervise_kind="homestead",
        ),
        status=status,
    )


@login_required
@require_safe
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    return _case_page(request, user, visible_case(user, pk))


@login_required
@require_POST
def case_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Parse the form of the POSTed ``verb`` and make the move (see the module
    docstring for the answers)."""
    user = user_of(request)
    case = visible_case(user, pk)
    if not can(user, MANAGE, case):
        raise PermissionDenied
    verb = request.POST.get("verb", "")
    form_class = MOVE_FORMS.get(verb)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, prefix=verb)
    if not form.is_valid():
        return _case_page(request, user, case, failed=(verb, form), status=400)
    d = form.cleaned_data
    try:
        if verb == HomesteadCaseStatus.RECTIFYING:
            actions.start_rectifying(case.pk, actor=user, measures=d["measures"])
        elif verb == HomesteadCaseStatus.RECTIFIED:
            actions.mark_rectified(case.pk, actor=user, note=d["note"], on=d["closed_on"])
        else:
            actions.dismiss_case(case.pk, actor=user, reason=d["reason"])
    except (IllegalTransition, RegistersConflict) as exc:
        return _case_page(
            request, user, visible_case(user, pk), problem=str(exc.message), status=409
        )
    except RegistersError as exc:
        apply_error(form, exc)
        return _case_page(request, user, case, failed=(verb, form), status=400)
    messages.success(request, _("Done: %(action)s.") % {"action": MOVE_LABELS[verb]})
    return HttpResponseRedirect(reverse("registers:homestead_case", args=[pk]))

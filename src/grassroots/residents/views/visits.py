"""The grid worker's care pages on the phone: my people in care (overdue first) and the
visit form (走访登记). Thin: the POST parses one form and calls ``record_visit``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from grassroots.common.http import user_of
from grassroots.org.models import User
from grassroots.org.permissions import require
from grassroots.residents import care as rules
from grassroots.residents.actions import care as actions
from grassroots.residents.errors import ResidentsError
from grassroots.residents.forms_care import VisitForm, apply_error
from grassroots.residents.models import KeyPerson
from grassroots.residents.permissions import VISIT
from grassroots.residents.queries_care import find_care, my_people, visit_history

PAGE_SIZE = 20
#: The last visits shown under the form.
RECENT = 3


@login_required
@require_safe
def m_visits(request: HttpRequest) -> HttpResponse:
    """My people in care, the soonest due first: overdue ones on top with a red badge."""
    user = user_of(request)
    require(user, VISIT)
    today = timezone.localdate()
    people = my_people(user)
    overdue_count = people.filter(due_on__lt=today).count()
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    cards = [(kp, rules.days_overdue(kp.due_on, today)) for kp in page]
    return render(
        request,
        "residents/m_visits.html",
        {"page": page, "cards": cards, "overdue_count": overdue_count, "today": today},
    )


def _form_page(
    request: HttpRequest, user: User, kp: KeyPerson, form: VisitForm, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "residents/m_visit.html",
        {
            "kp": kp,
            "form": form,
            "today": today,
            "overdue_days": rules.days_overdue(kp.due_on, today),
            "recent": list(visit_history(kp)[:RECENT]),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def m_visit(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a visit of one person in care; a resubmitted form (same key) is stored once."""
    user = user_of(request)
    kp = find_care(user, pk)
    if kp is None:
        raise Http404
    require(user, VISIT, kp)
    today = timezone.localdate()
    if request.method != "POST":
        return _form_page(request, user, kp, VisitForm(today=today))
    form = VisitForm(request.POST, request.FILES, today=today)
    if not form.is_valid():
        return _form_page(request, user, kp, form, status=400)
    d = form.cleaned_data
    try:
        visit = actions.record_visit(
            kp,
            actor=user,
            visited_on=d["visited_on"],
            met=d["met"],
            findings=d.get("findings") or "",
            problem_found=bool(d.get("problem_found")),
            category=d.get("category"),
            title=d.get("title") or "",
            photos=d.get("photos") or [],
            idempotency_key=d.get("idempotency_key") or None,
        )
    except ResidentsError as exc:
        apply_error(form, exc)
        kp.refresh_from_db()
        return _form_page(request, user, kp, form, status=int(getattr(exc, "http_status", 400)))
    if visit.event is not None:
        messages.success(
            request,
            _("The visit was recorded and event %(number)s was opened.")
            % {"number": visit.event.number},
        )
    else:
        messages.success(request, _("The visit was recorded."))
    return HttpResponseRedirect(reverse("residents:m_visits"))

"""Putting a case under supervision (挂牌督办) from its page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grassroots.common.errors import DomainError
from grassroots.common.http import user_of
from grassroots.registers.actions.supervise import supervise_case

#: The page each kind of case goes back to.
DETAIL = {"homestead": "registers:homestead_case", "construction": "registers:construction_detail"}


@login_required
@require_POST
def supervise(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Create the case's supervised task (the city office) and go back to the case with a
    message; a refusal is a page saying why (409 for a closed or supervised case, 400 for
    the supervision's own checks); 403 for who may not deploy tasks, 404 out of scope."""
    user = user_of(request)
    if kind not in DETAIL:
        raise Http404
    back = reverse(DETAIL[kind], args=[pk])
    try:
        task = supervise_case(kind, pk, actor=user)
    except DomainError as exc:
        context = {"message": exc.message, "back": back}
        return render(request, "registers/refused.html", context, status=exc.http_status)
    messages.success(
        request, _("The case is now the supervised task “%(title)s”.") % {"title": task.title}
    )
    return redirect(back)

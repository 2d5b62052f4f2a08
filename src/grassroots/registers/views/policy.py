"""The registers' policy page (``registers:policy``): the area standard, the deadlines,
the baseline date and the 天窗 programme's years.

Whoever may configure the registers (the city office, ``registers.configure``) edits the
policy of the unit of their membership (the city; ``?unit=<code>`` picks another of theirs);
everyone else who sees the registers (``registers.view``) reads the policy that applies to
their unit — its own, the nearest one above, or the defaults — without a form. A POST by
someone who may not configure is a 403; an error of the action comes back on its field with
HTTP 400.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from grassroots.common.http import user_of
from grassroots.org.models import Unit, User
from grassroots.org.permissions import can
from grassroots.org.queries import grant_paths
from grassroots.registers.actions.policy import FIELDS, snapshot, update_policy
from grassroots.registers.errors import RegistersError
from grassroots.registers.forms_homesteads import apply_error
from grassroots.registers.forms_policy import PolicyForm
from grassroots.registers.permissions import CONFIGURE, VIEW
from grassroots.registers.queries import policy_for
from grassroots.registers.views.homesteads import context


def _units(user: User, action: str) -> list[Unit]:
    """The units of the viewer's memberships that grant ``action``, by path."""
    paths = grant_paths(user, action)
    if not paths:
        return []
    return list(Unit.objects.filter(path__in=paths, active=True).defer("geometry").order_by("path"))


@login_required
@require_http_methods(["GET", "POST"])
def policy(request: HttpRequest) -> HttpResponse:
    """GET: the policy that applies to the chosen unit, as a form for those who configure,
    read-only for the others; POST: save it as that unit's own policy."""
    user = user_of(request)
    editable = can(user, CONFIGURE)
    if not editable and not can(user, VIEW):
        raise PermissionDenied
    if request.method == "POST" and not editable:
        raise PermissionDenied
    units = _units(user, CONFIGURE if editable else VIEW)
    if not units:
        raise PermissionDenied
    code = request.GET.get("unit") or units[0].code
    unit = next((u for u in units if u.code == code), None)
    if unit is None:
        raise Http404
    current = policy_for(unit)
    status = 200
    form = PolicyForm(initial=PolicyForm.initial_of(current)) if editable else None
    if request.method == "POST":
        form = PolicyForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                update_policy(unit, form.values(), actor=user)
            except RegistersError as exc:
                apply_error(form, exc)
                status = exc.http_status
            else:
                messages.success(
                    request, _("The policy of %(unit)s is saved.") % {"unit": unit.name}
                )
                return HttpResponseRedirect(
                    f"{reverse('registers:policy')}?{urlencode({'unit': unit.code})}"
                )
    own = current.pk is not None and current.unit_id == unit.pk
    shown: list[dict[str, Any]] = []
    values = snapshot(current)
    labels = PolicyForm.base_fields
    for name in FIELDS:
        shown.append({"name": name, "label": labels[name].label, "value": values[name]})
    return render(
        request,
        "registers/policy.html",
        context(
            user,
            "policy",
            unit=unit,
            units=units,
            form=form,
            shown=shown,
            own=own,
            inherited_from=current.unit if current.pk is not None and not own else None,
        ),
        status=status,
    )

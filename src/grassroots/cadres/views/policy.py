"""The policy page (``cadres:policy``): the organisation department sets, for a unit it
manages (the city, or a township that needs its own), the reserve ratio, training hours,
the 优秀 quota, the public notice period, years in grassroots work, the age limits by
level and the readiness weights. A unit without its own policy follows the nearest one
above; the page says which."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from grassroots.cadres import permissions as p
from grassroots.cadres.actions.policy import set_policy
from grassroots.cadres.context import section
from grassroots.cadres.errors import CadresError
from grassroots.cadres.forms import apply_error
from grassroots.cadres.forms_selection import PolicyForm
from grassroots.cadres.queries import policy_for
from grassroots.cadres.scoring import DEFAULT_WEIGHTS, effective_weights
from grassroots.common.http import user_of
from grassroots.org.models import Unit, UnitKind
from grassroots.org.permissions import can

#: Units that may carry a policy of their own: the county level and the townships.
POLICY_KINDS = (
    UnitKind.PROVINCE,
    UnitKind.PREFECTURE,
    UnitKind.COUNTY,
    UnitKind.STREET,
    UnitKind.TOWNSHIP,
)
UNIT_LIMIT = 2000


@login_required
@require_http_methods(["GET", "POST"])
def policy(request: HttpRequest) -> HttpResponse:
    """GET: the policy that applies to the chosen unit (``?unit=<code>``, default the
    first one the viewer manages) as a form; POST: save it as that unit's own policy."""
    user = user_of(request)
    if not can(user, p.MANAGE):
        raise Http404
    units = list(
        Unit.objects.visible_to(user, p.MANAGE)
        .filter(active=True, kind__in=POLICY_KINDS)
        .defer("geometry")
        .order_by("path")[:UNIT_LIMIT]
    )
    if not units:
        raise Http404
    code = request.GET.get("unit") or units[0].code
    unit = next((u for u in units if u.code == code), None)
    if unit is None:
        raise Http404
    current = policy_for(unit)
    own = current.pk is not None and current.unit_id == unit.pk
    form = PolicyForm(
        request.POST or None,
        initial=PolicyForm.initial_of(current, effective_weights(current.weights)),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                set_policy(
                    unit,
                    actor=user,
                    reserve_ratio=data["reserve_ratio"],
                    yearly_training_hours=data["yearly_training_hours"],
                    excellent_quota_percent=data["excellent_quota_percent"],
                    public_notice_workdays=data["public_notice_workdays"],
                    min_grassroots_years=data["min_grassroots_years"],
                    max_age=form.max_age(),
                    weights=form.weights(),
                )
            except CadresError as exc:
                apply_error(form, exc)
                status = exc.http_status
            else:
                messages.success(
                    request, _("The policy of %(unit)s is saved.") % {"unit": unit.name}
                )
                return HttpResponseRedirect(
                    f"{reverse('cadres:policy')}?{urlencode({'unit': unit.code})}"
                )
    return render(
        request,
        "cadres/policy.html",
        section(
            user,
            "policy",
            units=units,
            unit=unit,
            form=form,
            groups=form.groups(),
            own=own,
            inherited_from=current.unit if current.pk is not None and not own else None,
            default_total=sum(DEFAULT_WEIGHTS.values()),
        ),
        status=status,
    )

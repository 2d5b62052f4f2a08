"""The public notice of error-tolerance cases (容错免责公示, /public/tolerance/), no login.

A case the committee decided to tolerate is published for the policy's number of working
days; anyone may object during that time. The public sees, of each case under notice: its
number, the unit, the name of the official it concerns (a public notice names them), the
mistake, a summary of the facts (with anything looking like a phone or an ID number
masked) and when the notice ends — never a phone, an ID number, who applied, the
verification or the vote. The objection form asks a name, a phone (to be answered on;
masked wherever it is shown afterwards) and the objection, with the portal's captcha and
a rate limit per client; it is refused once the notice has ended.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Final

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from grassroots.cadres.actions.tolerance import NAME_MAX, TEXT_MAX, file_objection
from grassroots.cadres.errors import CadresConflict, CadresError
from grassroots.cadres.models import ToleranceCase
from grassroots.cadres.queries_tolerance import noticed_case, under_notice
from grassroots.cadres.states import ToleranceState
from grassroots.common.masking import mask_id_number, mask_name, mask_phone
from grassroots.org.models import User
from grassroots.portal import captcha, ratelimit
from grassroots.portal.forms import CaptchaForm
from grassroots.portal.views import PHONE_IN_TEXT, limited

PER_PAGE: Final = 20
WINDOW: Final = 3600
#: The facts shown on the list, in characters.
SUMMARY: Final = 140
_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])|(?<!\d)\d{15}(?!\d)")


def objections_per_hour() -> int:
    """Objections accepted per client and hour (the captcha slows a script down too)."""
    return int(getattr(settings, "PORTAL_OBJECTIONS_PER_HOUR", 10))


def scrub(text: str) -> str:
    """``text`` with phone and ID numbers masked (facts are written by staff, who may have
    quoted one)."""
    text = _ID.sub(lambda m: mask_id_number(m.group(0)), text)
    return PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)


@dataclass(frozen=True, slots=True)
class PublicCase:
    """What the public sees of one case under notice."""

    number: str
    unit: str
    official: str
    post: str
    title: str
    summary: str
    facts: str
    notice_starts: dt.datetime | None
    notice_ends: dt.datetime | None


def public(case: ToleranceCase) -> PublicCase:
    facts = scrub(" ".join(case.facts.split()))
    summary = facts if len(facts) <= SUMMARY else facts[:SUMMARY] + "…"
    return PublicCase(
        number=case.number,
        unit=case.unit.name,
        # The post and unit say who it concerns; the public never reads a person's name.
        official=mask_name(case.cadre.name) if case.cadre else "",
        post=case.cadre.post if case.cadre else "",
        title=scrub(case.title),
        summary=summary,
        facts=facts,
        notice_starts=case.notice_starts,
        notice_ends=case.notice_ends,
    )


class ObjectionForm(CaptchaForm):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=NAME_MAX)
    phone = forms.CharField(
        label=gettext_lazy("Your phone"),
        max_length=20,
        help_text=gettext_lazy("To answer you; never shown in full."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    text = forms.CharField(
        label=gettext_lazy("Your objection"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:  # a login answers for itself: name and phone may be left out
            self.fields["name"].required = False
            self.fields["name"].initial = user.display_name
            self.fields["phone"].required = False


@require_safe
def notices(request: HttpRequest) -> HttpResponse:
    """The cases under public notice now, the notice ending soonest first."""
    now = timezone.now()
    page = Paginator(under_notice(now), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/tolerance_list.html",
        {"page": page, "cases": [public(c) for c in page.object_list], "query": ""},
    )


def _form_page(
    request: HttpRequest,
    case: ToleranceCase,
    form: ObjectionForm,
    *,
    status: int = 200,
    problem: str = "",
) -> HttpResponse:
    """The form with a new captcha (an answer, right or wrong, spends the old one)."""
    form.forget_answer()
    now = timezone.now()
    is_open = (
        case.notice_ends is not None
        and case.notice_ends > now
        and case.state == ToleranceState.PUBLICITY
    )
    return render(
        request,
        "portal/tolerance_object.html",
        {
            "case": public(case),
            "form": form,
            "captcha_token": captcha.issue(),
            "is_open": is_open,
            "problem": problem,
        },
        status=status,
    )


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def objection(request: HttpRequest, number: str) -> HttpResponse:
    """File an objection to a case under notice (refused, 409, once the notice ended)."""
    case = noticed_case(number)
    if case is None:
        raise Http404
    user = request.user if isinstance(request.user, User) and request.user.is_active else None
    if request.method != "POST":
        return _form_page(request, case, ObjectionForm(user=user))
    form = ObjectionForm(request.POST, user=user)
    if not form.is_valid():
        return _form_page(request, case, form, status=400)
    if not ratelimit.hit(
        "tolerance_objection",
        ratelimit.client_ip(request),
        limit=objections_per_hour(),
        window=WINDOW,
    ):
        return limited(request)
    data = form.cleaned_data
    try:
        file_objection(
            case.pk, actor=user, name=data["name"], phone=data["phone"], text=data["text"]
        )
    except CadresConflict as exc:
        fresh = noticed_case(number) or case
        return _form_page(request, fresh, form, status=409, problem=str(exc.message))
    except CadresError as exc:
        if exc.field in form.fields:
            form.add_error(exc.field, str(exc.message))
        else:
            form.add_error(None, str(exc.message))
        return _form_page(request, case, form, status=400)
    messages.success(
        request,
        _("Thank you: your objection to %(number)s was recorded and will be answered.")
        % {"number": case.number},
    )
    return HttpResponseRedirect(reverse("portal:tolerance"))

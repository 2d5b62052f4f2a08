"""An event's page: facts, deadline, full timeline, and the forms of what the user may do.

Each form posts to :func:`act`, a thin view that parses it and calls ONE action. An
action's error goes back on the form field it names with HTTP 400; an illegal move or a
lost race is a 409 with the reason; out of scope is 404 (the event is not visible) or 403.
With htmx, the page's main part is swapped in place instead of a redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grassroots.common.http import user_of
from grassroots.common.masking import mask_name, mask_phone
from grassroots.events.errors import EventConflict, EventError, EventNotFound, IllegalTransition
from grassroots.events.forms import apply_error
from grassroots.events.models import Attachment, Event, EventAction
from grassroots.events.states import OPEN_STATUSES
from grassroots.events.views.verbs import VERBS, Verb, available_verbs
from grassroots.org.models import User
from grassroots.org.permissions import can

#: Related units are read without their (large) geometry.
_UNIT_RELATIONS = ("grid", "village", "township", "assignee", "dispatcher")


def visible_event(user: User, pk: int) -> Event:
    """The event if the user may see it; otherwise 404 (never reveal it exists)."""
    event: Event | None = (
        Event.objects.visible_to(user)
        .select_related("category", "category__parent", "reporter", *_UNIT_RELATIONS)
        .defer(*(f"{r}__geometry" for r in _UNIT_RELATIONS))
        .filter(pk=pk)
        .first()
    )
    if event is None:
        raise Http404
    return event


def timeline(event: Event) -> list[EventAction]:
    """Every line of the event's history with its actor, unit and photos (3 queries)."""
    return list(
        EventAction.objects.filter(event=event)
        .select_related("actor", "actor_unit")
        .defer("actor_unit__geometry")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def may_see_contact(user: User, event: Event) -> bool:
    """Those who must call the reporter back: the dispatcher's and the handler's people."""
    return can(user, "events.dispatch", event.assignee) or can(
        user, "events.handle", event.assignee
    )


def contact_of(user: User, event: Event) -> dict[str, str]:
    if may_see_contact(user, event):
        return {"name": event.contact_name, "phone": event.contact_phone}
    return {
        "name": mask_name(event.contact_name) if event.contact_name else "",
        "phone": mask_phone(event.contact_phone) if event.contact_phone else "",
    }


def detail_context(
    request: HttpRequest,
    event: Event,
    *,
    failed: tuple[Verb, Any] | None = None,
    problem: str = "",
) -> dict[str, Any]:
    user = user_of(request)
    verbs = available_verbs(event, user)
    forms = []
    for verb in verbs:
        if failed is not None and failed[0].name == verb.name:
            forms.append((verb, failed[1]))
        else:
            forms.append((verb, verb.form(event)))
    now = timezone.now()
    return {
        "event": event,
        "timeline": timeline(event),
        "loose_photos": list(Attachment.objects.filter(event=event, action__isnull=True)),
        "contact": contact_of(user, event),
        "verb_forms": forms,
        "open_verb": failed[0].name if failed else "",
        "problem": problem,
        "now": now,
        "is_open": event.status in OPEN_STATUSES,
        "overdue": event.status in OPEN_STATUSES
        and event.resolve_by is not None
        and event.resolve_by < now,
    }


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _render(request: HttpRequest, event: Event, status: int = 200, **kw: Any) -> HttpResponse:
    partial = is_htmx(request)
    template = "events/_event_main.html" if partial else "events/event_detail.html"
    context = {**detail_context(request, event, **kw), "partial": partial}
    return render(request, template, context, status=status)


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = visible_event(user_of(request), pk)
    return _render(request, event)


@login_required
@require_POST
def act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """Parse one action's form and call that action; see the module docstring for answers."""
    user = user_of(request)
    event = visible_event(user, pk)
    chosen = VERBS.get(verb)
    if chosen is None:
        raise Http404
    form = chosen.form(event, request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, event, 400, failed=(chosen, form))
    try:
        chosen.perform(event, user, form.cleaned_data)
    except EventNotFound:
        raise Http404 from None
    except (IllegalTransition, EventConflict) as exc:
        return _render(request, visible_event(user, pk), 409, problem=str(exc.message))
    except EventError as exc:
        apply_error(form, exc, {"location": "to_unit", "actor": "note"})
        return _render(request, event, 400, failed=(chosen, form))
    messages.success(request, _("Done: %(action)s.") % {"action": chosen.label})
    if not Event.objects.visible_to(user).filter(pk=pk).exists():
        # e.g. a department returned it: the event left the user's scope with the action.
        target = reverse("events:queue")
    elif is_htmx(request):
        return _render(request, visible_event(user, pk))
    else:
        target = reverse("events:detail", args=[pk])
    if is_htmx(request):
        return HttpResponse(status=204, headers={"HX-Redirect": target})
    return HttpResponseRedirect(target)

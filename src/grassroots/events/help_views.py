"""The help page that explains every event metric (for anyone logged in)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from grassroots.common.metrics import registry
from grassroots.events.metrics import DEFINITIONS


@login_required
def metrics_help(request: HttpRequest) -> HttpResponse:
    """Each metric: its name, unit, direction, numerator, denominator and period rule."""
    registered = registry()
    entries = [
        {"metric": registered[d.name], "definition": d} for d in DEFINITIONS if d.name in registered
    ]
    return render(request, "events/help_metrics.html", {"entries": entries})

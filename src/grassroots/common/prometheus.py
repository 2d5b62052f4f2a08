"""Prometheus metrics: requests and their latency, and the state of the queue and events.

``MetricsMiddleware`` counts each request by its Django route (the URL pattern's name, never
the raw path, so the number of series stays bounded), its method and its status, and times
it. Under gunicorn each process writes its figures into ``PROMETHEUS_MULTIPROC_DIR`` (``grassroots
serve`` makes a fresh one) and a scrape adds them up; without it (a single process, the tests)
the figures live in the process.

``StateCollector`` reads, when scraped and never in between: the jobs waiting in the queue,
the jobs scheduled for later, the events past their handling deadline and not closed (the
queue's "overdue" tab, ``EventQuerySet.overdue``) and the audit entries not sealed yet — one
indexed count each.

``/metrics`` is not public: it answers a client on this machine that came directly (not
through the reverse proxy), or a caller with ``Authorization: Bearer <GRASSROOTS_METRICS_TOKEN>``;
anyone else gets 403.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

#: Not registered in the global registry: each scrape builds its own (multiprocess mode
#: reads the files, a single process these objects).
REQUESTS = Counter(
    "grassroots_http_requests",
    "HTTP requests answered, by route, method and status.",
    ["route", "method", "status"],
    registry=None,
)
LATENCY = Histogram(
    "grassroots_http_request_duration_seconds",
    "Time from the request's arrival at Django to its answer, by route and method.",
    ["route", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
    registry=None,
)

#: Any other method is counted as "other": a client must not be able to invent label values.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: Headers a reverse proxy adds: a request carrying one did not come from this machine.
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


def route_of(request: HttpRequest) -> str:
    """The name of the URL pattern that answered (``events:detail``), ``<static>`` for the
    static files, ``<unmatched>`` for a path no pattern matched (404s of random paths)."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or match.route or "<unnamed>"
    if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return "<static>"
    return "<unmatched>"


class MetricsMiddleware:
    """Counts and times every request (first in MIDDLEWARE after the request id, so the
    time covers the other middleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - start
        method = request.method if request.method in METHODS else "other"
        route = route_of(request)
        REQUESTS.labels(route, method, str(response.status_code)).inc()
        LATENCY.labels(route, method).observe(elapsed)
        return response


def _count(name: str, documentation: str, value: Callable[[], int]) -> GaugeMetricFamily | None:
    try:
        return GaugeMetricFamily(name, documentation, value=value())
    except Exception:  # the part it reads is down: the metric is absent, *_up says why
        return None


def queue_pending() -> int:
    from huey.contrib.djhuey import HUEY

    return int(HUEY.pending_count())


def queue_scheduled() -> int:
    from huey.contrib.djhuey import HUEY

    return int(HUEY.scheduled_count())


def audit_unsealed() -> int:
    from grassroots.audit.models import AuditEntry

    return int(AuditEntry.objects.unsealed().order_by().count())


@dataclass(frozen=True)
class StateGauge:
    name: str
    documentation: str
    #: The part it reads (``database``, ``queue``): one failing makes ``*_up{part}`` 0.
    part: str
    value: Callable[[], int]


#: The gauges read at scrape time. ``common`` knows no domain app: an app adds its own
#: with ``state_gauge`` from its ``ready()`` (the events' overdue count: ``events.gauges``).
STATE_GAUGES: dict[str, StateGauge] = {}


def state_gauge(name: str, documentation: str, value: Callable[[], int], *, part: str) -> None:
    STATE_GAUGES[name] = StateGauge(name, documentation, part, value)


state_gauge("grassroots_queue_pending", "Jobs waiting in the queue.", queue_pending, part="queue")
state_gauge(
    "grassroots_queue_scheduled", "Jobs scheduled for a later time.", queue_scheduled, part="queue"
)
state_gauge(
    "grassroots_audit_unsealed",
    "Audit entries not yet sealed into the hash chain.",
    audit_unsealed,
    part="database",
)


class StateCollector(Collector):
    """Read at scrape time, in the process that answers the scrape."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "grassroots_dependency_up",
            "1 when the scrape could read the part, 0 when it failed.",
            labels=["part"],
        )
        families: list[GaugeMetricFamily] = []
        parts: dict[str, bool] = {}
        for gauge in STATE_GAUGES.values():
            family = _count(gauge.name, gauge.documentation, gauge.value)
            parts[gauge.part] = parts.get(gauge.part, True) and family is not None
            if family is not None:
                families.append(family)
        for part, ok in sorted(parts.items()):
            up.add_metric([part], 1 if ok else 0)
        yield up
        yield from families


def multiprocess_mode() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def render() -> bytes:
    """The text a scrape gets."""
    registry = CollectorRegistry(auto_describe=True)
    if multiprocess_mode():
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
        ProcessCollector(registry=registry)
    registry.register(StateCollector())
    return bytes(generate_latest(registry))


def trusted(request: HttpRequest) -> bool:
    """A caller allowed to see the metrics (and the health check's details): the bearer
    token of ``GRASSROOTS_METRICS_TOKEN``, or a loopback peer that did not come through the
    reverse proxy (which adds X-Forwarded-For)."""
    token: str = getattr(settings, "METRICS_TOKEN", "")
    offered = request.headers.get("Authorization", "")
    offered_token = offered.removeprefix("Bearer ").strip()
    if (
        token
        and offered.startswith("Bearer ")
        and hmac.compare_digest(offered_token.encode(), token.encode())
    ):
        return True
    if any(request.META.get(header) for header in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(str(request.META.get("REMOTE_ADDR", ""))).is_loopback
    except ValueError:
        return False


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not trusted(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)

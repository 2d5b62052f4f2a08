"""Server time of the dashboards, maps and public portal pages, and the bulletin's render
time (bench "pages").

Bars (issue 6): every dashboard and portal page p95 ≤ 300 ms at city scale on SQLite and
≤ 800 ms at province scale on PostgreSQL; the city's bulletin PDF renders in ≤ 20 s.

- city, SQLite: a copy of the demo city (``seed --scale city``: 12 months of events, the
  year's tasks and assessment with its published quarters), cached by ``_pages_data``;
- province, PostgreSQL: the assessment benchmark's cached database (``_assessment_data``:
  四川省, 3,111 townships, 34,412 villages, ``GRASSROOTS_BENCH_ASSESS_EVENTS`` events), to
  which the first run adds a village scheme (the assessment benchmark's 20 indicators,
  ``bench-pages-village``) computed and published for the quarter before the data's "now",
  so that the portal has rankings and red/black lists of 34,412 villages (its compute and
  publish times are printed once, as figures without a target). Skipped, with a line saying
  why, without a PostgreSQL server.

Each page is fetched with the Django test client in-process (the whole page: session,
scope, queries, template; without the test environment's template instrumentation), once
to warm up (``first_ms``), then ``GRASSROOTS_BENCH_PAGES_REPEATS`` (default 20) times: p50
and p95 (a page whose first fetch takes over five times its bar is timed 3 times only,
``repeats`` says so). One more fetch counts the page's SQL queries and their time
(``queries``, ``sql_ms``) and names the slowest three (``slowest``). The staff pages are
timed twice: ``page_p95_ms`` as served (the dashboards keep their figures in the cache
for ``DASHBOARD_CACHE_SECONDS`` until the next event or transition, so repeated fetches
hit it) and ``page_cold_p95_ms`` with that cache off (``cache: off``) — what a viewer
waits after any change, which at province scale (an event or transition every few
seconds) is nearly every time. ``GRASSROOTS_BENCH_PAGES_PROFILE=1`` also prints,
on stderr, the top functions (cProfile, cumulative) of every page that misses its bar.

Pages (URLs reversed by name, so pages that land later are picked up; a name that does
not reverse or a page that answers 404 prints ``"missing": true``):

- staff dashboards ``dashboards:unit`` of the city (``city_admin``), 礼州镇
  (``unit_leader``), its first village (``village_cadre``), that village's first grid
  (``grid_worker``) — at province scale the province's root too — and ``dashboards:mine``;
  the maps ``dashboards:map`` of the township and the city for each metric (open, overdue,
  on_time, satisfaction); the staff home ``/`` of each of the four;
- every public page of the ``portal`` namespace that needs no argument, or whose
  arguments can be filled (a publication's SHA-256, the scheme, the year …): the index,
  the assessment index, the newest quarterly publication of the village scheme (and any
  page added later such as the red/black history), projects, lookup, the report form.
  Not measured: the captcha picture, the tracking and rating pages (they need a
  resident's session) and the bulletin download (the render is measured directly).

The bulletin: ``grassroots.assessment.bulletins.render_pdf(publication)`` (and
``render_xlsx``) of the city's newest quarterly village publication, best of
``GRASSROOTS_BENCH_PAGES_BULLETIN_REPEATS`` (default 1) renders; at province scale only
with ``GRASSROOTS_BENCH_PAGES_PROVINCE_BULLETIN=1`` (no bar).

``GRASSROOTS_BENCH_PAGES_SCALES`` picks the scales (default ``city,province``); each runs in
a child process (``--part city|province``). ``--fresh`` rebuilds the cached city.

Run from the repository: ``.venv/bin/python bench/pages.py [--fresh]``.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import REPO, emit, peak_rss_mb, postgres_admin_url

BENCH = "pages"
REPEATS = int(os.environ.get("GRASSROOTS_BENCH_PAGES_REPEATS", "20"))
BULLETIN_REPEATS = int(os.environ.get("GRASSROOTS_BENCH_PAGES_BULLETIN_REPEATS", "1"))
PROFILE = os.environ.get("GRASSROOTS_BENCH_PAGES_PROFILE") == "1"
TARGET_MS = {"city": 300.0, "province": 800.0}
BULLETIN_TARGET_S = 20.0
TOWNSHIP = "513401101"  # 礼州镇, where the demo's unit_leader works
CITY = "513401"
METRICS = ("open", "overdue", "on_time", "satisfaction")
PORTAL_SKIP = {"captcha", "track", "rate", "assessment_bulletin"}
SCHEME_CODE = "bench-pages-village"


def log(message: str) -> None:
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


# --- the parent: data and child processes ----------------------------------------------------


def passed_on() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if k.startswith(("GRASSROOTS_BENCH_PAGES_", "GRASSROOTS_BENCH_ASSESS_"))
    }


def child(part: str, env: dict[str, str]) -> None:
    done = subprocess.run(  # noqa: S603 - this script, fixed arguments
        [sys.executable, __file__, "--part", part], cwd=REPO, env=env, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"the {part} part failed ({done.returncode})")


def city(fresh: bool) -> None:
    import _pages_data as data

    cached = data.city_cache(fresh)
    with tempfile.TemporaryDirectory(prefix="grassroots-bench-pages-") as tmp:
        data.city_copy(cached, Path(tmp))
        env = data.city_env(Path(tmp))
        env.update(passed_on())
        env["GRASSROOTS_BENCH_PAGES_SCALE"] = "city"
        child("city", env)


def province() -> None:
    admin_url = postgres_admin_url()
    if admin_url is None:
        reason = "no PostgreSQL server at GRASSROOTS_DATABASE_URL or 127.0.0.1:5432"
        emit(BENCH, "skipped", 0, "", db="postgresql", scale="province", reason=reason)
        return
    import _assessment_data as data
    from events_queue import base_env

    url, rows, complete = data.prepare(admin_url)
    with tempfile.TemporaryDirectory(prefix="grassroots-bench-pages-") as tmp:
        env = base_env(tmp, url)
        env.update(passed_on())
        env["GRASSROOTS_BENCH_PAGES_SCALE"] = "province"
        env["GRASSROOTS_BENCH_PAGES_ROWS"] = str(rows)
        env["GRASSROOTS_BENCH_PAGES_COMPLETE"] = "1" if complete else "0"
        env["GRASSROOTS_BENCH_PAGES_NOW"] = data.generated_at(url).isoformat()
        child("province", env)


# --- the children: measuring ----------------------------------------------------------------


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


class Pages:
    """Fetches and measures pages for one scale, printing one figure per page."""

    def __init__(self, scale: str, extra: dict[str, Any]) -> None:
        from django.test import Client

        self.scale = scale
        self.target = TARGET_MS[scale]
        self.extra = extra
        self.client_class = Client
        self.clients: dict[str, Any] = {}
        self.p95s: list[tuple[str, float]] = []

    def client(self, user: Any | None) -> Any:
        key = "" if user is None else user.username
        if key not in self.clients:
            client = self.client_class()
            if user is not None:
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            self.clients[key] = client
        return self.clients[key]

    def measure(
        self, page: str, path: str | None, user: Any | None, *, cold: bool = False, **detail: Any
    ) -> None:
        """Warm up, then time ``REPEATS`` fetches of ``path`` as ``user`` (None: anonymous);
        ``cold`` also times them with the dashboards' figure cache off."""
        who = {"page": page, "user": user.username if user else "anonymous", **detail}
        if path is None:
            emit(BENCH, "page_p95_ms", 0, "ms", missing=True, **who, **self.extra)
            return
        if not self.timed("page_p95_ms", path, user, who) or not cold:
            return
        from django.test.utils import override_settings

        with override_settings(DASHBOARD_CACHE_SECONDS=0):
            self.timed("page_cold_p95_ms", path, user, {**who, "cache": "off"})

    def timed(self, figure: str, path: str, user: Any | None, who: dict[str, Any]) -> bool:
        """One figure of ``path``; False when the page is missing or broken."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = self.client(user)
        try:
            began = time.perf_counter()
            first = client.get(path)
            first_ms = (time.perf_counter() - began) * 1000
        except Exception as exc:  # the page is broken: say so, keep measuring the others
            emit(BENCH, figure, 0, "ms", ok=False, path=path,
                 error=f"{type(exc).__name__}: {str(exc)[:300]}", **who, **self.extra)  # fmt: skip
            return False
        if first.status_code == 404:
            emit(BENCH, figure, 0, "ms", missing=True, path=path, status=404,
                 **who, **self.extra)  # fmt: skip
            return False
        # a page far beyond its bar is timed a few times only (the province's maps take
        # seconds each): its figure is no less clear
        repeats = REPEATS if first_ms < 5 * self.target else min(REPEATS, 3)
        times = []
        for _ in range(repeats):
            began = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - began) * 1000)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        sql = [(float(q.get("time") or 0) * 1000, q["sql"]) for q in captured.captured_queries]
        slowest = [f"{ms:.1f} ms: {text[:240]}" for ms, text in sorted(sql, reverse=True)[:3]]
        value = p95(times)
        ok = value <= self.target and response.status_code < 400
        self.p95s.append((f"{figure} {who['page']} {path}", value))
        emit(BENCH, figure, value, "ms", target=f"<= {self.target:g}", ok=ok,
             p50_ms=round(statistics.median(times), 2), first_ms=round(first_ms, 1),
             repeats=repeats, path=path, status=response.status_code,
             bytes=len(response.content), queries=len(sql),
             sql_ms=round(sum(ms for ms, _ in sql), 1), slowest=slowest,
             **who, **self.extra)  # fmt: skip
        if PROFILE and not ok:
            self.profile(path, client)
        return True

    def profile(self, path: str, client: Any) -> None:
        profiler = cProfile.Profile()
        profiler.enable()
        client.get(path)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        log(f"profile of {path}:\n{out.getvalue()}")


def try_reverse(name: str, kwargs: dict[str, Any] | None = None) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def demo_people(root: Any) -> dict[str, tuple[Any, Any]]:
    """{level: (unit, user)} of the demo's logins: city (or province root), township,
    village, grid."""
    from grassroots.org.models import Membership, Unit

    def member(role: str, unit: Any = None) -> Any:
        found = Membership.objects.filter(role=role, user__username__in=USERNAMES[role])
        if unit is not None:
            found = found.filter(unit=unit)
        return found.select_related("unit", "user").order_by("user__username").first()

    admin = member("city_admin")
    leader = member("unit_leader")
    cadre = member("village_cadre")
    worker = member("grid_worker")
    people: dict[str, tuple[Any, Any]] = {}
    city_unit = Unit.objects.filter(code=CITY).first()
    if admin is not None:
        if root.code != CITY:
            people["province"] = (root, admin.user)
        if city_unit is not None:
            people["city"] = (city_unit, admin.user)
    for level, found in (("township", leader), ("village", cadre), ("grid", worker)):
        if found is not None:
            people[level] = (found.unit, found.user)
    return people


USERNAMES = {
    "city_admin": ["city_admin"],
    "unit_leader": ["unit_leader"],
    "village_cadre": ["village_cadre"],
    "grid_worker": ["grid_worker"],
}


def staff_pages(pages: Pages, root: Any) -> None:
    people = demo_people(root)
    for level, (unit, user) in people.items():
        url = try_reverse("dashboards:unit", {"code": unit.code})
        pages.measure("dashboard", url, user, cold=True, level=level, code=unit.code)
    for level in ("province", "city", "township"):
        if level not in people:
            continue
        unit, user = people[level]
        base = try_reverse("dashboards:map", {"code": unit.code})
        for metric in METRICS:
            path = None if base is None else f"{base}?metric={metric}"
            pages.measure("map", path, user, cold=True, level=level, code=unit.code, metric=metric)
    seen: set[str] = set()
    for level, (_unit, user) in people.items():
        if user.username in seen:
            continue
        seen.add(user.username)
        pages.measure(
            "dashboard_mine", try_reverse("dashboards:mine"), user, cold=True, level=level
        )
        pages.measure("home", try_reverse("home"), user, cold=True, level=level)


def featured_publication(root: Any) -> Any | None:
    """The newest quarterly publication of the village scheme below ``root`` (else any)."""
    from grassroots.assessment.models import Publication

    found = Publication.objects.filter(scheme__level="village").select_related("scheme")
    quarterly = [p for p in found.order_by("-published_at")[:50] if "-Q" in p.period]
    if quarterly:
        return quarterly[0]
    return found.order_by("-published_at").first() or Publication.objects.first()


def portal_pages(pages: Pages, publication: Any | None) -> None:
    """Every page of the ``portal`` namespace whose arguments can be filled."""
    from django.urls import URLPattern, URLResolver, get_resolver

    fill: dict[str, Any] = {}
    if publication is not None:
        fill = {
            "sha256": publication.sha256,
            "scheme": publication.scheme.code,
            "code": publication.scheme.code,
            "slug": publication.scheme.code,
            "period": publication.period,
            "year": publication.period[:4],
            "pk": publication.pk,
            "id": publication.pk,
        }
    names: list[tuple[str, list[str]]] = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "portal":
            for pattern in entry.url_patterns:
                if isinstance(pattern, URLPattern) and pattern.name:
                    names.append((pattern.name, list(pattern.pattern.converters)))
    for name, args in names:
        if name in PORTAL_SKIP:
            continue
        if any(a not in fill for a in args):
            log(f"portal:{name} needs {args}: not measured")
            continue
        path = try_reverse(f"portal:{name}", {a: fill[a] for a in args} or None)
        pages.measure(f"portal:{name}", path, None, args=args)


def bulletin(publication: Any | None, scale: str, extra: dict[str, Any]) -> None:
    """The render time of the publication's bulletin (PDF against the bar, Excel as is)."""
    try:
        from grassroots.assessment import bulletins
    except ImportError as exc:
        emit(BENCH, "bulletin_pdf_seconds", 0, "s", ok=False, missing=True,
             reason=f"grassroots.assessment.bulletins: {exc}", **extra)  # fmt: skip
        return
    if publication is None:
        emit(BENCH, "bulletin_pdf_seconds", 0, "s", ok=False, reason="no publication", **extra)
        return
    about = {"publication": publication.period, "scheme": publication.scheme.code, **extra}
    for fmt, name in (("pdf", "render_pdf"), ("xlsx", "render_xlsx")):
        render: Callable[[Any], bytes] | None = getattr(bulletins, name, None)
        figure = f"bulletin_{fmt}_seconds"
        if render is None:
            emit(BENCH, figure, 0, "s", ok=False, missing=True,
                 reason=f"no bulletins.{name}", **about)  # fmt: skip
            continue
        best, size = float("inf"), 0
        try:
            for _ in range(max(1, BULLETIN_REPEATS)):
                began = time.perf_counter()
                size = len(render(publication))
                best = min(best, time.perf_counter() - began)
        except Exception as exc:
            emit(BENCH, figure, 0, "s", ok=False, error=f"{type(exc).__name__}: {exc}"[:300],
                 **about)  # fmt: skip
            continue
        limits: dict[str, Any] = {}
        if fmt == "pdf" and scale == "city":
            limits = {"target": f"<= {BULLETIN_TARGET_S:g}", "ok": best <= BULLETIN_TARGET_S}
        emit(BENCH, figure, best, "s", bytes=size, **limits, **about)


def province_publication(root: Any, extra: dict[str, Any]) -> Any | None:
    """The bench's published village quarter at province scale (made once, timed)."""
    from assessment_run import make_scheme
    from grassroots.assessment.actions.compute import compute_run
    from grassroots.assessment.actions.publishing import publish_run
    from grassroots.assessment.models import Publication, Run

    now = dt.datetime.fromisoformat(os.environ["GRASSROOTS_BENCH_PAGES_NOW"])
    local = now.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    quarter = (local.month - 1) // 3  # the quarter before the data's "now"
    year = local.year if quarter else local.year - 1
    period = f"{year}-Q{quarter or 4}"
    scheme = make_scheme(SCHEME_CODE, "village", root)
    if scheme.year != year:
        scheme.year = year
        scheme.save(update_fields=["year"])
    found = Publication.objects.filter(scheme=scheme, period=period).first()
    if found is not None:
        return found
    for stale in Run.objects.filter(scheme=scheme, period=period, publication__isnull=True):
        from assessment_run import discard

        discard(stale)
    log(f"computing and publishing {SCHEME_CODE} {period} for the province (once)")
    began = time.perf_counter()
    run = compute_run(scheme, period, actor=None)
    computed = time.perf_counter() - began
    began = time.perf_counter()
    publication = publish_run(run, actor=None)
    published = time.perf_counter() - began
    emit(BENCH, "province_compute_run_seconds", computed, "s", period=period, **extra)
    emit(BENCH, "province_publish_seconds", published, "s", period=period,
         snapshot_bytes=len(str(publication.snapshot)), **extra)  # fmt: skip
    return publication


def measure(scale: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    import django

    django.setup()
    from django.conf import settings

    from grassroots.events.models import Event
    from grassroots.org.models import Unit

    # The test client's host; no setup_test_environment(): its instrumented template
    # rendering (context copies for assertions) would be measured too.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        raise SystemExit("no unit in the database")
    extra: dict[str, Any] = {
        "db": "sqlite" if scale == "city" else "postgresql",
        "scale": scale,
        "units": Unit.objects.count(),
    }
    if scale == "province":
        extra["events"] = int(os.environ.get("GRASSROOTS_BENCH_PAGES_ROWS", "0"))
        extra["complete"] = os.environ.get("GRASSROOTS_BENCH_PAGES_COMPLETE") == "1"
        publication = province_publication(root, extra)
    else:
        extra["events"] = Event.objects.count()
        publication = featured_publication(root)
    log(f"{scale}: staff pages")
    pages = Pages(scale, extra)
    staff_pages(pages, root)
    log(f"{scale}: portal pages (publication {publication and publication.period})")
    portal_pages(pages, publication)
    if pages.p95s:
        worst_page, worst = max(pages.p95s, key=lambda item: item[1])
        emit(BENCH, "worst_page_p95_ms", worst, "ms", target=f"<= {pages.target:g}",
             ok=worst <= pages.target, page=worst_page, pages=len(pages.p95s),
             **extra)  # fmt: skip
    if scale == "city" or os.environ.get("GRASSROOTS_BENCH_PAGES_PROVINCE_BULLETIN") == "1":
        log(f"{scale}: bulletin")
        bulletin(publication, scale, extra)
    emit(BENCH, "peak_rss_mb", peak_rss_mb(), "MB", **extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached city")
    parser.add_argument("--part", choices=["city", "province"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        measure(args.part)
        return
    scales = os.environ.get("GRASSROOTS_BENCH_PAGES_SCALES", "city,province").split(",")
    if "city" in scales:
        city(args.fresh)
    if "province" in scales:
        province()


if __name__ == "__main__":
    main()

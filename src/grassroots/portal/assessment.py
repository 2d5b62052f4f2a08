"""The public face of the assessment (/public/assessment/), no login: 晒 the results.

- ``/public/assessment/``: every publication (月考 / 季晒 / 年评; scheme, period, version,
  SHA-256), filtered by scheme, year and kind, and the current red and black lists (红黑榜,
  the newest publication of each scheme) with the reason for each entry;
- ``/public/assessment/lists/`` (:mod:`grassroots.portal.lists`): the current and past lists;
- ``/public/assessment/<sha256>/``: one publication's rankings, one peer group at a time
  (a bar chart, the distribution of totals, the table, a search by name), read from its
  frozen snapshot (never from the live tables, which a later version may have superseded),
  with the SHA-256, how to check it, the bulletin downloads and the neighbouring periods;
- ``/public/assessment/<sha256>.json``: the snapshot's canonical JSON, whose SHA-256 is the
  one shown (``sha256sum`` of the download prints it).

Only units appear (codes, names, totals, grades, lists, rewards): never a person. What is
read of a snapshot is cached per SHA-256 (:mod:`grassroots.portal.published`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from grassroots.assessment.actions.publishing import canonical_json
from grassroots.assessment.models import GradeChoice, ListStatus, Publication, period_kind
from grassroots.assessment.queries_portal import (
    KINDS,
    of_kind,
    published,
    published_schemes,
    published_years,
    versions_of,
)
from grassroots.assessment.queries_publishing import kind_label
from grassroots.assessment.wording import snapshot_reason_text
from grassroots.common import charts
from grassroots.common.metrics import Period, PeriodError
from grassroots.org.models import UnitKind
from grassroots.portal.published import (
    Group,
    Lists,
    Row,
    groups_of,
    lists_of,
    ranking_of,
    township_names,
)

PER_PAGE: Final = 30


def group_label(group: str) -> str:
    """A peer group as the public reads it: ``513401:village`` → 村; anything else as is."""
    suffix = group.rpartition(":")[2]
    if suffix in UnitKind.values:
        return str(UnitKind(suffix).label)
    return group


@dataclass(frozen=True)
class ListLine:
    """One entry of a public red or black list."""

    name: str
    group: str
    total: str
    reason: str
    #: The township of a village (two villages may share a name).
    township: str = ""


def lines(
    entries: tuple[dict[str, Any], ...],
    rule: dict[str, Any],
    townships: dict[str, str] | None = None,
) -> list[ListLine]:
    """List entries as the public reads them, each with its reason."""
    townships = townships or {}
    return [
        ListLine(
            str(e.get("name", "")),
            group_label(str(e.get("peer_group", ""))),
            str(e.get("total", "")),
            snapshot_reason_text(e, rule),
            townships.get(str(e.get("unit", "")), ""),
        )
        for e in entries
    ]


@dataclass(frozen=True)
class ListsView:
    """A publication's red and black lists, at most ``limit`` entries of each shown."""

    publication: Publication
    scheme_name: str
    kind: str
    red: list[ListLine]
    black: list[ListLine]
    red_total: int
    black_total: int

    @property
    def more(self) -> bool:
        return self.red_total > len(self.red) or self.black_total > len(self.black)


def lists_views(publications: list[Publication], *, limit: int | None = None) -> list[ListsView]:
    """The lists of each publication (two queries at most: the lists when not cached, the
    townships of the villages shown)."""
    found = lists_of(publications)
    empty = Lists((), (), {}, "")
    townships = township_names(
        str(e.get("unit", ""))
        for lists in found.values()
        for e in (*lists.red[:limit], *lists.black[:limit])
    )
    views = []
    for p in publications:
        lists = found.get(p.pk) or empty
        views.append(
            ListsView(
                publication=p,
                scheme_name=lists.scheme_name or p.scheme.name,
                kind=kind_label(period_kind(p.period)),
                red=lines(lists.red[:limit], lists.rule, townships),
                black=lines(lists.black[:limit], lists.rule, townships),
                red_total=len(lists.red),
                black_total=len(lists.black),
            )
        )
    return views


#: Of two publications ending the same day, the longer period is the current one.
KIND_ORDER: Final = {"monthly": 0, "quarterly": 1, "annual": 2}


def period_key(label: str) -> tuple[dt.datetime, int]:
    try:
        found = Period.parse(label)
    except PeriodError:
        return (dt.datetime.min.replace(tzinfo=dt.UTC), -1)
    return (found.end, KIND_ORDER.get(period_kind(label), -1))


def current_publications() -> list[Publication]:
    """The current publication of each scheme, whose red and black lists the portal shows:
    the newest period (the one ending last; a quarter or the year over the month ending the
    same day), then the highest published version — not merely the latest published (a
    corrected earlier month published today does not replace this month's lists). Two
    queries; no snapshot is read."""
    best: dict[int, tuple[Any, int]] = {}
    for pk, scheme_id, period, version, published_at in (
        published()
        .order_by()
        .values_list("pk", "scheme_id", "period", "run__version", "published_at")
    ):
        key = (*period_key(period), version, published_at, pk)
        if scheme_id not in best or key > best[scheme_id][0]:
            best[scheme_id] = (key, pk)
    return list(
        published().filter(pk__in=[pk for _key, pk in best.values()]).order_by("scheme__code")
    )


# --- filters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The scheme, year and kind a visitor chose (anything unknown is ignored)."""

    scheme: str = ""
    year: str = ""
    kind: str = ""

    @classmethod
    def parse(
        cls, request: HttpRequest, schemes: list[tuple[str, str]], years: list[int]
    ) -> Filters:
        scheme = request.GET.get("scheme", "")
        year = request.GET.get("year", "")
        kind = request.GET.get("kind", "")
        return cls(
            scheme=scheme if scheme in {code for code, _name in schemes} else "",
            year=year if year in {str(y) for y in years} else "",
            kind=kind if kind in KINDS else "",
        )

    def apply(self, rows: QuerySet[Publication]) -> QuerySet[Publication]:
        if self.scheme:
            rows = rows.filter(scheme__code=self.scheme)
        if self.year:
            rows = rows.filter(scheme__year=int(self.year))
        return of_kind(rows, self.kind)

    def query(self, **more: Any) -> str:
        """The query string of these filters (and ``more``), for links that keep them."""
        values = {"scheme": self.scheme, "year": self.year, "kind": self.kind, **more}
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def filter_context(request: HttpRequest) -> tuple[Filters, dict[str, Any]]:
    """The chosen filters and what the filter form shows (two small queries)."""
    schemes = published_schemes()
    years = published_years()
    chosen = Filters.parse(request, schemes, years)
    return chosen, {
        "filters": chosen,
        "schemes": schemes,
        "years": years,
        "kinds": [(k, kind_label(k)) for k in KINDS],
    }


# --- pages ------------------------------------------------------------------------------------


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Publications, newest first, filtered; and the current red and black lists."""
    chosen, context = filter_context(request)
    rows = chosen.apply(published()).order_by("-published_at", "-pk")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/assessment.html",
        {
            **context,
            "page": page,
            "publications": [(p, kind_label(p.run.kind)) for p in page.object_list],
            "current": lists_views(current_publications(), limit=SUMMARY),
        },
    )


#: List entries shown per list where the lists are only summed up.
SUMMARY: Final = 10
#: Rows of a ranking table per page.
RANKING_PAGE: Final = 25
#: A peer group up to this size is drawn whole; a larger one by its first and last ten.
CHART_ALL: Final = 30
CHART_ENDS: Final = 10


def _publication(sha256: str) -> Publication:
    found = published().filter(sha256=sha256.lower()).first()
    if found is None:
        raise Http404
    return found


@dataclass(frozen=True)
class Neighbours:
    """The publications of the same scheme and kind just before and after (newest version)."""

    previous: tuple[str, str] | None
    next: tuple[str, str] | None


def neighbours(pub: Publication) -> Neighbours:
    kind = period_kind(pub.period)
    latest: dict[str, tuple[int, str]] = {}
    for period, version, sha in versions_of(pub.scheme_id):
        if period_kind(period) == kind and version > latest.get(period, (0, ""))[0]:
            latest[period] = (version, sha)
    ordered = sorted(latest, key=period_key)
    at = ordered.index(pub.period) if pub.period in ordered else -1
    before = ordered[at - 1] if at > 0 else None
    after = ordered[at + 1] if 0 <= at < len(ordered) - 1 else None
    return Neighbours(
        previous=(before, latest[before][1]) if before else None,
        next=(after, latest[after][1]) if after else None,
    )


def _table_row(
    row: Row, grades: dict[str, Any], lists: dict[str, Any], townships: dict[str, str]
) -> dict[str, Any]:
    unit, name, rank, _size, total, grade, status, reward_fen, places, vetoed = row
    return {
        "unit": unit,
        "name": name,
        "township": townships.get(unit, ""),
        "rank": rank,
        "total": total,
        "grade_label": grades.get(grade, grade),
        "list_status": status,
        "list_label": lists.get(status, "") if status else "",
        "reward_yuan": f"{reward_fen / 100:,.2f}",
        "training_places": places,
        "vetoed": vetoed,
    }


def ranking_chart(rows: list[Row], label: str) -> str:
    """The peer group's ranking as bars (first and last ten of a large group)."""
    shown = rows if len(rows) <= CHART_ALL else [*rows[:CHART_ENDS], *rows[-CHART_ENDS:]]
    title = _("Ranking · %(group)s") % {"group": label}
    if len(shown) < len(rows):
        title = _("Ranking · %(group)s (first and last %(n)s of %(size)s)") % {
            "group": label,
            "n": CHART_ENDS,
            "size": len(rows),
        }
    bars = [charts.Bar(f"{r[2]}. {r[1]}", _number(r[4]), key=r[0]) for r in shown]
    return charts.bar_chart(bars, title=title, empty=_("Nothing has been published yet."))


def distribution_chart(rows: list[Row], label: str) -> str:
    """How the totals of the peer group spread."""
    values = [_number(r[4]) for r in rows]
    return charts.histogram(
        values,
        title=_("Distribution of totals · %(group)s") % {"group": label},
        bins=min(10, max(1, len(values))),
        empty=_("Nothing has been published yet."),
    )


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def _chosen_group(groups: list[Group], slug: str) -> Group | None:
    return next((g for g in groups if g.slug == slug), groups[0] if groups else None)


@require_safe
def publication(request: HttpRequest, sha256: str) -> HttpResponse:
    """One publication's rankings, one peer group at a time, from its snapshot."""
    pub = _publication(sha256)
    # a later version of the same scheme and period (an appeal corrected it) supersedes it
    newer = (
        published()
        .filter(scheme_id=pub.scheme_id, period=pub.period, run__version__gt=pub.run.version)
        .order_by("-run__version")
        .first()
    )
    lists = lists_views([pub])[0]
    groups = groups_of(pub)
    group = _chosen_group(groups, request.GET.get("group", ""))
    rows = ranking_of(pub, group) if group else []
    label = group_label(group.key) if group else ""
    search = request.GET.get("q", "").replace("\x00", "").strip()[:40]
    found = [r for r in rows if search in r[1]] if search else rows
    page = Paginator(found, RANKING_PAGE).get_page(request.GET.get("page"))
    grades, statuses = dict(GradeChoice.choices), dict(ListStatus.choices)
    townships = township_names(r[0] for r in page.object_list)
    keep = {"group": group.slug if group and len(groups) > 1 else "", "q": search}
    return render(
        request,
        "portal/assessment_publication.html",
        {
            "publication": pub,
            "newer": newer,
            "scheme_name": lists.scheme_name,
            "kind": kind_label(period_kind(pub.period)),
            "lists": lists,
            "neighbours": neighbours(pub),
            "groups": [(g, group_label(g.key)) for g in groups],
            "group": group,
            "group_label": label,
            "search": search,
            "page": page,
            "rows": [_table_row(r, grades, statuses, townships) for r in page.object_list],
            "page_query": urlencode({k: v for k, v in keep.items() if v}),
            "bar_svg": mark_safe(ranking_chart(rows, label)) if rows else "",  # noqa: S308
            "histogram_svg": mark_safe(distribution_chart(rows, label)) if rows else "",  # noqa: S308
        },
    )


@require_safe
def publication_json(request: HttpRequest, sha256: str) -> HttpResponse:
    """The snapshot's canonical JSON: its SHA-256 is the publication's."""
    found = Publication.objects.filter(sha256=sha256.lower()).only("sha256", "snapshot").first()
    if found is None:
        raise Http404
    response = HttpResponse(canonical_json(found.snapshot), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{found.sha256}.json"'
    return response

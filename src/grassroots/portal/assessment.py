"""The public face of the assessment (/public/assessment/), no login: 晒 the results.

- ``/public/assessment/``: every publication (scheme, period, 月考/季晒/年评, version, SHA-256)
  and the current red and black lists (红黑榜, the latest publication of each scheme) with the
  reason for each entry;
- ``/public/assessment/<sha256>/``: one publication's rankings per peer group, read from its
  frozen snapshot (never from the live tables, which a later version may have superseded),
  with the SHA-256 and how to check it;
- ``/public/assessment/<sha256>.json``: the snapshot's canonical JSON, whose SHA-256 is the
  one shown (``sha256sum`` of the download prints it).

Only units appear (codes, names, totals, grades, lists, rewards): never a person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Final

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from grassroots.assessment.actions.publishing import canonical_json
from grassroots.assessment.models import GradeChoice, ListStatus, Publication, period_kind
from grassroots.assessment.queries_publishing import kind_label
from grassroots.assessment.states import RunState
from grassroots.common.metrics import Period, PeriodError
from grassroots.org.models import UnitKind

PER_PAGE: Final = 30


def group_label(group: str) -> str:
    """A peer group as the public reads it: ``513401:village`` → 村; anything else as is."""
    suffix = group.rpartition(":")[2]
    if suffix in UnitKind.values:
        return str(UnitKind(suffix).label)
    return group


def reason_text(entry: dict[str, Any], rule: dict[str, Any]) -> str:
    """Why a unit is on the red or black list, from the snapshot's reason codes."""
    parts: list[str] = []
    for code in entry.get("reasons", []):
        if code == "top_n":
            parts.append(
                _("among the best %(n)s of its peer group") % {"n": rule.get("red_top_n", "")}
            )
        elif code == "bottom_n":
            parts.append(
                _("among the last %(n)s of its peer group") % {"n": rule.get("black_bottom_n", "")}
            )
        elif code == "above_threshold":
            parts.append(_("total at least %(t)s") % {"t": rule.get("red_min_total", "")})
        elif code == "below_threshold":
            parts.append(_("total at most %(t)s") % {"t": rule.get("black_max_total", "")})
        elif code == "significant":
            parts.append(_("significantly different from its peers, not by chance"))
        elif code == "vetoed":
            what = "、".join(entry.get("vetoes", []))
            parts.append(_("vetoed: %(what)s") % {"what": what} if what else _("vetoed"))
        else:
            parts.append(code)
    rank = _("rank %(rank)s of %(size)s, total %(total)s") % {
        "rank": entry.get("rank", ""),
        "size": entry.get("group_size", ""),
        "total": entry.get("total", ""),
    }
    return "; ".join([*parts, rank])


@dataclass(frozen=True)
class ListLine:
    """One entry of a public red or black list."""

    name: str
    group: str
    total: str
    reason: str


def _lines(snapshot: dict[str, Any], status: str) -> list[ListLine]:
    rule = snapshot.get("list_rule", {})
    return [
        ListLine(e["name"], group_label(e["peer_group"]), e["total"], reason_text(e, rule))
        for e in snapshot.get("lists", {}).get(status, [])
    ]


#: Of two publications ending the same day, the longer period is the current one.
KIND_ORDER: Final = {"monthly": 0, "quarterly": 1, "annual": 2}


def _period_key(label: str) -> tuple[dt.datetime, int]:
    try:
        found = Period.parse(label)
    except PeriodError:
        return (dt.datetime.min.replace(tzinfo=dt.UTC), -1)
    return (found.end, KIND_ORDER.get(period_kind(label), -1))


def current_publications() -> list[Publication]:
    """The current publication of each scheme, whose red and black lists the portal shows:
    the newest period (the one ending last; a quarter or the year over the month ending the
    same day), then the highest published version — not merely the latest published (a
    corrected earlier month published today does not replace this month's lists). Reads the
    snapshots of the chosen publications only."""
    best: dict[int, tuple[Any, int]] = {}
    for pk, scheme_id, period, version, published_at in Publication.objects.filter(
        run__state__in=[RunState.PUBLISHED, RunState.FROZEN]
    ).values_list("pk", "scheme_id", "period", "run__version", "published_at"):
        key = (*_period_key(period), version, published_at, pk)
        if scheme_id not in best or key > best[scheme_id][0]:
            best[scheme_id] = (key, pk)
    return list(
        Publication.objects.filter(pk__in=[pk for _key, pk in best.values()])
        .select_related("scheme", "run")
        .order_by("scheme__code")
    )


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Publications, newest first, and the current red and black lists of each scheme."""
    rows = (
        Publication.objects.select_related("scheme", "run")
        .defer("snapshot")  # the list shows none of it; a snapshot holds every result
        .order_by("-published_at", "-pk")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    current = [
        {
            "publication": p,
            "kind": kind_label(p.run.kind),
            "red": _lines(p.snapshot, ListStatus.RED),
            "black": _lines(p.snapshot, ListStatus.BLACK),
        }
        for p in current_publications()
    ]
    return render(
        request,
        "portal/assessment.html",
        {
            "page": page,
            "publications": [(p, kind_label(p.run.kind)) for p in page.object_list],
            "current": current,
        },
    )


def _publication(sha256: str) -> Publication:
    found = (
        Publication.objects.select_related("scheme", "run").filter(sha256=sha256.lower()).first()
    )
    if found is None:
        raise Http404
    return found


@require_safe
def publication(request: HttpRequest, sha256: str) -> HttpResponse:
    """One publication's rankings per peer group, from its snapshot, with its SHA-256."""
    pub = _publication(sha256)
    snapshot = pub.snapshot
    # a later version of the same scheme and period (an appeal corrected it) supersedes it
    newer = (
        Publication.objects.filter(
            scheme_id=pub.scheme_id, period=pub.period, run__version__gt=pub.run.version
        )
        .defer("snapshot")
        .select_related("run")
        .order_by("-run__version")
        .first()
    )
    grades = dict(GradeChoice.choices)
    lists = dict(ListStatus.choices)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in snapshot.get("results", []):
        groups[r["peer_group"]].append(
            {
                **r,
                "grade_label": grades.get(r["grade"], r["grade"]),
                "list_label": lists.get(r["list_status"], "") if r["list_status"] else "",
                "reward_yuan": f"{int(r['reward_fen']) / 100:,.2f}",
            }
        )
    return render(
        request,
        "portal/assessment_publication.html",
        {
            "publication": pub,
            "newer": newer,
            "snapshot": snapshot,
            "kind": kind_label(snapshot.get("kind", "")),
            "groups": [(group_label(g), rows) for g, rows in sorted(groups.items())],
            "red": _lines(snapshot, ListStatus.RED),
            "black": _lines(snapshot, ListStatus.BLACK),
        },
    )


@require_safe
def publication_json(request: HttpRequest, sha256: str) -> HttpResponse:
    """The snapshot's canonical JSON: its SHA-256 is the publication's."""
    pub = _publication(sha256)
    response = HttpResponse(canonical_json(pub.snapshot), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{pub.sha256}.json"'
    return response

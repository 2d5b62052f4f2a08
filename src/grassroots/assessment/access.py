"""Who sees which schemes and runs (the pages and the API share these reads).

A scheme is seen by the people who may view the assessment (``assessment.view``) either
over its root (the office, supervisors above it) or inside it (a township's leaders and a
village's cadres are assessed by it). Its runs: the office (``assessment.compute`` or
``assessment.manage`` over the root) sees every version; everyone else sees the published
and frozen ones only (a computed run is still under the office's review). Scores and
results are further narrowed to the viewer's subtree by ``visible_to``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from grassroots.assessment.models import Result, Run, Scheme, Score
from grassroots.assessment.permissions import COMPUTE, MANAGE, VIEW
from grassroots.assessment.states import RunState
from grassroots.org.models import Unit, is_within
from grassroots.org.permissions import can, role_may
from grassroots.org.queries import active_grants

#: Runs the units see.
SHOWN_STATES = (RunState.PUBLISHED, RunState.FROZEN)
#: The largest id a row can have (a signed 64-bit integer): a larger number in an address or
#: a query parameter names nothing (the database driver would refuse it with an error).
MAX_ID = 2**63 - 1


def parse_id(raw: str | None) -> int | None:
    """A positive id from a query parameter, else None (absent, not a number, out of range)."""
    try:
        value = int(raw) if raw else None
    except ValueError:
        return None
    return value if value is not None and 0 < value <= MAX_ID else None


def id_or_404(value: int) -> int:
    """An id from the address (``<int:…>`` takes any number of digits): 404 beyond range."""
    if not 0 < value <= MAX_ID:
        raise Http404
    return value


def view_paths(user: Any) -> set[str]:
    """The unit paths under which the user may view the assessment."""
    return {g.path for g in active_grants(user) if role_may(g.role, VIEW)}


def is_office(user: Any, scheme: Scheme | None = None) -> bool:
    """The office: may compute or manage (over the scheme's root when given)."""
    target = scheme.root if scheme is not None else None
    return can(user, COMPUTE, target) or can(user, MANAGE, target)


def visible_schemes(user: Any) -> list[Scheme]:
    """The schemes the user may see, newest year first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    schemes = list(Scheme.objects.select_related("root").defer("root__geometry"))
    if user.is_superuser:
        return schemes
    paths = view_paths(user)
    return [
        s
        for s in schemes
        if any(is_within(p, s.root.path) or is_within(s.root.path, p) for p in paths)
    ]


def visible_scheme(user: Any, pk: int) -> Scheme:
    for scheme in visible_schemes(user):
        if scheme.pk == pk:
            return scheme
    raise Http404


def visible_runs(user: Any, schemes: list[Scheme] | None = None) -> QuerySet[Run]:
    """Runs of the visible schemes: all versions for the office, published ones for others."""
    found = visible_schemes(user) if schemes is None else schemes
    office = [s.pk for s in found if is_office(user, s)]
    others = [s.pk for s in found if s.pk not in office]
    return Run.objects.filter(
        Q(scheme__in=office) | Q(scheme__in=others, state__in=SHOWN_STATES)
    ).select_related("scheme", "scheme__root")


def visible_run(user: Any, pk: int) -> Run:
    run = visible_runs(user).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def visible_results(user: Any) -> QuerySet[Result]:
    return Result.objects.visible_to(user).filter(run__in=visible_runs(user).values("pk"))


def visible_scores(user: Any) -> QuerySet[Score]:
    return Score.objects.visible_to(user).filter(run__in=visible_runs(user).values("pk"))


def home_units(user: Any) -> list[Unit]:
    """The units of the user's memberships that may view the assessment, in path order."""
    ids = [g.unit_id for g in active_grants(user) if role_may(g.role, VIEW)]
    return list(Unit.objects.filter(pk__in=ids).defer("geometry").order_by("path"))

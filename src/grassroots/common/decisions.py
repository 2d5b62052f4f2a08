"""The decision registry (决策在先): how an app tells the decision log which of its records
are decisions that may need a resolution of a party organisation before they are acted on.

An app declares a source in its ``decisions.py``::

    @decision_source("supervision.tasks")
    def decisions(paths: Sequence[str] | None, since: dt.date | None) -> list[Decision]:
        ...

answering, in a fixed number of queries, the decisions it holds in the subtrees ``paths``
(``None``: everywhere) acted on since ``since`` (``None``: ever). The party-building app
keeps the rules (which matters need a resolution, from what amount), the links from a
record to the resolution that authorised it, and flags what has none; it registers the
``authorisation`` lookup below so that an app's page can show the resolution behind one
of its records without knowing the party-building app.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True, slots=True)
class Decision:
    """A record that decides a matter (a livelihood project approved, rewards allocated, a
    cadre selected, a land or fund matter)."""

    #: ``app.model:pk``, e.g. ``supervision.task:12`` — unique across the platform.
    reference: str
    #: One of ``partybuilding.states.MatterKind`` (livelihood, reward, cadre, land, fund).
    matter: str
    unit_id: int
    unit_path: str
    title: str
    acted_on: dt.date
    amount: Decimal | None = None
    #: Where the record is seen (a path, not a full URL).
    url: str = ""


@dataclass(frozen=True, slots=True)
class Authorisation:
    """The resolution behind a record, as its page shows it."""

    number: str
    title: str
    decided_on: dt.date
    votes: str
    passed: bool
    after_the_fact: bool
    url: str


SourceFunc = Callable[[Sequence[str] | None, dt.date | None], list[Decision]]
LookupFunc = Callable[[str], Authorisation | None]

_SOURCES: dict[str, SourceFunc] = {}
_LOOKUP: list[LookupFunc] = []
_discovered = False
_lock = threading.Lock()


def decision_source(name: str) -> Callable[[SourceFunc], SourceFunc]:
    """Register the decorated function as decision source ``name``."""

    def register(func: SourceFunc) -> SourceFunc:
        _SOURCES[name] = func
        return func

    return register


def unregister(name: str) -> None:
    """Forget source ``name`` (tests)."""
    _SOURCES.pop(name, None)


def _autodiscover() -> None:
    global _discovered
    if not _discovered:
        with _lock:
            if not _discovered:
                autodiscover_modules("decisions")
                _discovered = True


def decisions_in(paths: Sequence[str] | None, since: dt.date | None = None) -> list[Decision]:
    """Every source's decisions in the subtrees ``paths`` acted on since ``since``."""
    _autodiscover()
    found: list[Decision] = []
    for name in sorted(_SOURCES):
        found.extend(_SOURCES[name](paths, since))
    return found


def register_lookup(func: LookupFunc) -> LookupFunc:
    """Set the function that finds the resolution behind a record (the party-building app)."""
    _LOOKUP[:] = [func]
    return func


def authorisation(reference: str) -> Authorisation | None:
    """The resolution that authorised the record ``reference``, if one was linked."""
    _autodiscover()
    return _LOOKUP[0](reference) if _LOOKUP else None

"""The waiver registry: how an app tells the assessment that a deduction is waived (容错).

The error-tolerance mechanism (容错纠错) lives in the cadres app; when it records that a
failure falls under a tolerated mistake (reform, pilot, acting in good faith), the points
that a deduction or veto indicator would take for it must not be taken. That app declares a
source in its ``waivers.py``::

    @waiver_source("cadres.tolerance")
    def tolerated(period: Period, unit_ids: Sequence[int]) -> list[Waiver]:
        ...

and the assessment asks every source for the units and period of a run, in one call per
source. A waiver names the metric whose count it reduces, how many items, why, and the
record that decided it. The assessment depends on this module only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules

from grassroots.common.metrics import Period


@dataclass(frozen=True, slots=True)
class Waiver:
    """``count`` items of ``metric`` for ``unit_id`` are not held against it."""

    unit_id: int
    metric: str
    count: int
    reason: str
    #: The record that decided it, e.g. ``cadres.tolerance:12``.
    reference: str


WaiverFunc = Callable[[Period, Sequence[int]], list[Waiver]]

_SOURCES: dict[str, WaiverFunc] = {}
_discovered = False
_lock = threading.Lock()


def waiver_source(name: str) -> Callable[[WaiverFunc], WaiverFunc]:
    """Register the decorated function as waiver source ``name``."""

    def register(func: WaiverFunc) -> WaiverFunc:
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
                autodiscover_modules("waivers")
                _discovered = True


def waivers_for(period: Period, unit_ids: Sequence[int]) -> list[Waiver]:
    """Every source's waivers for these units in ``period`` (zero or negative counts dropped)."""
    _autodiscover()
    found: list[Waiver] = []
    for name in sorted(_SOURCES):
        found.extend(w for w in _SOURCES[name](period, unit_ids) if w.count > 0)
    return found

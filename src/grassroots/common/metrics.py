"""The metric registry: how apps offer measured figures to the assessment.

An app declares its metrics in its own ``metrics.py``::

    @metric("events.on_time_close_rate", label=_("On-time closing rate"), unit="%",
            direction="higher", evidence=due_events)
    def on_time_close_rate(period: Period, units: Units) -> list[MetricValue]:
        \"\"\"Exact definition: numerator, denominator, which records count when.\"\"\"

A metric function answers, for every unit asked for and in a fixed number of queries
(never one per unit), a ``MetricValue``: the value, its numerator and denominator. Its
``evidence(unit_id, period)`` is a queryset of the records behind one unit's value, so a
score can always be explained. The assessment depends on this module only, never on
another app's models.

Batches: metrics of one source that can be computed together (e.g. several counts over
the same table in one pass) name the same ``batch`` key, and the source registers a
provider for it with ``@batch(key)``: a function ``(metrics, period, units) -> {name:
values}``. ``compute_many`` hands all the asked metrics of a key to its provider in one
call; any metric the provider does not answer (or a key without a provider) is computed
on its own. A provider's values must equal the metrics' own, unit for unit.

Apps' ``metrics.py`` modules are imported by ``autodiscover()`` (called once, lazily, by
``registry()`` and ``get()``; a project may also call it from an ``AppConfig.ready``).

Values: a ``%`` metric's value is a percentage (0–100) as a ``Decimal`` rounded half-up to
two places (``percent``); ``None`` when the denominator is zero (nothing to measure).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from typing import TypeAlias

    from grassroots.org.models import Unit

    #: The units a metric is asked about: a queryset, loaded units, or None (its default).
    Units: TypeAlias = QuerySet[Unit] | Iterable[Unit] | None

Direction = Literal["higher", "lower"]
Number = Decimal | int


class PeriodError(ValueError):
    """A period that does not parse (``2026-10``, ``2026-Q3``, ``2026``, ``2026-W47``)."""


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$", re.IGNORECASE)


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()).replace(tzinfo=_zone())


@dataclass(frozen=True, slots=True)
class Period:
    """A span of time ``[start, end)`` (aware datetimes; local midnights when parsed).

    ``label`` is the text it was parsed from (``2026-10``), or empty.
    """

    start: dt.datetime
    end: dt.datetime
    label: str = ""

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, dt.datetime) or value.utcoffset() is None:
                raise PeriodError(f"period {name} must be an aware datetime")
        if self.end <= self.start:
            raise PeriodError("a period must end after it starts")

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026-10`` (month), ``2026-Q3`` (quarter), ``2026`` (year) or ``2026-W47``
        (ISO week, Monday to Monday), in ``settings.TIME_ZONE``."""
        raw = text.strip()
        try:
            if m := _MONTH.match(raw):
                year, month = int(m[1]), int(m[2])
                if not 1 <= month <= 12:
                    raise PeriodError(f"{text!r}: month must be 01–12")
                first = dt.date(year, month, 1)
                last = first + dt.timedelta(days=calendar.monthrange(year, month)[1])
                return cls(_midnight(first), _midnight(last), raw)
            if m := _QUARTER.match(raw):
                year, quarter = int(m[1]), int(m[2])
                first = dt.date(year, 3 * quarter - 2, 1)
                after = (year + 1, 1) if quarter == 4 else (year, 3 * quarter + 1)
                last = dt.date(*after, 1)
                return cls(_midnight(first), _midnight(last), raw.upper())
            if m := _YEAR.match(raw):
                year = int(m[1])
                return cls(_midnight(dt.date(year, 1, 1)), _midnight(dt.date(year + 1, 1, 1)), raw)
            if m := _WEEK.match(raw):
                monday = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
                return cls(_midnight(monday), _midnight(monday + dt.timedelta(days=7)), raw.upper())
        except ValueError as exc:
            if isinstance(exc, PeriodError):
                raise
            raise PeriodError(f"{text!r} is not a valid period: {exc}") from exc
        raise PeriodError(
            f"{text!r} is not a period: use 2026-10 (month), 2026-Q3 (quarter), 2026 (year) "
            "or 2026-W47 (ISO week)"
        )

    @classmethod
    def of_dates(cls, first: dt.date, last: dt.date, label: str = "") -> Period:
        """The local days ``first`` to ``last``, both included."""
        return cls(_midnight(first), _midnight(last + dt.timedelta(days=1)), label)

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, dt.datetime) and self.start <= moment < self.end

    def __str__(self) -> str:
        return self.label or f"{self.start.isoformat()}/{self.end.isoformat()}"

    def cutoff(self, now: dt.datetime) -> dt.datetime:
        """The end of the part of the period that has happened by ``now``."""
        return max(self.start, min(self.end, now))

    def local_dates(self) -> tuple[dt.date, dt.date]:
        """The first and the last local day touched by the period."""
        zone = _zone()
        last = (self.end - dt.timedelta(microseconds=1)).astimezone(zone).date()
        return self.start.astimezone(zone).date(), last


@dataclass(frozen=True, slots=True)
class MetricValue:
    """One unit's figure: ``value`` (``None`` when there is nothing to measure) computed
    from ``numerator`` / ``denominator`` where the metric is a ratio."""

    unit_id: int
    value: Decimal | None
    numerator: Number | None = None
    denominator: Number | None = None


MetricFunc = Callable[[Period, "Units"], list[MetricValue]]
EvidenceFunc = Callable[[int, Period], QuerySet[Any]]


@dataclass(frozen=True)
class Metric:
    """A registered metric. Call it as ``metric(period, units)``."""

    name: str
    label: str | Promise
    unit: str
    direction: Direction
    compute: MetricFunc = field(repr=False)
    evidence_func: EvidenceFunc | None = field(default=None, repr=False)
    #: The exact definition (the function's docstring).
    definition: str = ""
    #: Metrics with the same key may be computed together by the key's batch provider.
    batch_key: str | None = None
    #: Templates read its attributes; they must not call it.
    do_not_call_in_templates: ClassVar[bool] = True

    def __call__(self, period: Period, units: Units = None) -> list[MetricValue]:
        return self.compute(period, units)

    def evidence(self, unit_id: int, period: Period) -> QuerySet[Any]:
        """The records behind ``unit_id``'s value in ``period``."""
        if self.evidence_func is None:
            raise NotImplementedError(f"metric {self.name} declares no evidence")
        return self.evidence_func(unit_id, period)


class UnknownMetricError(KeyError):
    """No app registers a metric of that name."""


_REGISTRY: dict[str, Metric] = {}
_discovered = False
_discover_lock = threading.Lock()
_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


def metric(
    name: str,
    *,
    label: str | Promise,
    unit: str,
    direction: Direction,
    evidence: EvidenceFunc | None = None,
    batch: str | None = None,
) -> Callable[[MetricFunc], Metric]:
    """Register the decorated function as metric ``name`` (``app.metric_name``).

    ``batch`` names the batch provider (see ``batch``) that may compute it together with
    the other metrics of the same key; the function alone must give the same values.

    The function's docstring is the metric's definition and is required. Registering a
    name twice from different functions is an error (the same function again, as on a
    module reload, replaces it).
    """
    if not _NAME.match(name):
        raise ValueError(f"metric name {name!r} must be app.name (lowercase, dotted)")
    if direction not in ("higher", "lower"):
        raise ValueError(f"metric {name}: direction must be 'higher' or 'lower'")

    def register(func: MetricFunc) -> Metric:
        doc = (func.__doc__ or "").strip()
        if not doc:
            raise ValueError(f"metric {name} needs a docstring with its exact definition")
        existing = _REGISTRY.get(name)
        qualname = f"{func.__module__}.{func.__qualname__}"
        if existing is not None:
            old = f"{existing.compute.__module__}.{existing.compute.__qualname__}"
            if old != qualname:
                raise ValueError(f"metric {name} is registered twice ({old} and {qualname})")
        registered = Metric(
            name=name,
            label=label,
            unit=unit,
            direction=direction,
            compute=func,
            evidence_func=evidence,
            definition=doc,
            batch_key=batch,
        )
        _REGISTRY[name] = registered
        return registered

    return register


BatchFunc = Callable[[Sequence[Metric], Period, "Units"], dict[str, list[MetricValue]]]
_BATCHES: dict[str, BatchFunc] = {}


def register_batch(key: str, func: BatchFunc) -> BatchFunc:
    """Register ``func`` as the provider of the metrics declared with ``batch=key``.

    It is called with those of them asked for (two or more), the period and the units
    (``None``, a queryset or a list), and answers ``{name: values}`` — for every unit asked,
    in the order a metric itself would; a metric it leaves out is computed on its own.
    Registering a key again replaces its provider (as on a module reload).
    """
    _BATCHES[key] = func
    return func


def batch(key: str) -> Callable[[BatchFunc], BatchFunc]:
    """Decorator form of ``register_batch``: ``@batch("events.ratios")``."""

    def register(func: BatchFunc) -> BatchFunc:
        return register_batch(key, func)

    return register


def autodiscover() -> None:
    """Import every installed app's ``metrics`` module (once per process)."""
    global _discovered
    if _discovered:
        return
    with _discover_lock:
        if not _discovered:
            autodiscover_modules("metrics")
            _discovered = True


def registry() -> dict[str, Metric]:
    """Every registered metric by name (a copy), apps' ``metrics`` modules loaded."""
    autodiscover()
    return dict(sorted(_REGISTRY.items()))


def get(name: str) -> Metric:
    """The metric ``name``; ``UnknownMetricError`` when no app registers it."""
    autodiscover()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownMetricError(name) from None


def percent(numerator: Number, denominator: Number) -> Decimal | None:
    """``100 × numerator / denominator`` rounded half-up to 0.01; ``None`` for 0 / 0."""
    if not denominator:
        return None
    value = Decimal(numerator) * 100 / Decimal(denominator)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def quantize(value: Decimal | float | int | None, places: int = 2) -> Decimal | None:
    """A number as a Decimal rounded half-up to ``places`` decimals (``None`` stays)."""
    if value is None:
        return None
    exponent = Decimal(1).scaleb(-places)
    return Decimal(str(value)).quantize(exponent, rounding=ROUND_HALF_UP)


def compute_many(
    names: Iterable[str], period: Period, units: Units = None
) -> dict[str, list[MetricValue]]:
    """Several metrics for the same units and period, each computed once.

    ``{name: values}`` in the order asked (duplicates once); unknown names raise
    ``UnknownMetricError`` before anything is computed. Metrics sharing a batch key with a
    registered provider are computed by it in one call; the others one by one.
    """
    wanted = [get(n) for n in dict.fromkeys(names)]
    if units is not None and not isinstance(units, QuerySet):
        units = list(units)
    groups: dict[str, list[Metric]] = {}
    for m in wanted:
        if m.batch_key is not None and m.batch_key in _BATCHES:
            groups.setdefault(m.batch_key, []).append(m)
    found: dict[str, list[MetricValue]] = {}
    for key, members in groups.items():
        if len(members) < 2:
            continue
        answered = _BATCHES[key](members, period, units)
        found.update((m.name, answered[m.name]) for m in members if m.name in answered)
    return {m.name: found[m.name] if m.name in found else m(period, units) for m in wanted}

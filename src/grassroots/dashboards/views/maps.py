"""The grid map page of a unit: its grids coloured by a chosen metric, the open events
the viewer may see as points, and the same figures as a table."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from grassroots.common.http import user_of
from grassroots.dashboards import maps

SORTS = ("", "value", "-value")


def _choices(code: str, metric: str, period: str) -> dict[str, Any]:
    """The metric and period links (they work without JavaScript)."""
    base = reverse("dashboards:map", args=[code])
    metrics = [
        {
            "key": m.key,
            "label": m.label,
            "url": f"{base}?metric={m.key}" + (f"&period={period}" if m.periodic else ""),
            "current": m.key == metric,
        }
        for m in maps.METRICS.values()
    ]
    periods = [
        {
            "key": k,
            "label": label,
            "url": f"{base}?metric={metric}&period={k}",
            "current": k == period,
        }
        for k, label in maps.PERIODS.items()
    ]
    return {"metrics": metrics, "periods": periods, "base_url": base}


def _sorted(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    if sort not in ("value", "-value"):
        return rows
    known = [r for r in rows if r["value"] is not None]
    unknown = [r for r in rows if r["value"] is None]
    known.sort(key=lambda r: (Decimal(r["value"]), r["area"].code), reverse=sort == "-value")
    return known + unknown  # no data last either way


def _figure(value: Decimal | None, metric: maps.MapMetric, none: str) -> str:
    if value is None:
        return none
    if metric.unit:
        return f"{value.normalize():f}%"
    return str(int(value))


def _table_body(rows: list[dict[str, Any]], metric: maps.MapMetric) -> SafeString:
    """The table's rows, written here rather than by a template loop: a city has 850. The
    table stays a table on a phone (four narrow columns), so its cells carry no labels."""
    none = f'<span class="muted">{escape(_("No data"))}</span>'
    periodic = metric.periodic
    out = []
    for r in rows:
        ratio = (
            f'<td class="num">{r["numerator"] or 0}/{r["denominator"] or 0}</td>'
            if periodic
            else ""
        )
        out.append(
            f'<tr><td><a href="{escape(r["url"])}">{escape(r["area"].name)}</a></td>'
            f'<td class="num">{_figure(r["value"], metric, none)}</td>{ratio}'
            f"<td>{escape(r['range'] or '—')}</td></tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every text in it is escaped


@login_required
@require_safe
def unit_map(request: HttpRequest, code: str) -> HttpResponse:
    """``/dashboard/<code>/map/?metric=open|overdue|on_time|satisfaction&period=12m|month``."""
    user = user_of(request)
    unit = maps.unit_in_scope(user, code)
    metric_key = request.GET.get("metric", maps.DEFAULT_METRIC)
    period_key = request.GET.get("period", maps.DEFAULT_PERIOD)
    sort = request.GET.get("sort", "")
    context: dict[str, Any] = {
        "unit": unit,
        "dashboard_url": reverse("dashboards:unit", args=[unit.code]),
        "sort": sort if sort in SORTS else "",
        "max_points": maps.MAX_POINTS,
    }
    try:
        metric = maps.metric_of(metric_key)
    except maps.UnknownChoiceError:
        context.update(_choices(unit.code, maps.DEFAULT_METRIC, maps.DEFAULT_PERIOD))
        context["error"] = _("Unknown metric “%(metric)s”: choose one of the metrics below.") % {
            "metric": metric_key[:40]
        }
        return render(request, "dashboards/map.html", context, status=400)
    try:
        period = maps.period_of(period_key)
    except maps.UnknownChoiceError:
        context.update(_choices(unit.code, metric.key, maps.DEFAULT_PERIOD))
        context["error"] = _("Unknown period “%(period)s”: choose one of the periods below.") % {
            "period": period_key[:40]
        }
        return render(request, "dashboards/map.html", context, status=400)
    data = maps.build_unit_map(unit, user=user, metric=metric, period=period)
    context.update(_choices(unit.code, metric.key, period_key))
    context.update(
        {
            "map": data,
            "metric": metric,
            "period_key": period_key,
            "period_label": maps.PERIODS[period_key] if metric.periodic else "",
            "rows": _table_body(_sorted(data.rows, context["sort"]), metric),
            "sort_url": f"{context['base_url']}?metric={metric.key}&period={period_key}&sort=",
        }
    )
    return render(request, "dashboards/map.html", context)

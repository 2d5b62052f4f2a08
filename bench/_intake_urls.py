"""The product's URLs plus ``bench/bare/``: a bare Django view that inserts one row (the
ceiling the intake benchmark compares against). Bench only, never in the product."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from grassroots.urls import urlpatterns as product


@csrf_exempt
@require_POST
def bare_insert(request: HttpRequest) -> HttpResponse:
    """Insert the posted body as one row (table ``bench_bare``, created by
    bench/events_intake.py in its throwaway database); answer its id."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_bare (created_at, body) VALUES (now(), %s) RETURNING id",
            [request.body[:500].decode("utf-8", "replace")],
        )
        (pk,) = cursor.fetchone()
    return JsonResponse({"id": pk}, status=201)


urlpatterns = [path("bench/bare/", bare_insert), *product]

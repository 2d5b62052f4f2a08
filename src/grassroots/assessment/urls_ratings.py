"""The /assessment/ pages of this part (included by ``assessment.urls``)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

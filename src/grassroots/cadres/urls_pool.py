"""Routes of the pool pages: the pool, nominations, reviews, removals and key posts."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.cadres.views import pool

urlpatterns: list[URLPattern] = [
    path("pool/", pool.pool, name="pool"),
    path("pool/nominate/<int:pk>/", pool.nominate_page, name="nominate"),
    path("pool/<int:pk>/review/", pool.review_page, name="review"),
    path("pool/<int:pk>/remove/", pool.remove_page, name="remove"),
    path("keyposts/", pool.key_posts, name="keyposts"),
    path("keyposts/<int:pk>/remove/", pool.key_post_remove, name="keypost_remove"),
]

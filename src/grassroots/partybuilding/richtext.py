"""The HTML of a village history chapter, cleaned when saved (with ``nh3``, the Rust
``ammonia`` sanitiser): paragraphs, line breaks, ``h2``/``h3`` headings, lists, strong,
emphasis and quotations are kept, without any attribute; an image is kept only when its
``src`` is one of the chapter's own photo URLs (with its ``alt``). Everything else —
scripts, styles, event handlers, links, ``javascript:`` URLs, foreign images — is removed
(the text inside harmless unknown tags stays, the content of ``script``/``style`` goes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

import nh3

_SRCLESS_IMG: Final = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")

TAGS: Final = frozenset(
    {"p", "br", "h2", "h3", "ul", "ol", "li", "strong", "em", "blockquote", "img"}
)
#: Tags whose content is dropped with them.
DROP_CONTENT: Final = frozenset({"script", "style", "iframe", "object", "template", "textarea"})
#: The longest body kept (characters of HTML, before cleaning).
MAX_LENGTH: Final = 200_000


def clean_html(html: str, *, photo_urls: Iterable[str] = ()) -> str:
    """``html`` with only the allowed tags; ``img`` only with one of ``photo_urls`` as its
    ``src`` (any other image is removed)."""
    allowed = frozenset(photo_urls)

    def attribute(element: str, name: str, value: str) -> str | None:
        if element != "img":
            return None
        if name == "src":
            return value if value in allowed else None
        if name == "alt":
            return value[:200]
        return None

    cleaned = nh3.clean(
        html.replace("\x00", ""),
        tags=set(TAGS),
        clean_content_tags=set(DROP_CONTENT),
        attributes={"img": {"src", "alt"}},
        attribute_filter=attribute,
        url_schemes=set(),
        link_rel=None,
        strip_comments=True,
    )
    return _drop_bare_images(cleaned)


def _drop_bare_images(html: str) -> str:
    """Remove the ``img`` elements left without a ``src`` (their source was refused);
    ``html`` is nh3's output, so every tag is written out in one normal form."""
    return _SRCLESS_IMG.sub("", html)

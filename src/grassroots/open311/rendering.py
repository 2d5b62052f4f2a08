"""The two formats of GeoReport v2: the same data as JSON and as XML.

A response is built once as plain data (lists of dicts of str, int, float, bool, None and
nested lists) and rendered by :func:`render`. In XML a list is a wrapping element whose
children take the singular name (``<attributes><attribute>…``), ``None`` is an empty
element, booleans are ``true``/``false``; JSON keeps the types.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from xml.etree import ElementTree as ET  # we build XML here, never parse untrusted XML

from django.http import HttpResponse

Format = Literal["json", "xml"]

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"

#: Element name of the items of each list, as the specification writes them.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


#: Characters XML 1.0 cannot carry at all (control characters, lone surrogates, …).
_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    # Dropped, or the document would not be well-formed (JSON keeps them, escaped).
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list | tuple):
        tag = ITEM_TAGS[element.tag]
        for item in value:
            _fill(ET.SubElement(element, tag), item)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    """``data`` under the element ``root`` (a list: one child per item), UTF-8 XML."""
    element = ET.Element(root)
    _fill(element, data)
    body: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def to_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render(fmt: Format, root: str, data: Any, *, status: int = 200) -> HttpResponse:
    """One response in ``fmt``; ``root`` names the XML root (JSON has none)."""
    if fmt == "xml":
        return HttpResponse(to_xml(root, data), status=status, content_type=XML_TYPE)
    return HttpResponse(to_json(data), status=status, content_type=JSON_TYPE)


def errors(fmt: Format, status: int, descriptions: Sequence[str]) -> HttpResponse:
    """The specification's error list: ``[{"code": status, "description": …}, …]``."""
    data = [{"code": status, "description": text} for text in descriptions]
    return render(fmt, "errors", data, status=status)

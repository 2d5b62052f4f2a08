"""Set-up shared by tests/open311 and tests/api: grids with polygons, categories (one with
Open311 attributes, one not public), photos, and a requests transport that sends to the
Django test client, so that a real HTTP client library talks to the views in-process.

    礼州村第1网格 513401101201001   lon 102.00–102.10, lat 27.80–27.90   (POINT)
    田坝村第1网格 513401101202001   lon 102.10–102.20, lat 27.80–27.90   (POINT_NEIGHBOUR)
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

POINT = (27.85, 102.05)  # (lat, lon)
POINT_NEIGHBOUR = (27.85, 102.15)
POINT_OUTSIDE = (30.66, 104.06)  # 成都
PHONE = "13912345678"

ATTRIBUTES = [
    {
        "code": "SIZE",
        "datatype": "singlevaluelist",
        "required": True,
        "description": "堆放规模",
        "order": 1,
        "values": [{"key": "small", "name": "少量"}, {"key": "large", "name": "大量"}],
    },
    {
        "code": "KINDS",
        "datatype": "multivaluelist",
        "required": False,
        "description": "垃圾种类",
        "order": 2,
        "values": [
            {"key": "brick", "name": "砖块"},
            {"key": "soil", "name": "渣土"},
            {"key": "wood", "name": "木料"},
        ],
    },
    {
        "code": "DAYS",
        "datatype": "number",
        "required": False,
        "description": "堆放天数",
        "order": 3,
    },
    {
        "code": "NOTE",
        "variable": False,
        "datatype": "string",
        "required": False,
        "description": "请勿填写个人信息",
        "order": 4,
    },
]


def square(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
    }


def make_grids(tree: dict[str, Any]) -> dict[str, Any]:
    from grassroots.org.models import Unit, UnitKind

    grid = tree["grid"]
    grid.geometry = square(102.0, 27.8, 102.1, 27.9)
    grid.save(update_fields=["geometry"])
    tianba = Unit.objects.create(
        code="513401101202001",
        name="田坝村第1网格",
        kind=UnitKind.GRID,
        parent=tree["neighbour_village"],
        geometry=square(102.1, 27.8, 102.2, 27.9),
    )
    return {"grid": grid, "tianba_grid": tianba}


def make_categories(tree: dict[str, Any]) -> dict[str, Any]:
    from decimal import Decimal

    from grassroots.events.models import Category

    parent = Category.objects.create(
        code="SRHJ", name="市容环境", resolve_workdays=5, keywords="市容,环境", order=1
    )
    piles = Category.objects.create(
        code="SRHJ01",
        name="乱堆乱放",
        parent=parent,
        description="道路、公共场所乱堆乱放",
        keywords="垃圾,堆放",
        response_hours=Decimal("2"),
        resolve_workdays=3,
        default_department=tree["department"],
        attributes=ATTRIBUTES,
        order=2,
    )
    lamp = Category.objects.create(
        code="SRHJ02", name="路灯损坏", parent=parent, resolve_workdays=5, order=3
    )
    dispute = Category.objects.create(
        code="MDJF01", name="邻里纠纷", public=False, resolve_workdays=10, order=4
    )
    return {"parent": parent, "piles": piles, "lamp": lamp, "dispute": dispute}


def image_bytes(fmt: str = "JPEG", color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), color).save(out, format=fmt)
    return out.getvalue()


def photo(name: str = "photo.jpg", color: tuple[int, int, int] = (200, 30, 30)) -> Any:
    return SimpleUploadedFile(name, image_bytes(color=color), content_type="image/jpeg")


class DjangoTransport:
    """A requests transport adapter answering from the Django test client."""

    def __new__(cls, client: Client) -> Any:
        import requests
        from requests.adapters import BaseAdapter
        from requests.structures import CaseInsensitiveDict

        class _Adapter(BaseAdapter):
            def send(self, request: Any, **kwargs: Any) -> Any:
                url = urlsplit(request.url)
                path = url.path + (f"?{url.query}" if url.query else "")
                extra = {
                    "HTTP_" + name.upper().replace("-", "_"): value
                    for name, value in request.headers.items()
                    if name.lower() not in ("content-type", "content-length", "host")
                }
                body = request.body or b""
                if isinstance(body, str):
                    body = body.encode("utf-8")
                answer = client.generic(
                    request.method,
                    path,
                    data=body,
                    content_type=request.headers.get("Content-Type", "application/octet-stream"),
                    **extra,
                )
                response = requests.Response()
                response.status_code = answer.status_code
                response._content = answer.content
                response.headers = CaseInsensitiveDict(dict(answer.headers.items()))
                response.url = request.url
                response.request = request
                response.encoding = "utf-8"
                return response

            def close(self) -> None:
                pass

        return _Adapter()


def http_session(client: Client | None = None) -> Any:
    """A ``requests.Session`` whose requests to http://testserver go to the test client."""
    import pytest

    requests = pytest.importorskip("requests")

    session = requests.Session()
    session.mount("http://testserver", DjangoTransport(client or Client()))
    return session


def xml_text(value: Any) -> Any:
    """What a JSON value reads as in our XML (for comparing the two formats)."""
    if isinstance(value, dict):
        return {k: xml_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [xml_text(v) for v in value]
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None or value == "":
        return None
    return str(value)


def xml_data(element: Any) -> Any:
    """An element of our XML as JSON-like data: lists where the specification has them."""
    from grassroots.open311.rendering import ITEM_TAGS

    if element.tag in ITEM_TAGS:
        return [xml_data(child) for child in element]
    children = list(element)
    if children:
        return {child.tag: xml_data(child) for child in children}
    return element.text

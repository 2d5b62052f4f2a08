"""Helpers of the homestead tests: parcels written directly (not through the actions)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from grassroots.registers.models import Homestead

_numbers = itertools.count(1)


def parcel(household: Any, area: str = "120", *, active: bool = True, **kw: Any) -> Homestead:
    """A saved parcel of ``household``'s village."""
    fields: dict[str, Any] = {
        "unit": household.village,
        "household": household,
        "parcel_number": f"JC{next(_numbers):05d}",
        "area": Decimal(area),
        "active": active,
    }
    fields.update(kw)
    return Homestead.objects.create(**fields)


def head_name(household: Any) -> str:
    return str(household.members.get(relationship="head").name)

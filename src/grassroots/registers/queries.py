"""Named reads shared by every register: the policy that applies to a unit.

Each register's own reads are in ``queries_<register>.py``.
"""

from __future__ import annotations

from collections.abc import Iterable

from grassroots.org.models import PATH_SEPARATOR, Unit
from grassroots.registers.models import Policy


def _ancestor_paths(path: str) -> list[str]:
    parts = path.split(PATH_SEPARATOR)
    return [PATH_SEPARATOR.join(parts[: i + 1]) for i in range(len(parts))]


def policies_for(units: Iterable[Unit]) -> dict[int, Policy]:
    """The policy that applies to each unit (``unit.pk`` → policy): the nearest one on the
    unit or above it, else an unsaved ``Policy`` with the defaults. One query."""
    units = list(units)
    wanted = {p for unit in units for p in _ancestor_paths(unit.path)}
    found = {
        policy.unit.path: policy
        for policy in Policy.objects.select_related("unit").filter(unit__path__in=wanted)
    }
    answer: dict[int, Policy] = {}
    for unit in units:
        for path in reversed(_ancestor_paths(unit.path)):
            if path in found:
                answer[unit.pk] = found[path]
                break
        else:
            answer[unit.pk] = Policy(unit=unit)
    return answer


def policy_for(unit: Unit) -> Policy:
    """The policy that applies to ``unit`` (see ``policies_for``)."""
    return policies_for([unit])[unit.pk]

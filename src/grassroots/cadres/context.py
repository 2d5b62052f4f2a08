"""What every cadres page's template needs besides its own data."""

from __future__ import annotations

from typing import Any

from grassroots.cadres import permissions as p
from grassroots.org.permissions import can

_ACTIONS = (
    p.VIEW_FILE,
    p.MANAGE,
    p.NOMINATE,
    p.DEVELOP,
    p.GRADE,
    p.APPLY_TOLERANCE,
    p.VIEW_TOLERANCE,
)


def section(user: Any, tab: str, **extra: Any) -> dict[str, Any]:
    """The context of a cadres page: ``tab`` (the current one, for ``_tabs.html``) and
    ``cadres_perms`` (the cadres actions the viewer holds anywhere), plus ``extra``."""
    return {"tab": tab, "cadres_perms": {a for a in _ACTIONS if can(user, a)}, **extra}

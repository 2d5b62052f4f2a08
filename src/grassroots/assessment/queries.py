"""Named reads of the assessment, with scope."""

from __future__ import annotations

from typing import Any, Self

from django.db import models

from grassroots.org.queries import active_grants, scope_q


class ScopedQuerySet(models.QuerySet[Any]):
    """Scores and results of units: ``visible_to(user)`` keeps those in the subtree of a
    membership that grants ``assessment.view`` (the city office sees every unit)."""

    def visible_to(self, user: Any) -> Self:
        from grassroots.assessment.permissions import VIEW
        from grassroots.org.permissions import roles_granting

        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self.all()
        roles = roles_granting(VIEW)
        paths = {g.path for g in active_grants(user) if g.role in roles}
        if not paths:
            return self.none()
        return self.filter(scope_q(("unit__path",), paths))

    def of_run(self, run: Any) -> Self:
        return self.filter(run=run)

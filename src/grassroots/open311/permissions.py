"""Who may issue and revoke Open311 API keys: the city office (and superusers)."""

from __future__ import annotations

from grassroots.org.models import Role
from grassroots.org.permissions import grant

grant(Role.CITY_ADMIN, "open311.manage_keys")

"""Loaded by ``common.decisions``' autodiscovery: the party-building app declares no
decisions of its own, it registers the lookup of the resolution behind a record and the
record pages' status (``queries_decisions``)."""

from __future__ import annotations

from grassroots.partybuilding import queries_decisions  # noqa: F401 -- registers the lookup

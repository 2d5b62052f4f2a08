"""``grassroots audit verify`` and ``grassroots audit seal``."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from grassroots import cli
from grassroots.audit.models import AuditEntry


def test_seal_prints_the_count(write: Callable[..., Any]) -> None:
    write(3)
    out = StringIO()

    call_command("audit", "seal", stdout=out)

    assert out.getvalue().strip() == "Sealed 3 entries."
    assert not AuditEntry.objects.unsealed().exists()


def test_verify_ok_exits_zero(sealed_chain: list[AuditEntry], write: Callable[..., Any]) -> None:
    write(1)
    out = StringIO()

    call_command("audit", "verify", stdout=out)

    assert out.getvalue().splitlines() == ["OK: 5 entries in 2 blocks", "1 entries await sealing."]


def test_verify_broken_exits_one(sealed_chain: list[AuditEntry]) -> None:
    victim = sealed_chain[1]
    AuditEntry.objects.filter(pk=victim.pk).update(note="forged")
    out, err = StringIO(), StringIO()

    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify", stdout=out, stderr=err)

    assert exit_info.value.code == 1
    assert out.getvalue() == ""
    assert err.getvalue().startswith(f"BROKEN at seq 2 (entry id {victim.pk}): ")


def test_verify_prints_late_entries_as_warnings(sealed_chain: list[AuditEntry]) -> None:
    AuditEntry.objects.create(action="org.unit.approved", created_at=sealed_chain[0].created_at)
    call_command("audit", "seal", stdout=StringIO())
    out, err = StringIO(), StringIO()

    call_command("audit", "verify", "--grace", "0", stdout=out, stderr=err)

    assert out.getvalue().startswith("OK: 6 entries in 3 blocks")
    assert "seq 6" in err.getvalue() and "late" in err.getvalue()


def test_a_subcommand_is_required(db: Any) -> None:
    with pytest.raises(CommandError):
        call_command("audit")


def test_console_script(sealed_chain: list[AuditEntry], capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["grassroots", "audit", "verify"])

    assert capsys.readouterr().out.startswith("OK: 5 entries in 2 blocks")

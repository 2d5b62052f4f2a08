"""The published conditions of error tolerance and the verdict on them (pure)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots.cadres import checklist as cl


def test_the_four_published_conditions_in_order() -> None:
    assert cl.KEYS == ("exploration", "public_good", "procedure", "remedied")
    assert all(str(c.label) and str(c.guidance) for c in cl.CONDITIONS)


def test_nothing_checked_is_incomplete() -> None:
    assert cl.verdict({}) == cl.Verdict.INCOMPLETE
    assert cl.verdict(None) == cl.Verdict.INCOMPLETE
    assert [f.met for f in cl.findings({})] == [None, None, None, None]


def test_all_four_met_is_tolerable() -> None:
    stored = cl.build(dict.fromkeys(cl.KEYS, (True, "")))
    assert cl.verdict(stored) == cl.Verdict.TOLERABLE
    assert cl.unmet(stored) == []


def test_one_not_met_is_not_tolerable_and_named() -> None:
    stored = cl.build({**dict.fromkeys(cl.KEYS, (True, "")), "public_good": (False, "收受好处费")})
    assert cl.verdict(stored) == cl.Verdict.NOT_TOLERABLE
    assert [c.key for c in cl.unmet(stored)] == ["public_good"]
    assert stored["public_good"] == {"met": False, "note": "收受好处费"}


def test_malformed_stored_entries_read_as_not_checked() -> None:
    stored: dict[str, Any] = {
        "exploration": {"met": "yes"},
        "public_good": True,
        "procedure": {"met": True, "note": None},
        "remedied": {"met": False, "note": "x"},
    }
    assert [f.met for f in cl.findings(stored)] == [None, None, True, False]
    assert cl.verdict(stored) == cl.Verdict.INCOMPLETE


@pytest.mark.parametrize(
    ("entries", "field"),
    [
        ({}, "exploration_met"),
        ({k: (True, "") for k in cl.KEYS if k != "procedure"}, "procedure_met"),
        ({**dict.fromkeys(cl.KEYS, (True, "")), "remedied": (False, "")}, "remedied_note"),
        (
            {**dict.fromkeys(cl.KEYS, (True, "")), "exploration": (True, "x" * 2001)},
            "exploration_note",
        ),
        ({**dict.fromkeys(cl.KEYS, (True, "")), "other": (True, "")}, "other"),
    ],
)
def test_a_checklist_that_cannot_be_stored_names_the_input(
    entries: dict[str, tuple[bool | None, str]], field: str
) -> None:
    with pytest.raises(cl.ChecklistError) as caught:
        cl.build(entries)
    assert caught.value.field == field


answers = st.tuples(st.booleans(), st.text(min_size=1, max_size=20).filter(str.strip))


@given(st.fixed_dictionaries(dict.fromkeys(cl.KEYS, answers)))
def test_tolerable_exactly_when_all_four_are_met(
    entries: dict[str, tuple[bool, str]],
) -> None:
    stored = cl.build(entries)
    expected = all(met for met, _ in entries.values())
    assert (cl.verdict(stored) == cl.Verdict.TOLERABLE) is expected
    assert (cl.verdict(stored) == cl.Verdict.NOT_TOLERABLE) is not expected
    assert {c.key for c in cl.unmet(stored)} == {k for k, (m, _) in entries.items() if not m}
    # what is stored reads back the same
    assert [(f.met, f.note) for f in cl.findings(stored)] == [
        (entries[k][0], entries[k][1].strip()) for k in cl.KEYS
    ]

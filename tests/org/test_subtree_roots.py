"""``subtree_roots``: the paths not below another one, found in one pass after a sort,
equal to the pairwise definition for any set of unit paths."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from grassroots.org.queries import SEP, scope_q, subtree_roots

CODES = st.text(alphabet="0123456789AD", min_size=1, max_size=3)
PATHS = st.lists(st.lists(CODES, min_size=1, max_size=4).map(SEP.join), max_size=40)


def pairwise(paths: list[str]) -> list[str]:
    unique = set(paths)
    return sorted(p for p in unique if not any(p.startswith(q + SEP) for q in unique if q != p))


@given(PATHS)
def test_equal_to_the_pairwise_definition(paths: list[str]) -> None:
    assert subtree_roots(paths) == pairwise(paths)


def test_a_province_of_villages_is_fast_and_exact() -> None:
    villages = [f"51.{t:04d}.{v:04d}" for t in range(300) for v in range(100)]
    found = subtree_roots([*villages, "51.0007", "51.0007.0001"])
    assert len(found) == 30_000 - 100 + 1
    assert "51.0007" in found and "51.0007.0001" not in found


def test_scope_q_names_only_the_roots() -> None:
    q = scope_q(("path",), {"51.01", "51.01.02", "51.02"})
    assert "51.01.02" not in str(q)

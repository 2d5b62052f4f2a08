"""``grassroots assess``: the ranking table, Chinese errors for a bad period, publication
with its SHA-256, a refused publication naming the rule, and every month of a year."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from grassroots.assessment.models import Publication, Run
from grassroots.assessment.states import RunState

pytestmark = pytest.mark.usefixtures("events")


@pytest.fixture(autouse=True)
def _chinese() -> Any:
    with translation.override("zh-hans"):
        yield


def assess(*args: str) -> str:
    out = io.StringIO()
    call_command("assess", *args, "--quiet", stdout=out)
    return out.getvalue()


def test_prints_the_ranking_table_and_the_fingerprint(scheme_factory: Any) -> None:
    scheme = scheme_factory(shrinkage=False, significance=False)

    text = assess("--scheme", scheme.code, "--period", "2026-10")

    run = Run.objects.get(scheme=scheme, period="2026-10")
    assert run.state == RunState.COMPUTED
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if "礼州村" in line)
    assert "1/3" in lines[first] and "85.00" in lines[first] and "优秀" in lines[first]
    assert "1,000.00" in lines[first]  # the whole pool of 1,000 元 to the only 优秀
    assert any("田坝村" in line for line in lines[first + 1 :])
    assert run.fingerprint in text
    assert not Publication.objects.exists()


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026-13", "请输入期间，如 2026-10（月）、2026-Q3（季度）或 2026（年）。"),
        ("二〇二六年十月", "请输入期间，如 2026-10（月）、2026-Q3（季度）或 2026（年）。"),
        ("2025-10", "期间须为方案所属 2026 年度内的月份、季度或该年度。"),
        ("2026-W42", "期间须为方案所属 2026 年度内的月份、季度或该年度。"),
    ],
)
def test_a_bad_period_is_refused_in_chinese(scheme_factory: Any, period: str, message: str) -> None:
    scheme = scheme_factory()

    with pytest.raises(CommandError) as refused:
        assess("--scheme", scheme.code, "--period", period)

    assert str(refused.value) == message
    assert not Run.objects.exists()


def test_an_unknown_scheme_is_refused_in_chinese(scheme_factory: Any) -> None:
    with pytest.raises(CommandError, match="没有代码为 xc-nothing 的考核方案。"):
        assess("--scheme", "xc-nothing", "--period", "2026-10")


def test_all_months_needs_a_month(scheme_factory: Any) -> None:
    scheme = scheme_factory()

    with pytest.raises(CommandError, match="--all-months 需要以月份作为期间"):
        assess("--scheme", scheme.code, "--period", "2026-Q3", "--all-months")
    assert not Run.objects.exists()


def test_all_months_computes_january_to_the_month_given(scheme_factory: Any) -> None:
    scheme = scheme_factory()

    text = assess("--scheme", scheme.code, "--period", "2026-03", "--all-months")

    assert sorted(Run.objects.values_list("period", flat=True)) == [
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    assert "已计算 3 个月：2026-01 至 2026-03。" in text


def test_publish_prints_the_sha256_of_the_publication(scheme_factory: Any) -> None:
    scheme = scheme_factory(shrinkage=False, significance=False)

    text = assess("--scheme", scheme.code, "--period", "2026-Q4", "--publish")

    publication = Publication.objects.get()
    assert publication.run.period == "2026-Q4" and publication.run.state == RunState.PUBLISHED
    assert f"SHA-256：{publication.sha256}" in text
    assert "已发布 xc-village-2026 2026-Q4 第 1 版" in text


def test_a_refused_publication_names_the_rule_and_fails(scheme_factory: Any) -> None:
    scheme = scheme_factory(shrinkage=False, significance=False, min_spread={"min_score_cv": "50"})

    with pytest.raises(CommandError) as refused:
        assess("--scheme", scheme.code, "--period", "2026-10", "--publish")

    message = str(refused.value)
    assert message.startswith("2026-10 第 1 版已计算，但未发布：")
    assert "50" in message  # the scheme's minimum, in the rule's message
    run = Run.objects.get(scheme=scheme, period="2026-10")
    assert run.state == RunState.COMPUTED  # computed, kept, not published
    assert not Publication.objects.exists()

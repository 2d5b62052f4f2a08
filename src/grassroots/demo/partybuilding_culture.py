"""The demo's culture archive (村有村歌村史, 家有家训家风) and culture competitions (文化竞演).

- a village song for most of 礼州镇's villages and a few others (no recording: the file
  fields stay empty until one is uploaded);
- 2–4 village history chapters (plain ``<h2>``/``<p>`` HTML) for each of 礼州镇's villages;
- 5–10 family mottos (王家, 阿说家, 吉克家 …) and 5–15 local performers (phones synthetic,
  encrypted by their field) for each of 礼州镇's villages;
- 礼州镇's competition of the year (初赛 with an entry per village, 决赛 for the best six),
  judged by five judges and **published**: final score = the mean of the judges' scores
  without the highest and the lowest one (five judges or more), ranks within the round
  with ties sharing (1, 1, 3), prizes by rank in each round (the competition's first,
  second and third prize counts) — computed by the competition's own
  ``compute_results``; and next season's competition **being prepared**.

Deterministic for a given ``rng`` seed and "now".
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from django.contrib.auth.hashers import make_password

from grassroots.demo import partybuilding_texts as texts
from grassroots.org.divisions import short_name
from grassroots.org.models import Unit, User
from grassroots.partybuilding import scoring_competitions as scoring
from grassroots.partybuilding.actions.competitions import compute_results
from grassroots.partybuilding.models import (
    Competition,
    CompetitionJudge,
    Entry,
    FamilyMotto,
    JudgeScore,
    Performer,
    Round,
    Song,
    VillageHistory,
)
from grassroots.partybuilding.states import CompetitionStatus, PerformerSpecialty

if TYPE_CHECKING:
    from grassroots.demo.partybuilding import PartySummary

CENT: Final = Decimal("0.01")
#: Judges named on the demo's competition besides the demo logins ``rater`` and
#: ``unit_leader``: accounts that need no login (no usable password).
JUDGES: Final = (
    ("demo_judge1", "邱晓岚", "市文联"),
    ("demo_judge2", "阿苦伍沙", "市文化馆"),
    ("demo_judge3", "钟志华", "西昌学院音乐系"),
)
FINALISTS: Final = 6


def seed_culture(
    rng: random.Random,
    today: dt.date,
    township: Unit,
    villages: list[Unit],
    units: list[Unit],
    summary: PartySummary,
) -> None:
    from grassroots.demo.partybuilding import person_name

    blank = {"sha256": "", "content_type": "", "size": 0}
    songs: list[Song] = []
    singers = [v for v in villages if rng.random() < 0.7 or v == villages[0]]
    others = [u for u in units if u.parent_id not in (None, township.pk) and u.kind == "village"]
    singers += others[:: max(1, len(others) // 8)] if others else []
    for village in singers:
        place = short_name(village.name)
        songs.append(
            Song(
                unit=village,
                unit_path=village.path,
                title=rng.choice(texts.SONG_TITLES).format(village=place),
                lyricist=person_name(rng),
                composer=person_name(rng),
                lyrics=rng.choice(texts.SONG_LYRICS).format(village=place),
                **blank,
            )
        )
    Song.objects.bulk_create(songs)
    chapters: list[VillageHistory] = []
    mottos: list[FamilyMotto] = []
    performers: list[Performer] = []
    for village in villages:
        place = short_name(village.name)
        for order, (title, body) in enumerate(texts.HISTORY_CHAPTERS[: rng.randint(2, 4)], start=1):
            chapters.append(
                VillageHistory(
                    unit=village,
                    unit_path=village.path,
                    title=title,
                    body=body.format(village=place),
                    order=order,
                )
            )
        families = rng.sample(texts.HAN_FAMILIES, 6) + rng.sample(texts.YI_FAMILIES, 4)
        for family in rng.sample(families, rng.randint(5, 10)):
            yi = family in texts.YI_FAMILIES
            mottos.append(
                FamilyMotto(
                    unit=village,
                    unit_path=village.path,
                    family=f"{family}家",
                    motto=rng.choice(
                        texts.YI_MOTTOS if yi and rng.random() < 0.7 else texts.MOTTOS
                    ),
                    story=rng.choice(texts.MOTTO_STORIES).format(n=rng.randint(2, 5)),
                )
            )
        count = rng.randint(5, 15)
        for n in range(count):
            specialty = rng.choices(
                list(PerformerSpecialty.values), weights=[30, 30, 12, 8, 8, 6, 6]
            )[0]
            performers.append(
                Performer(
                    unit=village,
                    unit_path=village.path,
                    name=person_name(rng, 0.45),
                    specialty=specialty,
                    troupe=rng.choice(texts.TROUPES).format(village=place),
                    birth_year=rng.randint(1952, 2002),
                    phone=f"1398834{rng.randrange(10_000):04d}",  # synthetic
                    leader=n == 0 or (specialty == PerformerSpecialty.ORGANISER),
                    active=rng.random() > 0.08,
                    note=rng.choice(texts.PERFORMER_NOTES),
                )
            )
    VillageHistory.objects.bulk_create(chapters)
    FamilyMotto.objects.bulk_create(mottos)
    Performer.objects.bulk_create(performers, batch_size=1000)
    summary.songs = len(songs)
    summary.histories = len(chapters)
    summary.mottos = len(mottos)
    summary.performers = len(performers)


def judge_accounts() -> list[User]:
    """The demo's judges: ``rater``, ``unit_leader`` and three accounts without a login."""
    found = {u.username: u for u in User.objects.filter(username__in=("rater", "unit_leader"))}
    judges = [found[name] for name in ("rater", "unit_leader") if name in found]
    for n, (username, full_name, _place) in enumerate(JUDGES, start=1):
        user = User.objects.filter(username=username).first() or User(username=username)
        user.full_name = full_name
        user.phone = f"13808349{n:03d}"  # synthetic
        user.is_active = True
        user.password = make_password(None)  # named on the competition only: no login
        user.save()
        judges.append(user)
    return judges


def seed_competitions(
    rng: random.Random,
    today: dt.date,
    township: Unit,
    villages: list[Unit],
    summary: PartySummary,
) -> None:
    """礼州镇's published competition of the year and next season's in preparation."""
    from grassroots.demo.partybuilding import local_at

    if not villages:
        return
    year = today.year if today.month >= 4 else today.year - 1
    final_day = min(today - dt.timedelta(days=21), dt.date(year, 11, 20))
    first_day = final_day - dt.timedelta(days=28)
    judges = judge_accounts()
    organiser = {"organiser": township, "organiser_path": township.path}
    published = Competition.objects.create(
        **organiser,
        title=f"{year}年礼州镇“村村有村歌”文化竞演",
        year=year,
        description="以“唱村歌、讲村史、传家训”为主题，各村(社区)选送节目，初赛前六名进入决赛。",
        status=CompetitionStatus.PUBLISHED,
        published_at=local_at(final_day + dt.timedelta(days=3), 16),
    )
    rounds = [
        Round.objects.create(competition=published, name="初赛", order=1, held_on=first_day),
        Round.objects.create(competition=published, name="决赛", order=2, held_on=final_day),
    ]
    panel = [
        CompetitionJudge.objects.create(
            competition=published, user=user, submitted_at=local_at(final_day, 21)
        )
        for user in judges
    ]
    songs = {s.unit_id: s.title for s in Song.objects.filter(unit__in=villages)}
    entrants = list(villages)
    made = 0
    for stage, round_ in enumerate(rounds):
        entries: list[Entry] = []
        quality: list[float] = []
        for village in entrants:
            title, category = rng.choice(texts.PROGRAMMES)
            if stage == 1:  # a new programme for the final
                title, category = texts.PROGRAMMES[
                    (texts.PROGRAMMES.index((title, category)) + 1) % len(texts.PROGRAMMES)
                ]
            song = songs.get(village.pk, f"{short_name(village.name)}之歌")
            entries.append(
                Entry(
                    round=round_,
                    unit=village,
                    title=title.format(song=song),
                    category=category,
                    performers=f"{short_name(village.name)}文艺队",
                )
            )
            quality.append(rng.uniform(72, 94))
        Entry.objects.bulk_create(entries)
        scores: list[JudgeScore] = []
        finals: list[Decimal] = []
        for entry, q in zip(entries, quality, strict=True):
            given = []
            for n, judge in enumerate(panel):
                lenient = (n - 2) * 0.8  # each judge a little stricter or kinder
                value = Decimal(f"{min(99.5, max(60.0, q + lenient + rng.gauss(0, 2.5))):.1f}")
                given.append(value)
                scores.append(
                    JudgeScore(
                        judge=judge,
                        entry=entry,
                        score=value,
                        comment=rng.choice(texts.JUDGE_COMMENTS),
                    )
                )
            finals.append(scoring.final_score(given) or Decimal(0))
        JudgeScore.objects.bulk_create(scores)
        made += len(entries)
        ordered = sorted(zip(entries, finals, strict=True), key=lambda pair: -pair[1])
        entrants = [e.unit for e, _s in ordered[:FINALISTS]]
    # scores, ranks and prizes of every round as closing the scores computes them
    compute_results(published)
    # next season's, being prepared: a round ahead, a few entries, judges named
    draft = Competition.objects.create(
        **organiser,
        title=f"{today.year + 1}年礼州镇“迎新春”乡村文艺汇演",
        year=today.year + 1,
        description="各村(社区)自编自演，展示移风易俗和乡村振兴新风貌。",
    )
    coming = Round.objects.create(
        competition=draft, name="汇演", order=1, held_on=today + dt.timedelta(days=45)
    )
    drafts = [
        Entry(
            round=coming,
            unit=village,
            title=rng.choice(texts.PROGRAMMES)[0].format(song=f"{short_name(village.name)}之歌"),
            category="综合",
            performers=f"{short_name(village.name)}文艺队",
        )
        for village in rng.sample(villages, min(5, len(villages)))
    ]
    Entry.objects.bulk_create(drafts)
    CompetitionJudge.objects.bulk_create(
        [CompetitionJudge(competition=draft, user=user) for user in judges[:2]]
    )
    summary.competitions = 2
    summary.entries = made + len(drafts)

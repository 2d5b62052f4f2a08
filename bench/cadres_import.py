"""Import of a cadre roster (bench "cadres.import"): ``grassroots import-cadres``.

A roster of ``GRASSROOTS_BENCH_CADRE_ROWS`` rows (default 5,000: every township and village
cadre of a large city; an .xlsx, the format offices keep rosters in) is imported into the
demo town (``seed --scale town --months 0``, SQLite in a temporary data directory) by an
organisation department login, timed in a child process around
``grassroots.cadres.importing.import_cadres``: reading, checking every row, writing the
files, their post records and the audit entries. Then the same roster again with every
second cadre promoted: half the files updated (a post record closed and one opened each),
half unchanged.

Figures: seconds of the first import (target < 30 s, the issue's bar for a 5,000-row
roster) and of the re-import, one JSON line each.

Run from the repository: ``.venv/bin/python bench/cadres_import.py``.
"""

from __future__ import annotations

import json
import os
import tempfile

from _common import bench_env, emit, run_grassroots

BENCH = "cadres.import"
ROWS = int(os.environ.get("GRASSROOTS_BENCH_CADRE_ROWS", "5000"))
TARGET_S = 30.0

SCRIPT = """
import datetime, json, random, time
from pathlib import Path
from openpyxl import Workbook
from grassroots.cadres.importing import import_cadres
from grassroots.common.idnumbers import id_check_char
from grassroots.org.models import Membership, Unit, User

rows, folder = %d, Path(%r)
root = Unit.objects.get(parent__isnull=True)
user = User.objects.create_user(username="bench_org", password="bench-Password-1")
Membership.objects.create(user=user, unit=root, role="org_department")
units = list(Unit.objects.filter(kind__in=["township", "village", "community"])
             .values_list("code", "kind"))
rng = random.Random(2026)
surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
given = "建国明华丽芳志强秀英春梅德文海军红玉晓东"
yi = ("吉克", "沙马", "海来", "曲比", "阿苦", "俄木", "马海", "吉木")
yi_given = ("拉且", "阿果", "子洛", "伍呷", "石且", "阿依", "日火", "木呷")
header = ["姓名", "性别", "民族", "出生日期", "身份证号", "手机号", "学历", "入党时间",
          "参加基层工作时间", "单位代码", "现任职务", "职级"]


def roster(promote: bool) -> Path:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("干部花名册")
    sheet.append(header)
    pick = random.Random(7)
    for n in range(rows):
        code, kind = units[n %% len(units)]
        born = datetime.date(1966, 1, 1) + datetime.timedelta(days=(n %% 1000) * 12)
        first17 = "513401" + born.strftime("%%Y%%m%%d") + "%%03d" %% (n // 1000)
        number = first17 + id_check_char(first17)
        is_yi = pick.random() < 0.45
        name = (pick.choice(yi) + pick.choice(yi_given)) if is_yi else (
            pick.choice(surnames) + pick.choice(given) + pick.choice(given))
        village = kind != "township"
        post = ("村党支部书记" if n %% 2 else "村委会委员") if village else "党委委员"
        if promote and n %% 2 == 0:
            post = "党委副书记" if not village else "村党支部书记、主任"
        sheet.append([
            name, "", "彝族" if is_yi else "汉族", "", number, "139%%08d" %% n,
            pick.choice(["大学本科", "大学专科", "中专及高中"]), "", "2015-08-01", code, post,
            ("村(社区)两委委员" if village else "副科级"),
        ])
    path = folder / ("roster-%%s.xlsx" %% ("again" if promote else "first"))
    book.save(path)
    return path


figures = {}
for label, promote in (("first", False), ("again", True)):
    path = roster(promote)
    started = time.perf_counter()
    summary = import_cadres(path, actor=user)
    figures[label] = {"seconds": time.perf_counter() - started, "created": summary.created,
                      "updated": summary.updated, "unchanged": summary.unchanged}
print(json.dumps(figures))
"""


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-cadres-") as tmp:
        env = bench_env(tmp)
        run_grassroots(["migrate", "--verbosity", "0"], env)
        run_grassroots(["seed", "--scale", "town", "--months", "0", "--quiet"], env)
        out = run_grassroots(["shell", "--verbosity", "0", "-c", SCRIPT % (ROWS, tmp)], env)
        figures = json.loads(out.strip().splitlines()[-1])
    first, again = figures["first"], figures["again"]
    emit(
        BENCH,
        "first_import_s",
        first["seconds"],
        "s",
        target=f"< {TARGET_S:g}",
        ok=first["seconds"] < TARGET_S and first["created"] == ROWS,
        db="sqlite",
        rows=ROWS,
        created=first["created"],
    )
    emit(
        BENCH,
        "reimport_half_updated_s",
        again["seconds"],
        "s",
        target=f"< {TARGET_S:g}",
        ok=again["seconds"] < TARGET_S and again["updated"] == (ROWS + 1) // 2,
        db="sqlite",
        rows=ROWS,
        updated=again["updated"],
        unchanged=again["unchanged"],
    )


if __name__ == "__main__":
    main()

"""Import of a household register (bench "residents.import"): ``grassroots import_residents``.

A register of ``GRASSROOTS_BENCH_RESIDENT_ROWS`` people (default 10,000 in about 3,000
households: the 户籍人口台账 of a large township; an .xlsx, the format villages keep it in)
is imported into the demo town (``seed --scale town --months 0``, SQLite in a temporary
data directory) by the city office's login, timed in a child process around
``grassroots.residents.importing.households.import_households``: first the check alone
(``dry_run``, the page's preview), then the import itself (reading and checking again,
writing the households and the people with their ID numbers and phones encrypted, the
audit entry).

Figure: seconds of the check plus the import (target < 60 s), one JSON line, with each
part beside it.

Run from the repository: ``.venv/bin/python bench/residents_import.py``.
"""

from __future__ import annotations

import json
import os
import tempfile

from _common import bench_env, emit, run_grassroots

BENCH = "residents.import"
ROWS = int(os.environ.get("GRASSROOTS_BENCH_RESIDENT_ROWS", "10000"))
TARGET_S = 60.0

SCRIPT = """
import datetime, json, random, time
from pathlib import Path
from openpyxl import Workbook
from grassroots.common.idnumbers import id_check_char
from grassroots.org.models import Membership, Unit, User
from grassroots.residents.importing.households import import_households

rows, folder = %d, Path(%r)
root = Unit.objects.get(parent__isnull=True)
user = User.objects.create_user(username="bench_residents", password="bench-Password-1")
Membership.objects.create(user=user, unit=root, role="city_admin")
grids = list(Unit.objects.filter(kind="grid", active=True).order_by("path")
             .values_list("code", flat=True))
rng = random.Random(2026)
surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
given = "建国明华丽芳志强秀英春梅德文海军红玉晓东"
yi = ("吉克", "沙马", "海来", "曲比", "阿苦", "俄木", "马海", "吉木")
yi_given = ("拉且", "阿果", "子洛", "伍呷", "石且", "阿依", "日火", "木呷")
relations = ["配偶", "子女", "子女", "父母", "孙子女", "兄弟姐妹"]
header = ["网格编码", "户号", "门牌地址", "姓名", "与户主关系", "性别", "公民身份号码",
          "出生日期", "联系电话", "人口类型", "状态", "变动日期", "备注"]


def name() -> str:
    if rng.random() < 0.45:
        return rng.choice(yi) + rng.choice(yi_given)
    return rng.choice(surnames) + rng.choice(given) + rng.choice(given)


book = Workbook(write_only=True)
sheet = book.create_sheet("户籍人口台账")
sheet.append(header)
n = household = 0
while n < rows:
    household += 1
    grid = grids[household %% len(grids)]
    size = min(rng.choice([1, 2, 3, 3, 4, 4, 5, 6]), rows - n)
    for member in range(size):
        born = datetime.date(1940, 1, 1) + datetime.timedelta(days=(n * 7919) %% 29000)
        first17 = "513499" + born.strftime("%%Y%%m%%d") + "%%03d" %% (n %% 1000)
        number = first17 + id_check_char(first17) if n %% 10 else ""
        male = int(first17[16]) %% 2 == 1
        status, changed = "", ""
        if n %% 37 == 0 and member:
            status, changed = "迁出", "2025-06-01"
        address = "%%d组%%d号" %% (household %% 20, household) if not member else ""
        gender = ("男" if male else "女") if not number else ""
        sheet.append([
            grid, "B%%05d" %% household, address, name() + ("" if number else "%%d" %% n),
            "户主" if member == 0 else rng.choice(relations), gender, number,
            "" if number else born.isoformat(), "139%%08d" %% n if n %% 3 == 0 else "",
            "流动" if n %% 9 == 0 else "常住", status, changed, "",
        ])
        n += 1
path = folder / "register.xlsx"
book.save(path)
started = time.perf_counter()
checked = import_households(path, actor=user, dry_run=True)
check_s = time.perf_counter() - started
started = time.perf_counter()
done = import_households(path, actor=user)
write_s = time.perf_counter() - started
print(json.dumps({"check_s": check_s, "write_s": write_s, "households": done.households_created,
                  "people": done.residents_created, "checked_people": checked.residents_created}))
"""


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-residents-") as tmp:
        env = bench_env(tmp)
        run_grassroots(["migrate", "--verbosity", "0"], env)
        run_grassroots(["seed", "--scale", "town", "--months", "0", "--quiet"], env)
        out = run_grassroots(["shell", "--verbosity", "0", "-c", SCRIPT % (ROWS, tmp)], env)
        figures = json.loads(out.strip().splitlines()[-1])
    total = figures["check_s"] + figures["write_s"]
    emit(
        BENCH,
        "check_and_import_s",
        total,
        "s",
        target=f"< {TARGET_S:g}",
        ok=total < TARGET_S and figures["people"] == ROWS,
        db="sqlite",
        rows=ROWS,
        households=figures["households"],
        check_s=round(figures["check_s"], 3),
        import_s=round(figures["write_s"], 3),
    )


if __name__ == "__main__":
    main()

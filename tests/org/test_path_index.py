"""A subtree query at province scale is answered from the path index (PostgreSQL plan)."""

from __future__ import annotations

import pytest
from django.db import connection

from grassroots.org.models import Unit, UnitKind

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _province_shaped_tree() -> Unit:
    """About 40,000 units: 1 province, 20 prefectures, 200 counties, 3,000 townships, 36,000
    villages — the shape of 四川 (3,111 townships, 34,412 villages)."""
    province = Unit.objects.create(code="51", name="四川省", kind=UnitKind.PROVINCE)
    rows: list[Unit] = []
    for p in range(20):
        pcode = f"51{p:02d}"
        ppath = f"51.{pcode}"
        rows.append(Unit(code=pcode, name=f"州{p}", kind=UnitKind.PREFECTURE, path=ppath, depth=1))
        for c in range(10):
            ccode = f"{pcode}{c:02d}"
            cpath = f"{ppath}.{ccode}"
            rows.append(Unit(code=ccode, name=f"县{c}", kind=UnitKind.COUNTY, path=cpath, depth=2))
            for t in range(15):
                tcode = f"{ccode}{t:03d}"
                tpath = f"{cpath}.{tcode}"
                rows.append(
                    Unit(code=tcode, name=f"镇{t}", kind=UnitKind.TOWNSHIP, path=tpath, depth=3)
                )
                for v in range(12):
                    vcode = f"{tcode}{v + 200:03d}"
                    rows.append(
                        Unit(
                            code=vcode,
                            name=f"村{v}",
                            kind=UnitKind.VILLAGE,
                            path=f"{tpath}.{vcode}",
                            depth=4,
                        )
                    )
    # bulk_create skips save(): paths are given above; parents are not needed for the plan.
    Unit.objects.bulk_create(rows, batch_size=5000)
    return province


def test_subtree_query_uses_the_path_index() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the plan is checked on PostgreSQL")
    _province_shaped_tree()
    township = Unit.objects.get(code="510703007")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE org_unit")
    qs = Unit.objects.within(township)
    assert qs.count() == 13
    plan = qs.explain()
    assert "Index Cond: (((path)::text ~>=~" in plan, plan  # the prefix range on the index
    assert "Seq Scan" not in plan, plan

"""The decision rules and the venue standard the city starts from (the city office changes
them on the settings pages)."""

from decimal import Decimal

from django.db import migrations

RULES = [
    # matter, needs a resolution, from the amount (yuan; None: any)
    ("livelihood", True, None),
    ("reward", True, None),
    ("cadre", True, None),
    ("land", True, None),
    ("fund", True, Decimal("50000")),
    ("other", False, None),
]

CHECKLIST = [
    # category, item, points, required
    ("space", "活动场所面积不少于200平方米, 功能分区合理", 15, True),
    ("space", "设有党员活动室、便民服务室和会议室", 10, False),
    ("signage", "党旗、党徽、组织牌匾规范悬挂", 10, True),
    ("signage", "党务、村务、财务公开栏内容及时更新", 10, False),
    ("equipment", "远程教育和会议设备可正常使用", 10, False),
    ("equipment", "农家书屋藏书和借阅登记", 10, False),
    ("equipment", "文体活动器材完好可用", 5, False),
    ("open_hours", "公示开放时间并按时开放", 10, True),
    ("services", "便民服务事项和办理流程公开", 10, False),
    ("services", "每月至少开展一次党建或文化活动", 10, False),
]


def add(apps, schema_editor):
    DecisionRule = apps.get_model("partybuilding", "DecisionRule")
    ChecklistItem = apps.get_model("partybuilding", "ChecklistItem")
    for matter, required, amount in RULES:
        DecisionRule.objects.get_or_create(
            matter=matter, defaults={"required": required, "min_amount": amount}
        )
    if not ChecklistItem.objects.exists():
        for order, (category, label, points, required) in enumerate(CHECKLIST, start=1):
            ChecklistItem.objects.create(
                category=category, label=label, points=points, required=required, order=order
            )


def remove(apps, schema_editor):
    apps.get_model("partybuilding", "DecisionRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("partybuilding", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]

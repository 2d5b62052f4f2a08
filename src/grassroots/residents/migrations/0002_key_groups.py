"""The key groups most grids care for, with the visit frequencies the city starts from
(the city office changes them on the settings page)."""

from django.db import migrations

GROUPS = [
    # code, name, visit every (days), description
    ("elderly_alone", "独居老人", 7, "60周岁以上独自居住的老年人"),
    ("empty_nest", "空巢老人", 30, "子女不在身边的老年人家庭"),
    ("left_behind_child", "留守儿童", 30, "父母双方外出务工或一方外出另一方无监护能力的未满16周岁儿童"),
    ("disabled", "残疾人", 30, "持残疾人证的残疾人, 重度残疾人优先"),
    ("subsistence", "低保/特困人员", 30, "最低生活保障对象和特困供养人员"),
    ("relapse_monitor", "防返贫监测户", 30, "纳入防止返贫动态监测的家庭成员"),
    ("serious_illness", "大病重病患者", 30, "患重大疾病、长期慢性病的居民"),
    ("mental_illness", "严重精神障碍患者", 15, "在册严重精神障碍患者(与医疗机构共同随访)"),
    ("community_correction", "社区矫正对象", 15, "依法实行社区矫正的人员"),
    ("veteran", "退役军人及优抚对象", 90, "退役军人、重点优抚对象"),
]


def add(apps, schema_editor):
    KeyGroup = apps.get_model("residents", "KeyGroup")
    for order, (code, name, every, description) in enumerate(GROUPS, start=1):
        KeyGroup.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "visit_every_days": every,
                "description": description,
                "order": order,
            },
        )


def remove(apps, schema_editor):
    KeyGroup = apps.get_model("residents", "KeyGroup")
    KeyGroup.objects.filter(code__in=[g[0] for g in GROUPS], people__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("residents", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]

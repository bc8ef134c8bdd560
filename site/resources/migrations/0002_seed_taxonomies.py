"""Seed the controlled vocabularies of DESIGN.md (seed 000, §一 and §二). Codes are stable;
re-running only fixes labels and order, it never deletes what editors added."""

from django.db import migrations

VOCABULARIES = {
    "CapabilityArea": [
        ("ideology", "思想理论教育和价值引领"),
        ("party_league_class", "党团和班级建设"),
        ("study_style", "学风建设"),
        ("daily_affairs", "学生日常事务管理"),
        ("mental_health", "心理健康教育"),
        ("online_education", "网络思想政治教育"),
        ("crisis_response", "校园危机事件应对"),
        ("career_guidance", "职业规划与就业创业指导"),
        ("research", "理论和实践研究"),
    ],
    "CareerStage": [
        ("new", "新入职（1—3年）"),
        ("experienced", "有一定工作基础（4—8年）"),
        ("senior", "经验丰富（8年以上）"),
    ],
    "CourseType": [("theory", "理论学习"), ("practice", "实践教学"), ("seminar", "工作研讨")],
    "Requirement": [("required", "必修课"), ("elective", "选修课"), ("essential", "应知应会微课")],
    "Tier": [("national", "国家级示范"), ("provincial", "省级特色"), ("school", "校级基础")],
}


def seed(apps, schema_editor):
    for model_name, rows in VOCABULARIES.items():
        model = apps.get_model("resources", model_name)
        for order, (code, label) in enumerate(rows, start=1):
            model.objects.update_or_create(code=code, defaults={"label": label, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
